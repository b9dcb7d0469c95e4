"""The translation dashboard in Chromium: accessible and right-to-left in Arabic, filters that
work without a script, the source's changes marked in words as well as colours."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.browser.test_renewal import log_in
from tests.helpers import LiveServer, add_user, make_app
from tests.test_translation_dashboard import write_faq

pytestmark = pytest.mark.browser


def closed(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """This module's portal (in place of the shared one): after a release that raised article
    10's source from revision 1, which a start kept, to revision 3."""
    tmp = tmp_path_factory.mktemp("translations")
    faq_dir = tmp / "faq"
    write_faq(faq_dir)
    closed(make_app(tmp, True, FAQ_DIR=str(faq_dir)))  # the tables
    closed(make_app(tmp, False, FAQ_DIR=str(faq_dir)))  # a start that keeps revision 1
    write_faq(faq_dir, revision=3)
    with LiveServer(lambda url: make_app(tmp, False, BASE_URL=url, FAQ_DIR=str(faq_dir))) as server:
        yield server


@pytest.fixture
def staff_page(page, live_server):
    email = f"translations-{uuid.uuid4().hex[:8]}@example.com"
    add_user(live_server.app, email, role="support", language="en")
    log_in(page, email, "en", "/en/support/translations")
    return page


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_translation_pages_are_accessible(staff_page, axe, lang):
    page = staff_page
    for path in ("/translations", "/translations/10/de", "/translations/20/de"):
        page.goto(f"/{lang}/support{path}")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert axe(page) == [], path
    page.goto(f"/{lang}/support/translations/10/de")
    before, now = (page.locator(".source-diff th").nth(n).bounding_box()["x"] for n in (0, 1))
    # The page's columns run right to left in Arabic; the French source's lines stay ltr.
    assert (before > now) if lang == "ar" else (before < now)
    expect(page.locator(".diff-removed .diff-text").first).to_have_attribute("dir", "ltr")


def test_the_filters_work_without_a_script(browser, live_server):
    email = f"noscript-{uuid.uuid4().hex[:8]}@example.com"
    add_user(live_server.app, email, role="support", language="en")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, email, "en", "/en/support/translations")
        page.locator("#filter-category").select_option("billing")
        page.locator("#filter-language").select_option("de")
        page.get_by_role("button", name="Show the translations").click()
        expect(page).to_have_url(re.compile(r"category=billing&language=de$"))
        table = page.locator(".translation-table tbody")
        expect(table.locator("tr")).to_have_count(1)
        expect(table).to_contain_text("1 revision behind")
    finally:
        context.close()
