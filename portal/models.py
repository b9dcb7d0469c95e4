"""Helpers shared by every feature's models."""

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum
from sqlalchemy.exc import IntegrityError

from .extensions import db


def utcnow() -> datetime:
    """Timestamps are stored in UTC, without time zone, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def str_enum(enum_class: type[enum.StrEnum], length: int) -> Enum:
    """Store an enum by value as a plain string column, the same on SQLite and PostgreSQL."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


def commit_unless_duplicate() -> bool:
    """Commit what was added; False, with nothing written, when a unique key says it exists.

    Two requests at once both try, and the database lets exactly one of them in.
    """
    return unless_duplicate(db.session.commit)


def flush_unless_duplicate() -> bool:
    """As commit_unless_duplicate, but the transaction stays open for more to be added to it."""
    return unless_duplicate(db.session.flush)


def unless_duplicate(write) -> bool:
    try:
        write()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
