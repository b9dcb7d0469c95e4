"""Creating, finding and authenticating users; their passwords and sessions."""

from zoneinfo import available_timezones

import email_validator

from ..extensions import db
from ..i18n import LANGUAGES
from . import passwords
from .models import Role, User


class AccountError(ValueError):
    """A user that cannot be created or changed as asked; the message says why."""


class InvalidEmail(AccountError):
    """An address that cannot receive mail, so it could never be used to log in."""


class WeakPassword(AccountError):
    """A password the policy refuses; the message says why, in the current language."""


def validate_email(email: str) -> str:
    """The address as stored, or InvalidEmail: the one check for the CLI, the forms and APIs."""
    try:
        # Syntax and reserved names (.test, .invalid, ...), as the log-in form checks them;
        # no DNS look-up.
        valid = email_validator.validate_email(email.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise InvalidEmail(f"{email!r} is not a valid email address: {error}") from error
    return valid.normalized.lower()


def normalize_email(email: str) -> str:
    try:
        return validate_email(email)
    except InvalidEmail:
        return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def check_new_password(password: str) -> None:
    problem = passwords.problem(password)
    if problem:
        raise WeakPassword(problem)


def create_user(
    email: str, password: str, role: Role, language: str = "fr", timezone: str = "Europe/Paris"
) -> User:
    """Add a user; the caller commits."""
    address = validate_email(email)
    if find_user(address):
        raise AccountError(f"a user with the email {address} already exists")
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}: one of {', '.join(LANGUAGES)}")
    if timezone not in available_timezones():
        raise AccountError(f"unknown time zone {timezone!r}, e.g. Europe/Berlin")
    check_new_password(password)
    user = User(email=address, role=role, language=language, timezone=timezone)
    user.set_password(password)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this address and password, else None: both cases cost one hash check."""
    user = find_user(email)
    if not passwords.check(user.password_hash if user else None, password):
        return None
    if passwords.outdated(user.password_hash):
        user.set_password(password)
        db.session.commit()
    return user


def end_sessions(user: User) -> None:
    """Log the user out everywhere: every session made before is refused. The caller commits."""
    user.session_version = User.session_version + 1


def change_password(user: User, password: str) -> None:
    """Set a new password and end the user's sessions; the caller commits."""
    check_new_password(password)
    user.set_password(password)
    end_sessions(user)
