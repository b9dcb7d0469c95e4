"""Login with Amazon's token endpoint, as the sandbox plays it (the spec's errors, in its order)."""

from datetime import timedelta

from flask import current_app

from ...extensions import db
from ...models import utcnow
from .models import AccessToken, Authorization, digest
from .services import CODE_LIFETIME, new_secret, setting, use_grant

ACCESS_LIFETIME = 3600


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


def check_client(fields: dict) -> None:
    config = current_app.config
    if setting("outage") == "invalid_client":
        raise CLIENT_FAILED
    if (
        fields.get("client_id") != config["AMAZON_CLIENT_ID"]
        or fields.get("client_secret") != config["AMAZON_SANDBOX_CLIENT_SECRET"]
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
