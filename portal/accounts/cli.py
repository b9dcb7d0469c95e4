"""`flask users create EMAIL --role ROLE [--password PASSWORD]`."""

import click
from flask.cli import AppGroup

from ..extensions import db
from ..i18n import LANGUAGES
from .models import Role
from .services import AccountError, create_user

users = AppGroup("users", help="Manage portal users.")


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
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, Role(role), language, timezone)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}")
