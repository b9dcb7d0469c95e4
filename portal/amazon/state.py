"""A connection's state, derived from its dates: never stored, so it cannot drift."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import Connection

VALIDITY = timedelta(days=365)
EXPIRING_WITHIN = timedelta(days=30)


class TokenState(enum.StrEnum):
    NOT_CONNECTED = "not_connected"
    ACTIVE = "active"
    EXPIRING = "expiring"  # 30 days or fewer left
    EXPIRED = "expired"  # deactivated automatically at expiry
    DEACTIVATED = "deactivated"  # by the merchant
    REVOKED = "revoked"  # Amazon answered invalid_grant


RUNNING = (TokenState.ACTIVE, TokenState.EXPIRING)


@dataclass(frozen=True)
class Status:
    state: TokenState
    days_left: int | None

    @property
    def syncing(self) -> bool:
        """Stock and price updates and order import can run only with a valid, active token
        (whether they do, the connector's reports say)."""
        return self.state in RUNNING

    @property
    def needs_renewal(self) -> bool:
        return self.state in (TokenState.EXPIRING, TokenState.EXPIRED, TokenState.REVOKED)


NOT_CONNECTED = Status(TokenState.NOT_CONNECTED, None)


def status_of(connection: Connection | None, now: datetime) -> Status:
    """The state of one connection at a given time (UTC, naive)."""
    if connection is None:
        return NOT_CONNECTED
    days_left = max(0, (connection.expires_at - now).days)
    if connection.revoked_at is not None:
        return Status(TokenState.REVOKED, days_left)
    if now >= connection.expires_at:
        return Status(TokenState.EXPIRED, 0)
    if connection.deactivated_at is not None:
        return Status(TokenState.DEACTIVATED, days_left)
    if connection.expires_at - now <= EXPIRING_WITHIN:
        return Status(TokenState.EXPIRING, days_left)
    return Status(TokenState.ACTIVE, days_left)


# From most to least urgent: what a merchant with several connections must see first.
URGENCY = (
    TokenState.REVOKED,
    TokenState.EXPIRED,
    TokenState.EXPIRING,
    TokenState.DEACTIVATED,
    TokenState.NOT_CONNECTED,
    TokenState.ACTIVE,
)
STEPS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Progress:
    """Where the merchant stands in the article's four renewal steps."""

    current: int | None
    completed: frozenset[int]


def most_urgent(statuses: list[Status]) -> Status:
    return min(statuses, key=lambda status: URGENCY.index(status.state), default=NOT_CONNECTED)


def progress(statuses: list[Status]) -> Progress:
    """Step 1 is next while a token needs (re)granting; all four are done when every one runs."""
    if statuses and all(status.state is TokenState.ACTIVE for status in statuses):
        return Progress(None, frozenset(STEPS))
    return Progress(1, frozenset())
