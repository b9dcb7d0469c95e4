"""The sandbox's own records: Amazon's side of the authorization (tokens kept only as digests)."""

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import utcnow


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Seller(db.Model):
    __tablename__ = "sandbox_seller"

    id: Mapped[int] = mapped_column(primary_key=True)
    selling_partner_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(2))
    marketplaces: Mapped[str] = mapped_column(String(100))  # "FR,DE,IT"
    # The simulated Seller Central has its own log-in (werkzeug hash).
    password_hash: Mapped[str | None] = mapped_column(String(255))


class Authorization(db.Model):
    __tablename__ = "sandbox_authorization"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sandbox_seller.id"), index=True)
    application_id: Mapped[str] = mapped_column(String(100))
    refresh_token_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    seller: Mapped[Seller] = relationship()


class Grant(db.Model):
    """A single-use code: an spapi_oauth_code, or an amazon_state of the Login-URI hop."""

    __tablename__ = "sandbox_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "code" or "amazon_state"
    value_digest: Mapped[str] = mapped_column(String(64), unique=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sandbox_seller.id"))
    authorization_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_authorization.id"))
    client_id: Mapped[str | None] = mapped_column(String(100))
    redirect_uri: Mapped[str | None] = mapped_column(String(500))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    seller: Mapped[Seller] = relationship()
    authorization: Mapped[Authorization | None] = relationship()


class AccessToken(db.Model):
    __tablename__ = "sandbox_access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    value_digest: Mapped[str] = mapped_column(String(64), unique=True)
    authorization_id: Mapped[int] = mapped_column(ForeignKey("sandbox_authorization.id"))
    expires_at: Mapped[datetime]

    authorization: Mapped[Authorization] = relationship()


class Setting(db.Model):
    """Test controls, e.g. outage = "503"."""

    __tablename__ = "sandbox_setting"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))


class TokenRequest(db.Model):
    """What reached the token endpoint (never a secret): lets tests check the client's manners."""

    __tablename__ = "sandbox_token_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_type: Mapped[str | None] = mapped_column(String(32))
    content_type: Mapped[str | None] = mapped_column(String(100))
    secret_in_body: Mapped[bool]
    basic_auth: Mapped[bool]
    fields: Mapped[str] = mapped_column(String(255))  # the body's field names
    status: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
