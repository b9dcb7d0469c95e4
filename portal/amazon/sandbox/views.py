"""The simulated Seller Central pages, LWA token endpoint and SP-API call."""

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from ... import hooks
from ...extensions import db
from ...urls import with_query
from ..client import draft_version, portal_url
from ..flow import redirect_uri
from . import sellers, services
from .models import Authorization, TokenRequest

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")
SELLER_COOKIE = "sandbox_seller"
SC = "/seller-central"


OUTAGE_LABELS = {
    "": _l("Answers normally"),
    "500": _l("Fails with HTTP 500 (server_error)"),
    "503": _l("Fails with HTTP 503 (temporarily_unavailable)"),
    "timeout": _l("Does not answer in time"),
    "not_json": _l("Answers with a page that is not JSON"),
    "invalid_client": _l("Rejects the client secret (invalid_client)"),
}


SIGN_IN_PROBLEMS = {
    "wrong": _l("The seller name or the password is wrong."),
    "name_missing": _l("Enter the name of the shop."),
    "name_taken": _l("A seller account with this name exists already."),
    "password_short": _l(
        "Choose a password of at least %(count)s characters.", count=sellers.MIN_PASSWORD
    ),
}


def demo_banner() -> hooks.Partial:
    """Every page says that Seller Central is simulated, and links to it."""
    return hooks.Partial("sandbox/_banner.html", key=())


def add_hooks(app: Flask) -> None:
    hooks.add(app, hooks.BANNER, demo_banner)
    hooks.add(app, hooks.SAME_ORIGIN_REFERRER, bp.name)


@bp.app_context_processor
def sandbox_helpers() -> dict:
    return {"outage_label": lambda value: OUTAGE_LABELS[value]}


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def signed_in_seller() -> services.Seller | None:
    """The seller this browser signed in as; a forged or tampered cookie names nobody."""
    if "sandbox_seller" not in g:
        g.sandbox_seller = sellers.seller_of_token(request.cookies.get(SELLER_COOKIE))
    return g.sandbox_seller


def to_signin() -> ResponseReturnValue:
    """Seller Central asks to sign in first, then comes back here."""
    return redirect(url_for(".signin", next=request.full_path))


def page(template: str, status: int = 200, **context) -> ResponseReturnValue:
    return render_template(
        f"sandbox/{template}",
        seller=signed_in_seller(),
        min_password=sellers.MIN_PASSWORD,
        **context,
    ), status


def refusal(code: str) -> ResponseReturnValue:
    """Amazon shows configuration errors on its own page and does not redirect."""
    return page("error.html", 400, code=code)


@bp.get("/")
def index() -> ResponseReturnValue:
    return page("index.html")


@bp.route(f"{SC}/signin", methods=["GET", "POST"])
def signin() -> ResponseReturnValue:
    """The simulated Seller Central sign-in: a seller's name (or id) and password, or a new one."""
    target = request.values.get("next") or url_for(".manage")
    if not target.startswith("/sandbox/"):
        target = url_for(".manage")
    if request.method == "GET":
        return page("signin.html", next=target)
    form = request.form
    if "new_name" in form:
        try:
            seller = sellers.create_seller(
                form["new_name"], form.get("region", ""), form.get("new_password", "")
            )
        except sellers.Refused as refused:
            return signin_refused(target, refused.code, creating=True)
    else:
        seller = sellers.sign_in(form.get("seller", ""), form.get("password", ""))
        if seller is None:
            return signin_refused(target, "wrong", creating=False)
    response = redirect(target, 303)
    response.set_cookie(
        SELLER_COOKIE,
        sellers.sign_in_token(seller),
        max_age=int(sellers.SIGN_IN_LIFETIME.total_seconds()),
        path=url_for(".index"),
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response


def signin_refused(target: str, code: str, creating: bool) -> ResponseReturnValue:
    return page("signin.html", 400, next=target, problem=SIGN_IN_PROBLEMS[code], creating=creating)


@bp.post(f"{SC}/signout")
def signout() -> ResponseReturnValue:
    response = redirect(url_for(".index"), 303)
    response.delete_cookie(SELLER_COOKIE, path=url_for(".index"))
    return response


def consent_problem(args) -> str | None:
    """Amazon's error codes for a consent request it refuses (MD1000, MD5101, MD5110)."""
    if args.get("application_id") != current_app.config["AMAZON_APPLICATION_ID"]:
        return "unknown_application"
    if current_app.config["AMAZON_DRAFT_APP"] and args.get("version") != "beta":
        return "MD1000"
    if "#" in (args.get("redirect_uri") or ""):
        return "MD5110"
    if args.get("redirect_uri") not in (None, redirect_uri()):
        return "MD5101"
    return None


@bp.route(f"{SC}/apps/authorize/consent", methods=["GET", "POST"])
def consent() -> ResponseReturnValue:
    args = request.values
    problem = consent_problem(args)
    if problem:
        return refusal(problem)
    seller = signed_in_seller()
    if seller is None:
        return to_signin()
    if request.method == "GET" or (
        request.form.get("action") == "confirm" and not request.form.get("agree")
    ):
        return page("consent.html", args=args, missing_agreement=request.method == "POST")
    target = args.get("redirect_uri") or redirect_uri()
    if request.form.get("action") != "confirm":
        return page(
            "cancelled.html",
            back=with_query(
                target,
                error="access_denied",
                state=args.get("state"),
                error_description="The seller did not authorize the application.",
            ),
        )
    code = services.authorize(seller, current_app.config["AMAZON_CLIENT_ID"], target)
    return redirect(
        with_query(
            target,
            state=args.get("state"),
            selling_partner_id=seller.selling_partner_id,
            spapi_oauth_code=code,
        )
    )


@bp.get(f"{SC}/apps/manage")
def manage() -> ResponseReturnValue:
    """Manage Your Apps: the seller's authorizations, with Re-authorize and Revoke."""
    seller = signed_in_seller()
    if seller is None:
        return to_signin()
    return page(
        "manage.html", authorizations=services.authorizations_of(seller), now=services.utcnow()
    )


def own_authorization(authorization_id: int) -> Authorization:
    authorization = db.session.get(Authorization, authorization_id)
    seller = signed_in_seller()
    if authorization is None or seller is None or authorization.seller_id != seller.id:
        abort(404)
    return authorization


@bp.route(f"{SC}/apps/manage/<int:authorization_id>/reauthorize", methods=["GET", "POST"])
def reauthorize(authorization_id: int) -> ResponseReturnValue:
    """Re-authorize: review the access, then "Log in to the app now" through its Login URI."""
    authorization = own_authorization(authorization_id)
    if request.method == "GET":
        return page("reauthorize.html", authorization=authorization)
    amazon_state = services.issue_amazon_state(authorization.seller)
    # The Login URI registered for the application, and Seller Central's own address.
    callback = portal_url("sandbox.confirm", application_id=authorization.application_id)
    login_uri = portal_url("amazon.login_uri")
    version = draft_version()
    return redirect(
        with_query(
            login_uri,
            amazon_callback_uri=callback,
            amazon_state=amazon_state,
            selling_partner_id=authorization.seller.selling_partner_id,
            version=version,
        )
    )


@bp.post(f"{SC}/apps/manage/<int:authorization_id>/revoke")
def revoke(authorization_id: int) -> ResponseReturnValue:
    services.revoke(own_authorization(authorization_id))
    return redirect(url_for(".manage"), 303)


@bp.get(f"{SC}/apps/authorize/confirm/<application_id>")
def confirm(application_id: str) -> ResponseReturnValue:
    """Where the Login URI sends the browser back: Amazon checks its own state and redirects."""
    args = request.args
    problem = consent_problem({**args.to_dict(), "application_id": application_id})
    if problem:
        return refusal(problem)
    seller = signed_in_seller()
    if seller is None:
        return to_signin()
    try:
        grant = services.use_amazon_state(args.get("amazon_state"), seller)
    except sellers.Refused as refused:
        return refusal(refused.code)
    target = args.get("redirect_uri") or redirect_uri()
    code = services.authorize(grant.seller, current_app.config["AMAZON_CLIENT_ID"], target)
    return redirect(
        with_query(
            target,
            state=args.get("state"),
            selling_partner_id=grant.seller.selling_partner_id,
            spapi_oauth_code=code,
        )
    )


@bp.route("/controls", methods=["GET", "POST"])
def controls() -> ResponseReturnValue:
    """Switches for demos and tests: make the token endpoint fail, move the seller's dates."""
    seller = signed_in_seller()
    if seller is None:
        return to_signin()
    if request.method == "POST":
        if request.form.get("outage") in services.OUTAGES:
            services.set_setting("outage", request.form["outage"])
        if request.form.get("connection") and request.form.get("days_left") is not None:
            move_dates(seller)
        return redirect(url_for(".controls"), 303)
    requests_seen = db.session.execute(
        db.select(TokenRequest).order_by(TokenRequest.id.desc()).limit(10)
    ).scalars()
    return page(
        "controls.html",
        outage=services.setting("outage"),
        outages=services.OUTAGES,
        connections=services.connections_of_seller(seller),
        requests_seen=requests_seen,
    )


def move_dates(seller: services.Seller) -> None:
    """Move the dates of one of this seller's connections; another's is not found."""
    connection_id = request.form.get("connection", type=int)
    days = request.form.get("days_left", type=int)
    mine = {c.id: c for c in services.connections_of_seller(seller)}
    if connection_id not in mine:
        abort(404)
    if days is None or not -400 <= days <= 400:
        abort(400)
    services.move_dates(mine[connection_id], days)
