"""The translation dashboard: source revisions kept at start-up, each translation's state, the
filters, the CSV export, the source's changes since a translation and the reviews due."""

import csv
import io
import logging
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.faq.models import SourceRevision
from portal.faq.revisions import diff_lines, record_revisions, translation_overview
from portal.faq.store import ArticleError, load_articles
from portal.i18n import LANGUAGES, text_direction
from portal.models import utcnow
from tests.helpers import (
    POSTGRES,
    ROOT,
    add_user,
    client_login,
    html_errors,
    need,
    postgres_available,
    postgres_database,
    staff_client,
    statements,
    write_article,
)

CATEGORIES = """
["guides"]
fr = "Guides"
en = "Guides"
de = "Anleitungen"

["guides/setup"]
fr = "Installation"
en = "Setup"
de = "Einrichtung"

["billing"]
fr = "Facturation"
en = "Billing"
de = "Abrechnung"
"""
NOTES = [f"Note {number}." for number in range(1, 9)]
BODY_V1 = "\n".join(["Intro.", "", "1. Open the settings.", "2. Click Save.", "", *NOTES, ""])
# Revision 3 (the portal never saw a revision 2): one step changed, one line added at the end.
BODY_V3 = BODY_V1.replace("2. Click Save.", "2. Click Save and close.") + "A closing line.\n"
TODAY = utcnow().date()


def write_faq(faq_dir, revision: int = 1) -> None:
    """Article 10 (guides/setup) at the revision given, and article 20 (billing) at revision 2.

    Article 10: de was translated from revision 1, en from revision 3, es not at all.
    Article 20: its French title starts like a spreadsheet formula; de was translated from
    revision 1, whose text the portal never sees.
    """
    faq_dir.mkdir(exist_ok=True)
    (faq_dir / "categories.toml").write_text(CATEGORIES, encoding="utf-8")
    folder = faq_dir / "10-setup"
    write_article(
        folder,
        "fr",
        BODY_V1 if revision == 1 else BODY_V3,
        revision=revision,
        title="Configurer" if revision == 1 else "Configurer le module",
        category="guides/setup",
    )
    if revision > 1:
        write_article(folder, "en", source_revision=3, category="guides/setup",
                      review_by=TODAY + timedelta(days=10))  # fmt: skip
    write_article(folder, "de", source_revision=1, category="guides/setup",
                  review_by=TODAY - timedelta(days=5))  # fmt: skip
    bill = faq_dir / "20-billing"
    common = {"id": 20, "category": "billing"}
    write_article(bill, "fr", revision=2, title='=HYPERLINK("http://x.example")', **common,
                  slug="facturation", review_by=TODAY + timedelta(days=100))  # fmt: skip
    write_article(bill, "de", source_revision=1, slug="abrechnung", **common)


def stored(app) -> dict[tuple[int, int], SourceRevision]:
    with app.app_context():
        rows = db.session.execute(db.select(SourceRevision)).scalars()
        return {(row.article_id, row.revision): row for row in rows}


@pytest.fixture
def faq_dir(tmp_path):
    path = tmp_path / "faq"
    write_faq(path)
    return path


@pytest.fixture
def dashboard_app(build_app, faq_dir):
    """The portal after a release that raised article 10 from revision 1 to 3."""
    build_app(faq_dir)  # the tables (none at its own start)
    build_app(faq_dir, reset=False)  # a start that keeps revision 1
    write_faq(faq_dir, revision=3)
    return build_app(faq_dir, reset=False)


@pytest.fixture
def staff(dashboard_app):
    return staff_client(dashboard_app)


# Recording ------------------------------------------------------------------------------


def test_each_start_keeps_only_new_source_revisions(build_app, faq_dir):
    build_app(faq_dir)
    first = build_app(faq_dir, reset=False)
    kept = stored(first)
    assert sorted(kept) == [(10, 1), (20, 2)]
    assert (kept[10, 1].lang, kept[10, 1].title, kept[10, 1].text) == ("fr", "Configurer", BODY_V1)
    again = build_app(faq_dir, reset=False)
    assert stored(again).keys() == kept.keys()
    assert stored(again)[10, 1].seen_at == kept[10, 1].seen_at
    # One query when nothing is new: no insert, no read of the files.
    with statements(again) as sent, again.app_context():
        assert record_revisions(again.extensions["faq"]) == 0
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("SELECT")
    write_faq(faq_dir, revision=3)
    newer = stored(build_app(faq_dir, reset=False))
    assert sorted(newer) == [(10, 1), (10, 3), (20, 2)]
    assert (newer[10, 3].title, newer[10, 3].text) == ("Configurer le module", BODY_V3)


@pytest.mark.parametrize(
    "database, reason",
    [
        ("empty.db", "no such table: faq_source_revision"),  # before `flask db upgrade`
        ("missing/nowhere.db", "unable to open database file"),  # out of reach
    ],
)
def test_a_database_that_cannot_keep_them_warns_and_the_portal_starts(
    build_app, faq_dir, tmp_path, caplog, database, reason
):
    with caplog.at_level(logging.WARNING):
        app = build_app(faq_dir, reset=False, DATABASE_URL=f"sqlite:///{tmp_path / database}")
    assert f"source revisions not recorded: {reason}" in caplog.text
    assert app.test_client().get("/en/").status_code == 200


def start_at_once(database_url: str, faq_dir, count: int = 2) -> None:
    """Start the portal in several processes at the same moment, as gunicorn's workers do."""
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_SECRET_KEY": "test-secret",
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_FAQ_DIR": str(faq_dir),
    }
    command = [sys.executable, "-c", "from portal import create_app; create_app()"]
    starts = [
        subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    outputs = [process.communicate(timeout=120)[1] for process in starts]
    assert [process.returncode for process in starts] == [0] * count, outputs
    assert not any("not recorded" in output for output in outputs), outputs


def test_two_apps_starting_at_once_keep_each_revision_once(build_app, faq_dir):
    app = build_app(faq_dir)
    start_at_once(app.config["DATABASE_URL"], faq_dir)
    assert sorted(stored(app)) == [(10, 1), (20, 2)]


def lose_the_race(app) -> None:
    """Another worker inserts the rows first and commits while this one waits to insert them."""
    with app.app_context():
        engine = sa.create_engine(db.engine.url)
        library = app.extensions["faq"]
    rows = [
        {"article_id": a.id, "revision": a.revision, "lang": "fr", "title": "t", "text": "x",
         "seen_at": utcnow()}
        for a in library.articles.values()
    ]  # fmt: skip
    results = []
    with engine.connect() as other:
        transaction = other.begin()
        other.execute(sa.insert(SourceRevision.__table__), rows)

        def record() -> None:
            with app.app_context():
                results.append(record_revisions(library))

        worker = threading.Thread(target=record)
        worker.start()
        time.sleep(0.5)  # the worker has looked (nothing committed) and waits on the insert
        transaction.commit()
        worker.join(30)
    engine.dispose()
    assert results == [0]
    assert len(stored(app)) == len(rows)


def test_a_worker_that_loses_the_race_adds_nothing_and_does_not_fail(build_app, faq_dir):
    lose_the_race(build_app(faq_dir))  # its table made afresh, empty


@pytest.fixture
def postgres_url():
    need(postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
    url = postgres_database(f"{POSTGRES}/portal_revisions_{uuid.uuid4().hex[:10]}")
    yield url
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = sa.engine.make_url(url).database
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_recording_on_postgresql(build_app, faq_dir, postgres_url, caplog):
    with caplog.at_level(logging.WARNING):
        build_app(faq_dir, DATABASE_URL=postgres_url)  # no table yet: a warning, then made
    assert "source revisions not recorded" in caplog.text
    start_at_once(postgres_url, faq_dir)
    app = build_app(faq_dir, reset=False, DATABASE_URL=postgres_url)
    assert sorted(stored(app)) == [(10, 1), (20, 2)]
    write_faq(faq_dir, revision=3)
    app = build_app(faq_dir, reset=False, DATABASE_URL=postgres_url)
    assert sorted(stored(app)) == [(10, 1), (10, 3), (20, 2)]
    build_app(faq_dir, DATABASE_URL=postgres_url)  # the table emptied
    lose_the_race(app)


def test_flask_faq_index_keeps_new_revisions(build_app, faq_dir):
    app = build_app(faq_dir)  # started before its tables existed: nothing kept
    assert stored(app) == {}
    result = app.test_cli_runner().invoke(args=["faq", "index"])
    assert result.exit_code == 0 and "New source revisions kept: 2" in result.output
    assert sorted(stored(app)) == [(10, 1), (20, 2)]


# Front matter ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["soon", datetime(2027, 1, 1, 9, 30), 20270101])
def test_a_review_by_that_is_not_a_date_stops_loading(faq_dir, value):
    path = write_article(faq_dir / "10-setup", "en", source_revision=1, category="guides/setup",
                         review_by=value)  # fmt: skip
    with pytest.raises(ArticleError) as error:
        load_articles(faq_dir)
    assert str(path) in str(error.value)
    assert "'review_by' must be a TOML date, e.g. 2027-03-31" in str(error.value)


def test_review_by_is_optional(faq_dir):
    articles, _, _ = load_articles(faq_dir)
    assert articles[20].translations["de"].review_by is None
    assert articles[10].translations["de"].review_by == TODAY - timedelta(days=5)


# Statuses and filters ---------------------------------------------------------------------


def states(overview) -> dict[tuple[int, str], tuple[str, int]]:
    return {
        (row.article.id, cell.lang): (cell.status, cell.behind)
        for row in overview.rows
        for cell in row.cells
    }


def test_each_translation_is_current_outdated_by_n_or_missing(dashboard_app):
    from portal.faq import Filters

    with dashboard_app.test_request_context("/en/"):
        found = states(translation_overview("en", Filters()))
    assert len(found) == 2 * len(LANGUAGES)
    assert found[10, "fr"] == ("source", 0)
    assert found[10, "en"] == ("current", 0)
    assert found[10, "de"] == ("outdated", 2)
    assert found[10, "es"] == ("missing", 0)
    assert found[20, "de"] == ("outdated", 1)


def row_of(html: str, article_id: int) -> str:
    return next(row for row in html.split("<tr>") if f"(#{article_id})" in row)


def test_the_page_shows_each_state(staff):
    html = staff.get("/en/support/translations").get_data(as_text=True)
    row = row_of(html.split('id="articles-title"')[1], 10)
    assert re.search(r'status-source" data-lang="fr">\s*<strong>Source text</strong>', row)
    assert re.search(r'status-current" data-lang="en">\s*Up to date', row)
    assert 'href="/en/support/translations/10/de">Outdated</a>' in row
    assert "2 revisions behind" in row
    assert re.search(r'status-missing" data-lang="es">\s*Not translated', row)
    assert 'href="/en/support/translations.csv"' in html


def test_filters_by_category_with_its_sub_categories_and_by_language(staff):
    html = staff.get("/de/support/translations?category=guides").get_data(as_text=True)
    assert '<option value="guides/setup">Anleitungen › Einrichtung</option>' in html
    table = html.split('id="articles-title"')[1]
    assert "(#10)" in table and "(#20)" not in table  # guides/setup is inside guides
    html = staff.get("/en/support/translations?category=billing&language=de").get_data(as_text=True)
    table = html.split('id="articles-title"')[1]
    assert "(#20)" in table and "(#10)" not in table
    assert 'data-lang="de"' in table and 'data-lang="fr"' not in table
    assert '<option value="de" lang="de" selected>' in html
    assert "translations.csv?category=billing&amp;language=de" in html


@pytest.mark.parametrize("query", ["category=nowhere", "language=xx"])
def test_an_unknown_filter_is_refused_clearly(staff, query):
    response = staff.get(f"/en/support/translations?{query}")
    assert response.status_code == 400
    assert "Choose a category and a language from the lists." in response.get_data(as_text=True)
    assert staff.get(f"/en/support/translations.csv?{query}").status_code == 400


# CSV ------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_csv_has_a_row_per_article_and_language(staff):
    response = staff.get("/en/support/translations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="translations-{TODAY.isoformat()}.csv"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    header, *rows = csv_rows(response)
    assert header == ["Article ID", "Article title", "Category path", "Language",
                      "Translation status", "Source revisions behind", "Translated from revision",
                      "Source revision", "Review by"]  # fmt: skip
    assert len(rows) == 2 * len(LANGUAGES)
    by_key = {(row[0], row[3]): row for row in rows}
    late = (TODAY - timedelta(days=5)).isoformat()
    assert by_key["10", "de"] == ["10", "Sample de", "Guides › Setup", "de", "Outdated", "2", "1",
                                  "3", late]  # fmt: skip
    assert by_key["10", "fr"][4:8] == ["Source text", "0", "", "3"]
    assert by_key["10", "es"][1:] == ["Configurer le module", "Guides › Setup", "es",
                                      "Not translated", "", "", "3", ""]  # fmt: skip
    filtered = csv_rows(staff.get("/en/support/translations.csv?category=billing&language=de"))
    assert [row[:5] for row in filtered[1:]] == [["20", "Sample de", "Billing", "de", "Outdated"]]


def test_the_csv_never_starts_a_cell_with_a_formula(staff):
    rows = csv_rows(staff.get("/en/support/translations.csv?category=billing&language=fr"))
    assert rows[1][1] == '\'=HYPERLINK("http://x.example")'


# The source's changes -------------------------------------------------------------------


def test_the_diff_shows_the_changed_lines(staff):
    html = staff.get("/en/support/translations/10/de").get_data(as_text=True)
    assert "From revision 1 to revision 3" in html
    assert "<del>2. Click Save.</del>" in html and "<ins>2. Click Save and close.</ins>" in html
    assert "<ins>A closing line.</ins>" in html
    assert '<span class="visually-hidden">Removed</span>' in html
    assert '<span class="visually-hidden">Added</span>' in html
    assert ">Configurer</del>" in html and ">Configurer le module</ins>" in html
    assert "unchanged lines" in html  # the notes between the two changes are left out
    assert "Note 4." not in html


def test_diff_lines_counts_what_it_leaves_out():
    lines = diff_lines(BODY_V1, BODY_V3)
    changes = [(line.change, line.old, line.new, line.text) for line in lines]
    assert ("removed", 4, None, "2. Click Save.") in changes
    assert ("added", None, 4, "2. Click Save and close.") in changes
    assert ("added", None, 14, "A closing line.") in changes
    skipped = [line.skipped for line in lines if line.change == "skipped"]
    assert skipped == [3]  # Note 3 to Note 5, between the two changes
    assert diff_lines(BODY_V1, BODY_V1) == []


def test_a_revision_never_seen_says_so_and_shows_the_current_text(staff):
    html = staff.get("/en/support/translations/20/de").get_data(as_text=True)
    assert "The text of revision 1 was never seen by the portal" in html
    assert '<pre class="source-text" lang="fr" dir="ltr">Body in fr.' in html
    assert "<del>" not in html


def test_a_translation_up_to_date_has_no_changes_to_show(staff):
    html = staff.get("/en/support/translations/10/en").get_data(as_text=True)
    assert "This translation is up to date" in html and "<del>" not in html


@pytest.mark.parametrize("path", ["10/fr", "10/es", "10/xx", "99/de"])
def test_no_diff_for_a_source_a_missing_text_or_an_unknown_article(staff, path):
    assert staff.get(f"/en/support/translations/{path}").status_code == 404


# Reviews --------------------------------------------------------------------------------


def test_reviews_past_or_due_within_30_days_are_listed_oldest_first(staff):
    html = staff.get("/en/support/translations").get_data(as_text=True)
    reviews = html.split('id="reviews-title"')[1].split("</section>")[0]
    assert reviews.index("5 days late") < reviews.index("Due in 10 days")
    assert 'class="review-late"' in reviews
    assert "=HYPERLINK" not in reviews  # due in 100 days
    assert 'href="/de/faq/10-sample-de"' in reviews


# Access and languages -------------------------------------------------------------------

PAGES = ["/translations", "/translations.csv", "/translations/10/de"]


def test_only_staff_open_the_dashboard(dashboard_app):
    add_user(dashboard_app, "kunde@example.com", language="de")
    client = dashboard_app.test_client()
    for page in PAGES:
        assert client.get(f"/en/support{page}").status_code == 302  # to the log-in page
    client_login(client, "kunde@example.com")
    for page in PAGES:
        assert client.get(f"/en/support{page}").status_code == 403


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_renders(staff, lang):
    for page in ("/translations", "/translations/10/de", "/translations/20/de"):
        response = staff.get(f"/{lang}/support{page}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert f'<html lang="{lang}" dir="{text_direction(lang)}"' in html
    nav = staff.get(f"/{lang}/support/translations").get_data(as_text=True)
    assert f'href="/{lang}/support/translations" aria-current="page"' in nav
    assert staff.get(f"/{lang}/support/translations.csv").status_code == 200


def test_the_pages_are_valid_html(staff, tmp_path):
    pages = {
        f"{lang}-{name}": staff.get(f"/{lang}/support/translations{path}").get_data(as_text=True)
        for lang in ("en", "ar")
        for name, path in (
            ("table", ""),
            ("diff", "/10/de"),
            ("unseen", "/20/de"),
            ("bad", "?language=xx"),
        )
    }
    assert html_errors(pages, tmp_path / "html") == []
