"""Seller Central connections, their encrypted refresh tokens and their history."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..models import str_enum, utcnow


class EventKind(enum.StrEnum):
    AUTHORIZED = "authorized"
    RENEWED = "renewed"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    VERIFIED = "verified"
    CHECK_FAILED = "check_failed"
    REVOKED = "revoked"
    AUTHORIZATION_FAILED = "authorization_failed"


class Connection(db.Model):
    """One Seller Central account (in one region) that a merchant authorized us to use."""

    __tablename__ = "amazon_connection"
    __table_args__ = (UniqueConstraint("user_id", "selling_partner_id", "region"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    region: Mapped[str] = mapped_column(String(2))
    marketplace: Mapped[str] = mapped_column(String(2))
    selling_partner_id: Mapped[str] = mapped_column(String(32))
    # The LWA refresh token, encrypted with the portal's token keys (Fernet).
    refresh_token: Mapped[bytes] = mapped_column(LargeBinary)
    authorized_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    deactivated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_check_at: Mapped[datetime | None]
    last_check_result: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    events: Mapped[list["Event"]] = relationship(
        back_populates="connection", order_by="Event.id.desc()", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:  # never the token
        return f"<Connection {self.id} {self.region} {self.selling_partner_id}>"


class Event(db.Model):
    """What happened to a merchant's authorization; failures before a connection exists too."""

    __tablename__ = "amazon_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("amazon_connection.id"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 32))
    # A short, secret-free reason code or summary: "invalid_grant", "cancelled", "FR, DE".
    detail: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    connection: Mapped[Connection | None] = relationship(back_populates="events")


# The newest event of each connection, read with the connection where a page shows its
# history: a card kept from an earlier request is still right while this has not changed.
Connection.last_event_id = column_property(
    select(func.max(Event.id)).where(Event.connection_id == Connection.id).scalar_subquery(),
    deferred=True,
)


# A merchant's connections, read with the logged-in user (hooks.USER_LOADING): accounts knows
# nothing of Amazon, so the collection is added to its User here, for reading only.
User.amazon_connections = relationship(Connection, order_by=Connection.id, viewonly=True)


class UsedState(db.Model):
    """An OAuth state that came back once: a replayed session cookie cannot use it again."""

    __tablename__ = "amazon_used_state"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the state
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class StoredAccessToken(db.Model):
    """A connection's newest LWA access token, encrypted like its refresh token and shared by
    every worker and instance, and until when one of them has claimed its refresh."""

    __tablename__ = "amazon_access_token"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("amazon_connection.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime | None]
    # SHA-256 of the encrypted refresh token it came from: a renewal makes it stale.
    source: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
