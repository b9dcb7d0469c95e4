"""The Seller Central authorization over real HTTP against the sandbox, and every failure."""

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from portal.amazon.models import Connection
from portal.amazon.sandbox import services as sandbox
from portal.amazon.sandbox.demo import DEMO_SELLER, DEMO_SELLER_PASSWORD, create_demo
from portal.amazon.sandbox.models import Grant
from portal.amazon.state import TokenState
from portal.extensions import db
from portal.models import utcnow
from tests.flow import (
    authorize,
    connected,
    connections,
    consent,
    continue_login_uri,
    events,
    location,
    login_uri_link,
    start,
)
from tests.helpers import Browser, add_user, logged_in


def test_without_javascript_step_2_asks_first(server, merchant):
    merchant.get("/fr/account/amazon")
    question = merchant.post("/amazon/authorize", {"marketplace": "FR", "lang": "fr"}, follow=False)
    assert question.status_code == 200
    assert "Autoriser magnalister pour Amazon" in question.text
    assert 'name="confirmed" value="1"' in question.text
    confirmed = {"marketplace": "FR", "lang": "fr", "confirmed": "1"}
    answer = merchant.post("/amazon/authorize", confirmed, follow=False)
    assert "/sandbox/seller-central/apps/authorize/consent?" in location(answer)


def test_grant_an_authorization(server, merchant):
    callback = authorize(merchant)
    assert callback.startswith(f"{server.url}/amazon/callback?")
    assert {"state", "selling_partner_id", "spapi_oauth_code"} <= set(
        parse_qs(urlsplit(callback).query)
    )
    page = merchant.get(callback)
    assert page.url.endswith("/fr/account/amazon#connection-1")
    assert "Actif" in page.text or "Active" in page.text
    (connection,) = connections(server.app)
    assert connection["state"] == TokenState.ACTIVE
    assert connection["expires_at"] - connection["authorized_at"] == timedelta(days=365)
    assert abs(connection["authorized_at"] - utcnow()) < timedelta(minutes=1)
    assert events(server.app) == [("authorized", None)]
    api = merchant.get("/api/v1/amazon/connections").json()
    assert api[0]["state"] == "active" and api[0]["days_left"] == 364
    # No connector has reported yet: the dates alone never say that synchronisation runs.
    assert {kind: sync["state"] for kind, sync in api[0]["sync"].items()} == {
        "stock_and_prices": "unknown",
        "orders": "unknown",
    }
    assert api[0]["marketplace"] == "FR" and api[0]["region"] == "EU"
    assert api[0]["expires_at"].endswith("Z") and "refresh" not in str(api)


def test_token_endpoint_is_called_with_client_secret_post(server, merchant):
    connected(server, merchant)
    from portal.amazon.sandbox.models import TokenRequest

    with server.app.app_context():
        request = db.session.execute(db.select(TokenRequest)).scalar_one()
    assert request.grant_type == "authorization_code"
    assert request.secret_in_body and not request.basic_auth
    assert "code_challenge" not in request.fields and "code" in request.fields.split(",")


def test_renew_resets_the_expiry_and_replaces_the_token(server, merchant):
    before = connected(server, merchant)
    with server.app.app_context():
        sandbox.move_dates(db.session.get(Connection, before["id"]), 5)
    merchant.get(authorize(merchant, connection=before["id"]))
    (after,) = connections(server.app)
    assert after["token"] != before["token"]
    assert after["state"] == TokenState.ACTIVE
    assert after["expires_at"] - utcnow() > timedelta(days=364)
    assert [kind for kind, _ in events(server.app)] == ["authorized", "renewed"]


def test_renew_through_the_login_uri(server, merchant):
    before = connected(server, merchant)
    with server.app.app_context():
        sandbox.move_dates(db.session.get(Connection, before["id"]), -3)  # expired
    assert connections(server.app)[0]["state"] == TokenState.EXPIRED
    login_uri = login_uri_link(merchant)
    assert login_uri.startswith(f"{server.url}/amazon/login?amazon_callback_uri=")
    back_to_amazon = location(continue_login_uri(merchant, login_uri))
    query = parse_qs(urlsplit(back_to_amazon).query)
    assert back_to_amazon.startswith(f"{server.url}/sandbox/seller-central/apps/authorize/confirm/")
    assert {"amazon_state", "state", "redirect_uri"} <= set(query)
    callback = location(merchant.get(back_to_amazon, follow=False))
    merchant.get(callback)
    (after,) = connections(server.app)
    assert after["state"] == TokenState.ACTIVE and after["token"] != before["token"]
    assert after["expires_at"] - utcnow() > timedelta(days=364)


def test_login_uri_asks_to_log_in_first_and_comes_back(server):
    add_user(server.app, "paul@example.com")
    browser = Browser(server.url)
    callback_uri = (
        "https://sellercentral-europe.amazon.com/apps/authorize/confirm/"
        + (server.app.config["AMAZON_APPLICATION_ID"])
    )
    target = "/amazon/login?" + urlencode(
        {
            "amazon_callback_uri": callback_uri,
            "amazon_state": "abc",
            "selling_partner_id": "A1",
        }
    )
    login_page = location(browser.get(target, follow=False))
    assert "/login?next=" in login_page
    browser.get(login_page)
    response = browser.post(
        urlsplit(login_page).path + "?" + urlsplit(login_page).query,
        {
            "email": "paul@example.com",
            "password": "correct horse",
            "next": parse_qs(urlsplit(login_page).query)["next"][0],
        },
        follow=False,
    )
    assert location(response) == target
    amazon = location(continue_login_uri(browser, target, add_new=True))
    assert amazon.startswith(f"{callback_uri}?")


@pytest.mark.parametrize(
    "callback_uri",
    [
        "https://evil.example/apps/authorize/confirm/x",
        "http://sellercentral.amazon.com/apps/authorize/confirm/x",
        "https://sellercentral.amazon.com.evil.example/x",
        "https://user@sellercentral.amazon.com/x",
        "javascript:alert(1)",
        "",
    ],
)
def test_login_uri_refuses_other_hosts(server, merchant, callback_uri):
    response = merchant.get(
        "/amazon/login",
        follow=False,
        params={"amazon_callback_uri": callback_uri, "amazon_state": "s"},
    )
    assert response.status_code == 400 and "Location" not in response.headers


FAILURE_MESSAGES = {
    "cancelled": "annulée",
    "state_invalid": "expiré ou a déjà été utilisé",
    "code_rejected": "code d'autorisation",
    "client_rejected": "identifiants",
    "unavailable": "ne répond pas",
    "bad_response": "réponse inattendue",
}


def assert_unchanged(server, before: list[dict], reason: str, page) -> None:
    assert connections(server.app) == before
    kind, detail = events(server.app)[-1]
    assert kind == "authorization_failed" and detail.startswith(reason)
    assert FAILURE_MESSAGES[reason] in page.text.replace("&#39;", "'").replace("’", "'")


def test_cancel_in_seller_central(server, merchant, renewing):
    before = connections(server.app)
    page = consent(merchant, start(merchant, connection=renewing["id"]), action="cancel")
    back = (
        re.search(r'href="([^"]+error=access_denied[^"]*)"', page.text)
        .group(1)
        .replace("&amp;", "&")
    )
    assert_unchanged(server, before, "cancelled", merchant.get(back))


def test_missing_wrong_and_replayed_state(server, merchant, renewing):
    before = connections(server.app)
    callback = authorize(merchant, connection=renewing["id"])
    query = parse_qs(urlsplit(callback).query)
    without_state = (
        f"/amazon/callback?selling_partner_id={query['selling_partner_id'][0]}&spapi_oauth_code=x"
    )
    assert_unchanged(server, before, "state_invalid", merchant.get(without_state))
    assert_unchanged(
        server, before, "state_invalid", merchant.get(callback.replace("state=", "state=forged"))
    )
    merchant.get(callback)  # the real one succeeds...
    renewed = connections(server.app)
    assert_unchanged(server, renewed, "state_invalid", merchant.get(callback))  # ...and only once


def test_state_of_another_browser_is_refused(server, merchant, renewing):
    before = connections(server.app)
    callback = authorize(merchant, connection=renewing["id"])
    intruder, _ = logged_in(server, "intruder@example.com")
    intruder.get(callback)
    assert connections(server.app) == before


def test_expired_state(server, merchant, renewing):
    before = connections(server.app)
    framework = server.app.extensions["amazon"].framework
    framework.expires_in = 1  # the merchant will take longer than the state lives
    try:
        callback = authorize(merchant, connection=renewing["id"])
    finally:
        framework.expires_in = server.app.config["AMAZON_STATE_TTL"]
    time.sleep(1.2)
    assert_unchanged(server, before, "state_invalid", merchant.get(callback))


def test_expired_code(server, merchant, renewing):
    before = connections(server.app)
    callback = authorize(merchant, connection=renewing["id"])
    with server.app.app_context():
        for grant in db.session.execute(db.select(Grant).where(Grant.used_at.is_(None))).scalars():
            grant.issued_at -= timedelta(minutes=6)
        db.session.commit()
    assert_unchanged(server, before, "code_rejected", merchant.get(callback))


def test_code_used_twice(server, merchant, renewing):
    before = connections(server.app)
    callback = authorize(merchant, connection=renewing["id"])
    code = parse_qs(urlsplit(callback).query)["spapi_oauth_code"][0]
    config = server.app.config
    import requests

    first = requests.post(
        f"{server.url}/sandbox/auth/o2/token",
        timeout=10,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": config["AMAZON_CLIENT_ID"],
            "client_secret": config["AMAZON_CLIENT_SECRET"],
        },
    )
    assert first.status_code == 200
    assert_unchanged(server, before, "code_rejected", merchant.get(callback))


@pytest.mark.parametrize(
    ("outage", "reason"),
    [
        ("invalid_client", "client_rejected"),
        ("500", "unavailable"),
        ("503", "unavailable"),
        ("timeout", "unavailable"),
        ("not_json", "bad_response"),
    ],
)
def test_token_endpoint_failures(server, merchant, renewing, outage, reason):
    before = connections(server.app)
    callback = authorize(merchant, connection=renewing["id"])
    with server.app.app_context():
        sandbox.set_setting("outage", outage)
    assert_unchanged(server, before, reason, merchant.get(callback))


def test_another_seller_account_is_not_taken_for_the_renewed_one(server, merchant, renewing):
    before = connections(server.app)
    merchant.post("/sandbox/seller-central/signout", {}, csrf=True)
    url = start(merchant, connection=renewing["id"])
    callback = location(consent(merchant, url, seller="Autre Boutique"))
    question = merchant.get(callback)
    assert (
        renewing["seller"] in question.text and "Autre" not in question.text
    )  # asks, names both ids
    assert connections(server.app) == before
    merchant.post("/amazon/other-account", {"add": "no", "lang": "fr"})
    assert connections(server.app) == before
    assert events(server.app)[-1] == ("authorization_failed", "account_mismatch")


def test_another_seller_account_can_be_added(server, merchant, renewing):
    merchant.post("/sandbox/seller-central/signout", {}, csrf=True)
    callback = location(
        consent(merchant, start(merchant, connection=renewing["id"]), seller="Autre Boutique")
    )
    merchant.get(callback)
    merchant.post("/amazon/other-account", {"add": "yes", "lang": "fr"})
    first, second = connections(server.app)
    assert first == renewing and second["seller"] != renewing["seller"]
    assert second["state"] == TokenState.ACTIVE


def test_verify_marks_a_revoked_grant_revoked(server, merchant, renewing):
    merchant.get("/fr/account/amazon")
    merchant.post(f"/amazon/connections/{renewing['id']}/verify", {"lang": "fr"})
    assert events(server.app)[-1] == ("verified", "FR, DE, IT, ES, GB")
    manage = merchant.get("/sandbox/seller-central/apps/manage")
    revoke = re.search(
        r'action="(/sandbox/seller-central/apps/manage/\d+/revoke)"', manage.text
    ).group(1)
    merchant.post(revoke, {})
    merchant.get("/fr/account/amazon")
    # The cached access token is refused now: the check refreshes, and Amazon says invalid_grant.
    merchant.post(f"/amazon/connections/{renewing['id']}/verify", {"lang": "fr"})
    (connection,) = connections(server.app)
    assert connection["state"] == TokenState.REVOKED
    assert connection["token"] == renewing["token"]
    orders = merchant.get("/api/v1/amazon/connections").json()[0]["sync"]["orders"]
    assert orders["state"] == "stopped" and orders["stopped_since"].endswith("Z")


def test_deactivate_and_reactivate(server, merchant, renewing):
    merchant.get("/fr/account/amazon")
    merchant.post(f"/amazon/connections/{renewing['id']}/deactivate", {"lang": "fr"})
    assert connections(server.app)[0]["state"] == TokenState.DEACTIVATED
    assert (
        merchant.get("/api/v1/amazon/connections").json()[0]["sync"]["stock_and_prices"]["state"]
        == "stopped"
    )
    merchant.post(f"/amazon/connections/{renewing['id']}/reactivate", {"lang": "fr"})
    assert connections(server.app)[0]["state"] == TokenState.ACTIVE
    assert [kind for kind, _ in events(server.app)][-2:] == ["deactivated", "reactivated"]


def test_a_merchant_cannot_see_or_touch_another_merchants_connection(server, merchant, renewing):
    other, _ = logged_in(server, "other@example.com")
    assert other.get("/api/v1/amazon/connections").json() == []
    assert renewing["seller"] not in other.get("/fr/account/amazon").text
    for action in ("verify", "deactivate", "reactivate"):
        response = other.post(
            f"/amazon/connections/{renewing['id']}/{action}", {"lang": "fr"}, follow=False
        )
        assert response.status_code == 404
    assert (
        other.post(
            "/amazon/authorize",
            {"connection": str(renewing["id"]), "marketplace": "FR"},
            follow=False,
        ).status_code
        == 404
    )
    assert connections(server.app) == [renewing]


def test_api_needs_a_login(server):
    response = Browser(server.url).get("/api/v1/amazon/connections", follow=False)
    assert response.status_code == 401 and response.json() == {"error": "unauthorized"}


def test_no_refresh_token_in_clear_in_the_database(server, merchant, renewing):
    merchant.get(authorize(merchant, connection=renewing["id"]))
    with server.app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                assert "Atzr|" not in repr(tuple(row)), table.name


def test_the_demo_merchant_renews_as_the_readme_says(server):
    with server.app.app_context():
        create_demo()
    browser = Browser(server.url)
    browser.login("demo@example.com", "demo-merchant")
    page = browser.get("/fr/account/amazon")
    assert "Expire bientôt" in page.text and "12 jours" in page.text
    (before,) = connections(server.app)
    url = start(browser, connection=before["id"])
    browser.get(location(consent(browser, url, seller=DEMO_SELLER, password=DEMO_SELLER_PASSWORD)))
    (after,) = connections(server.app)
    assert after["seller"] == before["seller"] and after["state"] == TokenState.ACTIVE
    assert after["expires_at"] - before["expires_at"] > timedelta(days=350)
    assert "Actif" in browser.get("/fr/account/amazon").text


def test_the_refresh_token_shows_nowhere(server, merchant, caplog):
    caplog.set_level("DEBUG")
    connection = connected(server, merchant)
    merchant.post(f"/amazon/connections/{connection['id']}/verify", {"lang": "fr"})
    seen = [
        merchant.get("/fr/account/amazon").text,
        merchant.get("/api/v1/amazon/connections").text,
    ]
    session_cookie = merchant.http.cookies.get("session")
    with server.app.test_request_context():
        session = server.app.session_interface.get_signing_serializer(server.app).loads(
            session_cookie
        )
    seen += [repr(session), caplog.text]
    assert all("Atzr|" not in text for text in seen)
    with server.app.app_context():
        stored = db.session.get(Connection, connection["id"])
        assert "Atzr|" not in repr(stored)
        assert (
            server.app.extensions["token_vault"].decrypt(stored.refresh_token).startswith("Atzr|")
        )


def test_two_renewals_of_the_same_connection_at_once(server, merchant, renewing):
    import threading

    from portal.amazon.sandbox.models import Authorization, digest

    other = Browser(server.url)
    other.login("marie@example.com", "correct horse")
    callbacks = [
        (
            browser,
            location(consent(browser, start(browser, connection=renewing["id"]))),
        )
        for browser in (merchant, other)
    ]
    barrier = threading.Barrier(2)

    def finish(browser, callback):
        barrier.wait()
        browser.get(callback)

    threads = [threading.Thread(target=finish, args=pair) for pair in callbacks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (connection,) = connections(server.app)
    assert connection["state"] == TokenState.ACTIVE
    assert connection["expires_at"] - connection["authorized_at"] == timedelta(days=365)
    with server.app.app_context():
        stored = server.app.extensions["token_vault"].decrypt(connection["token"])
        issued = db.session.execute(db.select(Authorization.refresh_token_digest)).scalars().all()
    assert digest(stored) in issued  # one whole token from Amazon, not a mix
    assert [kind for kind, _ in events(server.app)].count("renewed") == 2
    merchant.get("/fr/account/amazon")
    merchant.post(f"/amazon/connections/{connection['id']}/verify", {"lang": "fr"})
    assert events(server.app)[-1][0] == "verified"
