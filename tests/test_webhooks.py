"""Events to the connector: an outbox written with the change, signed deliveries (verified with
the standardwebhooks package), retries with backoff, no duplicates, no private addresses."""

import json
import re
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from portal.amazon import connections
from portal.amazon.models import Connection
from portal.connector import keys, webhooks
from portal.connector.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import add_user, client_login, csrf_token, merchant_with_connection, need

API = "/api/v1/connector/webhooks"


class Receiver:
    """A connector's endpoint on loopback: answers the given statuses in turn, then 200."""

    def __init__(self, statuses=()) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()
                self.wfile.write(b"x" * 5000)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def shop(build_app):
    """A merchant with a connection and a connector key, on tables of their own."""
    app = build_app()
    user_id, connection_id = merchant_with_connection(app)
    with app.app_context():
        key = keys.create(user_id, "Shop")[1]
    return app, user_id, connection_id, {"Authorization": f"Bearer {key}"}


def subscribe(app, user_id: int, url: str, events=("connection.deactivated",)) -> str:
    with app.app_context():
        return webhooks.register(user_id, url, list(events))[1]


def deactivate(app, connection_id: int) -> None:
    with app.app_context():
        connections.deactivate(db.session.get(Connection, connection_id))


def deliver(app) -> int:
    with app.app_context():
        return webhooks.deliver_due()


def test_endpoints_are_registered_listed_and_removed_with_a_key(shop, receiver):
    app, _, _, headers = shop
    client = app.test_client()
    made = client.post(API, json={"url": receiver.url, "events": ["connection.renewed"]},
                       headers=headers)  # fmt: skip
    assert made.status_code == 201 and made.get_json()["secret"].startswith("whsec_")
    listed = client.get(API, headers=headers).get_json()
    assert listed == [{"id": made.get_json()["id"], "url": receiver.url,
                       "events": ["connection.renewed"], "failing_since": None}]  # fmt: skip
    assert "secret" not in json.dumps(listed)
    for bad in ({"url": receiver.url, "events": ["connection.exploded"]},
                {"url": "ftp://example.com/x", "events": ["connection.renewed"]},
                {"url": receiver.url, "events": []}, {"url": receiver.url}):  # fmt: skip
        refused = client.post(API, json=bad, headers=headers)
        assert refused.status_code == 400 and refused.get_json()["problems"]
    assert client.delete(f"{API}/{made.get_json()['id']}", headers=headers).status_code == 204
    assert client.get(API, headers=headers).get_json() == []
    assert client.delete(f"{API}/{made.get_json()['id']}", headers=headers).status_code == 404


def test_the_event_is_written_with_the_change_and_delivered_signed(shop, receiver):
    app, user_id, connection_id, _ = shop
    secret = subscribe(app, user_id, receiver.url)
    with app.app_context():  # a change that is rolled back leaves no event behind
        connection = db.session.get(Connection, connection_id)
        connections.record(user_id, connection, connections.EventKind.DEACTIVATED)
        db.session.rollback()
        assert db.session.scalars(db.select(WebhookMessage)).all() == []
    deactivate(app, connection_id)
    assert deliver(app) == 1
    ((headers, body),) = receiver.received
    event = Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()})
    assert event["type"] == "connection.deactivated"
    assert event["data"]["connection"]["id"] == connection_id
    assert event["data"]["connection"]["state"] == "deactivated"
    assert deliver(app) == 0  # delivered: not sent again


def test_a_failing_endpoint_is_retried_with_the_same_id_then_given_up(shop):
    app, user_id, connection_id, _ = shop
    receiver = Receiver([500, 503])
    try:
        subscribe(app, user_id, receiver.url)
        deactivate(app, connection_id)
        assert deliver(app) == 1
        with app.app_context():
            delivery = db.session.scalars(db.select(WebhookDelivery)).one()
            wait = delivery.next_attempt_at - utcnow()
            assert timedelta(seconds=3) < wait <= timedelta(seconds=5)
        assert deliver(app) == 0  # not due yet
        move_due(app, days_ago=0)
        assert deliver(app) == 1  # 503 again
        move_due(app, days_ago=3)  # three days of retries are over after this attempt
        receiver.statuses = [500]
        assert deliver(app) == 1
        ids = {headers["webhook-id"] for headers, _ in receiver.received}
        assert len(receiver.received) == 3 and len(ids) == 1
        with app.app_context():
            delivery = db.session.scalars(db.select(WebhookDelivery)).one()
            assert delivery.gave_up_at is not None and delivery.attempts == 3
            assert db.session.scalars(db.select(WebhookEndpoint)).one().failing_since
            attempts = [(a.status_code, len(a.response)) for a in delivery_attempts(delivery)]
            assert attempts == [(500, 1024), (503, 1024), (500, 1024)]
    finally:
        receiver.close()


def test_an_endpoint_that_recovers_gets_the_event(shop):
    app, user_id, connection_id, _ = shop
    receiver = Receiver([500])
    try:
        secret = subscribe(app, user_id, receiver.url)
        deactivate(app, connection_id)
        deliver(app)
        move_due(app, days_ago=0)
        deliver(app)
        (first, _), (second, body) = receiver.received
        assert first["webhook-id"] == second["webhook-id"]
        Webhook(secret).verify(body, {k.lower(): v for k, v in second.items()})
        with app.app_context():
            assert db.session.scalars(db.select(WebhookDelivery)).one().delivered_at
    finally:
        receiver.close()


def test_two_workers_never_send_a_delivery_twice(shop, receiver):
    app, user_id, connection_id, _ = shop
    subscribe(app, user_id, receiver.url, ("connection.deactivated", "connection.reactivated"))
    for _ in range(5):
        deactivate(app, connection_id)
        with app.app_context():
            connections.reactivate(db.session.get(Connection, connection_id))
    workers = [threading.Thread(target=deliver, args=(app,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(ids) == 10 and len(set(ids)) == 10


def test_production_sends_nothing_to_private_addresses(build_app, receiver):
    app = build_app(CONNECTOR_WEBHOOKS_PRIVATE_OK=False)
    user_id, connection_id = merchant_with_connection(app)
    with app.app_context():
        with pytest.raises(webhooks.RefusedEndpoint, match="https"):
            webhooks.register(user_id, receiver.url, ["connection.deactivated"])
        private = receiver.url.replace("http://", "https://")
        webhooks.register(user_id, private, ["connection.deactivated"])
    deactivate(app, connection_id)
    assert deliver(app) == 1
    assert receiver.received == []
    with app.app_context():
        (attempt,) = delivery_attempts(db.session.scalars(db.select(WebhookDelivery)).one())
        assert "non-public address" in attempt.error


def move_due(app, days_ago: int) -> None:
    """As if the retry's time had come (and the message were days_ago days old)."""
    with app.app_context():
        for delivery in db.session.scalars(db.select(WebhookDelivery)):
            delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
            delivery.message.created_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()


def delivery_attempts(delivery):
    from portal.connector.models import WebhookAttempt

    query = db.select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
    return db.session.scalars(query.order_by(WebhookAttempt.id)).all()


def test_reminders_send_expiring_and_expired_once(build_app, receiver):
    from portal.reminders.services import send_due

    app = build_app(BASE_URL="https://help.example.com")  # mails are printed: no server set
    user_id, connection_id = merchant_with_connection(app, days_left=9)
    with app.app_context():
        expires = db.session.get(Connection, connection_id).expires_at
    subscribe(app, user_id, receiver.url, ("connection.expiring", "connection.expired"))
    with app.app_context():
        for as_of in (utcnow(), utcnow(), expires + timedelta(hours=1)):
            send_due(as_of, echo=lambda *_: None)
    assert deliver(app) == 2
    events = [json.loads(body) for _, body in receiver.received]
    assert [e["type"] for e in events] == ["connection.expiring", "connection.expired"]
    assert events[0]["data"]["days_left"] == 9
    assert {e["data"]["connection"]["id"] for e in events} == {connection_id}


def test_a_test_event_goes_to_that_endpoint_only(shop, receiver):
    app, _, _, headers = shop
    client = app.test_client()
    made = [client.post(API, json={"url": receiver.url, "events": ["connection.renewed"]},
                        headers=headers).get_json() for _ in range(2)]  # fmt: skip
    queued = client.post(f"{API}/{made[0]['id']}/test", headers=headers)
    assert queued.status_code == 202
    assert deliver(app) == 1
    ((received, body),) = receiver.received
    assert received["webhook-id"] == queued.get_json()["webhook_id"]
    event = Webhook(made[0]["secret"]).verify(body, {k.lower(): v for k, v in received.items()})
    assert event["type"] == "test" and event["data"] == {"connection": None}


def test_the_development_server_sends_right_after_the_change(build_app, receiver):
    app = build_app(CONNECTOR_WEBHOOKS_DELIVER_AT_ONCE=True)
    user_id, connection_id = merchant_with_connection(app)
    subscribe(app, user_id, receiver.url)
    deactivate(app, connection_id)
    wait_for(lambda: receiver.received)
    assert json.loads(receiver.received[0][1])["type"] == "connection.deactivated"


def test_an_rq_worker_sends_them_with_redis(build_app, receiver):
    from rq import SimpleWorker

    from portal.connector import worker
    from tests.test_scale_out import REDIS_URL, redis_available

    need(redis_available(), "Redis is not running on 127.0.0.1:6379")
    queue_name = f"test-webhooks-{uuid.uuid4().hex[:8]}"
    app = build_app(REDIS_URL=REDIS_URL, CONNECTOR_WEBHOOKS_QUEUE=queue_name)
    user_id, connection_id = merchant_with_connection(app)
    subscribe(app, user_id, receiver.url)
    deactivate(app, connection_id)  # the commit queues a job
    with app.app_context():
        jobs = worker.queue(app)
        assert jobs.count == 1
        SimpleWorker([jobs], connection=jobs.connection).work(burst=True)
        jobs.delete(delete_jobs=True)
    assert [json.loads(body)["type"] for _, body in receiver.received] == ["connection.deactivated"]


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.05)


def token_page(client) -> str:
    return client.get("/en/account/amazon").get_data(as_text=True)


def test_a_merchant_manages_endpoints_on_the_token_page(shop, receiver):
    app, user_id, _, _ = shop
    other_id = add_user(app, "other@example.com")
    with app.app_context():
        theirs = webhooks.register(other_id, receiver.url, ["test"])[0].id
    merchant = app.test_client()
    client_login(merchant, "marie@example.com")
    page = token_page(merchant)
    assert 'id="webhooks"' in page and 'id="webhook-' not in page
    form = {"csrf_token": csrf_token(page), "url": receiver.url,
            "events": ["connection.renewed", "connection.revoked"]}  # fmt: skip
    made = merchant.post("/en/account/webhooks", data=form)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "private, no-store"
    secret = re.search(r'id="new-secret">(whsec_[^<]+)<', made.get_data(as_text=True)).group(1)
    page = token_page(merchant)
    assert receiver.url in page and secret not in page and "Nothing sent yet" in page
    with app.app_context():
        (endpoint,) = webhooks.endpoints_of(user_id)
        endpoint_id = endpoint.id
    token = csrf_token(page)
    merchant.post(f"/en/account/webhooks/{endpoint_id}/test", data={"csrf_token": token})
    assert deliver(app) == 1
    ((headers, body),) = receiver.received
    Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()})
    page = token_page(merchant)  # the kept page follows the new attempt
    assert "HTTP 200" in page and "<code>test</code>" in page
    refused = merchant.post("/en/account/webhooks", data={**form, "url": "not a url"})
    assert refused.status_code == 303 and "full address" in token_page(merchant)
    remove = f"/en/account/webhooks/{theirs}/remove"
    assert merchant.post(remove, data={"csrf_token": token}).status_code == 404
    remove = f"/en/account/webhooks/{endpoint_id}/remove"
    assert merchant.post(remove, data={"csrf_token": token}).status_code == 303
    assert 'id="webhook-' not in token_page(merchant)
