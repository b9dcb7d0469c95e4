"""`flask demo`: a demo merchant whose token expires in about twelve days (sandbox only).

Its simulated seller account has a known password too, so that a new user can sign in to the
simulated Seller Central and renew the token without any configuration.
"""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from ...accounts.models import Role
from ...accounts.services import create_user, find_user
from ...extensions import db
from ...models import utcnow
from ..connections import connections_of
from ..models import Connection, Event, EventKind
from ..state import VALIDITY
from . import sellers, services
from .models import Authorization, Seller, digest

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-merchant"
DEMO_DAYS_LEFT = 12
DEMO_SELLER = "Demo Shop"
DEMO_SELLER_PASSWORD = "demo-seller"


def simulated_connection(
    user_id: int, seller: Seller, marketplace: str, days_left: int
) -> Connection:
    """A connection granted a year minus days_left ago, known to the sandbox's Amazon too."""
    refresh_token = services.new_secret("Atzr|")
    expires = utcnow() + timedelta(days=days_left, hours=12)
    db.session.add(
        Authorization(
            seller=seller,
            application_id=current_app.config["AMAZON_APPLICATION_ID"],
            refresh_token_digest=digest(refresh_token),
            created_at=expires - VALIDITY,
            expires_at=expires,
        )
    )
    connection = Connection(
        user_id=user_id,
        region=seller.region,
        marketplace=marketplace,
        selling_partner_id=seller.selling_partner_id,
        refresh_token=current_app.extensions["token_vault"].encrypt(refresh_token),
        authorized_at=expires - VALIDITY,
        expires_at=expires,
    )
    db.session.add(connection)
    db.session.add(
        Event(user_id=user_id, connection=connection, kind=EventKind.AUTHORIZED,
              created_at=expires - VALIDITY)
    )  # fmt: skip
    db.session.commit()
    return connection


def create_demo() -> bool:
    """Create the demo merchant, their simulated seller account and connection; False if present."""
    user = find_user(DEMO_EMAIL)
    if user is not None:
        keep_demo_seller(user.id)
        return False
    user = create_user(DEMO_EMAIL, DEMO_PASSWORD, Role.MERCHANT, "fr", "Europe/Paris")
    db.session.flush()
    seller = sellers.new_seller(DEMO_SELLER, "EU", DEMO_SELLER_PASSWORD)
    simulated_connection(user.id, seller, "FR", DEMO_DAYS_LEFT)
    return True


def keep_demo_seller(user_id: int) -> None:
    """Give the demo merchant's seller account the known password if it has none (older demos)."""
    for connection in connections_of(user_id):
        seller = sellers.seller_by_id(connection.selling_partner_id)
        if seller is not None and seller.password_hash is None:
            sellers.set_password(seller, DEMO_SELLER_PASSWORD)
    db.session.commit()


def demo_sellers() -> list[str]:
    """The demo merchant's seller accounts, as a new user signs in to them."""
    user = find_user(DEMO_EMAIL)
    found = []
    for connection in connections_of(user.id) if user else []:
        seller = sellers.seller_by_id(connection.selling_partner_id)
        if seller is not None and seller.name not in found:
            found.append(seller.name)
    return found


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create the demo merchant (sandbox only); does nothing when it exists."""
    if not current_app.config["AMAZON_SANDBOX"]:
        click.echo("The Amazon sandbox is off (Amazon credentials are set): no demo merchant.")
        return
    if create_demo():
        click.echo(f"Demo merchant: {DEMO_EMAIL} / {DEMO_PASSWORD}")
    else:
        click.echo(f"The demo merchant {DEMO_EMAIL} exists already.")
    for name in demo_sellers():
        click.echo(f"Simulated Seller Central: seller {name} / {DEMO_SELLER_PASSWORD}")
