"""Security headers, the rate limiter and the checks that keep a production start safe."""

import ipaddress
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.sansio.utils import host_is_trusted

from . import hooks

# One per process; each create_app() gives it fresh storage (Redis when PORTAL_REDIS_URL is set).
limiter = Limiter(key_func=get_remote_address)


@dataclass(frozen=True)
class HeaderRules:
    """The security headers' choices that depend on what the features contributed."""

    reading_policy: str  # the Content-Security-Policy of anonymous readers' pages
    policy: str  # everyone else's: forms may also post to the features' origins
    reading_pages: frozenset[str]  # blueprints
    # Pages that lead to another site (Seller Central) never send it a Referer, as Amazon
    # asks. Same-origin requests keep theirs: Flask-WTF checks it on HTTPS, and a browser
    # would otherwise send "Origin: null" with our own forms.
    same_origin_referrer: frozenset[str]  # blueprints and endpoints

    @classmethod
    def of(cls, app: Flask) -> "HeaderRules":
        targets = {origin for hook in hooks.get(hooks.FORM_ACTION, app) for origin in hook(app)}
        return cls(
            # Some fifty Seller Central hosts, left out where only anonymous readers' forms are
            # (search, votes). The log-in form keeps them: after it, a renewal begun in Seller
            # Central goes back.
            reading_policy=content_security_policy(set()),
            policy=content_security_policy(targets),
            reading_pages=frozenset(hooks.get(hooks.READING, app)),
            same_origin_referrer=frozenset(hooks.get(hooks.SAME_ORIGIN_REFERRER, app)),
        )


def content_security_policy(form_targets: set[str]) -> str:
    """Scripts and styles from our own files only; forms may post to the origins features name."""
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
            " ".join(["form-action 'self'", *sorted(form_targets)]),
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
    # Replaces what the view said (public, max-age): no-store leaves nothing else to say.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def private_page(body: str) -> Response:
    """A rendered page about one person (see keep_private)."""
    return keep_private(current_app.make_response(body))


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

    @cache
    def rules() -> HeaderRules:
        """Read at the first answer, once every feature has registered its contributions."""
        return HeaderRules.of(app)

    @app.before_request
    def refuse_nul_characters() -> None:
        """No text a person types holds a NUL; PostgreSQL would refuse it deep inside a query."""
        fields = (*request.args.items(multi=True), *request.form.items(multi=True))
        if "\x00" in request.path or any("\x00" in key + value for key, value in fields):
            abort(400)

    @app.after_request
    def security_headers(response: Response) -> Response:
        known = rules()
        headers = response.headers
        personal = hooks.personal_request()
        reading = request.blueprint in known.reading_pages and not personal
        headers.setdefault(
            "Content-Security-Policy", known.reading_policy if reading else known.policy
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        same_origin = known.same_origin_referrer
        leads_away = request.blueprint in same_origin or request.endpoint in same_origin
        referrer = "same-origin" if leads_away else "strict-origin-when-cross-origin"
        headers.setdefault("Referrer-Policy", referrer)
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if personal and not stored_nowhere(response):
            # Whatever a view said: the page holds the user's CSRF token, maybe internal titles.
            keep_private(response)
        return response
