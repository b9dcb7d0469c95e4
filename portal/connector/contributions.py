"""What the connector adds to pages that others own (see portal/hooks.py): its keys on the
merchant's token page."""

from flask import Flask
from flask_babel import get_timezone
from flask_login import current_user

from .. import hooks
from ..amazon.contributions import merchant
from . import keys


def keys_section() -> hooks.Partial | None:
    if not merchant(current_user):
        return None
    mine = keys.keys_of(current_user.id)
    shown = tuple((k.id, k.name, k.hint, k.created_at, k.last_used_at, k.revoked_at) for k in mine)
    return hooks.Partial(
        "connector/_keys.html", {"connector_keys": mine}, (shown, str(get_timezone()))
    )


def add_hooks(app: Flask) -> None:
    hooks.add(app, hooks.ACCOUNT_SECTION, keys_section)
    hooks.add(app, hooks.USER_LOADING, keys.read_with_user)
