"""Log-in, log-out and password pages, in the reader's language."""

from flask import Flask, flash, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import hooks
from ..extensions import db
from ..i18n import localized_blueprint, page_language
from ..pagecache import per_language
from ..security import keep_private
from ..urls import is_own_path
from . import passwords, sessions
from .forms import LoginForm, PasswordForm
from .limits import limit_logins
from .login import logged_in, user_state
from .services import authenticate, change_password, end_sessions

bp = localized_blueprint("accounts", __name__)


def landing_page() -> str:
    """Where a user starts after logging in: what a feature offers them, else the home page."""
    return hooks.first_answer(hooks.LANDING, current_user) or hooks.home_url(g.lang)


@bp.route("/login", methods=["GET", "POST"])
@limit_logins
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    back = form.next.data if is_own_path(form.next.data) else None
    if current_user.is_authenticated and request.method == "GET":
        return redirect(back or landing_page())
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            sessions.start(user)
            return redirect(back or landing_page())
        form.password.errors.append(_("The email address or the password is not correct."))
    response = render_template("accounts/login.html", form=form)
    return response, 400 if form.errors else 200


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # A copy of this session's cookie must not stay logged in: every session ends.
        end_sessions(current_user)
        db.session.commit()
        sessions.end()
        flash(_("You have been logged out."))
    return redirect(hooks.home_url(g.lang))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limit_logins
def password() -> ResponseReturnValue:
    """Change one's password: the other sessions end, this one goes on."""
    form = PasswordForm()
    if form.validate_on_submit():
        if authenticate(current_user.email, form.current_password.data) is None:
            form.current_password.errors.append(_("Your current password is not correct."))
        else:
            change_password(current_user, form.new_password.data)
            db.session.commit()
            sessions.keep(current_user)
            flash(_("Your password has been changed. Your other sessions have ended."), "success")
            return redirect(landing_page())
    page = render_template("accounts/password.html", form=form, min_length=passwords.MIN_LENGTH)
    return keep_private(make_response(page, 400 if form.errors else 200))


def password_link() -> hooks.NavItem | None:
    if not current_user.is_authenticated:
        return None
    return per_language(
        "password-link",
        lambda: hooks.NavItem(_("Password"), url_for("accounts.password", lang=page_language())),
    )


def session_link() -> hooks.NavItem:
    """Log out, a form (it changes state); or log in, coming back to this page."""
    lang = page_language()
    if current_user.is_authenticated:
        return per_language("logout-link", lambda: hooks.NavItem(
            _("Log out"), url_for("accounts.logout", lang=lang), post=True
        ))  # fmt: skip
    back = request.full_path.rstrip("?")
    return hooks.NavItem(_("Log in"), url_for("accounts.login", lang=lang, next=back))


def add_hooks(app: Flask) -> None:
    # A request with a log-in session is about that person: caches keep nothing of it.
    hooks.add(app, hooks.PERSONAL, logged_in)
    # Their pages are kept while the rows read with them are unchanged (pagecache.personal_page).
    hooks.add(app, hooks.PERSONAL_STATE, user_state)
    # The account's own links close the menu (create_app adds them after the features').
    hooks.add(app, hooks.NAVIGATION, password_link, session_link)
