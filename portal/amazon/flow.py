"""Granting and renewing a merchant's Seller Central authorization: the OAuth flow.

The stored refresh token is replaced only after Amazon's token endpoint answered with a new
one; every failure leaves the connection as it was and is recorded as an event.
"""

import enum
import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import current_app, session
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import commit_unless_duplicate, utcnow
from . import access
from .client import amazon, portal_url, seller_central_url
from .connections import connection_of, find_existing, record, vault
from .marketplaces import MARKETPLACES, REGION_DEFAULTS, REGIONS
from .models import Connection, EventKind, UsedState
from .state import VALIDITY

PENDING_KEY = "amazon_pending"


class Failure(enum.StrEnum):
    """Why an authorization failed: each has its message for merchants in messages.py."""

    CANCELLED = "cancelled"
    STATE_INVALID = "state_invalid"
    CALLBACK_INCOMPLETE = "callback_incomplete"
    CODE_REJECTED = "code_rejected"
    CLIENT_REJECTED = "client_rejected"
    UNAVAILABLE = "unavailable"
    BAD_RESPONSE = "bad_response"
    ACCOUNT_MISMATCH = "account_mismatch"
    NOT_AMAZON = "not_amazon"
    SELLER_MISMATCH = "seller_mismatch"


class AuthorizationFailed(Exception):
    def __init__(self, reason: Failure, connection: Connection | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.connection = connection
        self.flow: dict = {}  # what was remembered with the state, once known


class AccountMismatch(Exception):
    """Amazon authorized another seller account than the one being renewed."""

    def __init__(self, connection: Connection, selling_partner_id: str) -> None:
        super().__init__(selling_partner_id)
        self.connection = connection
        self.selling_partner_id = selling_partner_id


@dataclass(frozen=True)
class Completed:
    connection: Connection
    kind: EventKind  # authorized or renewed
    flow: dict  # what was remembered when the authorization started


def redirect_uri() -> str:
    """The OAuth redirect URI registered with Amazon (the portal's callback), from configuration."""
    return current_app.config["AMAZON_REDIRECT_URI"] or portal_url("amazon.callback")


def start(
    user_id: int,
    marketplace: str,
    lang: str,
    connection: Connection | None,
    popup: bool = False,
    back: str | None = None,
) -> str:
    """The Seller Central consent URL to send the merchant to (website workflow)."""
    flow = {
        "user_id": user_id,
        "marketplace": marketplace,
        "lang": lang,
        "region": MARKETPLACES[marketplace].region,
        "connection_id": connection.id if connection else None,
        "popup": popup,  # the merchant's page waits for a pop-up to tell it the result
        "next": back,  # where the merchant started, to come back to without a pop-up
    }
    client = amazon()
    rv = client.create_authorization_url(
        redirect_uri(), seller_central=seller_central_url(marketplace), flow=flow
    )
    client.save_authorize_data(redirect_uri=redirect_uri(), **rv)
    return rv["url"]


def complete(user_id: int, args: dict) -> Completed:
    """Handle Amazon's redirect: check the state, exchange the code, store the new token."""
    try:
        data = amazon().pop_state(args.get("state"))
    except MismatchingStateError:
        fail(user_id, None, Failure.STATE_INVALID)
    if not use_once(args["state"]):
        fail(user_id, None, Failure.STATE_INVALID)  # a copy of the session cookie, replayed
    flow = data.get("flow") or {}
    if flow.get("user_id") != user_id:
        fail(user_id, None, Failure.STATE_INVALID)
    with ending(flow):
        return complete_flow(user_id, flow, data.get("redirect_uri"), args)


def use_once(value: str) -> bool:
    """Record a state as used, for every instance; False if it was used before.

    The primary key makes the check and the record one step, even for two requests at once.
    Records older than a state's lifetime go: such a state is refused as expired anyway.
    """
    now = utcnow()
    lifetime = timedelta(seconds=current_app.config["AMAZON_STATE_TTL"])
    db.session.execute(db.delete(UsedState).where(UsedState.used_at < now - lifetime))
    db.session.add(UsedState(digest=hashlib.sha256(value.encode()).hexdigest(), used_at=now))
    return commit_unless_duplicate()


@contextmanager
def ending(flow: dict) -> Iterator[None]:
    """A failure inside says which flow it ended, so the page can go back to where it began."""
    try:
        yield
    except AuthorizationFailed as failure:
        failure.flow = flow
        raise


def complete_flow(user_id: int, flow: dict, uri: str | None, args: dict) -> Completed:
    renewing = connection_of(user_id, flow["connection_id"]) if flow.get("connection_id") else None
    if args.get("error"):
        fail(user_id, renewing, Failure.CANCELLED)
    code, seller = args.get("spapi_oauth_code"), args.get("selling_partner_id")
    if not code or not seller:
        fail(user_id, renewing, Failure.CALLBACK_INCOMPLETE)
    if flow.get("selling_partner_id") and seller != flow["selling_partner_id"]:
        # The Login URI named another seller account than Amazon authorized: a forged link.
        fail(user_id, renewing, Failure.SELLER_MISMATCH)
    if renewing is not None and seller != renewing.selling_partner_id:
        session[PENDING_KEY] = {
            "code": code,
            "selling_partner_id": seller,
            "flow": flow,
            "redirect_uri": uri,
            "at": time.time(),
            "nonce": secrets.token_urlsafe(32),  # used once, like a state
        }
        raise AccountMismatch(renewing, seller)
    return exchange(user_id, flow, code, seller, uri, renewing)


def confirm_other_account(user_id: int, add: bool) -> Completed | None:
    """The merchant's answer to "add this other seller account?" after a mismatch."""
    pending = session.pop(PENDING_KEY, None)
    if not pending or pending["flow"].get("user_id") != user_id:
        fail(user_id, None, Failure.STATE_INVALID)
    # The answer may come late, or from a copy of the session cookie: both are refused.
    too_old = time.time() - pending.get("at", 0) > current_app.config["AMAZON_STATE_TTL"]
    if too_old or not pending.get("nonce") or not use_once(pending["nonce"]):
        fail(user_id, None, Failure.STATE_INVALID)
    renewing = connection_of(user_id, pending["flow"].get("connection_id") or 0)
    flow = {**pending["flow"], "connection_id": None}
    with ending(flow):
        if not add:
            fail(user_id, renewing, Failure.ACCOUNT_MISMATCH)
        code, seller = pending["code"], pending["selling_partner_id"]
        return exchange(user_id, flow, code, seller, pending["redirect_uri"], None)


def exchange(
    user_id: int, flow: dict, code: str, seller: str, uri: str | None, renewing: Connection | None
) -> Completed:
    region = flow.get("region") if flow.get("region") in REGIONS else None
    target = renewing or find_existing(user_id, seller, region)
    try:
        token = amazon().exchange_code(code, uri)
    except OAuthError as error:
        fail(
            user_id,
            target,
            Failure.CLIENT_REJECTED if error.error == "invalid_client" else Failure.CODE_REJECTED,
            error.error,
        )
    except (requests.RequestException, ValueError) as error:
        fail(
            user_id,
            target,
            Failure.UNAVAILABLE if not isinstance(error, ValueError) else Failure.BAD_RESPONSE,
            type(error).__name__,
        )
    refresh_token, access_token = token.get("refresh_token"), token.get("access_token")
    if not isinstance(refresh_token, str) or not refresh_token or not isinstance(access_token, str):
        fail(user_id, target, Failure.BAD_RESPONSE, "no tokens in the answer")
    return store(user_id, flow, seller, region, target, refresh_token, token)


def store(
    user_id: int,
    flow: dict,
    seller: str,
    region: str | None,
    target: Connection | None,
    refresh_token: str,
    token: dict,
) -> Completed:
    """Write the new token; two renewals at once leave one of them whole, never a mix."""
    if target is None:
        marketplace = flow.get("marketplace") or default_marketplace(region)
        region = region or MARKETPLACES[marketplace].region
        created = create_connection(user_id, seller, region, marketplace, refresh_token)
        if created is not None:
            access.keep(created, token)
            return Completed(created, EventKind.AUTHORIZED, flow)
        target = find_existing(user_id, seller, region)  # a parallel request added it just now
    # The row lock makes a parallel renewal wait, then write over this one as a whole.
    locked = db.session.get(Connection, target.id, with_for_update=True, populate_existing=True)
    if flow.get("marketplace"):
        locked.marketplace = flow["marketplace"]
    write_token(locked, refresh_token, EventKind.RENEWED)
    access.keep(locked, token)
    return Completed(locked, EventKind.RENEWED, flow)


def create_connection(
    user_id: int, seller: str, region: str, marketplace: str, refresh_token: str
) -> Connection | None:
    """A new connection, or None when the same account was added in the meantime."""
    connection = Connection(
        user_id=user_id, selling_partner_id=seller, region=region, marketplace=marketplace
    )
    db.session.add(connection)
    try:
        write_token(connection, refresh_token, EventKind.AUTHORIZED)
    except IntegrityError:
        db.session.rollback()
        return None
    return connection


def write_token(connection: Connection, refresh_token: str, kind: EventKind) -> None:
    now = utcnow()
    connection.refresh_token = vault().encrypt(refresh_token)
    connection.authorized_at = now
    connection.expires_at = now + VALIDITY
    connection.deactivated_at = None
    connection.revoked_at = None
    record(connection.user_id, connection, kind)
    db.session.commit()


def default_marketplace(region: str | None) -> str:
    return REGION_DEFAULTS.get(region or "", "DE")


def fail(
    user_id: int, connection: Connection | None, reason: Failure, detail: str | None = None
) -> NoReturn:
    """Record the failure and tell the caller; the connection itself is left untouched."""
    db.session.rollback()
    record(
        user_id,
        connection,
        EventKind.AUTHORIZATION_FAILED,
        f"{reason}: {detail}" if detail else str(reason),
    )
    db.session.commit()
    raise AuthorizationFailed(reason, connection)
