"""`flask connector-keys create|list|revoke`: connector keys for support."""

import click
from flask.cli import AppGroup

from ..accounts.services import find_user
from . import keys, webhooks

webhook_commands = AppGroup("webhooks", help="Events sent to the connectors' endpoints.")
connector_keys = AppGroup(
    "connector-keys", help="Keys that connector installations call the API with."
)


@connector_keys.command("create")
@click.argument("email")
@click.option("--name", default="Connector", show_default=True, help="Which installation uses it.")
def create(email: str, name: str) -> None:
    """Create a key for a merchant's connector; the key itself is on the last line."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    if not keys.valid_name(name):
        raise click.ClickException(f"the name must have 1 to {keys.NAME_LENGTH} characters")
    key, plain = keys.create(user.id, name.strip())
    click.echo(f"Created key {key.id} ({key.name}) for {user.email}. It is shown only once:")
    click.echo(plain)


@connector_keys.command("list")
@click.argument("email")
def list_keys(email: str) -> None:
    """A merchant's keys, newest first (never the keys themselves)."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    for key in keys.keys_of(user.id):
        used = key.last_used_at.isoformat(timespec="minutes") if key.last_used_at else "never"
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "valid"
        click.echo(f"{key.id}\t{key.hint}…\t{key.name}\tlast used {used}\t{state}")


@connector_keys.command("revoke")
@click.argument("key_id", type=int)
def revoke(key_id: int) -> None:
    """Revoke a key: the connector that uses it gets 401 from now on."""
    key = keys.find(key_id)
    if key is None:
        raise click.ClickException(f"no key {key_id}")
    keys.revoke(key)
    click.echo(f"Revoked key {key.id} ({key.name}).")


@webhook_commands.command("deliver")
def deliver() -> None:
    """One pass over the deliveries that are due (for cron, and the tests)."""
    tried = webhooks.deliver_due()
    click.echo(f"Tried {tried} deliver{'y' if tried == 1 else 'ies'}.")
