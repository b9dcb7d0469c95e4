"""Articles imported from Znuny, in Chromium: accessible (axe) and valid HTML (Nu Html Checker),
as the portal's own articles are."""

import pytest

from tests.helpers import LiveServer, html_errors, live_app
from tests.znuny_schema import imported_faq

PAGES = {
    "article-fr": "/fr/faq/101-generer-le-token-amazon",
    "article-de": "/de/faq/101-amazon-token-erstellen",
    "article-ar": "/ar/faq/101-generer-le-token-amazon",  # the French source, with a notice
    "print-ja": "/ja/faq/101-generer-le-token-amazon/print",
    "category-fr": "/fr/category/produits",
    "search-fr": "/fr/search?q=renouveler",
}


@pytest.fixture(scope="module")
def imported_server(tmp_path_factory):
    """A live portal on the portal's faq/ plus the test Znuny FAQ imported into it."""
    folder = tmp_path_factory.mktemp("imported")
    faq_dir = imported_faq(folder)
    with LiveServer(live_app(folder, FAQ_DIR=str(faq_dir))) as server:
        yield server


@pytest.fixture
def imported_page(browser, imported_server):
    context = browser.new_context(base_url=imported_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_imported_pages_pass_axe(imported_page, axe):
    for name, path in PAGES.items():
        response = imported_page.goto(path)
        assert response.status == 200, name
        assert imported_page.locator("main").count() == 1
        assert axe(imported_page) == [], name


def test_imported_images_are_loaded(imported_page):
    imported_page.goto(PAGES["article-fr"])
    images = imported_page.locator(".answer img")
    assert images.count() >= 1
    for index in range(images.count()):
        assert images.nth(index).evaluate("image => image.complete && image.naturalWidth > 0")


def test_imported_pages_are_valid_html(imported_page, tmp_path):
    pages = {}
    for name, path in PAGES.items():
        imported_page.goto(path)
        pages[name] = imported_page.content()
    assert html_errors(pages, tmp_path / "html") == []
