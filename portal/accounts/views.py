"""Log-in and log-out pages, in the reader's language."""

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..i18n import localized_blueprint
from ..security import limit_logins
from ..urls import is_own_path
from .forms import LoginForm
from .services import find_user

bp = localized_blueprint("accounts", __name__)


def landing_page() -> str:
    return url_for("amazon_pages.account", lang=g.lang)


@bp.route("/login", methods=["GET", "POST"])
@limit_logins
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    target = form.next.data if is_own_path(form.next.data) else landing_page()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target)
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.check_password(form.password.data):
            login_user(user)
            return redirect(target)
        form.password.errors.append(_("The email address or the password is not correct."))
    response = render_template("accounts/login.html", form=form)
    return response, 400 if form.errors else 200


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        logout_user()
        flash(_("You have been logged out."))
    return redirect(url_for("faq.home", lang=g.lang))
