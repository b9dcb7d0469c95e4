"""What the connector adds to pages that others own (see portal/hooks.py): its keys on the
merchant's token page."""

from functools import cache

from flask import Flask
from flask_babel import get_timezone
from flask_login import current_user
from sqlalchemy.orm import Load, joinedload

from .. import hooks
from ..accounts.models import User
from ..amazon.contributions import merchant
from ..amazon.models import Connection
from . import keys, sync, webhooks, worker  # noqa: F401 (worker: sends after each commit)
from .messages import KINDS, RUN_STATUSES, STATES


def keys_section() -> hooks.Partial | None:
    if not merchant(current_user):
        return None
    mine = keys.keys_of(current_user.id)
    shown = tuple((k.id, k.name, k.hint, k.created_at, k.last_used_at, k.revoked_at) for k in mine)
    return hooks.Partial(
        "connector/_keys.html", {"connector_keys": mine}, (shown, str(get_timezone()))
    )


def webhooks_section() -> hooks.Partial | None:
    """The merchant's webhook endpoints, each with its newest attempts."""
    if not merchant(current_user):
        return None
    mine = webhooks.endpoints_of(current_user.id)
    shown = tuple((e.id, e.url, e.events, e.failing_since, e.last_attempt_id) for e in mine)
    values = {"endpoints": mine, "event_types": webhooks.SUBSCRIBABLE}
    return hooks.Partial("connector/_webhooks.html", values, (shown, str(get_timezone())))


def sync_facts(connection: Connection, detailed: bool) -> hooks.Partial:
    """What the connector's reports say of a connection's synchronisation, kind by kind; in
    detail, with the runs it reported (read only when the part is rendered again)."""
    syncs = sync.syncs_of(connection)
    values = {"syncs": syncs, "detailed": detailed, "connection_id": connection.id}
    key = (connection.id, tuple(syncs), detailed, str(get_timezone()))
    return hooks.Partial("connector/_sync_facts.html", values, key)


def sync_json(connection: Connection) -> dict:
    return {"sync": {s.kind.value: sync.as_json(s) for s in sync.syncs_of(connection)}}


@cache  # an option is immutable; building it costs more than the query it shapes
def summaries_with_user() -> Load:
    return joinedload(User.amazon_connections).joinedload(Connection.sync_summaries)


def add_hooks(app: Flask) -> None:
    development = app.config["ENV"] == "development"
    if app.config["CONNECTOR_WEBHOOKS_PRIVATE_OK"] is None:
        app.config["CONNECTOR_WEBHOOKS_PRIVATE_OK"] = development
    if app.config["CONNECTOR_WEBHOOKS_DELIVER_AT_ONCE"] is None:
        app.config["CONNECTOR_WEBHOOKS_DELIVER_AT_ONCE"] = development and not app.testing
    hooks.add(app, hooks.CONNECTION_EVENT, webhooks.on_event)
    hooks.add(app, hooks.TOKEN_REMINDER, webhooks.on_reminder)
    hooks.add(app, hooks.ROTATE_KEYS, webhooks.rotate_secrets)
    hooks.add(app, hooks.ACCOUNT_SECTION, keys_section, webhooks_section)
    hooks.add(
        app, hooks.USER_LOADING, keys.read_with_user, webhooks.read_with_user, summaries_with_user
    )
    hooks.add(app, hooks.CONNECTION_FACTS, sync_facts)
    hooks.add(app, hooks.CONNECTION_JSON, sync_json)
    app.jinja_env.globals.update(
        sync_kind_label=lambda kind: KINDS[kind],
        sync_state_label=lambda state: STATES[state],
        sync_poll_seconds=app.config["CONNECTOR_SYNC_POLL_SECONDS"],
        sync_runs=sync.runs_of,
        webhook_attempts=webhooks.attempts_to,
        run_status_label=lambda status: RUN_STATUSES[status],
    )
