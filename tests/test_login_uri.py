"""The Login URI (a renewal begun in Seller Central) asks the merchant before it goes anywhere.

An attacker can start Re-authorize for their own seller account in Seller Central, stop before
the redirect to our Login URI and send that link to a logged-in merchant: opening it must not
connect the attacker's seller account to the merchant's portal account.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from portal.amazon.models import Connection, Event
from portal.extensions import db
from tests.flow import (
    connected,
    connections,
    consent,
    continue_login_uri,
    location,
    login_uri_link,
    start,
)
from tests.helpers import LiveServer, live_app, logged_in, session_of


def rows_of(server, user_id: int) -> tuple[list[str], list[tuple[str, str | None]]]:
    """A merchant's connected seller accounts and events."""
    with server.app.app_context():
        sellers = db.session.execute(
            db.select(Connection.selling_partner_id).where(Connection.user_id == user_id)
        ).scalars()
        events = db.session.execute(
            db.select(Event.kind, Event.detail).where(Event.user_id == user_id).order_by(Event.id)
        )
        return list(sellers), [(kind.value, detail) for kind, detail in events]


def with_seller(url: str, seller: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return url.replace(f"selling_partner_id={query['selling_partner_id'][0]}",
                       f"selling_partner_id={seller}")  # fmt: skip


def test_a_login_uri_link_from_another_merchant_asks_before_anything_is_stored(server):
    attacker, _ = logged_in(server, "mallory@example.com")
    seller_x = connected(server, attacker)["seller"]
    link = login_uri_link(attacker)
    victim, victim_id = logged_in(server, "bob@example.com")

    page = victim.get(link, follow=False)
    assert page.status_code == 200 and "Location" not in page.headers
    assert 'id="login-uri"' in page.text and 'data-seller="new"' in page.text
    assert f'<span class="seller-id" id="login-uri-seller">{seller_x}</span>' in page.text
    assert 'name="add_new"' in page.text and 'method="post"' in page.text
    assert "private" in page.headers["Cache-Control"]
    assert rows_of(server, victim_id) == ([], [])
    assert not any(key.startswith("_state_") for key in session_of(server.app, victim))

    # Continuing without ticking "add this new seller account" changes nothing either.
    refused = continue_login_uri(victim, link)
    assert refused.status_code == 400 and "Location" not in refused.headers
    assert 'id="add-new-missing"' in refused.text
    assert not any(key.startswith("_state_") for key in session_of(server.app, victim))

    # Only the explicit answer goes back to Seller Central (with a state of our own).
    back = location(continue_login_uri(victim, link, add_new=True))
    assert back.startswith(f"{server.url}/sandbox/seller-central/apps/authorize/confirm/")
    assert any(key.startswith("_state_") for key in session_of(server.app, victim))
    assert rows_of(server, victim_id) == ([], [])


def test_the_login_uri_page_names_a_connected_seller_and_needs_a_post(server, merchant, renewing):
    link = login_uri_link(merchant)
    page = merchant.get(link)
    assert 'data-seller="existing"' in page.text and 'name="add_new"' not in page.text
    assert f'id="login-uri-seller">{renewing["seller"]}<' in page.text
    assert 'id="login-uri-marketplace"' in page.text and "Amazon.fr" in page.text
    # The form is protected like every other: without the CSRF token nothing happens.
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    forged = merchant.post("/amazon/login", query, follow=False, csrf=False)
    assert forged.status_code == 400 and "Location" not in forged.headers


def test_a_forged_seller_in_the_login_uri_is_refused_in_the_callback(server):
    attacker, _ = logged_in(server, "mallory@example.com")
    seller_x = connected(server, attacker)["seller"]
    victim, victim_id = logged_in(server, "bob@example.com")
    victim.get(location(consent(victim, start(victim), seller="Boutique de Bob")))
    (victim_before,) = [row for row in connections(server.app) if row["seller"] != seller_x]
    seller_y = victim_before["seller"]

    # The attacker names the victim's own seller account, so the page reads like a renewal.
    link = with_seller(login_uri_link(attacker), seller_y)
    back = location(continue_login_uri(victim, link))
    # Amazon ties amazon_state to the attacker's seller account and sends that one back.
    callback = location(attacker.get(back, follow=False))
    assert f"selling_partner_id={seller_x}" in callback
    page = victim.get(callback)

    sellers, events = rows_of(server, victim_id)
    assert sellers == [seller_y] and events[-1] == ("authorization_failed", "seller_mismatch")
    assert 'name="add"' not in page.text  # no "add this other account?" question either
    with server.app.app_context():
        stored = db.session.get(Connection, victim_before["id"])
        assert stored.refresh_token == victim_before["token"]


def test_a_login_uri_without_a_seller_is_refused(server, merchant):
    link = "/amazon/login?amazon_state=s&amazon_callback_uri=" + (
        "https://sellercentral-europe.amazon.com/apps/authorize/confirm/"
        + server.app.config["AMAZON_APPLICATION_ID"]
    )
    assert merchant.get(link, follow=False).status_code == 400
    assert merchant.get(link + "&selling_partner_id=A1B2C3", follow=False).status_code == 200
    assert merchant.get(link + "&selling_partner_id=<b>x</b>", follow=False).status_code == 400


@pytest.fixture
def limited(tmp_path):
    app = live_app(tmp_path, AMAZON_LOGIN_LIMIT="3 per minute", AMAZON_VERIFY_LIMIT="2 per minute")
    with LiveServer(app) as server:
        yield server


def test_the_login_uri_is_rate_limited_per_merchant(limited):
    merchant, merchant_id = logged_in(limited, "marie@example.com", language="de")
    link = "/amazon/login?" + "&".join(
        [
            "amazon_callback_uri=https://sellercentral-europe.amazon.com/apps/authorize/confirm/"
            + limited.app.config["AMAZON_APPLICATION_ID"],
            "amazon_state=s",
            "selling_partner_id=A1B2C3",
        ]
    )
    assert merchant.get(link, follow=False).status_code == 200
    continue_login_uri(merchant, link, add_new=True)  # GET and POST: the second and third
    page = merchant.get(link, follow=False)
    assert page.status_code == 429
    assert '<html lang="de"' in page.text and "Zu viele Versuche" in page.text
    before = session_of(limited.app, merchant)
    form = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    refused = merchant.post("/amazon/login", {**form, "add_new": "1"}, follow=False)
    assert refused.status_code == 429 and "Location" not in refused.headers
    assert session_of(limited.app, merchant) == before
    # The limit is the merchant's own: another one is not held up.
    other, _ = logged_in(limited, "paul@example.com")
    assert other.get(link, follow=False).status_code == 200


def test_check_the_connection_is_rate_limited_per_merchant(limited):
    merchant, merchant_id = logged_in(limited, "marie@example.com")
    connection = connected(limited, merchant)
    verify = f"/amazon/connections/{connection['id']}/verify"
    for _ in range(2):
        merchant.get("/fr/account/amazon")
        assert merchant.post(verify, {"lang": "fr"}, follow=False).status_code == 303
    _, events = rows_of(limited, merchant_id)
    with limited.app.app_context():
        checked = db.session.get(Connection, connection["id"]).last_check_at
    merchant.get("/fr/account/amazon")
    page = merchant.post(verify, {"lang": "fr"}, follow=False)
    assert page.status_code == 429 and "Trop de tentatives" in page.text
    assert rows_of(limited, merchant_id)[1] == events
    with limited.app.app_context():
        assert db.session.get(Connection, connection["id"]).last_check_at == checked
