"""The app's LWA client secret. Amazon has it renewed every 180 days, and once the old one has
expired every token request fails, for every merchant at once: so its expiry date is known
(PORTAL_AMAZON_CLIENT_SECRET_EXPIRES), admins and /readyz are told in time, and during the
change the new secret (PORTAL_AMAZON_CLIENT_SECRET_NEXT) is tried first."""

from dataclasses import dataclass
from datetime import date

from ..models import utcnow

WARN_ADMINS_DAYS = 30  # a banner on admins' pages
WARN_READINESS_DAYS = 14  # a warning in /readyz, for monitoring


@dataclass(frozen=True)
class SecretStatus:
    expires_on: date | None  # None: the date is not configured
    days_left: int | None

    def within(self, days: int) -> bool:
        return self.days_left is not None and self.days_left <= days


def expiry_date(value: object) -> date | None:
    """PORTAL_AMAZON_CLIENT_SECRET_EXPIRES as a date; a wrong value stops the start-up."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RuntimeError(
            f"PORTAL_AMAZON_CLIENT_SECRET_EXPIRES must be a date such as 2027-06-30, not {value!r}"
        ) from None


def secret_status(config, today: date | None = None) -> SecretStatus:
    expires = expiry_date(config["AMAZON_CLIENT_SECRET_EXPIRES"])
    if expires is None:
        return SecretStatus(None, None)
    return SecretStatus(expires, (expires - (today or utcnow().date())).days)


def secrets_to_try(config) -> list[str]:
    """The new secret first while both are valid; the current one when LWA refuses it."""
    found = [config["AMAZON_CLIENT_SECRET_NEXT"], config["AMAZON_CLIENT_SECRET"]]
    return [secret for secret in found if secret]


def readiness_warning(config) -> str | None:
    status = secret_status(config)
    if not status.within(WARN_READINESS_DAYS):
        return None
    if status.days_left < 0:
        return f"the Amazon client secret expired on {status.expires_on}: token requests fail"
    return f"the Amazon client secret expires on {status.expires_on} ({status.days_left} days left)"
