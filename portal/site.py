"""Site-wide routes: the language switch, robots.txt and the favicon."""

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import hooks
from .extensions import db
from .i18n import LANG_COOKIE, LANGUAGES
from .security import remember
from .urls import is_own_path

bp = Blueprint("site", __name__)


@bp.get("/language/<code>")
def switch_language(code: str) -> ResponseReturnValue:
    """Remember the reader's language and go to the page they chose it for."""
    if code not in LANGUAGES:
        abort(404)
    target = request.args.get("next")
    if not is_own_path(target):
        target = hooks.home_url(code)
    return remember(redirect(target), LANG_COOKIE, code)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process is alive."""
    warnings = [warning for check in hooks.get(hooks.READINESS) if (warning := check())]
    return {"status": "ok", "warnings": warnings} if warnings else {"status": "ok"}


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """The portal can serve: its database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("database not reachable")
        return {"status": "database unavailable"}, 503
    warnings = [warning for check in hooks.get(hooks.READINESS) if (warning := check())]
    return {"status": "ok", "warnings": warnings} if warnings else {"status": "ok"}


@bp.get("/robots.txt")
def robots() -> ResponseReturnValue:
    sitemap = url_for("faq_root.sitemap", _external=True)
    body = f"User-agent: *\nDisallow: /language/\nSitemap: {sitemap}\n"
    return current_app.response_class(body, mimetype="text/plain")


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
