"""The PDF print of an article, as Znuny prints an FAQ item: text, fonts, right-to-left, cache."""

import re
import shutil
import subprocess
import unicodedata
from functools import partial
from pathlib import Path

import pytest
from flask import Response
from flask_babel import force_locale, gettext
from PIL import Image

from portal import faq
from portal.faq.pdf import attach, local_path, static_file
from portal.i18n import LANGUAGES
from tests.helpers import add_user, client_login, need, renders, write_article

ARTICLE = 2763
HEADER_LABELS = ("Category", "State", "Language", "Keywords", "Last update", "Article no.")
# What pdftotext wraps right-to-left runs in: they are not text.
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def poppler():
    """pdftotext, pdftoppm, pdffonts and pdfimages (Debian's poppler-utils) read the PDFs."""
    tools = ("pdftotext", "pdftoppm", "pdffonts", "pdfimages")
    need(all(shutil.which(tool) for tool in tools), "poppler-utils (pdftotext ...) not installed")


def pdf_path(client, lang: str) -> str:
    """The PDF's address in lang, found the way a reader with an old slug finds it."""
    response = client.get(f"/{lang}/faq/{ARTICLE}-old-title.pdf")
    assert response.status_code == 302, response.status
    return response.headers["Location"]


def fetch_pdf(client, lang: str, folder: Path) -> tuple:
    response = client.get(pdf_path(client, lang))
    path = folder / f"{lang}.pdf"
    path.write_bytes(response.data)
    return response, path


def run(*command: str | Path) -> str:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, check=True, text=True
    ).stdout


def squeezed(text: str) -> str:
    """Text without spaces, line breaks or direction marks, in one Unicode form."""
    return re.sub(r"\s+", "", BIDI_MARKS.sub("", unicodedata.normalize("NFKC", text)))


def pdf_text(path: Path) -> str:
    return squeezed(run("pdftotext", "-enc", "UTF-8", path, "-"))


def embedded_fonts(path: Path) -> dict[str, bool]:
    """pdffonts' table: each font's name and whether it is embedded (the 5th column from the
    end: emb sub uni object-number generation)."""
    rows = run("pdffonts", path).splitlines()[2:]
    return {row.split()[0]: row.split()[-5] == "yes" for row in rows}


def labels_and_title(app, lang: str) -> tuple[list[str], str]:
    """The header labels in lang's catalog (whatever is translated by then) and the title."""
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        labels = [gettext(label) for label in HEADER_LABELS]
        return labels, faq.get_article(ARTICLE, lang).translation.title


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pdf_holds_the_title_and_header_rows_in_every_language(
    app, client, poppler, tmp_path, lang
):
    response, path = fetch_pdf(client, lang, tmp_path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    slug = pdf_path(client, lang).rsplit("/", 1)[1]
    assert response.headers["Content-Disposition"] == f'inline; filename="{slug}"'
    text = pdf_text(path)
    labels, title = labels_and_title(app, lang)
    expected = [title, *labels]
    if LANGUAGES[lang].direction == "rtl":
        # pdftotext writes the punctuation of right-to-left lines in visual order: word by word.
        expected = re.findall(r"\w+", " ".join(expected))
    for part in expected:
        assert squeezed(part) in text, part
    assert str(ARTICLE) in text
    # The print page's links stay on screen: print.css hides them on paper.
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        assert squeezed(gettext("Download as PDF")) not in text
    assert all(embedded_fonts(path).values())


@pytest.mark.parametrize(("lang", "script"), [("ar", "Arabic"), ("ja", "CJK")])
def test_the_fonts_for_arabic_and_japanese_are_embedded(client, poppler, tmp_path, lang, script):
    _, path = fetch_pdf(client, lang, tmp_path)
    fonts = embedded_fonts(path)
    assert any(script in name and embedded for name, embedded in fonts.items()), fonts


def heading_ink(path: Path, folder: Path) -> tuple[int, int, int, int]:
    """The first page at 60 dpi: the heading's ink as (left, right, dark pixels, page width).

    The heading is the first band of rows with ink (gaps of a few rows, such as those between
    Arabic letters and their dots, belong to it).
    """
    run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", path, folder / "p")
    image = Image.open(folder / "p.png").convert("L")
    width, height = image.size
    pixels = image.load()
    rows = [[x for x in range(width) if pixels[x, y] < 128] for y in range(height)]
    inked = [y for y, row in enumerate(rows) if row]
    band = [inked[0]]
    for y in inked[1:]:
        if y - band[-1] > 3:
            break
        band.append(y)
    xs = [x for y in band for x in rows[y]]
    return min(xs), max(xs), len(xs), width


def test_the_arabic_pdf_reads_right_to_left(client, poppler, tmp_path):
    for lang in ("ar", "fr"):
        folder = tmp_path / lang
        folder.mkdir()
        _, path = fetch_pdf(client, lang, folder)
        left, right, _, width = heading_ink(path, folder)
        if lang == "ar":  # aligned to the right margin, starting well past the middle's left
            assert right > width * 0.85 and left > width * 0.25, (left, right, width)
        else:  # the same check fails for a left-to-right page
            assert left < width * 0.15 and right < width * 0.85, (left, right, width)


def test_the_japanese_title_is_drawn(client, poppler, tmp_path):
    _, path = fetch_pdf(client, "ja", tmp_path)
    left, right, dark, width = heading_ink(path, tmp_path)
    # Amazonトークンの発行と更新: fourteen glyphs in 18pt are a wide line of ink.
    assert right - left > width * 0.3 and dark > 300, (left, right, dark)


def test_the_pdf_is_cached_and_a_vote_forgets_it(app, client):
    path = pdf_path(client, "fr")
    first = client.get(path)
    with renders(app) as rendered:
        again = client.get(path)
        not_modified = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert rendered == [] and again.data == first.data  # from the page cache
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.mimetype == "application/pdf"
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert first.cache_control.public and first.cache_control.max_age > 0
    assert not_modified.status_code == 304 and not not_modified.data
    client.post(f"/fr/faq/{ARTICLE}/vote", data={"helpful": "yes"})
    with renders(app) as rendered:
        after_vote = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert after_vote.status_code == 200 and rendered == ["faq/print.html"]
    assert after_vote.headers["ETag"] != first.headers["ETag"]


def test_the_route_is_the_pdf_not_an_article_with_a_pdf_slug(app, client):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/fr/faq/{ARTICLE}-some-title.pdf") == (
        "faq.print_pdf",
        {"lang": "fr", "article_id": ARTICLE, "slug": "some-title"},
    )
    german = "/de/faq/2763-amazon-token-erstellen-oder-erneuern"
    assert pdf_path(client, "de") == german + ".pdf"
    wrong = client.get("/de/faq/2763-generer-ou-renouveler-le-token-amazon.pdf")
    assert wrong.headers["Location"] == german + ".pdf"
    assert client.get("/de/faq/424242-x.pdf").status_code == 404


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_print_page_links_to_the_pdf(app, client, lang):
    html = client.get(pdf_path(client, lang).removesuffix(".pdf") + "/print").get_data(True)
    assert f'href="{pdf_path(client, lang)}" type="application/pdf"' in html
    assert f'<html lang="{lang}" dir="{LANGUAGES[lang].direction}"' in html
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        assert gettext("Download as PDF") in html
        assert f'<th scope="row">{gettext("Article no.")}</th><td colspan="3">2763</td>' in html
    assert "pdf.css" not in html  # the PDF's page rules are the PDF's only


def test_internal_and_customers_pdfs_are_not_for_anonymous_readers(build_app, sample_faq):
    write_article(sample_faq / "12-merchants", "fr", id=12, slug="merchants", revision=1,
                  state="customers")  # fmt: skip
    app = build_app(sample_faq)
    client = app.test_client()
    assert client.get("/fr/faq/11-secret.pdf").status_code == 404
    assert client.get("/fr/faq/12-merchants.pdf").status_code == 404
    add_user(app, "agent@example.com", role="support")
    client_login(client, "agent@example.com", lang="fr")
    response = client.get("/fr/faq/11-secret.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.cache_control.private and not response.cache_control.public


def test_the_articles_images_are_drawn_and_nothing_else_is_fetched(
    build_app, sample_faq, poppler, tmp_path
):
    folder = sample_faq / "10-sample"
    (folder / "files").mkdir()
    Image.new("RGB", (60, 30), "red").save(folder / "files" / "screen.png")
    # Not a file of the portal: never fetched (192.0.2.1 is a documentation address).
    body = "![Screen](files/screen.png)\n\n![Elsewhere](http://192.0.2.1/x.png)\n"
    write_article(folder, "fr", body, revision=3)
    response = build_app(sample_faq).test_client().get("/fr/faq/10-sample-fr.pdf")
    assert response.status_code == 200
    path = tmp_path / "images.pdf"
    path.write_bytes(response.data)
    images = run("pdfimages", "-list", path).splitlines()[2:]
    assert len(images) == 1 and images[0].split()[3:5] == ["60", "30"], images


def test_only_the_portals_own_files_are_fetched(app):
    static = app.static_folder
    base = "http://localhost/static/"
    places = {base: partial(static_file, static)}
    assert local_path(base + "print.css?v=1", places) == Path(static) / "print.css"
    others = ("../__init__.py", "..%2F__init__.py", "nope.css")
    for url in [base + name for name in others] + ["http://example.com/static/a.css"]:
        assert local_path(url, places) is None, url


def test_a_file_name_that_is_not_ascii_is_named_both_ways():
    disposition = attach(Response(), "12-café.pdf").headers["Content-Disposition"]
    assert disposition == """inline; filename="12-cafe.pdf"; filename*=UTF-8''12-caf%C3%A9.pdf"""
