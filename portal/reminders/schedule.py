"""When a token's reminders are due: weekly from 30 days before expiry, and when it expired."""

import enum
from datetime import datetime, timedelta


class ReminderKind(enum.StrEnum):
    """Which reminder of a token's series: days left, or the one sent at expiry."""

    DAYS_30 = "30"
    DAYS_23 = "23"
    DAYS_16 = "16"
    DAYS_9 = "9"
    DAYS_2 = "2"
    EXPIRED = "expired"


THRESHOLDS = (30, 23, 16, 9, 2)  # days left, one ReminderKind each
# A run that was missed on the expiry day still sends the expiry reminder this long after.
EXPIRED_GRACE = timedelta(days=7)


def due_kind(expires_at: datetime, as_of: datetime) -> ReminderKind | None:
    """The reminder due at as_of for a token expiring at expires_at, if any."""
    if as_of >= expires_at:
        return ReminderKind.EXPIRED if as_of - expires_at <= EXPIRED_GRACE else None
    days_left = (expires_at - as_of).days  # whole days, as the self-service page counts them
    later = [threshold for threshold in THRESHOLDS if threshold >= days_left]
    return ReminderKind(str(min(later))) if later else None
