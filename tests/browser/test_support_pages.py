"""Support pages in Chromium: accessible, and the customer link is copied with one click."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from portal.amazon.sandbox import sellers
from portal.amazon.sandbox.demo import simulated_connection
from tests.browser.test_renewal import log_in
from tests.helpers import add_user

pytestmark = pytest.mark.browser


@pytest.fixture
def support_page(page, live_server):
    suffix = uuid.uuid4().hex[:8]
    customer = add_user(live_server.app, f"customer-{suffix}@example.com", language="ja")
    with live_server.app.app_context():
        seller = sellers.new_seller(f"Shop {suffix}", "FE")
        simulated_connection(customer, seller, "JP", -2)
    add_user(live_server.app, f"support-{suffix}@example.com", role="support", language="en")
    log_in(page, f"support-{suffix}@example.com", "en", "/en/support/")
    return page, customer, suffix


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_support_pages_are_accessible(support_page, axe, lang):
    page, customer, suffix = support_page
    slug = "generate-or-renew-the-amazon-token" if lang == "en" else "tawlid-aw-tajdid-token-amazon"
    for path in (
        f"/{lang}/support/?q=customer-{suffix}",
        f"/{lang}/support/merchants/{customer}",
        f"/{lang}/support/link?article=2763&customer_lang=ja&anchor=step-3",
        f"/{lang}/support/dashboard",
        f"/{lang}/faq/2763-{slug}",
    ):
        page.goto(path)
        assert axe(page) == [], path


def test_customer_link_is_copied(context, support_page):
    page, _, _ = support_page
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/en/support/link")
    page.locator("#link-lang").select_option("de")
    page.locator("#link-anchor").select_option("step-3")
    page.get_by_role("button", name="Make the link").click()
    # The page reloads with the link: copy only once it is there (the article's own steps
    # have "Copy link" buttons too).
    expect(page.locator("#customer-link")).to_have_value(re.compile(r"lang=de#step-3$"))
    page.locator(".link-result").get_by_role("button", name="Copy link").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith("/faq/2763?lang=de#step-3")
    expect(page.locator("#announcer")).to_have_text("Link copied to the clipboard")
