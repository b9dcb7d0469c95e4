"""Creating and finding users."""

from zoneinfo import available_timezones

from ..extensions import db
from ..i18n import LANGUAGES
from .models import Role, User


class AccountError(ValueError):
    """A user that cannot be created as asked; the message says why."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def create_user(
    email: str, password: str, role: Role, language: str = "fr", timezone: str = "Europe/Paris"
) -> User:
    """Add a user; the caller commits."""
    if find_user(email):
        raise AccountError(f"a user with the email {email} already exists")
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}: one of {', '.join(LANGUAGES)}")
    if timezone not in available_timezones():
        raise AccountError(f"unknown time zone {timezone!r}, e.g. Europe/Berlin")
    if len(password) < 8:
        raise AccountError("the password must have at least 8 characters")
    user = User(email=normalize_email(email), role=role, language=language, timezone=timezone)
    user.set_password(password)
    db.session.add(user)
    return user
