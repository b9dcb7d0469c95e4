"""The simulated Seller Central's seller accounts and their own log-in (never the portal's)."""

import secrets
import string
from datetime import timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from ...extensions import db
from .models import Seller

REGION_MARKETPLACES = {"EU": "FR,DE,IT,ES,UK", "NA": "US,CA,MX", "FE": "JP"}
MIN_PASSWORD = 8  # a simulated seller account's password
SIGN_IN_LIFETIME = timedelta(hours=12)


class Refused(Exception):
    """Seller Central refuses the request on its own error page, with this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def new_seller(name: str, region: str, password: str | None = None) -> Seller:
    """A seller account; without a password nobody can sign in to it."""
    alphabet = string.ascii_uppercase + string.digits
    seller = Seller(
        selling_partner_id="A" + "".join(secrets.choice(alphabet) for _ in range(13)),
        name=name,
        region=region,
        marketplaces=REGION_MARKETPLACES[region],
    )
    if password is not None:
        set_password(seller, password)
    db.session.add(seller)
    db.session.commit()
    return seller


def set_password(seller: Seller, password: str) -> None:
    seller.password_hash = generate_password_hash(password)


def create_seller(name: str, region: str, password: str) -> Seller:
    """A seller account created on the sign-in page, or Refused (its name is its log-in)."""
    name = name.strip()[:100]
    if not name:
        raise Refused("name_missing")
    if seller_named(name) is not None:
        raise Refused("name_taken")
    if len(password) < MIN_PASSWORD:
        raise Refused("password_short")
    return new_seller(name, region if region in REGION_MARKETPLACES else "EU", password)


def seller_named(name: str) -> Seller | None:
    return (
        db.session.execute(db.select(Seller).where(Seller.name == name).order_by(Seller.id))
        .scalars()
        .first()
    )


@cache
def dummy_hash() -> str:
    """Compared against when no seller has the name, so that an unknown name takes as long.

    Made at the first sign-in, not at import: every start of the portal imports this module.
    """
    return generate_password_hash(secrets.token_urlsafe(16))


def sign_in(login: str, password: str) -> Seller | None:
    """The seller with this name or selling partner id, if the password is its own."""
    login = login.strip()
    seller = seller_by_id(login) or seller_named(login)
    stored = seller.password_hash if seller is not None else None
    if not check_password_hash(stored or dummy_hash(), password) or stored is None:
        return None
    return seller


def signing() -> URLSafeTimedSerializer:
    """Signs the sign-in cookie with the sandbox's own key, never the portal's SECRET_KEY."""
    key = current_app.config["AMAZON_SANDBOX_SIGNING_KEY"]
    return URLSafeTimedSerializer(key, salt="sandbox-seller")


def sign_in_token(seller: Seller) -> str:
    return signing().dumps(seller.id)


def seller_of_token(token: str | None) -> Seller | None:
    """The seller a sign-in cookie names; None if it is missing, forged or too old."""
    if not token:
        return None
    try:
        seller_id = signing().loads(token, max_age=int(SIGN_IN_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    return db.session.get(Seller, seller_id) if isinstance(seller_id, int) else None


def sellers() -> list[Seller]:
    return list(db.session.execute(db.select(Seller).order_by(Seller.name)).scalars())


def seller_by_id(selling_partner_id: str | None) -> Seller | None:
    if not selling_partner_id:
        return None
    return db.session.execute(
        db.select(Seller).where(Seller.selling_partner_id == selling_partner_id)
    ).scalar_one_or_none()
