"""Amazon's side of the authorization, as the sandbox plays it."""

import secrets
import string
import time
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from ...extensions import db
from ...models import utcnow
from ..marketplaces import MARKETPLACES, country_code
from ..models import Connection
from ..state import VALIDITY
from .models import AccessToken, Authorization, Grant, Seller, Setting, digest

CODE_LIFETIME = timedelta(minutes=5)
AMAZON_STATE_LIFETIME = timedelta(minutes=10)
ACCESS_LIFETIME = 3600
REGION_MARKETPLACES = {"EU": "FR,DE,IT,ES,UK", "NA": "US,CA,MX", "FE": "JP"}
OUTAGES = ("", "500", "503", "timeout", "not_json", "invalid_client")
MIN_PASSWORD = 8  # a simulated seller account's password
SIGN_IN_LIFETIME = timedelta(hours=12)
# Compared against when no seller has the name, so that an unknown name takes as long.
DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class Refused(Exception):
    """Seller Central refuses the request on its own error page, with this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class LwaError(Exception):
    """An error answer of the token endpoint: (HTTP status, error, error_description)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(error)
        self.status, self.error, self.description = status, error, description


MALFORMED = LwaError(400, "invalid_request", "Malformed request")
UNSUPPORTED = LwaError(
    400,
    "unsupported_grant_type",
    "The authorization grant type is not supported by the authorization server",
)
CLIENT_FAILED = LwaError(401, "invalid_client", "Client authentication failed")
MISSING_CODE = LwaError(
    400, "invalid_request", "The request is missing a required parameter : code"
)
BAD_CODE = LwaError(400, "invalid_grant", "The request has an invalid grant parameter : code")
BAD_REFRESH = LwaError(
    400,
    "invalid_grant",
    "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission.",
)


def setting(key: str, default: str = "") -> str:
    row = db.session.get(Setting, key)
    return row.value if row else default


def set_setting(key: str, value: str) -> None:
    db.session.merge(Setting(key=key, value=value))
    db.session.commit()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(40)


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


def sign_in(login: str, password: str) -> Seller | None:
    """The seller with this name or selling partner id, if the password is its own."""
    login = login.strip()
    seller = seller_by_id(login) or seller_named(login)
    stored = seller.password_hash if seller is not None else None
    if not check_password_hash(stored or DUMMY_HASH, password) or stored is None:
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


def check_client(fields: dict) -> None:
    config = current_app.config
    if setting("outage") == "invalid_client":
        raise CLIENT_FAILED
    if (
        fields.get("client_id") != config["AMAZON_CLIENT_ID"]
        or fields.get("client_secret") != config["AMAZON_CLIENT_SECRET"]
    ):
        raise CLIENT_FAILED


def token_answer(fields: dict) -> dict:
    """Evaluate a token request in LWA's order and answer it, or raise LwaError."""
    grant_type = fields.get("grant_type")
    if not grant_type or not fields.get("client_id"):
        raise MALFORMED
    if grant_type not in ("authorization_code", "refresh_token", "client_credentials"):
        raise UNSUPPORTED
    check_client(fields)
    if grant_type == "authorization_code":
        return exchange_code(fields)
    if grant_type == "refresh_token":
        return refresh(fields)
    if fields.get("scope") not in (
        "sellingpartnerapi::notifications",
        "sellingpartnerapi::migration",
    ):
        raise LwaError(400, "invalid_scope", "The request has an invalid parameter : scope")
    return {
        "access_token": new_secret("Atza|"),
        "token_type": "bearer",
        "expires_in": ACCESS_LIFETIME,
    }


def exchange_code(fields: dict) -> dict:
    if not fields.get("code"):
        raise MISSING_CODE
    grant = use_grant("code", fields["code"], CODE_LIFETIME)
    if grant is None or grant.client_id != fields["client_id"] or grant.authorization is None:
        raise BAD_CODE
    refresh_token = new_secret("Atzr|")
    grant.authorization.refresh_token_digest = digest(refresh_token)
    return access_answer(grant.authorization, refresh_token)


def refresh(fields: dict) -> dict:
    token = fields.get("refresh_token") or ""
    authorization = db.session.execute(
        db.select(Authorization).where(Authorization.refresh_token_digest == digest(token))
    ).scalar_one_or_none()
    if authorization is None or authorization.revoked_at or utcnow() >= authorization.expires_at:
        raise BAD_REFRESH
    return access_answer(authorization, token)


def access_answer(authorization: Authorization, refresh_token: str) -> dict:
    access = new_secret("Atza|")
    db.session.add(
        AccessToken(
            value_digest=digest(access),
            authorization=authorization,
            expires_at=utcnow() + timedelta(seconds=ACCESS_LIFETIME),
        )
    )
    db.session.commit()
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": ACCESS_LIFETIME,
        "refresh_token": refresh_token,
    }


def access_problem(token: str | None) -> tuple[str, str] | None:
    """Why SP-API refuses an access token: (code, details), or None when it is good."""
    if not token:
        return ("MissingAuthenticationToken", "")
    row = db.session.execute(
        db.select(AccessToken).where(AccessToken.value_digest == digest(token))
    ).scalar_one_or_none()
    if row is None or row.authorization.revoked_at:
        return ("Unauthorized", "The access token you provided is revoked, malformed or invalid.")
    if utcnow() >= row.expires_at:
        return ("Unauthorized", "The access token you provided has expired.")
    return None


def seller_of_access_token(token: str) -> Seller:
    return (
        db.session.execute(db.select(AccessToken).where(AccessToken.value_digest == digest(token)))
        .scalar_one()
        .authorization.seller
    )


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


MARKETPLACE_NAMES = {
    "FR": ("Amazon.fr", "EUR", "fr_FR"),
    "DE": ("Amazon.de", "EUR", "de_DE"),
    "IT": ("Amazon.it", "EUR", "it_IT"),
    "ES": ("Amazon.es", "EUR", "es_ES"),
    "UK": ("Amazon.co.uk", "GBP", "en_GB"),
    "US": ("Amazon.com", "USD", "en_US"),
    "CA": ("Amazon.ca", "CAD", "en_CA"),
    "MX": ("Amazon.com.mx", "MXN", "es_MX"),
    "JP": ("Amazon.co.jp", "JPY", "ja_JP"),
}


def participation(code: str) -> dict:
    """One entry of the Sellers API's marketplaceParticipations payload."""
    name, currency, language = MARKETPLACE_NAMES[code]
    marketplace = MARKETPLACES[code]
    return {
        "marketplace": {
            "id": marketplace.marketplace_id,
            "countryCode": country_code(code),
            "name": name,
            "defaultCurrencyCode": currency,
            "defaultLanguageCode": language,
            "domainName": f"www.{marketplace.domain}",
        },
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
    }
