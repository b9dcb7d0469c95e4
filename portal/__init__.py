"""The help and self-service portal for the connector's merchants."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, errors, hooks, logs, pagecache, readerpages, security
from .accounts import login
from .amazon import client as amazon_client
from .amazon.crypto import TokenVault, derived_key, parse_keys
from .extensions import babel, csrf, db, migrate
from .faq import Library, record_source_revisions
from .i18n import (
    LANGUAGES,
    format_share,
    page_language,
    select_locale,
    template_gettext,
    text_direction,
)

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the portal: defaults first, then the environment, then test overrides."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",  # production refuses this value
        # Production unless PORTAL_ENV=development says otherwise (./run.sh and the tests do).
        ENV="production",
        REDIS_URL=None,  # shared rate-limit storage for several instances
        LOGIN_LIMIT_PER_ADDRESS="20 per 10 minutes",  # failed log-ins only
        # Failed log-ins to one account from one address (never per account alone: lock-outs).
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="10 per 10 minutes",
        SESSION_IDLE_MINUTES=120,  # a session unused this long ends
        SESSION_LIFETIME_DAYS=7,  # and any session ends this long after its log-in
        # Werkzeug's hash method for new passwords; other hashes are redone at the next log-in.
        PASSWORD_HASH_METHOD="scrypt:131072:8:1",
        PROXY_FIX=0,  # how many reverse proxies set X-Forwarded-For/-Proto in front of the portal
        # X-Forwarded-Host is trusted only when a proxy sets it: a client's own would choose the
        # host of every link, and of the pages a proxy caches for everyone.
        PROXY_FIX_HOST=0,
        # Flask's: the host names the portal answers to (a plain 400 for others); production
        # requires them, e.g. PORTAL_TRUSTED_HOSTS='["help.example.com"]'.
        TRUSTED_HOSTS=None,
        VOTE_LIMIT="20 per hour",  # "Was this article helpful?" per address
        VIEW_LIMIT="300 per hour",  # the article page's read beacon per address
        BENCH_ROUTES=False,  # /_bench/hello, the framework's ceiling for bench/run.py
        LOG_JSON=False,  # one JSON object a line, with the request id (gunicorn.conf.py sets it)
        LOG_LEVEL="INFO",
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'portal.db'}",
        DEFAULT_LOCALE="fr",
        PRODUCT_NAME="magnalister",
        # The portal's public address: links in e-mails, the OAuth redirect URI, the sandbox's
        # URLs. Never taken from a request, whose Host header anybody can set; production
        # requires https.
        BASE_URL="http://127.0.0.1:5000",
        # Anonymous pages kept per worker; 0 seconds turns the cache off.
        PAGE_CACHE_SECONDS=30,
        PAGE_CACHE_SIZE=500,
        # Logged-in users' own pages (a merchant's token page), kept as long.
        PERSONAL_PAGE_CACHE_SIZE=1000,
        TOKEN_ARTICLE_ID=2763,  # "Generate or renew the Amazon token"
        # translations/ and faq/ sit beside portal/, so the paths must be absolute
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        FAQ_DIR=str(ROOT / "faq"),
        SESSION_COOKIE_SAMESITE="Lax",  # Strict would break the return from Seller Central
        SESSION_COOKIE_HTTPONLY=True,
        # Fernet keys for refresh tokens, newest first; empty: derived from SECRET_KEY (dev only)
        TOKEN_KEYS=None,
        # Amazon: in development without credentials, the built-in sandbox stands in for Seller
        # Central; in production only when PORTAL_AMAZON_SANDBOX=true asks for it (a public demo).
        AMAZON_SANDBOX=None,
        # Signs the sandbox's sign-in cookie; empty: a random key kept in the instance folder.
        AMAZON_SANDBOX_SIGNING_KEY=None,
        AMAZON_APPLICATION_ID=None,
        AMAZON_CLIENT_ID=None,
        AMAZON_CLIENT_SECRET=None,
        # Its expiry date (Amazon asks for a new one every 180 days), and the new one while
        # both are valid: see amazon/secret.py.
        AMAZON_CLIENT_SECRET_EXPIRES=None,
        AMAZON_CLIENT_SECRET_NEXT=None,
        AMAZON_DRAFT_APP=False,
        AMAZON_TOKEN_URL=None,
        AMAZON_SELLER_CENTRAL_URL=None,
        AMAZON_SELLER_CENTRAL_URLS={},
        AMAZON_SPAPI_URL=None,
        AMAZON_REDIRECT_URI=None,
        AMAZON_TIMEOUT=10,
        AMAZON_STATE_TTL=900,  # seconds a started authorization may take
        # Per merchant: the Login URI (its page and its form) and "Check the connection".
        AMAZON_LOGIN_LIMIT="10 per minute",
        AMAZON_VERIFY_LIMIT="6 per minute",
        # Per connector key, on every call of the connector's API.
        CONNECTOR_API_LIMIT="300 per minute",
        # A synchronisation whose last success is older than this is shown as late.
        CONNECTOR_SYNC_EXPECTED_MINUTES=60,
        # How often a page waiting for the connector's first run after a renewal asks again.
        CONNECTOR_SYNC_POLL_SECONDS=30,
        # Webhooks to loopback and private addresses, and over plain http: development only,
        # unless set.
        CONNECTOR_WEBHOOKS_PRIVATE_OK=None,
        # Send webhooks in a thread right after the change (the development server's default).
        CONNECTOR_WEBHOOKS_DELIVER_AT_ONCE=None,
        CONNECTOR_WEBHOOKS_QUEUE="portal-webhooks",  # RQ's queue, with PORTAL_REDIS_URL
        # Mail: without a server, reminders are printed to the console.
        MAIL_SERVER=None,
        MAIL_PORT=25,
        MAIL_USE_TLS=False,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_SENDER="Portal <no-reply@localhost>",
        MAIL_TIMEOUT=20,
    )
    app.config.from_prefixed_env("PORTAL")  # PORTAL_SECRET_KEY -> SECRET_KEY
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    # Reconnect transparently after a database server dropped a pooled connection (a file has
    # no server: the ping would be one more query in every request).
    remote = not app.config["DATABASE_URL"].startswith("sqlite")
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": remote})
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    if app.config["DEFAULT_LOCALE"] not in LANGUAGES:
        raise RuntimeError(f"PORTAL_DEFAULT_LOCALE must be one of {', '.join(LANGUAGES)}")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    hooks.init_app(app)  # before the features, which add to it
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=user_timezone)
    csrf.init_app(app)
    login.init_app(app)
    app.context_processor(template_gettext)
    app.extensions["faq"] = Library(
        Path(app.config["FAQ_DIR"]), app.config["PRODUCT_NAME"], Path(app.instance_path)
    )
    keys = parse_keys(app.config["TOKEN_KEYS"]) or [derived_key(app.config["SECRET_KEY"])]
    app.extensions["token_vault"] = TokenVault(keys)
    amazon_client.configure(app)
    logs.init_app(app)  # first: the checks below log in its format, every answer has an id
    security.init_app(app)
    pagecache.init_app(app)
    readerpages.init_app(app)  # inside ProxyFix: it reads the request as the proxy gave it
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        hosts = int(app.config["PROXY_FIX_HOST"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hosts)

    from .accounts import views as account_views
    from .amazon import contributions as amazon_contributions
    from .amazon import views as amazon_views
    from .amazon.sandbox import models as sandbox_models  # noqa: F401 (its tables always exist)
    from .connector import api as connector_api
    from .connector import contributions as connector_contributions
    from .connector import views as connector_views
    from .connector import webhook_views
    from .faq import answers as faq_answers  # its routes are on the FAQ's blueprint
    from .faq import legacy as faq_legacy
    from .faq import views as faq_views
    from .reminders import models as reminder_models  # noqa: F401
    from .site import bp as site_bp
    from .support import views as support_views

    app.register_blueprint(faq_views.bp)
    app.register_blueprint(faq_views.root)
    app.register_blueprint(faq_legacy.bp)
    app.register_blueprint(site_bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(amazon_views.bp)
    app.register_blueprint(amazon_views.pages)
    app.register_blueprint(support_views.bp)
    app.register_blueprint(connector_api.bp)
    app.register_blueprint(connector_api.docs)
    app.register_blueprint(connector_views.pages)
    app.register_blueprint(webhook_views.pages)
    csrf.exempt(connector_api.bp)  # called with a key, never with the browser's cookies
    if app.config["AMAZON_SANDBOX"]:
        from .amazon.sandbox import api as sandbox_api
        from .amazon.sandbox import views as sandbox_views

        app.register_blueprint(sandbox_views.bp)
        csrf.exempt(sandbox_api.token)  # a server-to-server endpoint, like LWA's
        sandbox_views.add_hooks(app)
    # What the features add to shared pages and headers (portal/hooks.py); banners and menu
    # links appear in this order.
    faq_views.add_hooks(app)
    amazon_contributions.add_hooks(app)
    connector_contributions.add_hooks(app)
    support_views.add_hooks(app)
    account_views.add_hooks(app)
    # Anonymous readers have no session, so no CSRF token: these check the origin instead.
    csrf.exempt(faq_answers.vote)
    csrf.exempt(faq_answers.viewed)
    csrf.exempt(faq_answers.feedback)
    errors.register(app)
    register_commands(app)
    # Once per process: the new source texts, which the translation dashboard compares.
    record_source_revisions(app)
    if app.config["BENCH_ROUTES"]:
        app.add_url_rule("/_bench/hello", "bench_hello", lambda: "hello")

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        lang = page_language()
        return {
            "lang": lang,
            "dir": text_direction(lang),
            "text_direction": text_direction,
            "format_share": format_share,
            "languages": LANGUAGES,
            "default_locale": app.config["DEFAULT_LOCALE"],
            "product": app.config["PRODUCT_NAME"],
            "default_alternates": same_page_in_every_language,
            "home_alternates": home_in_every_language,
        }

    return app


def register_commands(app: Flask) -> None:
    """The `flask` command groups: the catalogs' (core) and each feature's own."""
    from .accounts.cli import users
    from .amazon.cli import amazon, tokens
    from .amazon.sandbox.demo import demo
    from .connector.cli import connector_keys, webhook_commands
    from .connector.simulation import sandbox
    from .connector.worker import worker
    from .faq.cli import faq
    from .reminders.cli import reminders

    cli.register(app)
    groups = (
        users,
        demo,
        reminders,
        tokens,
        amazon,
        faq,
        connector_keys,
        webhook_commands,
        sandbox,
        worker,
    )
    for group in groups:
        app.cli.add_command(group)


def user_timezone() -> str | None:
    """Dates and times in the merchant's own time zone."""
    return current_user.timezone if current_user.is_authenticated else None


def home_in_every_language() -> list[tuple[str, str]]:
    return [(code, hooks.home_url(code)) for code in LANGUAGES]


def same_page_in_every_language() -> list[tuple[str, str]]:
    """Links to this page in each language, for pages whose URL starts with /<lang>/."""
    if request.view_args is None or "lang" not in (
        request.url_rule.arguments if request.url_rule else ()
    ):
        return home_in_every_language()
    args = {**request.args.to_dict(), **request.view_args}
    return [(code, url_for(request.endpoint, **{**args, "lang": code})) for code in LANGUAGES]
