"""Events for the merchant's connector, signed as Standard Webhooks specifies.

Each event is written to an outbox in the same transaction as the change that caused it, then
delivered at least once with a stable webhook-id: retried with a growing delay for three days,
after which the endpoint is marked failing. Each pass claims what it sends (an atomic UPDATE),
so that two workers never send the same delivery at once.
"""

import base64
import ipaddress
import json
import secrets
import socket
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

import requests
from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Load, joinedload
from standardwebhooks.webhooks import Webhook

from ..accounts.models import User
from ..amazon.connections import vault
from ..amazon.models import Connection, Event, EventKind
from ..extensions import db
from ..models import utcnow
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from .shapes import connection_json

EVENTS = {
    EventKind.AUTHORIZED: "connection.authorized",
    EventKind.RENEWED: "connection.renewed",
    EventKind.REVOKED: "connection.revoked",
    EventKind.DEACTIVATED: "connection.deactivated",
    EventKind.REACTIVATED: "connection.reactivated",
}
SUBSCRIBABLE = (*EVENTS.values(), "connection.expiring", "connection.expired")
EVENT_TYPES = (*SUBSCRIBABLE, "test")  # a test event goes to the endpoint that asked for it
RETRY_FOR = timedelta(days=3)
# Seconds before each retry, as Standard Webhooks suggests; then every 10 hours.
BACKOFF = (5, 300, 1800, 7200, 18000, 36000)
TIMEOUT = 5
KEPT_RESPONSE = 1024
CLAIM = timedelta(seconds=TIMEOUT * 4)
QUEUED = "webhooks_queued"  # in Session.info: this transaction queued a delivery (worker.py)


class RefusedEndpoint(ValueError):
    """A URL the portal does not send to (not https, or a private address, in production)."""


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    events: Annotated[list[Literal[EVENT_TYPES]], Field(min_length=1, max_length=len(EVENT_TYPES))]


@cache  # an option is immutable; building it costs more than the query it shapes
def read_with_user() -> Load:
    return joinedload(User.webhook_endpoints).undefer(WebhookEndpoint.last_attempt_id)


def endpoints_of(user_id: int) -> list[WebhookEndpoint]:
    """A merchant's endpoints: read with the logged-in user (hooks.USER_LOADING)."""
    user = db.session.get(User, user_id, options=[read_with_user()])
    return list(user.webhook_endpoints) if user else []


def attempts_to(endpoint_id: int, limit: int = 20) -> list[WebhookAttempt]:
    """The newest attempts to an endpoint, with the event each one carried."""
    query = (
        select(WebhookAttempt, WebhookMessage.event)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookAttempt.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query))


def remove(user_id: int, endpoint_id: int) -> bool:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.user_id != user_id:
        return False
    # Its deliveries and their attempts go with it (SQLite does not cascade by itself).
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.commit()
    return True


def send_test(user_id: int, endpoint_id: int) -> WebhookMessage | None:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.user_id != user_id:
        return None
    message = new_message(user_id, "test", payload("test", None, {}))
    db.session.add(WebhookDelivery(message=message, endpoint=endpoint))
    db.session.info[QUEUED] = True
    db.session.commit()
    return message


def new_message(user_id: int, event: str, body: dict) -> WebhookMessage:
    message = WebhookMessage(
        msg_id=f"msg_{secrets.token_urlsafe(18)}",
        user_id=user_id,
        event=event,
        payload=json.dumps(body, separators=(",", ":")),
    )
    db.session.add(message)
    return message


def rotate_secrets(vault) -> int:
    """Re-encrypt the endpoints' signing secrets with the vault's first key (hooks.ROTATE_KEYS);
    the caller commits."""
    endpoints = db.session.scalars(select(WebhookEndpoint).with_for_update()).all()
    for endpoint in endpoints:
        endpoint.secret = vault.rotate(endpoint.secret)
    return len(endpoints)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def register(user_id: int, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint, and its signing secret (shown once)."""
    check_url(url, resolve=False)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        user_id=user_id, url=url, events=" ".join(events), secret=vault().encrypt(secret)
    )
    db.session.add(endpoint)
    db.session.commit()
    return endpoint, secret


def on_event(event: Event) -> None:
    """amazon recorded an event (hooks.CONNECTION_EVENT): queue it, in the same transaction."""
    if event.kind in EVENTS and event.connection is not None:
        queue(event.user_id, EVENTS[event.kind], event.connection)


def on_reminder(connection: Connection, step: str) -> None:
    """A token's reminder is due for the first time (hooks.TOKEN_REMINDER): expiring or expired."""
    if step == "expired":
        queue(connection.user_id, "connection.expired", connection)
    else:
        queue(connection.user_id, "connection.expiring", connection, days_left=int(step))


def queue(
    user_id: int, event: str, connection: Connection | None, **data: object
) -> WebhookMessage | None:
    with db.session.no_autoflush:  # the change being made is the caller's to write
        endpoints = db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.user_id == user_id)
        ).all()
    wanted = [endpoint for endpoint in endpoints if endpoint.wants(event)]
    if not wanted:
        return None
    db.session.flush()  # the connection's id, when it is new
    message = new_message(user_id, event, payload(event, connection, data))
    db.session.add_all(WebhookDelivery(message=message, endpoint=e) for e in wanted)
    db.session.info[QUEUED] = True
    return message


def payload(event: str, connection: Connection | None, data: dict) -> dict:
    return {
        "type": event,
        "timestamp": utcnow().isoformat(timespec="seconds") + "Z",
        "data": {"connection": connection_json(connection) if connection else None, **data},
    }


def deliver_due(limit: int = 100) -> int:
    """One pass: send what is due; the number of deliveries tried."""
    now = utcnow()
    due = db.session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.gave_up_at.is_(None))
        .where(WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    return sum(1 for delivery_id in due if claim(delivery_id, now) and attempt(delivery_id))


def claim(delivery_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.delivered_at.is_(None))
        .where(or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .values(claimed_until=now + CLAIM)
    )
    db.session.commit()
    return claimed.rowcount == 1


def attempt(delivery_id: int) -> bool:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    started = time.monotonic()
    status, error, body = send(delivery)
    latency = int((time.monotonic() - started) * 1000)
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            status_code=status,
            latency_ms=latency,
            error=error,
            response=body,
        )  # fmt: skip
    )
    delivery.attempts += 1
    delivery.claimed_until = None
    now = utcnow()
    if status is not None and 200 <= status < 300:
        delivery.delivered_at = now
        delivery.endpoint.failing_since = None
    elif now - delivery.message.created_at >= RETRY_FOR:
        delivery.gave_up_at = now
        delivery.endpoint.failing_since = delivery.endpoint.failing_since or now
    else:
        delay = BACKOFF[min(delivery.attempts - 1, len(BACKOFF) - 1)]
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    db.session.commit()
    return True


def send(delivery: WebhookDelivery) -> tuple[int | None, str | None, str | None]:
    """POST the signed message; (HTTP status, error, the answer's first kilobyte)."""
    message, endpoint = delivery.message, delivery.endpoint
    try:
        check_url(endpoint.url, resolve=True)
    except RefusedEndpoint as refused:
        return None, str(refused)[:255], None
    stamp = datetime.now(UTC)
    signature = Webhook(vault().decrypt(endpoint.secret)).sign(
        message.msg_id, stamp, message.payload
    )
    headers = {
        "content-type": "application/json",
        "webhook-id": message.msg_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": signature,
    }
    try:
        answer = requests.post(endpoint.url, data=message.payload.encode(), headers=headers,
                               timeout=TIMEOUT, allow_redirects=False, stream=True)  # fmt: skip
        body = answer.raw.read(KEPT_RESPONSE, decode_content=True).decode(errors="replace")
        answer.close()
    except requests.RequestException as error:
        return None, type(error).__name__, None
    return answer.status_code, None, body


def check_url(url: str, resolve: bool) -> None:
    """In production: https only, and (once resolved) no loopback, private or link-local
    address, so that a merchant cannot make the portal call its own network."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RefusedEndpoint("not an http(s) URL")
    if current_app.config["CONNECTOR_WEBHOOKS_PRIVATE_OK"]:
        return
    if parts.scheme != "https":
        raise RefusedEndpoint("https is required")
    if not resolve:
        return
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise RefusedEndpoint("the host name does not resolve") from error
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global or ip.is_multicast:
            raise RefusedEndpoint(f"{parts.hostname} resolves to a non-public address")
