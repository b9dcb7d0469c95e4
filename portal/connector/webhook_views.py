"""The merchant's webhook endpoints on the token page: add one (its secret shown once), send a
test event, remove one."""

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ValidationError

from ..amazon.contributions import token_page_url
from ..i18n import localized_blueprint
from ..security import private_page
from . import webhooks
from .views import merchants_only

pages = localized_blueprint("webhook_pages", __name__, "/account/webhooks")
pages.before_request(merchants_only)


def back_to_webhooks() -> ResponseReturnValue:
    return redirect(token_page_url() + "#webhooks", 303)


@pages.post("")
def add() -> ResponseReturnValue:
    wanted = {"url": request.form.get("url", ""), "events": request.form.getlist("events")}
    try:
        registration = webhooks.Registration.model_validate(wanted)
        endpoint, secret = webhooks.register(current_user.id, registration.url, registration.events)
    except (ValidationError, webhooks.RefusedEndpoint):
        message = _("Enter the endpoint's full address (https://…) and choose at least one event.")
        flash(message, "error")
        return back_to_webhooks()
    page = render_template("connector/webhook_created.html", endpoint=endpoint, secret=secret)
    return private_page(page)


@pages.post("/<int:endpoint_id>/test")
def test(endpoint_id: int) -> ResponseReturnValue:
    if webhooks.send_test(current_user.id, endpoint_id) is None:
        abort(404)
    flash(_("A test event is on its way: its attempt appears below."), "success")
    return back_to_webhooks()


@pages.post("/<int:endpoint_id>/remove")
def remove(endpoint_id: int) -> ResponseReturnValue:
    if not webhooks.remove(current_user.id, endpoint_id):
        abort(404)
    flash(_("The endpoint is removed: it gets no more events."), "success")
    return back_to_webhooks()
