"""Helpers shared by every feature's models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timestamps are stored in UTC, without time zone, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)
