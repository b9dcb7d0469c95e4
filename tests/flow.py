"""Driving the Seller Central authorization over HTTP against the sandbox, for the tests."""

import html
import re
from urllib.parse import parse_qs, urlsplit

from portal.amazon.models import Connection, Event
from portal.amazon.state import status_of
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import Browser


def location(response) -> str:
    assert response.status_code in (301, 302, 303), (response.status_code, response.text[:300])
    return response.headers["Location"]


def start(browser: Browser, marketplace: str = "FR", connection: int | None = None) -> str:
    """Press "Request a token" (or "Renew") on the account page; return the consent URL."""
    browser.get("/fr/account/amazon")
    data = {"marketplace": marketplace, "lang": "fr", "confirmed": "1"}
    if connection:
        data["connection"] = str(connection)
    response = browser.post("/amazon/authorize", data, follow=False)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return location(response)


SANDBOX_SIGNIN = "/sandbox/seller-central/signin"
SELLER_PASSWORD = "seller password"  # every seller account the tests create has it


def sign_in_to_sandbox(
    browser: Browser, seller: str, password: str = SELLER_PASSWORD, next_path: str | None = None
):
    """Sign in to the simulated Seller Central by name; create the seller account if unknown."""
    browser.get(SANDBOX_SIGNIN)
    target = {"next": next_path} if next_path else {}
    response = browser.post(SANDBOX_SIGNIN, {"seller": seller, "password": password, **target})
    if response.status_code == 400:
        new = {"new_name": seller, "new_password": password, "region": "EU"}
        response = browser.post(SANDBOX_SIGNIN, {**new, **target})
    return response


def consent(
    browser: Browser,
    url: str,
    seller: str = "Ma Boutique",
    action: str = "confirm",
    password: str = SELLER_PASSWORD,
):
    """In the simulated Seller Central: sign in if asked, tick the box, Confirm or Cancel."""
    response = browser.get(url, follow=False)
    if response.status_code == 302 and "/signin" in location(response):
        path = urlsplit(url).path + "?" + urlsplit(url).query
        sign_in_to_sandbox(browser, seller, password, next_path=path)
    assert "Confirm" in browser.last.text
    query = parse_qs(urlsplit(url).query)
    form = {key: values[0] for key, values in query.items()}
    form.update({"action": action, "agree": "1"})
    return browser.post("/sandbox/seller-central/apps/authorize/consent", form, follow=False)


def authorize(browser: Browser, **kwargs) -> str:
    """The whole website workflow up to Amazon's redirect; returns the callback URL."""
    return location(consent(browser, start(browser, **kwargs)))


def connections(app) -> list[dict]:
    with app.app_context():
        rows = db.session.execute(db.select(Connection).order_by(Connection.id)).scalars()
        return [
            {
                "id": c.id,
                "token": c.refresh_token,
                "authorized_at": c.authorized_at,
                "expires_at": c.expires_at,
                "deactivated_at": c.deactivated_at,
                "revoked_at": c.revoked_at,
                "seller": c.selling_partner_id,
                "state": status_of(c, utcnow()).state,
            }
            for c in rows
        ]


def events(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [
            (e.kind.value, e.detail)
            for e in db.session.execute(db.select(Event).order_by(Event.id)).scalars()
        ]


def connected(server, merchant) -> dict:
    callback = authorize(merchant)
    merchant.get(callback)
    (connection,) = connections(server.app)
    return connection


def login_uri_link(browser: Browser) -> str:
    """Manage Your Apps, Re-authorize, "Log in now": the Login URI link, not followed."""
    manage = browser.get("/sandbox/seller-central/apps/manage")
    reauthorize = re.search(
        r'href="(/sandbox/seller-central/apps/manage/\d+/reauthorize)"', manage.text
    ).group(1)
    browser.get(reauthorize)
    return location(browser.post(reauthorize, {}, follow=False))


HIDDEN = re.compile(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"')


def continue_login_uri(browser: Browser, link: str, add_new: bool = False):
    """On the portal's page that a Login URI link opens, press "Continue to Seller Central"."""
    page = browser.get(link, follow=False)
    assert page.status_code == 200 and 'id="login-uri"' in page.text, page.status_code
    form = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
    if add_new:
        form["add_new"] = "1"
    return browser.post("/amazon/login", form, follow=False)
