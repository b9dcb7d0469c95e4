"""`flask faq import-znuny`: a Znuny FAQ (tables built from FAQ.sopm, or the REST connector)
becomes articles the portal loads, renders and searches; a second run changes only what changed
in Znuny and never a file edited here."""

import base64
import json
import os
import re
import shutil
import threading
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.faq.render import render_markdown
from portal.faq.store import load_articles, split_front_matter
from portal.faq.znuny.convert import (
    html_to_markdown,
    safe_file_name,
    slugify,
    split_keywords,
    text_to_markdown,
)
from portal.faq.znuny.labels import CAPTIONS, parse_field_labels
from portal.i18n import LANGUAGES, text_direction
from tests.helpers import POSTGRES, ROOT, make_app, need, postgres_available
from tests.znuny_schema import PDF, PNG, change_item, fill, imported_faq

ARTICLE = "101-generer-le-token-amazon"
SLUGS = {"fr": "generer-le-token-amazon", "de": "amazon-token-erstellen",
         "en": "generate-the-amazon-token"}  # fmt: skip
TRANSLATION_DE = """+++
id = 101
source_revision = 1
slug = "amazon-token-erstellen"
title = "Amazon-Token erstellen"
question = "Amazon-Token erstellen"
description = "Die Bestände werden nicht mehr aktualisiert."
category = "produits/amazon/configuration-api"
keywords = [
    "Amazon",
    "Token",
]
state = "public"
updated = 2024-02-01
znuny_item = 102
+++

## Symptom {#field-1}

Die Bestände werden nicht mehr aktualisiert.

## Lösung {#field-3}

1.  Öffnen Sie **Amazon**.
2.  Klicken Sie auf *Erneuern*.
"""


@pytest.fixture
def znuny(tmp_path) -> str:
    """A Znuny database (SQLite) holding the test FAQ."""
    url = f"sqlite:///{tmp_path / 'znuny.db'}"
    engine = sa.create_engine(url)
    fill(engine)
    engine.dispose()
    return url


def copy_of_faq(folder: Path) -> Path:
    """The portal's own faq/ (one article, its categories and their comment), to import into."""
    shutil.copytree(ROOT / "faq", folder)
    return folder


@pytest.fixture
def faq_dir(tmp_path) -> Path:
    return copy_of_faq(tmp_path / "faq")


@pytest.fixture
def cli(build_app, faq_dir):
    """Runs `flask faq import-znuny ARGS` for a portal whose FAQ_DIR is faq_dir."""
    runner = build_app(faq_dir, reset=False).test_cli_runner()
    return lambda *args: runner.invoke(args=["faq", "import-znuny", *args])


def front_matter(path: Path) -> tuple[dict, str]:
    head, body = split_front_matter(path, path.read_text(encoding="utf-8"))
    return tomllib.loads(head), body


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_items_become_articles_with_translations_files_and_categories(cli, znuny, faq_dir):
    result = cli("--database", znuny)
    assert result.exit_code == 0, result.output
    assert "Imported: 6, updated: 0, unchanged: 0 (in 4 articles)." in result.stdout
    folder = faq_dir / ARTICLE
    assert sorted(p.name for p in folder.iterdir()) == ["de.md", "en.md", "files", "fr.md"]
    assert (folder / "de.md").read_text(encoding="utf-8") == TRANSLATION_DE
    meta, body = front_matter(folder / "fr.md")
    assert meta == {
        "id": 101, "revision": 1, "slug": SLUGS["fr"], "title": "Générer le token Amazon",
        "question": "Générer le token Amazon",
        "description": "Les stocks ne sont plus mis à jour.",
        "category": "produits/amazon/configuration-api",
        "keywords": ["Amazon", "token", "SP-API", "renouvellement"],
        "state": "public", "updated": meta["updated"],
        "internal_note": "Si l'erreur MD1000 apparaît, transmettre à l'équipe.",
        "znuny_item": 101,
        "attachments": [{"file": "2-guide-d-utilisation.pdf", "name": "Guide d'utilisation.pdf",
                         "type": "application/pdf", "size": len(PDF)}],
        "imported_rating": {"votes": 3, "percent": 75.0},
    }  # fmt: skip
    assert str(meta["updated"]) == "2024-03-01"
    assert body.index("## Symptôme {#field-1}") < body.index("## Problème {#field-2}")
    assert "## Solution {#field-3}" in body and "Commentaire" not in body  # Field6: internal
    assert "![Bouton Renouveler](files/1-bouton-renouveler.png)" in body
    assert (folder / "files" / "1-bouton-renouveler.png").read_bytes() == PNG
    assert (folder / "files" / "2-guide-d-utilisation.pdf").read_bytes() == PDF
    en, _ = front_matter(folder / "en.md")
    assert (en["id"], en["source_revision"], en["znuny_item"], en["slug"]) == (
        101, 1, 103, SLUGS["en"]
    )  # fmt: skip
    assert "Hidden field four" not in (folder / "en.md").read_text()  # Field4 is off

    articles, categories, _ = load_articles(faq_dir)
    assert articles[101].source_lang == "fr" and set(articles[101].translations) == {
        "fr", "de", "en"
    }  # fmt: skip
    assert 2763 in articles and 109 in articles  # linked, but in the same language as 101
    assert categories["produits/amazon/configuration-api"].names == {
        "fr": "Configuration & API", "de": "Konfiguration & API", "en": "Configuration & API"
    }  # fmt: skip
    assert categories["produits"].names["de"] == "Produkte"
    text = (faq_dir / "categories.toml").read_text(encoding="utf-8")
    assert text.startswith("# The category tree.")  # the header comment is kept
    assert categories["support/marketplace"].names["ja"] == "マーケットプレイス"


def test_states_skipped_and_broken_items_are_reported(cli, znuny, faq_dir):
    result = cli("--database", znuny)
    assert result.exit_code == 0, result.output
    internal = front_matter(faq_dir / "104-procedure-interne-de-support" / "fr.md")[0]
    assert (internal["state"], internal["internal_note"]) == ("internal", "Ne pas diffuser.")
    assert front_matter(faq_dir / "105-prices-for-customers" / "en.md")[0]["state"] == "customers"
    plain = front_matter(faq_dir / "109-voir-aussi-les-prix" / "fr.md")[1]
    assert "Texte brut &lt;b>pas gras&lt;/b>  \n\\# pas un titre  \n2 \\* 3 = 6" in plain
    out = result.stdout
    assert "Skipped: 3" in out
    assert "  not approved: #106" in out and "  invalid in Znuny: #111" in out
    assert "  language 'ru' is not one of the portal's ten: #108" in out
    assert "Broken, not imported: 2" in out
    assert "  #107: category 99 does not exist" in out
    assert "  #110: attachment 5: its content is not valid base64" in out
    for number in (106, 107, 108, 110, 111):
        assert not list(faq_dir.glob(f"{number}-*"))
    assert "Reading Znuny's items" in result.stderr and "Reading" not in result.stdout


def test_include_unapproved_imports_them_as_internal(cli, znuny, faq_dir):
    assert cli("--database", znuny, "--include-unapproved").exit_code == 0
    for folder in ("106-brouillon-non-approuve", "111-article-invalide"):
        assert front_matter(faq_dir / folder / "fr.md")[0]["state"] == "internal"


def test_field_labels_choose_fields_and_headings(cli, znuny, faq_dir):
    spec = "1=Symptom, 3=Solution, 4=Notes, 6=internal:Comment"
    assert cli("--database", znuny, "--field-labels", spec).exit_code == 0
    en = (faq_dir / ARTICLE / "en.md").read_text(encoding="utf-8")
    assert "## Notes {#field-4}\n\nHidden field four." in en
    fr = (faq_dir / ARTICLE / "fr.md").read_text(encoding="utf-8")
    assert "## Solution {#field-3}" in fr and "{#field-2}" not in fr


@pytest.mark.parametrize(
    "spec, problem",
    [
        ("7=Other", "from 1 to 6"),
        ("1=A,1=B", "named twice"),
        ("Symptom", "N=LABEL"),
        (",", "at least one field"),
    ],
)
def test_bad_field_labels_are_refused(cli, znuny, faq_dir, spec, problem):
    before = snapshot(faq_dir)
    result = cli("--database", znuny, "--field-labels", spec)
    assert result.exit_code == 2 and "--field-labels" in result.output and problem in result.output
    assert snapshot(faq_dir) == before


def test_second_import_changes_only_what_changed(cli, znuny, faq_dir):
    assert cli("--database", znuny).exit_code == 0
    engine = sa.create_engine(znuny)
    change_item(engine, 101, "2024-04-01 08:00:00", f_field1="<p>Nouveau sympt&ocirc;me.</p>")
    change_item(engine, 104, "2024-04-02 08:00:00", f_field1="<p>Nouvelle proc&eacute;dure.</p>")
    engine.dispose()
    edited = faq_dir / "104-procedure-interne-de-support" / "fr.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAjout local.\n", encoding="utf-8")
    untouched = faq_dir / "109-voir-aussi-les-prix" / "fr.md"
    untouched.write_text(untouched.read_text(encoding="utf-8") + "\nAjout.\n", encoding="utf-8")
    before = snapshot(faq_dir)

    result = cli("--database", znuny)
    assert result.exit_code == 0, result.output
    assert "Imported: 0, updated: 1, unchanged: 4 (in 4 articles)." in result.stdout
    assert f"Conflicts, left untouched (edited here after the import): 1\n  {edited}\n" in (
        result.stdout
    )
    after = snapshot(faq_dir)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {f"{ARTICLE}/fr.md", "znuny-import.toml"}
    meta, body = front_matter(faq_dir / ARTICLE / "fr.md")
    assert meta["revision"] == 2 and str(meta["updated"]) == "2024-04-01"
    assert "Nouveau symptôme." in body
    articles, _, _ = load_articles(faq_dir)
    article = articles[101]
    assert article.revision == 2 and article.is_outdated(article.translations["de"])

    again = cli("--database", znuny)
    assert "Imported: 0, updated: 0, unchanged: 5 (in 4 articles)" in again.stdout
    assert snapshot(faq_dir) == after  # the conflict stays a conflict: the file is kept


def test_dry_run_writes_nothing(cli, znuny, faq_dir):
    before = snapshot(faq_dir)
    result = cli("--database", znuny, "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(faq_dir) == before
    assert result.stdout.startswith("Dry run: nothing was written.")
    assert f"  import #102: {faq_dir / ARTICLE / 'de.md'}\n" in result.stdout
    assert "Imported: 6, updated: 0, unchanged: 0" in result.stdout


def test_faq_dir_option_starts_a_new_faq(cli, znuny, tmp_path):
    target = tmp_path / "elsewhere" / "faq"
    assert cli("--database", znuny, "--faq-dir", str(target)).exit_code == 0
    articles, categories, _ = load_articles(target)
    assert sorted(articles) == [101, 104, 105, 109]
    assert "misc" not in categories  # only the broken #110 was filed there
    assert (target / "categories.toml").read_text(encoding="utf-8").startswith("[interne]")


def test_an_article_id_taken_by_a_hand_written_article_is_a_conflict(cli, znuny, faq_dir):
    mine = faq_dir / "101-written-here"
    shutil.copytree(faq_dir / "2763-amazon-token", mine)
    for path in mine.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("id = 2763", "id = 101"))
    result = cli("--database", znuny)
    assert result.exit_code == 0, result.output
    assert f"{mine}: holds article 101 already" in result.stdout
    assert not (faq_dir / ARTICLE).exists()
    assert (faq_dir / "104-procedure-interne-de-support" / "fr.md").exists()


@pytest.mark.parametrize(
    "source",
    [
        ("--database", "sqlite:////nonexistent/folder/znuny.db"),
        ("--database", "postgresql+psycopg://postgres@127.0.0.1:1/znuny"),
        ("--database", "nonsense://znuny"),
        ("--webservice", "http://127.0.0.1:1/otrs/nph-genericinterface.pl/Webservice/FAQ"),
    ],
)
def test_an_unreadable_source_stops_with_a_clear_message(cli, faq_dir, source):
    before = snapshot(faq_dir)
    result = cli(*source)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert snapshot(faq_dir) == before


def test_a_database_without_znuny_tables_is_refused(cli, tmp_path):
    result = cli("--database", f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.exit_code == 1 and "has no table faq_item" in result.output


def test_one_source_is_required(cli, znuny):
    assert cli().exit_code == 2
    assert cli("--database", znuny, "--webservice", "http://127.0.0.1:1/").exit_code == 2


@pytest.fixture(scope="module")
def imported_portal(tmp_path_factory):
    """A portal on a FAQ imported from the test database."""
    folder = tmp_path_factory.mktemp("znuny")
    faq_dir = imported_faq(folder)
    app = make_app(folder, FAQ_DIR=str(faq_dir))
    yield app
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_imported_article_renders_in_every_language(imported_portal, lang):
    client = imported_portal.test_client()
    response = client.get(f"/{lang}/faq/101-{SLUGS.get(lang, SLUGS['fr'])}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{text_direction(lang)}"' in html
    text = {"de": "Klicken Sie auf <em>Erneuern</em>", "en": "Click <em>Renew</em>"}
    assert text.get(lang, "Cliquez sur <em>Renouveler</em>") in html


def test_imported_rich_text_survives_rendering(imported_portal):
    html = imported_portal.test_client().get(f"/fr/faq/{ARTICLE}").get_data(as_text=True)
    assert "<th>État</th>" in html and "<td>À renouveler</td>" in html
    assert "expiré &amp; doit être renouvelé&nbsp;: voir" in html
    assert "<li>Rappel par e-mail<ul>\n<li>un mois avant</li>" in html
    assert '<a href="https://sellercentral.amazon.fr/apps/manage"' in html
    assert "<code>MD1000</code>" in html
    assert "<pre><code>GET /token?id=42\n  &lt;status&gt;" in html
    assert '<h3 id="section-3">Le token</h3>' in html  # Znuny's <h1> under the field heading


def test_links_between_items_lead_to_their_articles(imported_portal):
    """Needs the portal's redirects of old Znuny links (legacy.py)."""
    client = imported_portal.test_client()
    html = client.get(f"/fr/faq/{ARTICLE}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)"[^>]*>les prix</a>', html).group(1)
    assert link == "/otrs/public.pl?Action=PublicFAQZoom;ItemID=109"
    response = client.get(link, headers={"Accept-Language": "fr"})
    assert response.status_code == 301
    assert response.headers["Location"] == "/fr/faq/109-voir-aussi-les-prix"


def test_imported_files_are_served_beside_the_article(imported_portal):
    """Needs the portal's files/ route and attachment list (store, render, views)."""
    client = imported_portal.test_client()
    html = client.get(f"/fr/faq/101-{SLUGS['fr']}").get_data(as_text=True)
    image = re.search(r'<img alt="Bouton Renouveler" src="([^"]+)"', html).group(1)
    assert image.endswith("/1-bouton-renouveler.png") and not image.startswith("files/")
    with client.get(image) as response:
        assert response.data == PNG
    pdf = re.search(r'<a href="([^"]+)" download="Guide d&#39;utilisation.pdf"', html).group(1)
    with client.get(pdf) as response:
        assert response.data == PDF


def test_imported_articles_are_searched_as_readers_may_see_them(imported_portal):
    client = imported_portal.test_client()
    found = client.get("/fr/search", query_string={"q": "renouveler"}).get_data(as_text=True)
    assert "Générer le token Amazon" in found
    found = client.get("/de/search", query_string={"q": "Erneuern"}).get_data(as_text=True)
    assert "Amazon-Token erstellen" in found
    for query in ("customer-only price list", "Réservé au support"):  # customers, internal
        page = client.get("/en/search", query_string={"q": query}).get_data(as_text=True)
        assert "Prices for customers" not in page and "Procédure interne" not in page
    assert client.get("/en/faq/105-prices-for-customers").status_code == 404
    assert client.get("/fr/faq/104-procedure-interne-de-support").status_code == 404


class Connector:
    """Answers like Znuny's GenericFAQConnectorREST (Kernel/GenericInterface/Operation/FAQ/):
    public approved items only, one value where Perl had a list of one, errors as
    {"Error": {...}} with HTTP 200."""

    def __init__(self, items: dict[int, dict], denied: set[int]) -> None:
        self.items = items
        self.denied = denied
        self.categories = {3: "Produits::Amazon::Configuration & API", 5: "Misc"}

    @staticmethod
    def one_or_list(values: list):
        return values[0] if len(values) == 1 else values

    def answer(self, request: Request) -> dict:
        operation = request.path.rsplit("/", 1)[-1]
        if operation == "PublicCategoryList" and request.method == "GET":
            listed = [{"ID": key, "Name": name} for key, name in self.categories.items()]
            return {"Category": self.one_or_list(listed)}
        if operation == "PublicFAQSearch" and request.method == "POST":
            return {"ID": self.one_or_list(sorted([*self.items, *self.denied]))}
        if operation == "PublicFAQGet" and request.method == "GET":
            item_id = int(request.args["ItemID"])
            if item_id in self.denied:
                message = "PublicFAQGet: Could not get FAQ data"
                return {
                    "Error": {"ErrorCode": "PublicFAQGet.AccessDenied", "ErrorMessage": message}
                }
            item = dict(self.items[item_id])
            with_content = request.args.get("GetAttachmentContents") == "1"
            item["Attachment"] = [
                {**entry, "Content": entry["Content"] if with_content else ""}
                for entry in item["Attachment"]
            ]
            return {"FAQItem": [item]}
        return {"Error": {"ErrorCode": "Provider.Route", "ErrorMessage": "no such operation"}}

    def __call__(self, environ, start_response):
        response = Response(json.dumps(self.answer(Request(environ))), mimetype="application/json")
        return response(environ, start_response)


def web_item(item_id: int, language: str, title: str, text: str, attachments=()) -> dict:
    return {
        "ID": item_id, "ItemID": item_id, "FAQID": item_id, "Number": f"10000{item_id}",
        "CategoryID": 3, "CategoryName": "Produits::Amazon::Configuration & API",
        "CategoryShortName": "Configuration & API", "LanguageID": 3, "Language": language,
        "Title": title, "Field1": text, "Field2": None, "Field3": None, "Field4": None,
        "Field5": None, "Field6": "<p>Note interne.</p>", "Approved": 1,
        "Keywords": "Amazon token", "Votes": 4, "VoteResult": "80", "StateID": 3,
        "State": "public (all)", "StateTypeID": 3, "StateTypeName": "public",
        "Created": "2021-01-01 10:00:00", "Changed": "2024-05-06 07:08:09",
        "ContentType": "text/html", "Name": "1294286030-31.16", "Attachment": list(attachments),
    }  # fmt: skip


def attachment(file_id: int, name: str, kind: str, content: bytes, inline: int) -> dict:
    return {"FileID": file_id, "Filename": name, "ContentType": kind, "Inline": inline,
            "Filesize": f"{len(content)} Bytes",
            "Content": base64.encodebytes(content).decode()}  # fmt: skip


@pytest.fixture
def connector():
    """The web service on a loopback port; its items can be set per test."""
    service = Connector({}, set())
    server = make_server("127.0.0.1", 0, service, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    service.url = (
        f"http://127.0.0.1:{server.server_port}"
        "/otrs/nph-genericinterface.pl/Webservice/GenericFAQConnectorREST"
    )
    yield service
    server.shutdown()
    server.server_close()


def test_web_service_import_sees_public_items_only(cli, connector, faq_dir):
    image = "public.pl?Action=PublicFAQZoom;Subaction=DownloadAttachment;ItemID=201;FileID=7"
    connector.items = {
        201: web_item(201, "fr", "Renouveler le token", f'<p>Voir&nbsp;: <img src="{image}"></p>',
                      [attachment(7, "capture.png", "image/png", PNG, 1),
                       attachment(8, "guide.pdf", "application/pdf", PDF, 0)]),
        202: web_item(202, "de", "Token erneuern", "<p>Siehe unten.</p>"),
    }  # fmt: skip
    connector.denied = {203}
    result = cli("--webservice", connector.url)
    assert result.exit_code == 0, result.output
    assert "shows only public, approved items" in result.stdout
    assert "Imported: 2, updated: 0, unchanged: 0 (in 2 articles)." in result.stdout
    assert "  #203: PublicFAQGet.AccessDenied: PublicFAQGet: Could not get FAQ data" in (
        result.stdout
    )
    folder = faq_dir / "201-renouveler-le-token"
    meta, body = front_matter(folder / "fr.md")
    assert meta["imported_rating"] == {"votes": 4, "percent": 80.0}
    assert meta["category"] == "produits/amazon/configuration-api"
    assert meta["internal_note"] == "Note interne." and meta["state"] == "public"
    assert meta["attachments"] == [
        {"file": "8-guide.pdf", "name": "guide.pdf", "type": "application/pdf", "size": len(PDF)}
    ]
    assert "![](files/7-capture.png)" in body
    assert (folder / "files" / "7-capture.png").read_bytes() == PNG
    assert (folder / "files" / "8-guide.pdf").read_bytes() == PDF
    assert front_matter(faq_dir / "202-token-erneuern" / "de.md")[0]["revision"] == 1
    load_articles(faq_dir)

    connector.items = {201: connector.items[201]}  # one item: Znuny answers {"ID": 201}
    connector.denied = set()
    again = cli("--webservice", connector.url)
    assert "Imported: 0, updated: 0, unchanged: 1 (in 1 articles)." in again.stdout


@pytest.mark.postgres
def test_import_from_postgresql_with_base64_attachments(cli, faq_dir):
    need(postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
    name = f"znuny_import_{os.getpid()}"
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        engine = sa.create_engine(f"{POSTGRES}/{name}")
        fill(engine)
        engine.dispose()
        result = cli("--database", f"{POSTGRES}/{name}")
        assert result.exit_code == 0, result.output
        assert "Imported: 6, updated: 0, unchanged: 0 (in 4 articles)." in result.stdout
        assert "  #110: attachment 5: its content is not valid base64" in result.stdout
        folder = faq_dir / ARTICLE
        assert (folder / "files" / "1-bouton-renouveler.png").read_bytes() == PNG
        assert (folder / "de.md").read_text(encoding="utf-8") == TRANSLATION_DE
        meta, _ = front_matter(folder / "fr.md")
        assert meta["imported_rating"] == {"votes": 3, "percent": 75.0}
        assert set(load_articles(faq_dir)[0][101].translations) == {"fr", "de", "en"}
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Générer le token Amazon", "generer-le-token-amazon"),
        ("Zażółć gęślą jaźń", "zazolc-gesla-jazn"),
        ("Straße & Øre", "strasse-ore"),
        ("Amazonトークンの発行と更新", "amazonトークンの発行と更新"),
        ("توليد رمز أمازون (Token)", "توليد-رمز-أمازون-token"),
        ("  !!  ", "item"),
    ],
)
def test_slugs_fold_accents_and_keep_other_scripts(title, slug):
    assert slugify(title) == slug


def test_keywords_are_split_as_znuny_splits_them():
    assert split_keywords("Amazon, token;SP-API  amazon\tMWS") == [
        "Amazon",
        "token",
        "SP-API",
        "MWS",
    ]


def test_file_names_stay_in_the_files_folder():
    assert safe_file_name(3, "../../etc/passwd") == "3-passwd"
    assert safe_file_name(4, ".htaccess") == "4-file.htaccess"
    assert safe_file_name(5, r"C:\Users\Guide d'été.PDF") == "5-guide-d-ete.pdf"


def test_rich_text_keeps_lists_tables_links_code_and_entities():
    html = (
        "<p>A &amp; B &lt;script&gt;alert(1)&lt;/script&gt; x_y</p>"
        "<table><tr><th>a|b</th></tr><tr><td>1</td></tr></table>"
        "<ol><li>one<ul><li>nested</li></ul></li></ol>"
        '<p><a href="https://example.com/?a=1&amp;b=2">link</a> <code>&lt;x&gt;</code></p>'
        '<p><a href="customer.pl?Action=CustomerFAQZoom;ItemID=7">item</a></p>'
        "<pre>line\n  indented</pre>"
    )
    rendered = str(render_markdown(html_to_markdown(html, {}), "Product").before)
    assert "<p>A &amp; B &lt;script&gt;alert(1)&lt;/script&gt; x_y</p>" in rendered
    assert "<th>a|b</th>" in rendered and "<td>1</td>" in rendered
    assert '<li class="step" id="step-1">one<ul>\n<li>nested</li>' in rendered
    assert '<a href="https://example.com/?a=1&amp;b=2"' in rendered
    assert "<code>&lt;x&gt;</code>" in rendered
    assert '<a href="/otrs/public.pl?Action=PublicFAQZoom;ItemID=7"' in rendered
    assert "<pre><code>line\n  indented\n</code></pre>" in rendered


def test_plain_text_is_shown_as_written():
    text = "<b>x</b> 2 * 3\n# not a title\n1. not a list\n\n[a](b) {#id}"
    rendered = str(render_markdown(text_to_markdown(text), "Product").before)
    assert rendered == (
        "<p>&lt;b&gt;x&lt;/b&gt; 2 * 3<br>\n# not a title<br>\n1. not a list</p>\n"
        "<p>[a](b) {#id}</p>"
    )


def test_field_captions_exist_in_every_language():
    assert all(captions.keys() == LANGUAGES.keys() for captions in CAPTIONS.values())
    fields = parse_field_labels("1=,2=internal:Notes,6=public:Comment")
    assert [(f.number, f.label, f.internal) for f in fields] == [
        (1, "Symptom", False), (2, "Notes", True), (6, "Comment", False)
    ]  # fmt: skip
