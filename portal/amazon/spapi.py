"""Using a stored authorization: an access token for the seller, and the SP-API call that
checks it."""

from dataclasses import dataclass

import requests
from authlib.integrations.base_client import OAuthError
from flask import current_app

from ..extensions import db
from ..models import utcnow
from .client import access_tokens, amazon, spapi_url
from .connections import record, vault
from .models import Connection, EventKind


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str  # marketplaces found, or why the check failed


def access_token(connection: Connection) -> str:
    cached = access_tokens().get(connection)
    if cached:
        return cached
    token = amazon().refresh(vault().decrypt(connection.refresh_token))
    access_tokens().put(connection, token)
    return token["access_token"]


def verify(connection: Connection) -> Check:
    """Use the stored grant: refresh it and list the account's marketplaces."""
    now = utcnow()
    connection.last_check_at = now
    try:
        check = participations(connection)
    except OAuthError as error:
        if error.error == "invalid_grant":
            connection.revoked_at = connection.revoked_at or now
            check = Check(False, "invalid_grant")
            record(connection.user_id, connection, EventKind.REVOKED, "invalid_grant")
        else:
            check = Check(False, error.error or "oauth_error")
    except (requests.RequestException, ValueError, KeyError) as error:
        check = Check(False, type(error).__name__)
    connection.last_check_result = check.detail[:255]
    if check.ok:
        record(connection.user_id, connection, EventKind.VERIFIED, check.detail)
    elif check.detail != "invalid_grant":
        record(connection.user_id, connection, EventKind.CHECK_FAILED, check.detail)
    db.session.commit()
    return check


def participations(connection: Connection) -> Check:
    url = f"{spapi_url(connection.region)}/sellers/v1/marketplaceParticipations"
    timeout = current_app.config["AMAZON_TIMEOUT"]
    for attempt in range(2):
        response = requests.get(
            url, headers={"x-amz-access-token": access_token(connection)}, timeout=timeout
        )
        if response.status_code == 403 and attempt == 0:
            access_tokens().drop(connection)  # expired or revoked access token: refresh once
            continue
        break
    if response.status_code != 200:
        return Check(False, f"HTTP {response.status_code}")
    codes = [entry["marketplace"]["countryCode"] for entry in response.json()["payload"]]
    return Check(True, ", ".join(codes))
