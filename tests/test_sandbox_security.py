"""The sandbox over real HTTP: no secret follows a forged Host; its Seller Central has a log-in."""

import logging
import re
import stat
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet
from itsdangerous import URLSafeTimedSerializer

from portal import create_app
from portal.amazon.models import Connection
from portal.amazon.sandbox import sellers
from portal.amazon.sandbox.keys import instance_secret
from portal.amazon.sandbox.models import Grant, Setting
from portal.amazon.state import TokenState
from portal.extensions import db
from tests.flow import (
    SANDBOX_SIGNIN,
    SELLER_PASSWORD,
    authorize,
    connections,
    events,
    location,
    sign_in_to_sandbox,
)
from tests.helpers import Browser

MANAGE = "/sandbox/seller-central/apps/manage"
PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret",
    "TOKEN_KEYS": Fernet.generate_key().decode(),
    "TRUSTED_HOSTS": ["help.example.com"],
    "BASE_URL": "https://help.example.com",
}


class Capture(BaseHTTPRequestHandler):
    """Whatever reaches the attacker's host; SP-API calls get a 403 so that a client refreshes."""

    def record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("latin-1")
        self.server.seen.append(f"{self.command} {self.path} {self.headers} {body}")
        self.send_response(403 if self.command == "GET" else 200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = record

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def evil():
    """A second HTTP server standing for evil.example; its address goes in a forged Host."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    server.seen = []
    server.host = f"127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# Item 1: every server-side URL comes from the configuration, never from the request ------------


def test_a_forged_host_gets_nothing_from_the_callback(server, merchant, evil):
    callback = authorize(merchant)
    merchant.http.get(callback, headers={"Host": evil.host}, allow_redirects=False, timeout=30)
    assert evil.seen == []
    (connection,) = connections(server.app)
    assert connection["state"] == TokenState.ACTIVE  # the code went to the real token endpoint


def test_a_forged_host_gets_nothing_from_check_the_connection(server, merchant, renewing, evil):
    merchant.get("/fr/account/amazon")
    merchant.http.post(
        f"{server.url}/amazon/connections/{renewing['id']}/verify",
        data={"csrf_token": merchant.csrf(), "lang": "fr"},
        headers={"Host": evil.host},
        allow_redirects=False,
        timeout=30,
    )
    secret = server.app.config["AMAZON_CLIENT_SECRET"]
    assert not any(secret in seen for seen in evil.seen)
    assert evil.seen == []
    assert events(server.app)[-1][0] == "verified"


def test_links_to_seller_central_come_from_the_configuration(server, merchant, renewing, evil):
    merchant.get("/fr/account/amazon")
    answer = merchant.http.post(
        f"{server.url}/amazon/authorize",
        data={"csrf_token": merchant.csrf(), "marketplace": "FR", "lang": "fr", "confirmed": "1"},
        headers={"Host": evil.host},
        allow_redirects=False,
        timeout=30,
    )
    consent_url = location(answer)
    assert consent_url.startswith(f"{server.url}/sandbox/seller-central/apps/authorize/consent?")
    assert parse_qs(urlsplit(consent_url).query)["redirect_uri"] == [
        f"{server.url}/amazon/callback"
    ]
    reauthorize = re.search(r'href="(/sandbox/[^"]+/reauthorize)"', merchant.get(MANAGE).text)[1]
    merchant.get(reauthorize)
    login_uri = location(
        merchant.http.post(
            server.url + reauthorize,
            data={"csrf_token": merchant.csrf()},
            headers={"Host": evil.host},
            allow_redirects=False,
            timeout=30,
        )
    )
    assert login_uri.startswith(f"{server.url}/amazon/login?")
    callback_uri = parse_qs(urlsplit(login_uri).query)["amazon_callback_uri"][0]
    assert callback_uri.startswith(f"{server.url}/sandbox/seller-central/apps/authorize/confirm/")


def test_the_sandbox_client_secret_is_random_and_its_own(build_app):
    first = build_app(SECRET_KEY="the-first-portals-secret-key")
    second = build_app(SECRET_KEY="the-second-portals-secret-key")
    secret = first.config["AMAZON_CLIENT_SECRET"]
    assert "secret-key" not in secret and len(secret) >= 40
    assert second.config["AMAZON_CLIENT_SECRET"] == secret  # every instance of the machine agrees
    assert first.config["AMAZON_SANDBOX_SIGNING_KEY"] not in (secret, first.config["SECRET_KEY"])


def test_an_instance_secret_is_created_once_and_private(tmp_path):
    found = []
    threads = [
        threading.Thread(target=lambda: found.append(instance_secret(tmp_path, "key")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1 and len(found[0]) >= 40
    assert stat.S_IMODE((tmp_path / "key").stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["key"]
    assert instance_secret(tmp_path, "other") != found[0]


# Item 3: the sandbox runs only in development or when asked for ------------------------------


def test_production_without_amazon_refuses_to_start_and_says_why(tmp_path):
    with pytest.raises(RuntimeError, match="PORTAL_AMAZON_SANDBOX=true"):
        create_app({**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_runs_the_sandbox_when_asked_and_warns(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    app = create_app(
        {**PRODUCTION, "AMAZON_SANDBOX": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    )
    assert app.config["AMAZON_SANDBOX"] is True
    assert "Amazon sandbox" in caplog.text
    with app.app_context():
        db.create_all()
    client = app.test_client()
    answer = client.get("/sandbox/controls", base_url="https://help.example.com")
    assert answer.status_code == 302  # needs its own log-in


def test_development_without_amazon_credentials_runs_the_sandbox(build_app):
    assert build_app().config["AMAZON_SANDBOX"] is True


# The sandbox's own log-in ------------------------------------------------------------------


def seller_id(server, name: str) -> str:
    with server.app.app_context():
        return next(s.selling_partner_id for s in sellers.sellers() if s.name == name)


def seller_browser(server, name: str) -> Browser:
    browser = Browser(server.url)
    sign_in_to_sandbox(browser, name)
    return browser


def test_the_sign_in_page_names_no_seller(server):
    seller_browser(server, "Boutique Secrète")
    page = Browser(server.url).get(SANDBOX_SIGNIN)
    assert "Secrète" not in page.text and seller_id(server, "Boutique Secrète") not in page.text


def test_sign_in_needs_the_sellers_password(server):
    seller_browser(server, "Boutique Un")
    spid = seller_id(server, "Boutique Un")
    browser = Browser(server.url)
    for login in (spid, "Boutique Un"):
        browser.get(SANDBOX_SIGNIN)
        refused = browser.post(SANDBOX_SIGNIN, {"seller": login, "password": "wrong"}, follow=False)
        assert refused.status_code == 400 and "sandbox_seller" not in browser.http.cookies
    assert urlsplit(location(browser.get(MANAGE, follow=False))).path == SANDBOX_SIGNIN
    for login in (spid, "Boutique Un"):
        browser.get(SANDBOX_SIGNIN)
        done = browser.post(SANDBOX_SIGNIN, {"seller": login, "password": SELLER_PASSWORD}, False)
        cookie = done.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/sandbox" in cookie
        assert spid in browser.get(MANAGE).text
        browser.post("/sandbox/seller-central/signout", {})
        assert "sandbox_seller" not in browser.http.cookies


def test_creating_a_seller_sets_its_password_and_takes_no_name_twice(server):
    browser = seller_browser(server, "Boutique Deux")
    assert browser.get(MANAGE).status_code == 200
    other = Browser(server.url)
    other.get(SANDBOX_SIGNIN)
    taken = {"new_name": "Boutique Deux", "new_password": "another password", "region": "EU"}
    assert other.post(SANDBOX_SIGNIN, taken, follow=False).status_code == 400
    short = {"new_name": "Boutique Trois", "new_password": "short", "region": "EU"}
    assert other.post(SANDBOX_SIGNIN, short, follow=False).status_code == 400
    with server.app.app_context():
        assert [s.name for s in sellers.sellers()] == ["Boutique Deux"]
        assert SELLER_PASSWORD not in sellers.sellers()[0].password_hash


def test_a_forged_or_tampered_seller_cookie_is_ignored(server):
    browser = seller_browser(server, "Boutique Quatre")
    spid = seller_id(server, "Boutique Quatre")
    good = browser.http.cookies["sandbox_seller"]
    with server.app.app_context():
        db_id = next(s.id for s in sellers.sellers())
    signed_with_the_portals_key = URLSafeTimedSerializer(
        server.app.config["SECRET_KEY"], salt="sandbox-seller"
    ).dumps(db_id)
    for forged in (spid, good[:-2] + ("AA" if good[-2:] != "AA" else "BB"),
                   signed_with_the_portals_key):  # fmt: skip
        attacker = Browser(server.url)
        attacker.http.cookies.set("sandbox_seller", forged, domain="127.0.0.1", path="/sandbox")
        assert urlsplit(location(attacker.get(MANAGE, follow=False))).path == SANDBOX_SIGNIN


def test_simulation_controls_need_a_signed_in_seller(server):
    anonymous = Browser(server.url)
    assert "/signin" in location(anonymous.get("/sandbox/controls", follow=False))
    anonymous.post("/sandbox/controls", {"outage": "503"})
    with server.app.app_context():
        assert db.session.get(Setting, "outage") is None


def test_controls_move_only_the_signed_in_sellers_connections(server, merchant, renewing):
    attacker = seller_browser(server, "Boutique Pirate")
    page = attacker.get("/sandbox/controls")
    assert f'name="connection" value="{renewing["id"]}"' not in page.text
    moved = attacker.post(
        "/sandbox/controls", {"connection": str(renewing["id"]), "days_left": "-2"}, follow=False
    )
    assert moved.status_code == 404
    assert connections(server.app) == [renewing]
    # The seller of the connection may move it.
    merchant.get("/sandbox/controls")
    merchant.post("/sandbox/controls", {"connection": str(renewing["id"]), "days_left": "-2"})
    assert connections(server.app)[0]["state"] == TokenState.EXPIRED


# Item 2, the sandbox's part: an amazon_state belongs to the seller it was issued to ------------


def confirm_url(server, merchant) -> str:
    """Re-authorize in Manage Your Apps; return where the Login URI would send the browser back."""
    reauthorize = re.search(r'href="(/sandbox/[^"]+/reauthorize)"', merchant.get(MANAGE).text)[1]
    merchant.get(reauthorize)
    query = parse_qs(urlsplit(location(merchant.post(reauthorize, {}, follow=False))).query)
    back = {
        "amazon_state": query["amazon_state"][0],
        "state": "portal-state",
        "redirect_uri": f"{server.url}/amazon/callback",
    }
    return query["amazon_callback_uri"][0] + "?" + urlencode(back)


def test_an_amazon_state_needs_the_seller_it_was_issued_to(server, merchant, renewing):
    url = confirm_url(server, merchant)
    other_seller = seller_browser(server, "Autre Boutique")
    refused = other_seller.get(url, follow=False)
    assert refused.status_code == 400
    with server.app.app_context():
        grant = db.session.execute(db.select(Grant).where(Grant.kind == "amazon_state")).scalar()
        assert grant.used_at is None  # still there for its own seller
    anonymous = Browser(server.url)
    signin = location(anonymous.get(url, follow=False))
    assert urlsplit(signin).path == SANDBOX_SIGNIN
    anonymous.get(signin)
    back = anonymous.post(
        SANDBOX_SIGNIN,
        {
            "seller": "Ma Boutique",
            "password": SELLER_PASSWORD,
            "next": parse_qs(urlsplit(signin).query)["next"][0],
        },
        follow=False,
    )
    callback = location(anonymous.get(location(back), follow=False))
    query = parse_qs(urlsplit(callback).query)
    assert callback.startswith(f"{server.url}/amazon/callback?")
    assert query["selling_partner_id"] == [renewing["seller"]] and "spapi_oauth_code" in query
    assert merchant.get(url, follow=False).status_code == 400  # used once


def test_the_demo_sellers_password_is_known(server, runner_for_live):
    output = runner_for_live.invoke(args=["demo"]).output
    assert "demo-seller" in output
    browser = Browser(server.url)
    browser.get(SANDBOX_SIGNIN)
    done = browser.post(SANDBOX_SIGNIN, {"seller": "Demo Shop", "password": "demo-seller"})
    assert done.url.endswith(MANAGE) and "Demo Shop" in done.text
    with server.app.app_context():
        (connection,) = db.session.execute(db.select(Connection)).scalars()
        assert connection.expires_at - connection.authorized_at == timedelta(days=365)


@pytest.fixture
def runner_for_live(server):
    return server.app.test_cli_runner()


def test_the_instance_folder_keeps_the_sandbox_secrets(app):
    folder = Path(app.instance_path)
    for name in ("sandbox-client-secret", "sandbox-signing-key"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert (folder / "sandbox-client-secret").read_text().strip() == app.config[
        "AMAZON_CLIENT_SECRET"
    ]
