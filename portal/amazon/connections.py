"""A merchant's connections, their state and their history of events."""

from datetime import datetime
from functools import cache

from flask import current_app, g
from sqlalchemy.orm import Load, joinedload

from .. import hooks
from ..accounts.models import User
from ..extensions import db
from ..models import utcnow
from .crypto import TokenVault
from .marketplaces import REGIONS
from .models import Connection, Event, EventKind
from .state import Status, status_of


def vault() -> TokenVault:
    return current_app.extensions["token_vault"]


def record(
    user_id: int, connection: Connection | None, kind: EventKind, detail: str | None = None
) -> None:
    """Add an event to the change being made; features add theirs to the same transaction."""
    event = Event(user_id=user_id, connection=connection, kind=kind, detail=detail)
    db.session.add(event)
    for hook in hooks.get(hooks.CONNECTION_EVENT):
        hook(event)


@cache  # an option is immutable; building it costs more (0.17 ms) than the query it shapes
def read_with_user() -> Load:
    """A merchant's connections and the id of each one's newest event, in the user's query."""
    return joinedload(User.amazon_connections).undefer(Connection.last_event_id)


def connections_of(user_id: int) -> list[Connection]:
    """A merchant's connections: read with the logged-in user already (hooks.USER_LOADING)."""
    user = db.session.get(User, user_id, options=[read_with_user()])
    return list(user.amazon_connections) if user else []


def connection_of(user_id: int, connection_id: int) -> Connection | None:
    """The connection if it belongs to this merchant: nobody acts on another's."""
    connection = db.session.get(Connection, connection_id)
    return connection if connection is not None and connection.user_id == user_id else None


def status(connection: Connection | None) -> Status:
    return status_of(connection, utcnow())


def with_status(user_id: int) -> list[tuple[Connection, Status]]:
    """A merchant's connections and their states, read once per request (banner and live box)."""
    cache = g.setdefault("amazon_connections", {})
    if user_id not in cache:
        cache[user_id] = [(c, status(c)) for c in connections_of(user_id)]
    return cache[user_id]


def find_existing(
    user_id: int, selling_partner_id: str | None, region: str | None
) -> Connection | None:
    if not selling_partner_id:
        return None
    query = db.select(Connection).where(
        Connection.user_id == user_id, Connection.selling_partner_id == selling_partner_id
    )
    if region in REGIONS:
        query = query.where(Connection.region == region)
    return db.session.execute(query.order_by(Connection.id)).scalars().first()


def deactivate(connection: Connection) -> None:
    if connection.deactivated_at is None:
        connection.deactivated_at = utcnow()
        record(connection.user_id, connection, EventKind.DEACTIVATED)
        db.session.commit()


def reactivate(connection: Connection) -> None:
    if connection.deactivated_at is not None:
        connection.deactivated_at = None
        record(connection.user_id, connection, EventKind.REACTIVATED)
        db.session.commit()


def as_json(connection: Connection) -> dict:
    current = status(connection)
    return {
        "id": connection.id,
        "region": connection.region,
        "marketplace": connection.marketplace,
        "selling_partner_id": connection.selling_partner_id,
        "state": current.state.value,
        "authorized_at": iso(connection.authorized_at),
        "expires_at": iso(connection.expires_at),
        "days_left": current.days_left,
        **hooks.connection_json(connection),  # the connector's synchronisation
    }


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"
