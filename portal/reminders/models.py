"""Which reminder went out for which token, so none is sent twice."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import str_enum, utcnow
from .schedule import ReminderKind


class ReminderStatus(enum.StrEnum):
    SENDING = "sending"  # claimed by a run, which is sending it now
    SENT = "sent"
    FAILED = "failed"  # the next run tries again


class Reminder(db.Model):
    """One reminder for one expiry of one connection; the unique key is what stops duplicates."""

    __tablename__ = "token_reminder"
    __table_args__ = (UniqueConstraint("connection_id", "expires_at", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("amazon_connection.id"), index=True)
    expires_at: Mapped[datetime]  # the expiry it is about: a renewal starts a new series
    kind: Mapped[ReminderKind] = mapped_column(str_enum(ReminderKind, 8))
    status: Mapped[ReminderStatus] = mapped_column(str_enum(ReminderStatus, 8))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
