"""Support pages under /<lang>/support/: only for the support and admin roles."""

from functools import wraps

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import faq, hooks
from ..accounts.models import Role, User
from ..accounts.services import end_sessions
from ..amazon.connections import with_status
from ..extensions import db
from ..i18n import LANGUAGES, localized_blueprint, page_language
from ..pagecache import per_language
from ..security import keep_private
from . import services, trends

bp = localized_blueprint("support", __name__, "/support")


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


bp.after_request(keep_private)


@bp.get("/")
@staff_required
def index() -> ResponseReturnValue:
    """Find a merchant by email or selling partner id."""
    query = request.args.get("q", "")
    return render_template(
        "support/index.html", query=query, merchants=services.find_merchants(query)
    )


def merchant_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.role is not Role.MERCHANT:
        abort(404)
    return user


@bp.get("/merchants/<int:user_id>")
@staff_required
def merchant(user_id: int) -> ResponseReturnValue:
    """A merchant's connections, their state, dates and history: never a token."""
    user = merchant_or_404(user_id)
    connections = with_status(user.id)
    return render_template(
        "support/merchant.html",
        merchant=user,
        connections=connections,
        can_end_sessions=current_user.role is Role.ADMIN,
    )


@bp.post("/merchants/<int:user_id>/logout-everywhere")
@staff_required
def logout_everywhere(user_id: int) -> ResponseReturnValue:
    """Administrators only: end every session of a merchant (a lost device, a stolen cookie)."""
    if current_user.role is not Role.ADMIN:
        abort(403)
    user = merchant_or_404(user_id)
    end_sessions(user)
    db.session.commit()
    flash(_("%(email)s has been logged out everywhere.", email=user.email), "success")
    return redirect(url_for(".merchant", user_id=user.id), 303)


@bp.get("/link")
@staff_required
def link() -> ResponseReturnValue:
    """Build the link for a customer: article, the customer's language, the exact step."""
    library = faq.library()
    articles = faq.list_articles(g.lang, include_internal=True)
    article_id = request.args.get("article", type=int) or current_app.config["TOKEN_ARTICLE_ID"]
    page = faq.get_article(article_id, g.lang, include_internal=True)
    if page is None:
        abort(404)
    customer_lang = request.args.get("customer_lang")
    customer_lang = customer_lang if customer_lang in LANGUAGES else None
    anchors = services.anchors(page)
    anchor = request.args.get("anchor")
    anchor = anchor if anchor in dict(anchors) else None
    result = services.customer_link(article_id, customer_lang, anchor) if customer_lang else None
    return render_template(
        "support/link.html",
        articles=articles,
        page=page,
        anchors=anchors,
        chosen={"lang": customer_lang, "anchor": anchor},
        result=result,
        translated=customer_lang in library.articles[article_id].translations
        if customer_lang
        else True,
    )


@bp.get("/dashboard")
@staff_required
def dashboard() -> ResponseReturnValue:
    """Totals per language, and the last weeks' trends for a language and an article."""
    chosen, error = trends.read_filters(request.args)
    page = render_template(
        "support/dashboard.html",
        stats=services.dashboard(),
        charts=trends.charts(chosen, g.lang),
        chosen=chosen,
        filter_error=error,
        articles=faq.list_articles(g.lang, include_internal=True),
    )
    return page, 400 if error else 200


def support_home() -> str:
    return url_for("support.index", lang=page_language())


def support_link() -> hooks.NavItem | None:
    if not (current_user.is_authenticated and current_user.is_staff):
        return None
    return per_language("support-link", lambda: hooks.NavItem(_("Support"), support_home()))


def support_start(user) -> str | None:
    """Support staff start on the support pages."""
    return support_home() if user.is_staff else None


def add_hooks(app: Flask) -> None:
    hooks.add(app, hooks.NAVIGATION, support_link)
    hooks.add(app, hooks.LANDING, support_start)
