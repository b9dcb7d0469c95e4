"""`flask tokens rotate-key`: re-encrypt every stored refresh token with the newest key
(the access tokens kept beside them are dropped: each is refreshed at its next use)."""

import click
from flask import current_app
from flask.cli import AppGroup

from .. import hooks
from ..extensions import db
from .models import Connection, StoredAccessToken
from .secret import secret_status

tokens = AppGroup("tokens", help="Stored Amazon refresh tokens.")
amazon = AppGroup("amazon", help="The app's registration with Amazon.")


@tokens.command("rotate-key")
def rotate_key() -> None:
    """Put the new key first in PORTAL_TOKEN_KEYS, run this, then drop the old key."""
    vault = current_app.extensions["token_vault"]
    connections = db.session.execute(db.select(Connection).with_for_update()).scalars().all()
    for connection in connections:
        connection.refresh_token = vault.rotate(connection.refresh_token)
    db.session.execute(db.update(StoredAccessToken).values(token=None, source=None))
    others = sum(rotate(vault) for rotate in hooks.get(hooks.ROTATE_KEYS))
    db.session.commit()
    click.echo(f"Re-encrypted {len(connections)} refresh token(s) with the first key.")
    if others:
        click.echo(f"Re-encrypted {others} other secret(s) (webhook signing secrets).")


@amazon.command("secret-status")
def secret_status_command() -> None:
    """When the app's LWA client secret expires (PORTAL_AMAZON_CLIENT_SECRET_EXPIRES)."""
    status = secret_status(current_app.config)
    if status.expires_on is None:
        click.echo("PORTAL_AMAZON_CLIENT_SECRET_EXPIRES is not set: the expiry date is unknown.")
        return
    left = (
        f"expired {-status.days_left} days ago"
        if status.days_left < 0
        else f"{status.days_left} days left"
    )
    click.echo(f"The Amazon client secret expires on {status.expires_on} ({left}).")
    if current_app.config["AMAZON_CLIENT_SECRET_NEXT"]:
        click.echo("A new secret is set (PORTAL_AMAZON_CLIENT_SECRET_NEXT): it is tried first.")
