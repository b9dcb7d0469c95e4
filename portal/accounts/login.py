"""Flask-Login set-up: how users are loaded and where anonymous visitors are sent."""

from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask_login import LoginManager, current_user

from .. import hooks
from ..extensions import db
from ..i18n import negotiated_language
from . import sessions
from .models import User

login_manager = LoginManager()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, while the session is still valid (version, idle and total time)."""
    if not user_id.isdigit():
        return sessions.check(None)
    options = [option() for option in hooks.get(hooks.USER_LOADING)]
    return sessions.check(db.session.get(User, int(user_id), options=options))


@login_manager.unauthorized_handler
def unauthorized():
    """APIs answer 401; pages send the visitor to log in and come back to the same place."""
    if request.path.startswith("/api/"):
        return jsonify(error="unauthorized"), 401
    return redirect(
        url_for("accounts.login", lang=negotiated_language(), next=request.full_path.rstrip("?"))
    )


def logged_in() -> bool:
    """current_user.is_authenticated, without loading a user for a request that has no session.

    Readers of the FAQ mostly come without one; there is no "remember me" cookie.
    """
    has_session = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    return has_session and current_user.is_authenticated


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
