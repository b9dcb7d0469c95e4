"""The merchant's side of the authorization: start, callback, Login URI, actions, API, page."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import hooks
from ..i18n import LANGUAGES, localized_blueprint
from ..pagecache import personal_page
from ..security import keep_private, limiter, private_page
from ..urls import is_own_path
from . import connections, flow, seller_central, spapi
from .marketplaces import MARKETPLACES
from .messages import FAILURES
from .models import Connection
from .overview import token_overview

bp = Blueprint("amazon", __name__)
pages = localized_blueprint("amazon_pages", __name__)


def form_lang() -> str:
    """The language of the page a form was posted from."""
    lang = request.values.get("lang")
    return lang if lang in LANGUAGES else current_user.language


@bp.before_request
def merchant_language() -> None:
    """Pages without a language in their URL (and their errors) speak the merchant's."""
    if current_user.is_authenticated:
        g.lang = form_lang()


def merchant_key() -> str:
    """Rate limits count per merchant: the views below need a log-in first."""
    return f"user:{current_user.id}"


login_uri_limit = limiter.limit(
    lambda: current_app.config["AMAZON_LOGIN_LIMIT"], key_func=merchant_key
)
verify_limit = limiter.limit(
    lambda: current_app.config["AMAZON_VERIFY_LIMIT"], key_func=merchant_key
)


def account_page(lang: str, connection_id: int | None = None) -> ResponseReturnValue:
    anchor = f"#connection-{connection_id}" if connection_id else ""
    return redirect(url_for("amazon_pages.account", lang=lang) + anchor, 303)


def to_amazon(url: str) -> ResponseReturnValue:
    response = redirect(url)
    # Amazon asks apps not to leak the state or the code through the Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def own_connection(connection_id: int) -> Connection:
    connection = connections.connection_of(current_user.id, connection_id)
    if connection is None:
        abort(404)
    return connection


@bp.post("/amazon/authorize")
@login_required
def authorize() -> ResponseReturnValue:
    """Request or renew a token: ask step 2's question, then off to Seller Central's consent."""
    marketplace = request.form.get("marketplace", "")
    connection = None
    if request.form.get("connection"):
        connection = own_connection(request.form.get("connection", type=int) or 0)
        marketplace = marketplace or connection.marketplace
    if marketplace not in MARKETPLACES:
        abort(400)
    if not request.form.get("confirmed"):
        return render_template("amazon/confirm.html")
    popup = request.form.get("popup") == "1"
    back = request.form.get("next")
    url = flow.start(current_user.id, marketplace, form_lang(), connection, popup,
                         back if is_own_path(back) else None)  # fmt: skip
    return to_amazon(url)


def flow_lang(flow: dict) -> str:
    return flow["lang"] if flow.get("lang") in LANGUAGES else current_user.language


def finished(flow: dict, connection: Connection, message: str) -> ResponseReturnValue:
    return back_to_start(flow, True, message, connection.id)


def failed(failure: flow.AuthorizationFailed) -> ResponseReturnValue:
    with force_locale(flow_lang(failure.flow)):
        message = str(FAILURES[failure.reason]) % {"product": current_app.config["PRODUCT_NAME"]}
    connection_id = failure.connection.id if failure.connection else None
    return back_to_start(failure.flow, False, message, connection_id)


def back_to_start(
    flow: dict, ok: bool, message: str, connection_id: int | None
) -> ResponseReturnValue:
    """Tell the merchant where the page they started from waits: the pop-up, or that page."""
    lang = flow_lang(flow)
    if flow.get("popup"):
        g.lang = lang
        return render_template("amazon/popup_result.html", ok=ok, message=message)
    flash(message, "success" if ok else "error")
    if flow.get("next"):
        return redirect(flow["next"], 303)
    return account_page(lang, connection_id)


@bp.get("/amazon/callback")
@login_required
def callback() -> ResponseReturnValue:
    """Amazon's redirect after the merchant confirmed (or did not) in Seller Central."""
    try:
        done = flow.complete(current_user.id, request.args.to_dict())
    except flow.AuthorizationFailed as failure:
        return failed(failure)
    except flow.AccountMismatch as mismatch:
        return render_template("amazon/other_account.html", mismatch=mismatch)
    with force_locale(flow_lang(done.flow)):
        message = _(
            "Done: %(product)s is connected to your Amazon seller account until %(date)s.",
            product=current_app.config["PRODUCT_NAME"],
            date=format_date(done.connection.expires_at, "long"),
        )
    return finished(done.flow, done.connection, message)


@bp.post("/amazon/other-account")
@login_required
def other_account() -> ResponseReturnValue:
    """The answer to "add this other seller account?" after a renewal brought another one."""
    try:
        done = flow.confirm_other_account(current_user.id, request.form.get("add") == "yes")
    except flow.AuthorizationFailed as failure:
        return failed(failure)
    with force_locale(flow_lang(done.flow)):
        message = _(
            "The seller account %(id)s has been added.", id=done.connection.selling_partner_id
        )
    return finished(done.flow, done.connection, message)


@bp.route("/amazon/login", methods=["GET", "POST"])
@login_required
@login_uri_limit
def login_uri() -> ResponseReturnValue:
    """The Login URI: a renewal begun in Seller Central (Re-authorize), confirmed here first.

    Anyone can start a renewal for their own seller account and send the link on: only the
    merchant's POST from this page, naming the seller account, goes back to Seller Central.
    """
    fields = request.form if request.method == "POST" else request.args
    try:
        asked = seller_central.login_request(current_user.id, fields.to_dict())
    except flow.AuthorizationFailed:
        abort(400)
    # A seller account never connected before is added only when the merchant says so.
    agreed = asked.existing is not None or request.form.get("add_new") == "1"
    if request.method == "GET" or not agreed:
        page = private_page(render_template("amazon/login_uri.html", asked=asked))
        page.status_code = 200 if request.method == "GET" else 400
        return page
    return to_amazon(
        seller_central.start_from_seller_central(current_user.id, asked, current_user.language)
    )


@bp.post("/amazon/connections/<int:connection_id>/verify")
@login_required
@verify_limit
def verify(connection_id: int) -> ResponseReturnValue:
    connection = own_connection(connection_id)
    check = spapi.verify(connection)
    lang = form_lang()
    with force_locale(lang):
        if check.ok:
            flash(_("The connection works. Marketplaces: %(list)s.", list=check.detail), "success")
        elif connection.revoked_at:
            flash(
                _("Amazon no longer accepts this authorization. Please renew the token."), "error"
            )
        else:
            flash(
                _(
                    "The connection could not be checked right now. "
                    "Please try again in a few minutes."
                ),
                "error",
            )
    return account_page(lang, connection.id)


DEACTIVATED = _l("The token is deactivated: stock, price and order synchronization has stopped.")
REACTIVATED = _l("The token is active again.")


def back_with(connection: Connection, message) -> ResponseReturnValue:
    """Say what was done, in the page's language, on the account page."""
    lang = form_lang()
    with force_locale(lang):
        flash(str(message), "success")
    return account_page(lang, connection.id)


@bp.post("/amazon/connections/<int:connection_id>/deactivate")
@login_required
def deactivate(connection_id: int) -> ResponseReturnValue:
    connection = own_connection(connection_id)
    connections.deactivate(connection)
    return back_with(connection, DEACTIVATED)


@bp.post("/amazon/connections/<int:connection_id>/reactivate")
@login_required
def reactivate(connection_id: int) -> ResponseReturnValue:
    connection = own_connection(connection_id)
    connections.reactivate(connection)
    return back_with(connection, REACTIVATED)


@bp.get("/api/v1/amazon/connections")
@login_required
def api_connections() -> ResponseReturnValue:
    mine = connections.connections_of(current_user.id)
    return keep_private(jsonify([connections.as_json(connection) for connection in mine]))


@pages.get("/account/amazon")
@login_required
def account() -> ResponseReturnValue:
    """The merchant's connections, their state and what they can do, beside the article's steps.

    Kept while none of it changes: merchants come back to it at each step of a renewal.
    """

    def render() -> str:
        return render_template(
            "amazon/account.html",
            overview=token_overview(current_user.id, g.lang),
            sections=hooks.parts(hooks.ACCOUNT_SECTION),  # the connector's keys
            marketplaces=MARKETPLACES,
        )

    return private_page(personal_page(("token-page",), render))


REFRESHED_PARTS = {
    "account": "amazon/_account_overview.html",
    "article": "amazon/_article_box.html",
}


@pages.get("/account/amazon/live")
@login_required
def refreshed_part() -> ResponseReturnValue:
    """The live part of a page, fetched again when an authorization in a pop-up finished."""
    template = REFRESHED_PARTS.get(request.args.get("context", ""))
    if template is None:
        abort(404)
    back = request.args.get("next")
    return private_page(
        render_template(
            template,
            overview=token_overview(current_user.id, g.lang),
            return_to=back if is_own_path(back) else None,
        )
    )
