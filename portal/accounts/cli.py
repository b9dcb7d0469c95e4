"""`flask users create|set-password|logout-everywhere EMAIL`: accounts from the command line."""

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..extensions import db
from ..i18n import LANGUAGES
from .models import Role, User
from .services import AccountError, change_password, create_user, end_sessions, find_user

users = AppGroup("users", help="Manage portal users.")


def existing(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    return user


def ask_password(password: str | None) -> str:
    if password is None:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@contextmanager
def refused_as_console_error() -> Iterator[None]:
    """A refused address or password ends the command with its reason, in English."""
    try:
        with force_locale("en"):  # the password policy speaks the console's language
            yield
    except AccountError as error:
        raise click.ClickException(str(error)) from error


@users.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([role.value for role in Role]), default=Role.MERCHANT.value
)
@click.option("--password", help="Asked for when left out.")
@click.option("--language", type=click.Choice(list(LANGUAGES)), default="fr", show_default=True)
@click.option("--timezone", default="Europe/Paris", show_default=True)
def create(email: str, role: str, password: str | None, language: str, timezone: str) -> None:
    """Create a user who can log in to the portal."""
    password = ask_password(password)
    with refused_as_console_error():
        user = create_user(email, password, Role(role), language, timezone)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}")


@users.command("set-password")
@click.argument("email")
@click.option("--password", help="Asked for when left out.")
def set_password(email: str, password: str | None) -> None:
    """Give a user a new password; their sessions end."""
    user = existing(email)
    password = ask_password(password)
    with refused_as_console_error():
        change_password(user, password)
    db.session.commit()
    click.echo(f"Changed the password of {user.email}; their sessions have ended.")


@users.command("logout-everywhere")
@click.argument("email")
def logout_everywhere(email: str) -> None:
    """End every session of a user, e.g. after a lost device or a stolen cookie."""
    user = existing(email)
    end_sessions(user)
    db.session.commit()
    click.echo(f"Logged {user.email} out everywhere.")
