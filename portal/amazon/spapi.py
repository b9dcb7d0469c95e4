"""Using a stored authorization: an access token for the seller, and the SP-API call that
checks it."""

from dataclasses import dataclass

import requests
from flask import current_app

from ..extensions import db
from ..models import utcnow
from . import access
from .client import spapi_url
from .connections import record
from .models import Connection, EventKind


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str  # marketplaces found, or why the check failed


def verify(connection: Connection) -> Check:
    """Use the stored grant: refresh it and list the account's marketplaces."""
    try:
        check = participations(connection)
    except access.NoAccess:  # invalid_grant: access.revoke() marked it revoked
        check = Check(False, "invalid_grant")
    except access.AmazonUnavailable as error:
        check = Check(False, error.detail)
    except (requests.RequestException, ValueError, KeyError) as error:
        check = Check(False, type(error).__name__)
    connection.last_check_at = utcnow()
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
            url,
            headers={"x-amz-access-token": access.access(connection).access_token},
            timeout=timeout,
        )
        if response.status_code == 403 and attempt == 0:
            access.forget(connection)  # expired or revoked access token: refresh once
            continue
        break
    if response.status_code != 200:
        return Check(False, f"HTTP {response.status_code}")
    codes = [entry["marketplace"]["countryCode"] for entry in response.json()["payload"]]
    return Check(True, ", ".join(codes))
