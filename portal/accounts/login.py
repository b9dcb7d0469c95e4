"""Flask-Login set-up: how users are loaded and where anonymous visitors are sent."""

from flask import Flask, jsonify, redirect, request, url_for
from flask_login import LoginManager

from ..extensions import db
from ..i18n import negotiated_language
from .models import User

login_manager = LoginManager()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def unauthorized():
    """APIs answer 401; pages send the visitor to log in and come back to the same place."""
    if request.path.startswith("/api/"):
        return jsonify(error="unauthorized"), 401
    return redirect(
        url_for("accounts.login", lang=negotiated_language(), next=request.full_path.rstrip("?"))
    )


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
