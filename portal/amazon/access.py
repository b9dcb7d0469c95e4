"""Access to a seller's account: an LWA access token, refreshed with the stored refresh token
only when the one kept has under five minutes left.

The newest access token is kept encrypted in the database, so every worker and instance uses
it, and in each worker's memory. One request at a time refreshes a connection: it holds a Redis
lock when PORTAL_REDIS_URL is set, else a claim in the database (an atomic UPDATE, which also
holds on SQLite, where rows cannot be locked); the others use the token still valid, or wait
for the new one.
"""

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from authlib.integrations.base_client import OAuthError
from flask import current_app
from sqlalchemy import or_, update

from ..extensions import db
from ..models import commit_unless_duplicate, utcnow
from .client import access_tokens, amazon
from .connections import record, status, vault
from .models import Connection, EventKind, StoredAccessToken
from .state import TokenState

MARGIN = timedelta(minutes=5)  # a token with less left is refreshed before it is handed out
WAIT_STEP = 0.05  # seconds between two looks at a refresh another request is making


class NoAccess(Exception):
    """The connection cannot give access; its state says why (expired, revoked...)."""

    def __init__(self, state: TokenState) -> None:
        super().__init__(state)
        self.state = state


class AmazonUnavailable(Exception):
    """Amazon failed or did not answer in time; nothing was changed."""

    def __init__(self, detail: str, timed_out: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail  # a short, secret-free reason: "Timeout", "invalid_client"
        self.timed_out = timed_out


@dataclass(frozen=True)
class Grant:
    access_token: str
    expires_at: datetime  # UTC, naive

    def fresh(self, now: datetime) -> bool:
        return self.expires_at - now > MARGIN


def source_of(connection: Connection) -> str:
    """Which refresh token an access token came from: the encrypted one changes on renewal."""
    return hashlib.sha256(connection.refresh_token).hexdigest()


def grant(connection: Connection) -> Grant:
    """A valid access token for a connection that may be used (active, or expiring soon);
    raises NoAccess or AmazonUnavailable."""
    current = status(connection)
    if not current.syncing:
        raise NoAccess(current.state)
    return access(connection)


def access(connection: Connection) -> Grant:
    """A valid access token, whatever the connection's state says (a check asks Amazon)."""
    deadline = time.monotonic() + current_app.config["AMAZON_TIMEOUT"] + 5
    while True:
        kept = kept_grant(connection)
        if kept is not None and kept.fresh(utcnow()):
            return kept
        with refresh_claim(connection) as claimed:
            if claimed:
                latest = kept_grant(connection)  # refreshed by another just before the claim?
                return latest if latest and latest.fresh(utcnow()) else refreshed(connection)
        if kept is not None and kept.expires_at > utcnow():
            return kept  # still valid while another request refreshes it
        if time.monotonic() > deadline:
            raise AmazonUnavailable("refresh_wait", timed_out=True)
        time.sleep(WAIT_STEP)


def kept_grant(connection: Connection) -> Grant | None:
    """The newest access token: this worker's, else the one another worker stored."""
    source = source_of(connection)
    remembered = access_tokens().get(connection.id, source)
    if remembered is not None and remembered.fresh(utcnow()):
        return remembered
    row = stored(connection.id)
    if row is None or row.token is None or row.source != source:
        return None
    found = Grant(vault().decrypt(row.token), row.expires_at)
    access_tokens().put(connection.id, source, found)
    return found


def stored(connection_id: int) -> StoredAccessToken | None:
    return db.session.get(StoredAccessToken, connection_id, populate_existing=True)


def refreshed(connection: Connection) -> Grant:
    """Ask Amazon for a new access token with the stored refresh token, and keep it."""
    try:
        answer = amazon().refresh(vault().decrypt(connection.refresh_token))
    except OAuthError as error:
        if error.error == "invalid_grant":
            revoke(connection)
            raise NoAccess(TokenState.REVOKED) from error
        raise AmazonUnavailable(error.error or "oauth_error") from error
    except (requests.RequestException, ValueError) as error:
        timed_out = isinstance(error, requests.Timeout)
        raise AmazonUnavailable(type(error).__name__, timed_out) from error
    if not isinstance(answer.get("access_token"), str):
        raise AmazonUnavailable("no_access_token")
    return keep(connection, answer)


def keep(connection: Connection, answer: dict) -> Grant:
    """Keep an access token from Amazon's answer (a refresh, or the first authorization)."""
    lifetime = float(answer.get("expires_in") or 3600)
    fresh = Grant(answer["access_token"], utcnow() + timedelta(seconds=lifetime))
    row = stored(connection.id)
    if row is None:
        row = StoredAccessToken(connection_id=connection.id)
        db.session.add(row)
    row.token = vault().encrypt(fresh.access_token)
    row.expires_at = fresh.expires_at
    row.source = source_of(connection)
    db.session.commit()
    access_tokens().put(connection.id, row.source, fresh)
    return fresh


def forget(connection: Connection) -> None:
    """Amazon refused the access token (403): the next request refreshes it."""
    access_tokens().drop(connection.id)
    db.session.execute(
        update(StoredAccessToken)
        .where(StoredAccessToken.connection_id == connection.id)
        .values(token=None)
    )
    db.session.commit()


def revoke(connection: Connection) -> None:
    """Amazon said invalid_grant: the merchant withdrew the authorization, or it lapsed."""
    if connection.revoked_at is None:
        connection.revoked_at = utcnow()
        record(connection.user_id, connection, EventKind.REVOKED, "invalid_grant")
    db.session.commit()


@contextmanager
def refresh_claim(connection: Connection) -> Iterator[bool]:
    """Whether this request may refresh the connection's token, held until the block ends."""
    seconds = current_app.config["AMAZON_TIMEOUT"] + 5  # a crashed holder frees it by then
    url = current_app.config["REDIS_URL"]
    if url:
        import redis  # installed with the production extra, where PORTAL_REDIS_URL is set

        lock = redis.Redis.from_url(url).lock(f"portal:amazon:refresh:{connection.id}", seconds)
        claimed = lock.acquire(blocking=False)
        try:
            yield claimed
        finally:
            if claimed:
                lock.release()
        return
    claimed = claim_in_database(connection.id, seconds)
    try:
        yield claimed
    finally:
        if claimed:
            release_in_database(connection.id)


def claim_in_database(connection_id: int, seconds: float) -> bool:
    now = utcnow()
    if stored(connection_id) is None:
        db.session.add(StoredAccessToken(connection_id=connection_id))
        commit_unless_duplicate()  # or another request created it: claim it like any row
    claimed = db.session.execute(
        update(StoredAccessToken)
        .where(StoredAccessToken.connection_id == connection_id)
        .where(
            or_(StoredAccessToken.claimed_until.is_(None), StoredAccessToken.claimed_until < now)
        )
        .values(claimed_until=now + timedelta(seconds=seconds))
    )
    db.session.commit()
    return claimed.rowcount == 1


def release_in_database(connection_id: int) -> None:
    if not db.session.is_active:
        db.session.rollback()  # a write failed in between: the release must still be written
    db.session.execute(
        update(StoredAccessToken)
        .where(StoredAccessToken.connection_id == connection_id)
        .values(claimed_until=None)
    )
    db.session.commit()
