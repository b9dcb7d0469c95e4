"""Amazon's side of the authorization, as the sandbox plays it: codes and states, the
authorizations in Manage Your Apps, and the simulation controls (outages, dates)."""

import secrets
import time
from datetime import timedelta

from flask import current_app

from ...extensions import db
from ...models import utcnow
from ..models import Connection
from ..state import VALIDITY
from .models import Authorization, Grant, Seller, Setting, digest
from .sellers import Refused, seller_by_id

CODE_LIFETIME = timedelta(minutes=5)
AMAZON_STATE_LIFETIME = timedelta(minutes=10)
OUTAGES = ("", "500", "503", "timeout", "not_json", "invalid_client")


def setting(key: str, default: str = "") -> str:
    row = db.session.get(Setting, key)
    return row.value if row else default


def set_setting(key: str, value: str) -> None:
    db.session.merge(Setting(key=key, value=value))
    db.session.commit()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(40)


def authorizations_of(seller: Seller) -> list[Authorization]:
    return list(
        db.session.execute(
            db.select(Authorization)
            .where(Authorization.seller_id == seller.id)
            .order_by(Authorization.id)
        ).scalars()
    )


def authorize(seller: Seller, client_id: str, redirect_uri: str) -> str:
    """The seller confirmed: a fresh authorization for a year, and a code to exchange for it."""
    now = utcnow()
    authorization = Authorization(
        seller=seller,
        application_id=current_app.config["AMAZON_APPLICATION_ID"],
        created_at=now,
        expires_at=now + VALIDITY,
    )
    db.session.add(authorization)
    code = new_secret("ANsbx")
    db.session.add(
        Grant(
            kind="code",
            value_digest=digest(code),
            seller=seller,
            authorization=authorization,
            client_id=client_id,
            redirect_uri=redirect_uri,
            issued_at=now,
        )
    )
    db.session.commit()
    return code


def issue_amazon_state(seller: Seller) -> str:
    value = new_secret("")
    db.session.add(Grant(kind="amazon_state", value_digest=digest(value), seller=seller))
    db.session.commit()
    return value


def live_grant(kind: str, value: str | None, lifetime: timedelta) -> Grant | None:
    """An unused grant young enough, locked until the transaction ends; None otherwise."""
    if not value:
        return None
    grant = db.session.execute(
        db.select(Grant)
        .where(Grant.kind == kind, Grant.value_digest == digest(value))
        .with_for_update()
    ).scalar_one_or_none()
    if grant is None or grant.used_at is not None or utcnow() - grant.issued_at > lifetime:
        return None
    return grant


def spend(grant: Grant) -> Grant:
    grant.used_at = utcnow()
    db.session.commit()
    return grant


def use_grant(kind: str, value: str | None, lifetime: timedelta) -> Grant | None:
    """Consume a single-use grant; None if unknown, used or too old."""
    grant = live_grant(kind, value, lifetime)
    if grant is None:
        db.session.rollback()
        return None
    return spend(grant)


def use_amazon_state(value: str | None, seller: Seller) -> Grant:
    """The Login URI's amazon_state, once, and only for the seller it was issued to.

    Another seller's browser gets an error and leaves the state unused, as in Seller Central,
    where the state belongs to the signed-in account that pressed Re-authorize.
    """
    grant = live_grant("amazon_state", value, AMAZON_STATE_LIFETIME)
    if grant is None or grant.seller_id != seller.id:
        db.session.rollback()
        raise Refused("amazon_state" if grant is None else "other_seller")
    return spend(grant)


def revoke(authorization: Authorization) -> None:
    authorization.revoked_at = authorization.revoked_at or utcnow()
    db.session.commit()


def connections_of_seller(seller: Seller) -> list[Connection]:
    """The portal's connections to this seller account: the only ones its controls may move."""
    return list(
        db.session.execute(
            db.select(Connection)
            .where(Connection.selling_partner_id == seller.selling_partner_id)
            .order_by(Connection.id)
        ).scalars()
    )


def move_dates(connection: Connection, days_left: int) -> None:
    """Make a portal connection (and Amazon's side of it) expire in days_left days."""
    expires = utcnow() + timedelta(days=days_left, minutes=1)
    connection.expires_at = expires
    connection.authorized_at = expires - VALIDITY
    seller = seller_by_id(connection.selling_partner_id)
    for authorization in authorizations_of(seller) if seller else []:
        authorization.expires_at = expires
        authorization.created_at = expires - VALIDITY
    db.session.commit()


def wait_past_timeout() -> None:
    """Answer later than the portal waits, as a hanging LWA would."""
    time.sleep(current_app.config["AMAZON_TIMEOUT"] + 1)
