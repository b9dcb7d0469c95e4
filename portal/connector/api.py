"""The connector's API (JSON, `Authorization: Bearer <key>`): its merchant's connections and
an access token for each; the refresh token never leaves the portal."""

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import ValidationError

from ..accounts.models import User
from ..amazon import access, connections
from ..amazon.client import portal_url, spapi_url
from ..amazon.models import Connection
from ..amazon.state import TokenState
from ..extensions import db
from ..security import keep_private, limiter
from . import keys, openapi, sync, webhooks
from .shapes import connection_json, run_json

bp = Blueprint("connector_api", __name__, url_prefix="/api/v1/connector")
# Public and merchant-facing routes (no connector key): the document, a connection's runs.
docs = Blueprint("connector_docs", __name__)
MAX_REPORT_BYTES = 8192


def bearer() -> str:
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def per_key() -> str:
    """Rate limits count per key presented (checked before the key is looked up)."""
    return "connector:" + keys.digest_of(bearer())[:32]


limit = limiter.limit(lambda: current_app.config["CONNECTOR_API_LIMIT"], key_func=per_key)


def error(status: int, code: str, message: str, **extra: object) -> ResponseReturnValue:
    response = keep_private(jsonify(error=code, message=message, **extra))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="connector"'
    return response


def merchant() -> User:
    return db.session.get(User, g.connector_key.user_id)


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    named = (request.view_args or {}).get("connection_id")
    key, g.named_connection = keys.key_and_connection(bearer(), named)
    if key is None:
        return error(401, "unauthorized", _("A valid connector key is needed."))
    g.connector_key = key
    return None


def keys_connection(connection_id: int) -> Connection:
    """The connection if it belongs to the key's merchant (read with the key); else 404."""
    connection = g.named_connection
    if connection is None or connection.id != connection_id:
        abort(error(404, "not_found", _("No such connection for this key.")))
    return connection


@bp.get("/connections")
@limit
def list_connections() -> ResponseReturnValue:
    mine = connections.connections_of(g.connector_key.user_id)
    return keep_private(jsonify([connection_json(connection) for connection in mine]))


@bp.post("/connections/<int:connection_id>/access-token")
@limit
def access_token(connection_id: int) -> ResponseReturnValue:
    connection = keys_connection(connection_id)
    try:
        grant = access.grant(connection)
    except access.NoAccess as refused:
        return no_access(refused.state)
    except access.AmazonUnavailable as failure:
        if failure.timed_out:
            return error(504, "amazon_timeout", _("Amazon did not answer in time. Try again."))
        return error(502, "amazon_unavailable", _("Amazon is not available. Try again later."))
    return keep_private(
        jsonify(
            access_token=grant.access_token,
            token_type="bearer",
            expires_at=connections.iso(grant.expires_at),
            selling_partner_id=connection.selling_partner_id,
            region=connection.region,
            spapi_url=spapi_url(connection.region),
        )
    )


@bp.post("/connections/<int:connection_id>/sync-runs")
@limit
def report_run(connection_id: int) -> ResponseReturnValue:
    """A synchronisation run: stored once by its run_id (201, then 200 for a repeat)."""
    connection = keys_connection(connection_id)
    body = request.stream.read(MAX_REPORT_BYTES + 1)
    if len(body) > MAX_REPORT_BYTES:
        return invalid([f"body: larger than {MAX_REPORT_BYTES} bytes"])
    try:
        report = sync.RunReport.model_validate_json(body)
    except ValidationError as refused:
        return invalid([problem(detail) for detail in refused.errors(include_url=False)])
    if problems := report.problems():
        return invalid(problems)
    run, new = sync.record(connection, report)
    current = sync.sync_of(connection, sync.summary_of(connection.id, run.kind), run.kind)
    answer = keep_private(jsonify(run=run_json(run), sync=sync.as_json(current)))
    answer.status_code = 201 if new else 200
    return answer


@bp.post("/webhooks")
@limit
def add_webhook() -> ResponseReturnValue:
    """Register an endpoint: {"url", "events"} -> {"id", "secret"} (the secret shown once)."""
    body = request.get_json(silent=True)
    try:
        wanted = webhooks.Registration.model_validate(body)
        endpoint, secret = webhooks.register(g.connector_key.user_id, wanted.url, wanted.events)
    except ValidationError as refused:
        return invalid_webhook([problem(detail) for detail in refused.errors(include_url=False)])
    except webhooks.RefusedEndpoint as refused:
        return invalid_webhook([f"url: {refused}"])
    answer = keep_private(jsonify(webhook_json(endpoint) | {"secret": secret}))
    answer.status_code = 201
    return answer


@bp.get("/webhooks")
@limit
def list_webhooks() -> ResponseReturnValue:
    mine = webhooks.endpoints_of(g.connector_key.user_id)
    return keep_private(jsonify([webhook_json(endpoint) for endpoint in mine]))


@bp.delete("/webhooks/<int:endpoint_id>")
@limit
def remove_webhook(endpoint_id: int) -> ResponseReturnValue:
    if not webhooks.remove(g.connector_key.user_id, endpoint_id):
        return error(404, "not_found", _("No such webhook for this key."))
    return "", 204


@bp.post("/webhooks/<int:endpoint_id>/test")
@limit
def test_webhook(endpoint_id: int) -> ResponseReturnValue:
    """Queue a "test" event for this endpoint only; it is delivered like the others."""
    message = webhooks.send_test(g.connector_key.user_id, endpoint_id)
    if message is None:
        return error(404, "not_found", _("No such webhook for this key."))
    answer = keep_private(jsonify(webhook_id=message.msg_id))
    answer.status_code = 202
    return answer


def webhook_json(endpoint) -> dict:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events.split(),
        "failing_since": connections.iso(endpoint.failing_since)
        if endpoint.failing_since
        else None,
    }


def invalid_webhook(problems: list[str]) -> ResponseReturnValue:
    message = _("The webhook was not registered: it is not valid.")
    return error(400, "invalid_webhook", message, problems=problems)


def invalid(problems: list[str]) -> ResponseReturnValue:
    message = _("The report was not stored: it is not valid.")
    return error(400, "invalid_report", message, problems=problems)


def problem(detail: dict) -> str:
    where = ".".join(str(part) for part in detail["loc"]) or "body"
    return f"{where}: {detail['msg']}"


def no_access(state: TokenState) -> ResponseReturnValue:
    """409, in the merchant's language, with the link to the article's renewal steps."""
    language = merchant().language
    with force_locale(language):
        message = NO_ACCESS[state]()
    return error(409, state.value, message, renew_url=renew_url(language))


# Shown by the connector to the merchant, in the merchant's language.
NO_ACCESS = {
    TokenState.EXPIRED: lambda: _(
        "Your Amazon token has expired: stock, prices and orders are no longer synchronised "
        "until you renew it."
    ),
    TokenState.DEACTIVATED: lambda: _(
        "You have deactivated this Amazon connection in the portal: reactivate it to resume "
        "synchronisation."
    ),
    TokenState.REVOKED: lambda: _(
        "Amazon no longer accepts this authorization (withdrawn in Seller Central, or lapsed): "
        "renew it to resume synchronisation."
    ),
    TokenState.NOT_CONNECTED: lambda: _(
        "This Amazon account has never been authorized: grant the authorization in the portal "
        "first."
    ),
}


def renew_url(language: str) -> str:
    article = current_app.config["TOKEN_ARTICLE_ID"]
    return portal_url("faq_root.short_link", article_id=article, lang=language) + "#steps"


@docs.get("/api/v1/openapi.json")
def openapi_document() -> ResponseReturnValue:
    """The connector API described in OpenAPI 3.1 (public: it holds no secret)."""
    response = jsonify(openapi.document())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@docs.get("/api/v1/amazon/connections/<int:connection_id>/sync-runs")
@login_required
def merchant_runs(connection_id: int) -> ResponseReturnValue:
    """For the logged-in merchant: the runs the connector reported, newest first."""
    connection = connections.connection_of(current_user.id, connection_id)
    if connection is None:
        return error(404, "not_found", _("No such connection."))
    return keep_private(jsonify([run_json(run) for run in sync.runs_of(connection.id)]))
