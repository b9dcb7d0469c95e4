"""The connector's API: keys, its merchant's connections and Amazon access tokens, against
the built-in sandbox standing in for Login with Amazon."""

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from flask_babel import force_locale

from portal.accounts.services import find_user
from portal.amazon.models import Connection, StoredAccessToken
from portal.amazon.sandbox import services as sandbox
from portal.amazon.sandbox.models import Authorization, TokenRequest
from portal.amazon.state import TokenState
from portal.connector import api, keys
from portal.connector.models import ConnectorKey
from portal.extensions import db
from portal.models import utcnow
from tests.flow import connected, events
from tests.helpers import add_user, csrf_token, statements

API = "/api/v1/connector"


def new_key(app, email: str = "marie@example.com", name: str = "Shop") -> str:
    with app.app_context():
        return keys.create(find_user(email).id, name)[1]


def call(server, key: str | None, path: str, method: str = "GET") -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.request(method, f"{server.url}{API}{path}", headers=headers, timeout=30)


def access_token(server, key: str, connection_id: int) -> requests.Response:
    return call(server, key, f"/connections/{connection_id}/access-token", "POST")


def refreshes(app) -> int:
    """How many refresh-token requests reached the sandbox's token endpoint."""
    with app.app_context():
        query = db.select(db.func.count()).where(TokenRequest.grant_type == "refresh_token")
        return db.session.scalar(query.select_from(TokenRequest))


def change(app, connection_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(
            db.update(Connection).where(Connection.id == connection_id).values(**values)
        )
        db.session.commit()


def make_stored_token_expire_in(app, connection_id: int, delta: timedelta) -> None:
    with app.app_context():
        db.session.get(StoredAccessToken, connection_id).expires_at = utcnow() + delta
        db.session.commit()
    app.extensions["amazon_access_tokens"].drop(connection_id)  # as in another worker


@pytest.fixture
def connection(server, merchant) -> dict:
    return connected(server, merchant)


def test_a_key_is_shown_once_and_only_its_digest_is_stored(app, runner):
    add_user(app, "marie@example.com")
    result = runner.invoke(args=["connector-keys", "create", "marie@example.com", "--name", "Shop"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip().splitlines()[-1]
    assert plain.startswith("pck_") and len(plain) > 40
    with app.app_context():
        (key,) = db.session.scalars(db.select(ConnectorKey)).all()
        stored = (key.digest, key.hint, key.name)
        assert keys.key_and_connection(plain)[0].id == key.id
    assert plain not in "".join(stored) and stored[0] == keys.digest_of(plain)
    listed = runner.invoke(args=["connector-keys", "list", "marie@example.com"]).output
    assert "Shop" in listed and plain not in listed
    assert runner.invoke(args=["connector-keys", "create", "nobody@example.com"]).exit_code != 0


def test_missing_wrong_and_revoked_keys_get_401(server, connection):
    key = new_key(server.app)
    assert call(server, key, "/connections").status_code == 200
    with server.app.app_context():
        keys.revoke(db.session.scalars(db.select(ConnectorKey)).one())
    for presented in (None, "pck_wrong", key, key[:-1]):
        response = call(server, presented, "/connections")
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized" and response.json()["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert access_token(server, key, connection["id"]).status_code == 401


def test_a_key_sees_only_its_merchants_connections(server, connection):
    add_user(server.app, "other@example.com")
    mine, theirs = new_key(server.app), new_key(server.app, "other@example.com")
    listed = call(server, mine, "/connections").json()
    assert [c["id"] for c in listed] == [connection["id"]]
    assert set(listed[0]) == {
        "id", "selling_partner_id", "marketplace", "region", "state", "expires_at"
    }  # fmt: skip
    assert listed[0]["state"] == "active" and listed[0]["expires_at"].endswith("Z")
    assert call(server, theirs, "/connections").json() == []
    refused = access_token(server, theirs, connection["id"])
    assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    assert access_token(server, mine, 999999).status_code == 404


def test_the_portal_refreshes_only_when_under_five_minutes_are_left(server, connection):
    key = new_key(server.app)
    before = refreshes(server.app)
    first = access_token(server, key, connection["id"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token_type"] == "bearer" and body["access_token"].startswith("Atza|")
    assert body["selling_partner_id"] == connection["seller"] and body["region"] == "EU"
    assert body["spapi_url"] == f"{server.url}/sandbox/sp-api"
    assert "refresh_token" not in first.text and "Atzr|" not in first.text
    # The authorization's own access token is used first: no refresh until it runs low.
    assert access_token(server, key, connection["id"]).json() == body
    assert refreshes(server.app) == before
    make_stored_token_expire_in(server.app, connection["id"], timedelta(minutes=6))
    assert (
        access_token(server, key, connection["id"]).json()["access_token"] == body["access_token"]
    )
    make_stored_token_expire_in(server.app, connection["id"], timedelta(minutes=4))
    renewed = access_token(server, key, connection["id"]).json()
    assert renewed["access_token"] != body["access_token"]
    assert refreshes(server.app) == before + 1


def test_an_access_token_from_cache_costs_one_query(server, connection):
    """The key and the connection it names are read together; the token comes from memory."""
    key = new_key(server.app)
    first = access_token(server, key, connection["id"])
    assert first.status_code == 200, first.text
    with statements(server.app) as sent:
        again = access_token(server, key, connection["id"])
    assert again.json() == first.json()
    assert len(sent) == 1 and "connector_key" in sent[0] and "amazon_connection" in sent[0], sent
    with statements(server.app) as sent:
        other = call(server, key, "/connections/999999/access-token", "POST")
    assert other.status_code == 404 and other.json()["error"] == "not_found"


def test_the_refresh_token_is_kept_only_encrypted(server, connection):
    key = new_key(server.app)
    make_stored_token_expire_in(server.app, connection["id"], timedelta(0))
    answer = access_token(server, key, connection["id"]).json()
    with server.app.app_context():
        row = db.session.get(StoredAccessToken, connection["id"])
        assert answer["access_token"].encode() not in row.token
        assert b"Atza|" not in row.token and b"Atzr|" not in connection["token"]


def test_many_workers_asking_at_once_cause_one_refresh(server, connection):
    key = new_key(server.app)
    access_token(server, key, connection["id"])
    make_stored_token_expire_in(server.app, connection["id"], timedelta(minutes=1))
    before = refreshes(server.app)
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: access_token(server, key, connection["id"]), range(20)))
    assert [a.status_code for a in answers] == [200] * 20
    assert len({a.json()["access_token"] for a in answers}) <= 2  # the old one while valid
    assert refreshes(server.app) == before + 1


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"expires_at": utcnow() - timedelta(hours=1)}, "expired"),
        ({"deactivated_at": utcnow()}, "deactivated"),
        ({"revoked_at": utcnow()}, "revoked"),
    ],
)
def test_a_connection_that_cannot_give_access_says_why_in_the_merchants_language(
    server, connection, values, error
):
    key = new_key(server.app)
    with server.app.app_context():
        find_user("marie@example.com").language = "de"
        db.session.commit()
    change(server.app, connection["id"], **values)
    before = refreshes(server.app)
    refused = access_token(server, key, connection["id"])
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == error
    assert body["renew_url"] == f"{server.url}/faq/2763?lang=de#steps"
    with server.app.test_request_context(), force_locale("de"):
        german = api.NO_ACCESS[TokenState(error)]()
    with server.app.test_request_context(), force_locale("en"):
        english = api.NO_ACCESS[TokenState(error)]()
    assert body["message"] == german != english
    assert refreshes(server.app) == before


def test_invalid_grant_marks_the_connection_revoked(server, connection):
    key = new_key(server.app)
    with server.app.app_context():
        sandbox.revoke(db.session.scalars(db.select(Authorization)).one())
    make_stored_token_expire_in(server.app, connection["id"], timedelta(0))
    refused = access_token(server, key, connection["id"])
    assert refused.status_code == 409 and refused.json()["error"] == "revoked"
    with server.app.app_context():
        assert db.session.get(Connection, connection["id"]).revoked_at is not None
    assert ("revoked", "invalid_grant") in events(server.app)


@pytest.mark.parametrize(("outage", "status"), [("503", 502), ("500", 502), ("timeout", 504)])
def test_amazon_failing_changes_nothing(server, connection, outage, status):
    key = new_key(server.app)
    make_stored_token_expire_in(server.app, connection["id"], timedelta(0))
    with server.app.app_context():
        sandbox.set_setting("outage", outage)
    failed = access_token(server, key, connection["id"])
    assert failed.status_code == status
    assert failed.json()["error"] in ("amazon_unavailable", "amazon_timeout")
    with server.app.app_context():
        sandbox.set_setting("outage", "")
        stored = db.session.get(Connection, connection["id"])
        assert stored.revoked_at is None and stored.refresh_token == connection["token"]
        assert db.session.get(StoredAccessToken, connection["id"]).claimed_until is None
    assert access_token(server, key, connection["id"]).status_code == 200


def keys_page(client) -> str:
    return client.get("/en/account/amazon").get_data(as_text=True)


def create_on_page(client, name: str):
    token = csrf_token(keys_page(client))
    return client.post("/en/account/connector-keys", data={"csrf_token": token, "name": name})


def test_a_merchant_creates_a_key_on_the_token_page_and_sees_it_once(app, client, auth):
    add_user(app, "marie@example.com")
    auth.login()
    created = create_on_page(client, "  Boutique Lyon  ")
    assert created.status_code == 200 and created.headers["Cache-Control"] == "private, no-store"
    plain = re.search(r'id="new-key">(pck_[^<]+)<', created.get_data(as_text=True)).group(1)
    page = keys_page(client)
    assert "Boutique Lyon" in page and plain[:10] in page and plain not in page
    with app.app_context():
        assert keys.key_and_connection(plain)[0].name == "Boutique Lyon"


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "tab\there"])
def test_a_bad_key_name_is_refused_and_nothing_is_created(app, client, auth, name):
    add_user(app, "marie@example.com")
    auth.login()
    refused = create_on_page(client, name)
    assert refused.status_code == 303 and refused.headers["Location"].endswith("#connector-keys")
    assert "at most 80 characters" in keys_page(client)
    with app.app_context():
        assert db.session.scalars(db.select(ConnectorKey)).all() == []


def test_a_merchant_revokes_only_their_own_keys(app, client, auth):
    add_user(app, "marie@example.com")
    add_user(app, "other@example.com")
    theirs = new_key(app, "other@example.com", "Theirs")
    auth.login()
    create_on_page(client, "Mine")
    with app.app_context():
        mine, other = (
            k.id for k in db.session.scalars(db.select(ConnectorKey).order_by(ConnectorKey.name))
        )
    token = csrf_token(keys_page(client))
    refused = client.post(f"/en/account/connector-keys/{other}/revoke", data={"csrf_token": token})
    assert refused.status_code == 404
    done = client.post(f"/en/account/connector-keys/{mine}/revoke", data={"csrf_token": token})
    assert done.status_code == 303
    page = keys_page(client)
    assert "is revoked" in page and "Revoked on" in page
    with app.app_context():
        assert keys.key_and_connection(theirs)[0] is not None
        assert db.session.get(ConnectorKey, mine).revoked_at is not None


def test_staff_have_no_connector_keys(app, client, auth):
    add_user(app, "staff@example.com", role="support")
    auth.login("staff@example.com")
    token = csrf_token(client.get("/en/").get_data(as_text=True))
    answer = client.post("/en/account/connector-keys", data={"csrf_token": token, "name": "x"})
    assert answer.status_code == 403


def test_the_simulated_connector_reports_what_really_happens(server, connection):
    from portal.connector.simulation import SimulatedConnector

    key = new_key(server.app)
    simulated = SimulatedConnector(server.url, key)
    reports = simulated.run_once()
    assert [(r["kind"], r["status"]) for r in reports] == [
        ("stock_and_prices", "ok"),
        ("orders", "ok"),
    ]
    change(server.app, connection["id"], expires_at=utcnow() - timedelta(minutes=1))
    failed = simulated.run_once()
    assert {r["status"] for r in failed} == {"failed"}
    assert failed[0]["error"]["code"] == "expired"
    with server.app.app_context():
        (state,) = {s.state for s in sync_states(server.app, connection["id"])}
    assert state == "stopped"


def sync_states(app, connection_id: int):
    from portal.connector.sync import syncs_of

    return syncs_of(db.session.get(Connection, connection_id))


def test_answers_match_the_openapi_document(server, connection):
    from openapi_core import OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    document = requests.get(f"{server.url}/api/v1/openapi.json", timeout=10).json()
    spec = OpenAPI.from_dict(document)  # a valid OpenAPI 3.1 document, or it raises
    key = new_key(server.app)
    report = {"run_id": "r1", "kind": "orders", "status": "ok", "items": 4,
              "started_at": "2026-12-01T10:00:00Z",
              "finished_at": "2026-12-01T10:01:00Z"}  # fmt: skip
    calls = [
        ("get", "/connections", None, key),
        ("post", f"/connections/{connection['id']}/access-token", None, key),
        ("post", f"/connections/{connection['id']}/access-token", None, "pck_wrong"),
        ("post", "/connections/999999/access-token", None, key),
        ("post", f"/connections/{connection['id']}/sync-runs", report, key),
        ("post", f"/connections/{connection['id']}/sync-runs", report, key),
        ("post", f"/connections/{connection['id']}/sync-runs", {**report, "kind": "x"}, key),
        ("post", "/webhooks", {"url": f"{server.url}/hooks", "events": ["test"]}, key),
        ("get", "/webhooks", None, key),
        ("post", "/webhooks", {"url": "gopher://x", "events": ["test"]}, key),
        ("post", "/webhooks/999999/test", None, key),
    ]
    statuses = []
    for method, path, body, presented in calls:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {presented}", "Content-Type": "application/json"}
        answer = requests.request(method, f"{server.url}{API}{path}", data=data,
                                  headers=headers, timeout=30)  # fmt: skip
        request = MockRequest(server.url, method, f"{API}{path}", headers=headers, data=data)
        if answer.status_code < 400:
            spec.validate_request(request)
        spec.validate_response(request, MockResponse(answer.content, answer.status_code))
        statuses.append(answer.status_code)
    assert statuses == [200, 200, 401, 404, 201, 200, 400, 201, 200, 400, 404]
    change(server.app, connection["id"], revoked_at=utcnow())
    path = f"{API}/connections/{connection['id']}/access-token"
    headers = {"Authorization": f"Bearer {key}"}
    refused = requests.post(f"{server.url}{path}", headers=headers, timeout=30)
    assert refused.status_code == 409
    spec.validate_response(
        MockRequest(server.url, "post", path, headers=headers),
        MockResponse(refused.content, refused.status_code),
    )
