"""The renewal journey in Chromium: from the article, in a pop-up, blocked, without JavaScript."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from portal.accounts.services import find_user
from portal.amazon.sandbox import sellers
from portal.amazon.sandbox.demo import simulated_connection
from portal.connector import keys, webhooks
from portal.extensions import db
from portal.models import utcnow
from tests.flow import SELLER_PASSWORD
from tests.helpers import add_user

pytestmark = pytest.mark.browser

ARTICLES = {
    "fr": "/fr/faq/2763-generer-ou-renouveler-le-token-amazon",
    "ar": "/ar/faq/2763-tawlid-aw-tajdid-token-amazon",
}


@pytest.fixture
def expiring_merchant(live_server, request):
    """A merchant (in the test's language) whose token expires in twelve days."""
    lang = getattr(request, "param", "fr")
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    user_id = add_user(live_server.app, email, language=lang)
    with live_server.app.app_context():
        seller = sellers.new_seller(f"Shop {email}", "EU", SELLER_PASSWORD)
        name = seller.name
        simulated_connection(user_id, seller, "FR", 12)
    return email, lang, name


def log_in(page, email: str, lang: str, next_path: str) -> None:
    page.goto(f"/{lang}/login?next={next_path}")
    page.locator("#email").fill(email)
    page.locator("#password").fill("correct horse")
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path.split("#")[0])))


def confirm_in_seller_central(window, seller_name: str, axe=None) -> None:
    """Sign in to the simulated Seller Central if asked, tick the box, press Confirm."""
    window.wait_for_url(re.compile("/sandbox/seller-central/"))
    if "/signin" in window.url:
        if axe is not None:
            assert axe(window) == []
        window.locator("#seller").fill(seller_name)
        window.locator("#password").fill(SELLER_PASSWORD)
        window.locator("#signin-form button[type=submit]").click()
    window.locator("#agree").check()
    window.get_by_role("button", name="Confirm").click()


def expiry_of(page) -> datetime:
    stamp = page.locator("#your-token time.expires").first.get_attribute("datetime")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def assert_renewed(page) -> None:
    box = page.locator("#your-token")
    expect(box.locator("[data-state]").first).to_have_attribute("data-state", "active")
    assert expiry_of(page) - datetime.now(UTC) > timedelta(days=364)


@pytest.mark.parametrize("expiring_merchant", ["fr", "ar"], indirect=True)
def test_renew_from_the_article_in_a_popup(page, expiring_merchant, axe):
    email, lang, seller = expiring_merchant
    log_in(page, email, lang, ARTICLES[lang])
    box = page.locator("#your-token")
    expect(box.locator("[data-state]").first).to_have_attribute("data-state", "expiring")
    assert axe(page) == []
    page.evaluate("window.__notReloaded = true")
    box.locator("button.renew").first.click()
    dialog = page.locator("#renew-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#step-2")).to_have_class(re.compile("is-current"))
    with page.expect_popup() as popup_info:
        dialog.locator("button[value=ok]").click()
    popup = popup_info.value
    expect(page.locator("#step-3")).to_have_class(re.compile("is-current"))
    confirm_in_seller_central(popup, seller, axe)
    expect(popup.locator("body")).to_have_attribute("data-popup-result", "success")
    popup.wait_for_event("close", timeout=10_000)
    assert_renewed(page)
    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("#step-4")).to_have_class(re.compile("is-done"))
    expect(page.locator("#announcer")).not_to_be_empty()


@pytest.mark.parametrize("expiring_merchant", ["fr", "ar"], indirect=True)
def test_renew_with_popups_blocked(context, expiring_merchant):
    email, lang, seller = expiring_merchant
    context.add_init_script("window.open = () => null;")
    page = context.new_page()
    log_in(page, email, lang, ARTICLES[lang])
    page.locator("#your-token button.renew").first.click()
    page.locator("#renew-dialog button[value=ok]").click()
    expect(page.locator("#renew-notice")).to_be_visible()
    page.wait_for_url(re.compile("/sandbox/seller-central/"))
    confirm_in_seller_central(page, seller)
    page.wait_for_url(re.compile(re.escape(ARTICLES[lang]) + "#your-token$"))
    assert_renewed(page)
    expect(page.locator(".flash-success")).to_be_visible()


@pytest.mark.parametrize("expiring_merchant", ["fr", "ar"], indirect=True)
def test_renew_without_javascript(browser, live_server, expiring_merchant):
    email, lang, seller = expiring_merchant
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="fr-FR"
    )
    try:
        page = context.new_page()
        log_in(page, email, lang, ARTICLES[lang])
        page.locator("#your-token button.renew").first.click()
        expect(page.locator("h1")).to_contain_text("magnalister")  # step 2 asked on its own page
        page.get_by_role("button", name="OK").click()
        confirm_in_seller_central(page, seller)
        page.wait_for_url(re.compile(re.escape(ARTICLES[lang]) + "#your-token$"))
        assert_renewed(page)
    finally:
        context.close()


def test_anonymous_reader_is_invited_to_log_in_and_comes_back(page, expiring_merchant):
    email, lang, _ = expiring_merchant
    page.goto(ARTICLES[lang])
    page.locator("#your-token a.button").click()
    page.locator("#email").fill(email)
    page.locator("#password").fill("correct horse")
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(ARTICLES[lang]) + "#your-token$"))
    expect(page.locator("#your-token [data-state]").first).to_have_attribute(
        "data-state", "expiring"
    )


@pytest.mark.parametrize("expiring_merchant", ["fr", "ar"], indirect=True)
def test_self_service_page_is_accessible_and_shows_the_next_step(page, expiring_merchant, axe):
    email, lang, _ = expiring_merchant
    log_in(page, email, lang, f"/{lang}/account/amazon")
    expect(page.locator("#step-1")).to_have_class(re.compile("is-current"))
    expect(page.locator(".connection-card .state-badge")).to_have_attribute(
        "data-state", "expiring"
    )
    assert axe(page) == []


@pytest.mark.parametrize("expiring_merchant", ["fr", "ar"], indirect=True)
def test_the_login_uri_question_and_the_password_page_are_accessible(
    page, live_server, expiring_merchant, axe
):
    email, lang, _ = expiring_merchant
    confirm = "/sandbox/seller-central/apps/authorize/confirm/"
    link = "/amazon/login?" + "&".join([
        f"amazon_callback_uri={live_server.url}{confirm}{live_server.app.config['AMAZON_APPLICATION_ID']}",
        "amazon_state=s",
        "selling_partner_id=A1B2C3D4E5F6G7",
    ])  # fmt: skip
    log_in(page, email, lang, f"/{lang}/account/amazon")
    page.goto(link)
    expect(page.locator("#login-uri")).to_have_attribute("data-seller", "new")
    assert page.locator("html").get_attribute("lang") == lang
    assert axe(page) == []
    page.goto(f"/{lang}/account/password")
    expect(page.locator("form")).not_to_have_count(0)
    assert axe(page) == []


def connector_reports(server, email: str) -> tuple[str, list[str]]:
    """The merchant's connection renewed a minute ago, its connector last ran before that:
    a key for the connector and the URL it reports runs to."""
    with server.app.app_context():
        user = find_user(email)
        (connection,) = user.amazon_connections
        connection.authorized_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        key = keys.create(user.id, "Shop")[1]
        url = f"{server.url}/api/v1/connector/connections/{connection.id}/sync-runs"
    for kind in ("stock_and_prices", "orders"):
        report(url, key, f"before-{kind}", kind, minutes_ago=5)
    return key, url


def report(url: str, key: str, run_id: str, kind: str, minutes_ago: int = 0) -> None:
    finished = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    body = {"run_id": run_id, "kind": kind, "status": "ok", "items": 3,
            "started_at": (finished - timedelta(seconds=30)).isoformat(),
            "finished_at": finished.isoformat()}  # fmt: skip
    answer = requests.post(url, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("expiring_merchant", ["fr", "ar"], indirect=True)
def test_the_live_box_shows_when_synchronisation_resumes(page, live_server, expiring_merchant, axe):
    email, lang, _ = expiring_merchant
    key, url = connector_reports(live_server, email)
    log_in(page, email, lang, ARTICLES[lang])
    box = page.locator("#your-token")
    expect(box.locator("[data-sync-state='waiting']")).to_have_count(2)
    assert axe(page) == []
    page.evaluate("window.__notReloaded = true")
    report(url, key, "after-orders", "orders")
    expect(box.locator("[data-sync-state='running']")).to_have_count(1)
    report(url, key, "after-stock", "stock_and_prices")
    expect(box.locator("[data-sync-state='running']")).to_have_count(2)
    expect(page.locator("#announcer")).not_to_be_empty()
    assert page.evaluate("window.__notReloaded") is True
    assert axe(page) == []


@pytest.mark.parametrize("expiring_merchant", ["fr", "ar"], indirect=True)
def test_the_connector_sections_are_accessible(page, live_server, expiring_merchant, axe):
    """The token page with a key, a webhook endpoint with a delivery and reported runs."""
    email, lang, _ = expiring_merchant
    key, url = connector_reports(live_server, email)
    report(url, key, "later-orders", "orders")
    with live_server.app.app_context():
        user = find_user(email)
        webhooks.register(user.id, f"{live_server.url}/nowhere", ["test", "connection.renewed"])
        webhooks.send_test(user.id, webhooks.endpoints_of(user.id)[0].id)
        webhooks.deliver_due()
    log_in(page, email, lang, f"/{lang}/account/amazon")
    expect(page.locator("#connector-keys tbody tr")).to_have_count(1)
    expect(page.locator("#webhooks article.webhook")).to_have_count(1)
    for summary in page.locator("details > summary").all():
        summary.click()  # open the histories: their tables are checked too
    assert axe(page) == []
