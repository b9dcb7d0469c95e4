"""Security headers, log-in rate limits and the checks that keep a production start safe."""

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.sansio.utils import host_is_trusted

from .accounts.login import logged_in
from .accounts.services import normalize_email
from .amazon.marketplaces import central_hosts

# One per process; each create_app() gives it fresh storage (Redis when PORTAL_REDIS_URL is set).
limiter = Limiter(key_func=get_remote_address)

# Pages that lead to Seller Central never send a Referer to another site, as Amazon asks;
# the redirect to Amazon itself says no-referrer. Same-origin requests keep theirs: Flask-WTF
# checks it on HTTPS, and a browser would otherwise send "Origin: null" with our own forms.
SAME_ORIGIN_BLUEPRINTS = ("amazon", "amazon_pages", "sandbox")
SAME_ORIGIN_ENDPOINTS = ("faq.article",)
READING_BLUEPRINTS = ("faq", "faq_root")


def failed_login(response: Response) -> bool:
    """Only failed attempts count against the limits; merchants may log in as often as they like."""
    return response.status_code == 400


def attempted_account() -> str:
    """The account an attempt was for: the log-in form's address, else the logged-in user's."""
    email = request.form.get("email")
    if email is None and current_user.is_authenticated:
        return current_user.email
    return normalize_email(email or "")


def account_and_address_key() -> str:
    """Failures against one account from one address: others can still log in to that account."""
    return f"account:{attempted_account()}|{get_remote_address()}"


# Failed attempts count per address, and per account and address; never per account alone,
# which would let anyone lock a merchant out by failing on purpose.
login_limits = [
    limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
                  deduct_when=failed_login),
    limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"],
                  methods=["POST"], key_func=account_and_address_key, deduct_when=failed_login),
]  # fmt: skip


def limit_logins(view):
    for limit in login_limits:
        view = limit(view)
    return view


def content_security_policy(app: Flask, amazon_forms: bool) -> str:
    """Scripts and styles from our own files only; a merchant's forms may lead to Seller Central."""
    targets = set()
    if amazon_forms:
        targets = {f"https://{host}" for host in central_hosts()}
        configured = app.config["AMAZON_SELLER_CENTRAL_URL"]
        if configured and urlsplit(configured).scheme:
            parts = urlsplit(configured)
            targets.add(f"{parts.scheme}://{parts.netloc}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
            " ".join(["form-action 'self'", *sorted(targets)]),
        ]
    )


def remember(response: Response, name: str, value: str, httponly: bool = True) -> Response:
    """A cookie kept for a year (a reader's language, a voter's id), sent only over HTTPS in
    production and not with other sites' requests."""
    response.set_cookie(
        name, value, max_age=365 * 86400, httponly=httponly, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )  # fmt: skip
    return response


def keep_private(response: Response) -> Response:
    """A response about one person: no shared cache keeps it, no browser stores it."""
    control = response.cache_control
    control.public = False
    control.s_maxage = None
    control.private = True
    control.no_store = True
    return response


def stored_nowhere(response: Response) -> bool:
    """no-store without public: neither a shared cache nor the browser keeps it."""
    return bool(response.cache_control.no_store) and not response.cache_control.public


def production_problems(config) -> list[str]:
    """Why a production start would be unsafe; empty when it is not."""
    problems = []
    if config["SECRET_KEY"] in (None, "", "dev"):
        problems.append("PORTAL_SECRET_KEY is the development default: set a long random value")
    # The sandbox is allowed (a public demo) only when PORTAL_AMAZON_SANDBOX=true asked for it.
    amazon = ("AMAZON_APPLICATION_ID", "AMAZON_CLIENT_ID", "AMAZON_CLIENT_SECRET")
    if not config["AMAZON_SANDBOX"] and not all(config[key] for key in amazon):
        problems.append(
            "Amazon is not configured: set PORTAL_AMAZON_APPLICATION_ID, PORTAL_AMAZON_CLIENT_ID "
            "and PORTAL_AMAZON_CLIENT_SECRET (or PORTAL_AMAZON_SANDBOX=true for a public demo "
            "on the simulated Seller Central)"
        )
    if not config["TOKEN_KEYS"]:
        problems.append("PORTAL_TOKEN_KEYS is empty: refresh tokens need their own encryption key")
    if not config["TRUSTED_HOSTS"]:
        problems.append(
            "PORTAL_TRUSTED_HOSTS is empty: list the portal's public host names, "
            "e.g. '[\"help.example.com\"]', so that a forged Host header gets a 400"
        )
    problems.extend(base_url_problems(config["BASE_URL"], config["TRUSTED_HOSTS"]))
    return problems


def base_url_problems(base_url: str | None, trusted_hosts: list[str] | str | None) -> list[str]:
    """Links in e-mails and the URLs the portal calls itself are built from PORTAL_BASE_URL."""
    parts = urlsplit(base_url or "")
    if parts.scheme != "https" or not parts.hostname or loopback(parts.hostname):
        return [
            f"PORTAL_BASE_URL is {base_url!r}: set the portal's public https address, "
            "e.g. https://help.example.com"
        ]
    if trusted_hosts and not host_is_trusted(parts.netloc, trusted_hosts):
        return [f"PORTAL_BASE_URL's host {parts.netloc} is not one of PORTAL_TRUSTED_HOSTS"]
    return []


def loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def init_app(app: Flask) -> None:
    production = app.config["ENV"] == "production"
    if production:
        problems = production_problems(app.config)
        if problems:
            raise RuntimeError("The portal refuses to start in production: " + "; ".join(problems))
        app.config["SESSION_COOKIE_SECURE"] = True
    if production and not app.config["REDIS_URL"] and "RATELIMIT_STORAGE_URI" not in app.config:
        # Allowed, so that one small instance needs no Redis, but the limits are then weaker.
        # PORTAL_RATELIMIT_STORAGE_URI=memory:// says so knowingly (and silences this).
        app.logger.warning(
            "PORTAL_REDIS_URL is not set: rate limits (log-in, votes, the view beacon) are counted "
            "per worker process, so each limit is really its value times the number of workers "
            "and instances. Set PORTAL_REDIS_URL to share them."
        )
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    policy = content_security_policy(app, amazon_forms=False)
    # Some fifty Seller Central hosts, left out where only anonymous readers' forms are (search,
    # votes). The log-in form keeps them: after it, a renewal begun in Seller Central goes back.
    merchant_policy = content_security_policy(app, amazon_forms=True)

    @app.before_request
    def refuse_nul_characters() -> None:
        """No text a person types holds a NUL; PostgreSQL would refuse it deep inside a query."""
        fields = (*request.args.items(multi=True), *request.form.items(multi=True))
        if "\x00" in request.path or any("\x00" in key + value for key, value in fields):
            abort(400)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        leads_to_amazon = (
            request.blueprint in SAME_ORIGIN_BLUEPRINTS or request.endpoint in SAME_ORIGIN_ENDPOINTS
        )
        reading = request.blueprint in READING_BLUEPRINTS and not logged_in()
        headers.setdefault("Content-Security-Policy", policy if reading else merchant_policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        referrer = "same-origin" if leads_to_amazon else "strict-origin-when-cross-origin"
        headers.setdefault("Referrer-Policy", referrer)
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if logged_in() and not stored_nowhere(response):
            # Whatever a view said: the page holds the user's CSRF token, maybe internal titles.
            keep_private(response)
        return response
