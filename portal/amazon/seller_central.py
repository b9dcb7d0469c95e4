"""Renewals that begin in Seller Central (Manage Your Apps, Re-authorize): its Login URI.

Anyone can start Re-authorize for their own seller account and send the link on, so the
request is checked here and the merchant confirms it before it goes back to Seller Central.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from ..extensions import db
from .client import absolute, amazon
from .connections import find_existing, record
from .flow import AuthorizationFailed, Failure, redirect_uri
from .marketplaces import central_hosts
from .models import Connection, EventKind

# Amazon's selling partner ids are short upper-case letters and digits ("A" and 13 more).
SELLING_PARTNER_ID = re.compile(r"[A-Z0-9]{1,32}")


def confirm_page(callback_uri: str | None) -> tuple[str, str] | None:
    """Seller Central's confirm page for our application, without its query, and its region.

    The region is "" for the configured Seller Central (the sandbox), whose region is unknown;
    None means the URI is not that page: another host, path, application, port or a user name.
    """
    application_id = current_app.config["AMAZON_APPLICATION_ID"]
    try:
        parts = urlsplit(callback_uri or "")
        port = parts.port  # a port out of range, or not a number, raises here
    except ValueError:
        return None
    if not application_id:
        return None
    path = f"/apps/authorize/confirm/{application_id}"
    configured = current_app.config["AMAZON_SELLER_CENTRAL_URL"]
    if configured:
        base = urlsplit(absolute(configured))
        if (parts.scheme, parts.netloc, parts.path) == (
            base.scheme,
            base.netloc,
            base.path.rstrip("/") + path,
        ):
            return f"{parts.scheme}://{parts.netloc}{parts.path}", ""
    if parts.scheme != "https" or parts.username or parts.password or port or parts.path != path:
        return None
    region = central_hosts().get(parts.hostname or "")
    return (f"https://{parts.hostname}{path}", region) if region else None


@dataclass(frozen=True)
class LoginRequest:
    """A renewal begun in Seller Central, checked; the merchant confirms it before it goes on."""

    callback_uri: str  # Seller Central's confirm page, without any query of its own
    region: str | None  # None for the configured Seller Central (the sandbox)
    amazon_state: str
    selling_partner_id: str
    existing: Connection | None  # the merchant's connection of that seller account, if any


def login_request(user_id: int, args: dict) -> LoginRequest:
    """Read what Seller Central's Login URI asks for; refuse anything that is not from there."""
    confirm = confirm_page(args.get("amazon_callback_uri"))
    amazon_state = args.get("amazon_state")
    seller = args.get("selling_partner_id") or ""
    if confirm is None or not amazon_state or not SELLING_PARTNER_ID.fullmatch(seller):
        record(user_id, None, EventKind.AUTHORIZATION_FAILED, Failure.NOT_AMAZON)
        db.session.commit()
        raise AuthorizationFailed(Failure.NOT_AMAZON)
    callback_uri, region = confirm
    region = region or None
    return LoginRequest(
        callback_uri, region, amazon_state, seller, find_existing(user_id, seller, region)
    )


def start_from_seller_central(user_id: int, asked: LoginRequest, lang: str) -> str:
    """The merchant confirmed the Login URI's renewal: back to Seller Central with our state."""
    existing = asked.existing
    flow = {
        "user_id": user_id,
        "lang": lang,
        # Amazon must come back with this seller account, the one the merchant agreed to.
        "selling_partner_id": asked.selling_partner_id,
        "marketplace": existing.marketplace if existing else None,
        "region": existing.region if existing else asked.region,
        "connection_id": existing.id if existing else None,
    }
    return amazon().login_uri_redirect(
        asked.callback_uri, asked.amazon_state, redirect_uri(), flow=flow
    )
