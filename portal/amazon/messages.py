"""What merchants read about their authorization, in their language."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from .flow import Failure
from .marketplaces import MARKETPLACES, country_code
from .models import EventKind
from .state import TokenState

FAILURES = {
    Failure.CANCELLED: _l("The authorization was cancelled in Seller Central. Nothing has been changed."),
    Failure.STATE_INVALID: _l("This authorization request has expired or was already used. Nothing has been changed: please start again from this page."),
    Failure.CALLBACK_INCOMPLETE: _l("Seller Central's answer was incomplete. Nothing has been changed: please start the authorization again."),
    Failure.CODE_REJECTED: _l("Amazon did not accept the authorization code (it expired or was already used). Nothing has been changed: please start the authorization again."),
    Failure.CLIENT_REJECTED: _l("Amazon rejected the application credentials of %(product)s. Your token has not been changed. Please try again later or contact our support."),
    Failure.UNAVAILABLE: _l("Amazon is not responding at the moment. Your token has not been changed: please try again in a few minutes."),
    Failure.BAD_RESPONSE: _l("Amazon sent an unexpected answer. Your token has not been changed: please try again in a few minutes."),
    Failure.ACCOUNT_MISMATCH: _l("The other seller account was not added. Your token has not been changed."),
    Failure.NOT_AMAZON: _l("This link does not come from Amazon Seller Central, so it was not followed."),
    Failure.SELLER_MISMATCH: _l("Seller Central authorized another seller account than the one you confirmed. Nothing has been changed: to renew your token, please start again from this page."),
}  # fmt: skip

STATES = {
    TokenState.NOT_CONNECTED: _l("Not connected"),
    TokenState.ACTIVE: _l("Active"),
    TokenState.EXPIRING: _l("Expires soon"),
    TokenState.EXPIRED: _l("Expired"),
    TokenState.DEACTIVATED: _l("Deactivated"),
    TokenState.REVOKED: _l("Authorization withdrawn"),
}

EVENTS = {
    EventKind.AUTHORIZED: _l("Authorized"),
    EventKind.RENEWED: _l("Renewed"),
    EventKind.DEACTIVATED: _l("Deactivated"),
    EventKind.REACTIVATED: _l("Reactivated"),
    EventKind.VERIFIED: _l("Connection checked"),
    EventKind.CHECK_FAILED: _l("Check failed"),
    EventKind.REVOKED: _l("Authorization withdrawn at Amazon"),
    EventKind.AUTHORIZATION_FAILED: _l("Authorization failed"),
}


def marketplace_label(code: str) -> str:
    """ "Amazon.fr (France)", the country named in the reader's language."""
    marketplace = MARKETPLACES[code]
    territory = get_locale().territories.get(country_code(code), code)
    return f"{marketplace.domain.capitalize()} ({territory})"
