"""The one SP-API call the portal makes (Sellers API), as the sandbox answers it."""

from ...extensions import db
from ...models import utcnow
from ..marketplaces import MARKETPLACES, country_code
from .models import AccessToken, Seller, digest


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
