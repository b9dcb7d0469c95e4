"""`flask tokens rotate-key`: re-encrypt every stored refresh token with the newest key
(the access tokens kept beside them are dropped: each is refreshed at its next use)."""

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from .models import Connection, StoredAccessToken

tokens = AppGroup("tokens", help="Stored Amazon refresh tokens.")


@tokens.command("rotate-key")
def rotate_key() -> None:
    """Put the new key first in PORTAL_TOKEN_KEYS, run this, then drop the old key."""
    vault = current_app.extensions["token_vault"]
    connections = db.session.execute(db.select(Connection).with_for_update()).scalars().all()
    for connection in connections:
        connection.refresh_token = vault.rotate(connection.refresh_token)
    db.session.execute(db.update(StoredAccessToken).values(token=None, source=None))
    db.session.commit()
    click.echo(f"Re-encrypted {len(connections)} refresh token(s) with the first key.")
