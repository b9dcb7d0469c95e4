"""Synchronisation reports: stored once, validated, pruned, and the state derived from them."""

import json
from datetime import timedelta

import pytest

from portal.amazon.models import Connection
from portal.amazon.sandbox import sellers
from portal.amazon.sandbox.demo import simulated_connection
from portal.connector import keys
from portal.connector.models import SyncRun
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import add_user, client_login, merchant_with_connection

API = "/api/v1/connector/connections"


@pytest.fixture
def setup(app):
    """A merchant with a connection valid for 200 days, and a connector key of theirs."""
    user_id, connection_id = merchant_with_connection(app, days_left=200, language="de")
    with app.app_context():
        key = keys.create(user_id, "Shop")[1]
    merchant = app.test_client()
    client_login(merchant, "marie@example.com")
    return app.test_client(), {"Authorization": f"Bearer {key}"}, connection_id, merchant


def iso(moment) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def report(run_id="run-1", kind="orders", status="ok", minutes_ago=1, **extra) -> dict:
    finished = utcnow() - timedelta(minutes=minutes_ago)
    body = {"run_id": run_id, "kind": kind, "status": status,
            "started_at": iso(finished - timedelta(seconds=40)), "finished_at": iso(finished),
            "items": 12}  # fmt: skip
    if status == "failed":
        body["error"] = {"code": "QuotaExceeded", "message": "Amazon throttled the feed"}
    return {**body, **extra}


def send(setup, body, raw: bytes | None = None):
    client, headers, connection_id, _ = setup
    data = raw if raw is not None else json.dumps(body)
    return client.post(f"{API}/{connection_id}/sync-runs", data=data, headers=headers,
                       content_type="application/json")  # fmt: skip


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(SyncRun))


def merchant_sync(setup) -> dict:
    """The merchant API's sync, per kind, read as the merchant."""
    _, _, connection_id, merchant = setup
    (connection,) = merchant.get("/api/v1/amazon/connections").get_json()
    assert connection["id"] == connection_id
    return connection["sync"]


def test_a_run_is_stored_once_by_its_id(app, setup):
    first = send(setup, report())
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["run"]["run_id"] == "run-1"
    assert first.get_json()["sync"]["state"] == "running"
    again = send(setup, report(items=99))
    assert again.status_code == 200 and again.get_json()["run"]["items"] == 12
    assert stored(app) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (report(kind="inventory"), "kind"),
        (report(status="done"), "status"),
        (report(started_at="yesterday"), "started_at"),
        (report(finished_at="2026-12-03T10:42:00"), "finished_at"),  # no offset
        (report(finished_at="2999-01-01T00:00:00Z"), "finished_at"),
        (
            report(started_at="2026-12-03T10:42:00Z", finished_at="2026-12-03T10:41:00Z"),
            "finished_at",
        ),
        ({k: v for k, v in report(status="failed").items() if k != "error"}, "error"),
        (report(status="failed", error={"code": "x", "message": "m" * 501}), "error.message"),
        (report(run_id="a" * 65), "run_id"),
        (report(run_id="run <1>"), "run_id"),
        (report(items=-1), "items"),
        (report(colour="blue"), "colour"),
        ({k: v for k, v in report().items() if k != "kind"}, "kind"),
    ],
)
def test_bad_reports_are_refused_and_change_nothing(app, setup, body, field):
    refused = send(setup, body)
    assert refused.status_code == 400
    answer = refused.get_json()
    assert answer["error"] == "invalid_report" and answer["message"]
    assert any(problem.startswith(field) for problem in answer["problems"]), answer
    assert stored(app) == 0


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"run_id": ' + b'"x' * 5000 + b'"}'])
def test_unreadable_and_oversized_bodies_are_refused(app, setup, raw):
    refused = send(setup, None, raw)
    assert refused.status_code == 400 and refused.get_json()["problems"]
    assert stored(app) == 0


def test_the_newest_fifty_runs_of_a_kind_are_kept(app, setup):
    for number in range(55):
        assert send(setup, report(run_id=f"r{number}", minutes_ago=60 - number)).status_code == 201
    send(setup, report(run_id="s1", kind="stock_and_prices"))
    with app.app_context():
        kept = db.session.scalars(db.select(SyncRun.run_id).where(SyncRun.kind == "orders")).all()
    assert len(kept) == 50 and "r0" not in kept and "r54" in kept
    assert stored(app) == 51


def test_states_follow_the_reports_and_the_token(app, setup):
    connection_id = setup[2]
    assert merchant_sync(setup)["orders"]["state"] == "unknown"  # never "running" unreported
    send(setup, report(run_id="ok-1", minutes_ago=90))
    assert merchant_sync(setup)["orders"]["state"] == "late"
    send(setup, report(run_id="ok-2", minutes_ago=5))
    orders = merchant_sync(setup)["orders"]
    assert orders["state"] == "running" and orders["last_success_at"].endswith("Z")
    assert merchant_sync(setup)["stock_and_prices"]["state"] == "unknown"
    send(setup, report(run_id="bad-1", status="failed", minutes_ago=3))
    send(setup, report(run_id="bad-2", status="failed", minutes_ago=2))
    orders = merchant_sync(setup)["orders"]
    assert orders["state"] == "failing" and orders["error"]["code"] == "QuotaExceeded"
    assert (
        orders["failing_since"] < orders["last_failure_at"]  # since the first of the two
    )
    with app.app_context():  # renewed just now: waiting for the connector's next run
        db.session.get(Connection, connection_id).authorized_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert merchant_sync(setup)["orders"]["state"] == "waiting"
    send(setup, report(run_id="ok-3", minutes_ago=0))
    assert merchant_sync(setup)["orders"]["state"] == "running"
    with app.app_context():
        db.session.get(Connection, connection_id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    orders = merchant_sync(setup)["orders"]
    assert orders["state"] == "stopped" and orders["stopped_since"]


def test_reports_are_rate_limited_per_key(build_app):
    app = build_app(reset=True, CONNECTOR_API_LIMIT="3 per minute")
    user_id = add_user(app, "marie@example.com")
    with app.app_context():
        connection = simulated_connection(user_id, sellers.new_seller("Shop", "EU"), "DE", 100)
        key = keys.create(user_id, "Shop")[1]
        setup = app.test_client(), {"Authorization": f"Bearer {key}"}, connection.id, None
    codes = [send(setup, report(run_id=f"r{n}")).status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]


def test_each_card_lists_its_own_runs(app, setup):
    """Two merchants whose runs say the same: each token page lists its own runs."""
    other_id, other_connection = merchant_with_connection(app, "other@example.com", 200, "de")
    with app.app_context():
        other_key = keys.create(other_id, "Shop")[1]
    other = app.test_client()
    client_login(other, "other@example.com")
    body = report(run_id="same", minutes_ago=2)
    assert send(setup, {**body, "items": 111}).status_code == 201
    theirs = (app.test_client(), {"Authorization": f"Bearer {other_key}"}, other_connection, other)
    assert send(theirs, {**body, "items": 222}).status_code == 201
    mine = setup[3].get("/de/account/amazon").get_data(as_text=True)
    their_page = other.get("/de/account/amazon").get_data(as_text=True)
    assert "<td>111</td>" in mine and "<td>222</td>" not in mine
    assert "<td>222</td>" in their_page and "<td>111</td>" not in their_page


def test_the_merchant_api_lists_the_runs(app, setup):
    _, _, connection_id, merchant = setup
    assert merchant.get(f"/api/v1/amazon/connections/{connection_id}/sync-runs").get_json() == []
    send(setup, report(run_id="a", minutes_ago=3))
    send(setup, report(run_id="b", kind="stock_and_prices", status="failed", minutes_ago=1))
    runs = merchant.get(f"/api/v1/amazon/connections/{connection_id}/sync-runs").get_json()
    assert [(r["run_id"], r["status"]) for r in runs] == [("b", "failed"), ("a", "ok")]
    assert runs[0]["error"]["code"] == "QuotaExceeded"
    assert merchant.get("/api/v1/amazon/connections/999999/sync-runs").status_code == 404
    anonymous = app.test_client().get(f"/api/v1/amazon/connections/{connection_id}/sync-runs")
    assert anonymous.status_code == 401
