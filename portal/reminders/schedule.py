"""When a token's reminders are due: weekly from 30 days before expiry, and when it expired."""

from datetime import datetime, timedelta

THRESHOLDS = (30, 23, 16, 9, 2)  # days left
EXPIRED = "expired"
# A run that was missed on the expiry day still sends the expiry reminder this long after.
EXPIRED_GRACE = timedelta(days=7)


def due_kind(expires_at: datetime, as_of: datetime) -> str | None:
    """The reminder due at as_of for a token expiring at expires_at, if any."""
    if as_of >= expires_at:
        return EXPIRED if as_of - expires_at <= EXPIRED_GRACE else None
    days_left = (expires_at - as_of).days  # whole days, as the self-service page counts them
    later = [threshold for threshold in THRESHOLDS if threshold >= days_left]
    return str(min(later)) if later else None
