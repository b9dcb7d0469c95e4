"""The merchant's connector keys on the token page: create one (shown once), revoke one."""

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..amazon.contributions import token_page_url
from ..i18n import localized_blueprint
from ..security import private_page
from . import keys

pages = localized_blueprint("connector_pages", __name__, "/account/connector-keys")


def back_to_keys() -> ResponseReturnValue:
    return redirect(token_page_url() + "#connector-keys", 303)


@pages.before_request
@login_required
def merchants_only() -> None:
    if current_user.is_staff:
        abort(403)  # staff have no connector of their own


@pages.post("")
def create() -> ResponseReturnValue:
    name = request.form.get("name", "")
    if not keys.valid_name(name):
        flash(
            _(
                "Give the key a name of at most %(count)d characters, such as the shop that "
                "uses it.",
                count=keys.NAME_LENGTH,
            ),
            "error",
        )
        return back_to_keys()
    key, plain = keys.create(current_user.id, name.strip())
    page = render_template("connector/key_created.html", key=key, plain=plain)
    return private_page(page)


@pages.post("/<int:key_id>/revoke")
def revoke(key_id: int) -> ResponseReturnValue:
    key = keys.key_of(current_user.id, key_id)
    if key is None:
        abort(404)
    keys.revoke(key)
    flash(
        _(
            "The key “%(name)s” is revoked: the connector that uses it no longer gets access "
            "to Amazon.",
            name=key.name,
        ),
        "success",
    )
    return back_to_keys()
