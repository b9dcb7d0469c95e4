"""Keys that the merchant's connector installations call the API with, and the
synchronisation runs they report."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..accounts.models import User
from ..amazon.models import Connection
from ..extensions import db
from ..models import str_enum, utcnow


class ConnectorKey(db.Model):
    """One installation's key: only its SHA-256 is stored (it is random, long and shown once)."""

    __tablename__ = "connector_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters, shown in the list so that merchants tell their keys apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # never the digest
        return f"<ConnectorKey {self.id} {self.hint}…>"


# A merchant's keys, read with the logged-in user (hooks.USER_LOADING) for the token page.
User.connector_keys = relationship(ConnectorKey, order_by=ConnectorKey.id.desc(), viewonly=True)


class SyncKind(enum.StrEnum):
    STOCK_AND_PRICES = "stock_and_prices"
    ORDERS = "orders"


class RunStatus(enum.StrEnum):
    OK = "ok"
    FAILED = "failed"


class SyncRun(db.Model):
    """One synchronisation run as the connector reported it (the newest 50 of each kind)."""

    __tablename__ = "connector_sync_run"
    __table_args__ = (UniqueConstraint("connection_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("amazon_connection.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[str] = mapped_column(String(64))  # the connector's own id: a repeat is ignored
    kind: Mapped[SyncKind] = mapped_column(str_enum(SyncKind, 32))
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, 16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    items: Mapped[int | None]
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncSummary(db.Model):
    """What a connection's runs of one kind say, kept up to date with each report: read with
    the merchant's connections, so that a page needs no query for it."""

    __tablename__ = "connector_sync_summary"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("amazon_connection.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[SyncKind] = mapped_column(str_enum(SyncKind, 32), primary_key=True)
    last_run_at: Mapped[datetime | None]
    last_status: Mapped[RunStatus | None] = mapped_column(str_enum(RunStatus, 16))
    last_success_at: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]  # the first failure after the last success
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(String(500))


# Read with the merchant's connections (hooks.USER_LOADING): amazon knows nothing of the connector.
Connection.sync_summaries = relationship(SyncSummary, viewonly=True)


class WebhookEndpoint(db.Model):
    """Where a merchant's connector wants events; its signing secret is kept encrypted (the
    portal signs with it), and it is shown to the merchant once."""

    __tablename__ = "connector_webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[str] = mapped_column(String(500))  # space-separated event types
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    failing_since: Mapped[datetime | None]  # a delivery gave up after three days of retries

    def wants(self, event: str) -> bool:
        return event in self.events.split()


class WebhookMessage(db.Model):
    """An event, written in the same transaction as the change that caused it (the outbox)."""

    __tablename__ = "connector_webhook_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    msg_id: Mapped[str] = mapped_column(String(40), unique=True)  # webhook-id, stable on retries
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(db.Model):
    """One message to one endpoint, until it is delivered or given up."""

    __tablename__ = "connector_webhook_delivery"
    __table_args__ = (UniqueConstraint("message_id", "endpoint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("connector_webhook_message.id"))
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("connector_webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_until: Mapped[datetime | None]  # a worker is sending it
    delivered_at: Mapped[datetime | None]
    gave_up_at: Mapped[datetime | None]

    message: Mapped[WebhookMessage] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(db.Model):
    """What one attempt got: listed for the merchant."""

    __tablename__ = "connector_webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("connector_webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(255))
    response: Mapped[str | None] = mapped_column(String(1024))  # the first kilobyte only


# The newest attempt to each endpoint, read with it where the page shows the endpoints: the part
# kept from an earlier request is right while this has not changed.
WebhookEndpoint.last_attempt_id = column_property(
    select(func.max(WebhookAttempt.id))
    .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
    .where(WebhookDelivery.endpoint_id == WebhookEndpoint.id)
    .scalar_subquery(),
    deferred=True,
)
# A merchant's endpoints, read with the logged-in user (hooks.USER_LOADING) for the token page.
User.webhook_endpoints = relationship(WebhookEndpoint, order_by=WebhookEndpoint.id, viewonly=True)
