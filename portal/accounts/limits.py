"""Rate limits on failed log-ins (the log-in form and the password page)."""

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..security import limiter
from .services import normalize_email


def failed_login(response: Response) -> bool:
    """Only failed attempts count against the limits; merchants may log in as often as they like."""
    return response.status_code == 400


def attempted_account() -> str:
    """The account an attempt was for: the log-in form's address, else the logged-in user's."""
    email = request.form.get("email")
    if email is None and current_user.is_authenticated:
        return current_user.email
    return normalize_email(email or "")


def account_and_address_key() -> str:
    """Failures against one account from one address: others can still log in to that account."""
    return f"account:{attempted_account()}|{get_remote_address()}"


# Failed attempts count per address, and per account and address; never per account alone,
# which would let anyone lock a merchant out by failing on purpose.
login_limits = [
    limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
                  deduct_when=failed_login),
    limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"],
                  methods=["POST"], key_func=account_and_address_key, deduct_when=failed_login),
]  # fmt: skip


def limit_logins(view):
    for limit in login_limits:
        view = limit(view)
    return view
