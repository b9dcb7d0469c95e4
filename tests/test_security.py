"""Security headers, cookie flags, log-in limits, production checks, key rotation, health checks."""

import json
import logging

import pytest
from cryptography.fernet import Fernet

from portal import create_app
from portal.amazon.models import Connection
from portal.amazon.sandbox import sellers
from portal.amazon.sandbox.demo import simulated_connection
from portal.connector import webhooks
from portal.connector.models import WebhookEndpoint
from portal.extensions import db
from portal.logs import JsonFormatter
from tests.helpers import add_user, client_login, csrf_token

ARTICLE = "/fr/faq/2763-generer-ou-renouveler-le-token-amazon"
PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret",
    "AMAZON_CLIENT_ID": "amzn1.application-oa2-client.x",
    "AMAZON_CLIENT_SECRET": "secret",
    "AMAZON_APPLICATION_ID": "amzn1.sp.solution.x",
    "TRUSTED_HOSTS": ["help.example.com"],
    "BASE_URL": "https://help.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_security_headers(client):
    response = client.get(ARTICLE)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "form-action 'self';" in policy + ";"  # an anonymous reader has no renew form
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert (
        client.get("/fr/search?q=x").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    )
    assert "Strict-Transport-Security" not in response.headers


def test_a_merchants_forms_may_lead_to_seller_central(app, client):
    add_user(app, "m@example.com")
    client_login(client, "m@example.com")
    for path in (ARTICLE, "/fr/account/amazon"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "https://sellercentral-europe.amazon.com" in policy
        assert "https://sellercentral.amazon.fr" in policy
    # Logging in may end a renewal begun in Seller Central: the form may lead there too.
    client.post(
        "/fr/logout", data={"csrf_token": csrf_token(client.get("/fr/account/amazon").text)}
    )
    assert "sellercentral.amazon.fr" in client.get("/fr/login").headers["Content-Security-Policy"]
    assert "sellercentral" not in client.get("/fr/").headers["Content-Security-Policy"]


def test_the_redirect_to_amazon_sends_no_referrer(app, client):
    add_user(app, "m@example.com")
    client_login(client, "m@example.com")
    page = client.get("/fr/account/amazon").get_data(as_text=True)
    response = client.post(
        "/amazon/authorize",
        data={"csrf_token": csrf_token(page), "marketplace": "FR", "confirmed": "1"},
    )
    assert response.status_code == 302 and response.headers["Referrer-Policy"] == "no-referrer"


def test_no_inline_script_or_style_in_pages(app, client):
    add_user(app, "m@example.com")
    client_login(client, "m@example.com")
    for path in (ARTICLE, "/fr/account/amazon", "/fr/", "/sandbox/controls"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "onclick" not in html


def test_session_cookie_flags(app, client):
    add_user(app, "m@example.com")
    cookie = client_login(client, "m@example.com").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_sets_hsts_and_secure_cookies(tmp_path):
    app = create_app({**PRODUCTION, "TOKEN_KEYS": Fernet.generate_key().decode(),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})  # fmt: skip
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize(("change", "reason"), [
    ({"SECRET_KEY": "dev"}, "PORTAL_SECRET_KEY"),
    ({"AMAZON_CLIENT_ID": None, "AMAZON_SANDBOX": None}, "PORTAL_AMAZON_SANDBOX=true"),
    ({"AMAZON_CLIENT_SECRET": None}, "PORTAL_AMAZON_CLIENT_SECRET"),
    ({"TOKEN_KEYS": None}, "PORTAL_TOKEN_KEYS"),
    ({"TRUSTED_HOSTS": None}, "PORTAL_TRUSTED_HOSTS"),
    ({"TRUSTED_HOSTS": []}, "PORTAL_TRUSTED_HOSTS"),
    ({"BASE_URL": "http://127.0.0.1:5000"}, "PORTAL_BASE_URL"),  # the default
    ({"BASE_URL": "http://help.example.com"}, "PORTAL_BASE_URL.*https"),
    ({"BASE_URL": "https://localhost"}, "PORTAL_BASE_URL"),
    ({"BASE_URL": "https://[::1]:8443"}, "PORTAL_BASE_URL"),
    ({"BASE_URL": "https://other.example.com"}, "PORTAL_BASE_URL.*PORTAL_TRUSTED_HOSTS"),
])  # fmt: skip
def test_production_refuses_an_unsafe_start(tmp_path, change, reason):
    config = {**PRODUCTION, "TOKEN_KEYS": Fernet.generate_key().decode(), **change}
    with pytest.raises(RuntimeError, match=reason):
        create_app({**config, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_reads_trusted_hosts_and_base_url_from_the_environment(tmp_path, monkeypatch):
    config = {**PRODUCTION, "TOKEN_KEYS": Fernet.generate_key().decode(),
              "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}  # fmt: skip
    del config["TRUSTED_HOSTS"], config["BASE_URL"]
    monkeypatch.setenv("PORTAL_TRUSTED_HOSTS", '["help.example.com", ".shop.example"]')
    monkeypatch.setenv("PORTAL_BASE_URL", "https://help.example.com")
    app = create_app(config)
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "help.example.com"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    monkeypatch.setenv("PORTAL_BASE_URL", "https://evil.example")
    with pytest.raises(RuntimeError, match="PORTAL_BASE_URL"):
        create_app(config)


def test_production_without_redis_says_the_limits_are_per_worker(tmp_path, caplog):
    config = {**PRODUCTION, "TOKEN_KEYS": Fernet.generate_key().decode(),
              "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="portal"):
        create_app(config)
    assert not [r for r in caplog.records if "PORTAL_REDIS_URL" in r.getMessage()]
    with caplog.at_level(logging.WARNING, logger="portal"):
        create_app({**config, "REDIS_URL": None})
    (warning,) = [r for r in caplog.records if "PORTAL_REDIS_URL" in r.getMessage()]
    assert warning.levelno == logging.WARNING and "per worker" in warning.getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portal"):  # chosen knowingly: no warning
        create_app({**config, "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://"})
    assert not [r for r in caplog.records if "PORTAL_REDIS_URL" in r.getMessage()]


def test_login_is_rate_limited_per_account_and_address(build_app):
    app = build_app(
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="3 per minute", LOGIN_LIMIT_PER_ADDRESS="100 per minute"
    )
    add_user(app, "target@example.com")
    client = app.test_client()
    codes = [
        client_login(client, "target@example.com", password=f"guess{n}").status_code
        for n in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    blocked = client_login(client, "Target@Example.com", lang="de")
    assert blocked.status_code == 429 and "Zu viele Versuche" in blocked.get_data(as_text=True)
    assert (
        client_login(client, "other@example.com", password="x").status_code == 400
    )  # another account
    # Another address is not held back (tests/test_accounts.py tries it over real HTTP).
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert client_login(elsewhere, "target@example.com").status_code == 302


def test_login_is_rate_limited_per_address(build_app):
    app = build_app(
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="100 per minute", LOGIN_LIMIT_PER_ADDRESS="2 per minute"
    )
    client = app.test_client()
    codes = [
        client_login(client, f"user{n}@example.com", password="x").status_code for n in range(3)
    ]
    assert codes == [400, 400, 429]


def test_rotate_key_re_encrypts_every_token_and_secret(tmp_path, build_app):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = build_app(TOKEN_KEYS=old)
    user_id = add_user(app, "m@example.com")
    with app.app_context():
        seller = sellers.new_seller("Shop", "EU")
        connection_id = simulated_connection(user_id, seller, "FR", 100).id
        before = app.extensions["token_vault"].decrypt(
            db.session.get(Connection, connection_id).refresh_token
        )
        endpoint, secret = webhooks.register(user_id, "https://example.com/hooks", ["test"])
        endpoint_id = endpoint.id
    rotated = build_app(reset=False, TOKEN_KEYS=f"{new},{old}")
    result = rotated.test_cli_runner().invoke(args=["tokens", "rotate-key"])
    assert result.exit_code == 0 and "1 refresh token" in result.output
    assert "1 other secret" in result.output
    only_new = build_app(reset=False, TOKEN_KEYS=new)
    with only_new.app_context():
        vault = only_new.extensions["token_vault"]
        stored = db.session.get(Connection, connection_id).refresh_token
        assert vault.decrypt(stored) == before
        assert vault.decrypt(db.session.get(WebhookEndpoint, endpoint_id).secret) == secret


def test_health_checks(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_readyz_says_when_the_database_is_gone(build_app, tmp_path):
    app = build_app(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}", reset=False)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json() == {"status": "database unavailable"}


def test_request_id_and_json_logs_without_secrets(app, client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    assert (
        len(client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"])
        == 32
    )
    with app.test_request_context("/amazon/callback"):
        from flask import g

        g.request_id = "r1"
        message = "exchange failed for Atzr|abcdef code=xyz"
        record = logging.LogRecord("portal", logging.WARNING, __file__, 1, message, None, None)
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "r1" and line["path"] == "/amazon/callback"
    assert "abcdef" not in line["message"] and "xyz" not in line["message"]


@pytest.mark.parametrize("path", ["/fr/search?q=a%00b", "/fr/login?next=%00", "/fr/faq/2763-x%00"])
def test_nul_characters_are_refused_clearly(client, path):
    response = client.get(path)
    assert response.status_code == 400 and '<html lang="fr"' in response.get_data(as_text=True)
    assert client.post("/fr/faq/2763/vote", data={"helpful": "yes\x00"}).status_code == 400


def test_a_host_outside_the_trusted_hosts_gets_a_plain_400(build_app):
    app = build_app(TRUSTED_HOSTS=["help.example.com"])
    client = app.test_client()
    refused = client.get("/faq/2763", headers={"Host": "evil.example", "Accept-Language": "de"})
    assert refused.status_code == 400 and refused.mimetype == "text/plain"
    assert "evil.example" not in refused.get_data(as_text=True)
    assert "Anfrage" in refused.get_data(as_text=True)  # in the reader's language
    # Under /fr/, the URL's language wins, as on every page there.
    refused = client.get(ARTICLE, headers={"Host": "evil.example", "Accept-Language": "de"})
    assert "requête" in refused.get_data(as_text=True)
    assert client.get(ARTICLE, headers={"Host": "help.example.com"}).status_code == 200
