"""The Seller Central authorization through Authlib's Flask client.

Amazon's consent URL takes `application_id` (not `client_id`) and its redirect carries
`spapi_oauth_code` (not `code`), so the generic `authorize_redirect` and
`authorize_access_token` need the small adaptations below.
"""

import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Flask, current_app, session

from ..urls import with_query
from .marketplaces import MARKETPLACES, SPAPI_HOSTS
from .secret import expiry_date, secrets_to_try

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
# Where the built-in sandbox answers when it stands in for Amazon.
SANDBOX_PATHS = {
    "AMAZON_TOKEN_URL": "/sandbox/auth/o2/token",
    "AMAZON_SELLER_CENTRAL_URL": "/sandbox/seller-central",
    "AMAZON_SPAPI_URL": "/sandbox/sp-api",
}
SANDBOX_APP = {
    "AMAZON_APPLICATION_ID": "amzn1.sp.solution.portal-sandbox",
    "AMAZON_CLIENT_ID": "amzn1.application-oa2-client.portalsandbox",
}


def absolute(url: str) -> str:
    """Sandbox endpoints are paths on this portal: put them under BASE_URL.

    Never under the request's host: the portal posts its client secret to these URLs, and
    anybody can send any Host header.
    """
    if urlsplit(url).scheme:
        return url
    return current_app.config["BASE_URL"].rstrip("/") + "/" + url.lstrip("/")


def portal_url(endpoint: str, **values) -> str:
    """An absolute URL of this portal built from BASE_URL, whatever host the request named."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def seller_central_url(marketplace: str) -> str:
    config = current_app.config
    override = config["AMAZON_SELLER_CENTRAL_URLS"].get(marketplace)
    base = (
        override or config["AMAZON_SELLER_CENTRAL_URL"] or MARKETPLACES[marketplace].seller_central
    )
    return absolute(base).rstrip("/")


def spapi_url(region: str) -> str:
    return absolute(current_app.config["AMAZON_SPAPI_URL"] or SPAPI_HOSTS[region]).rstrip("/")


def draft_version() -> str | None:
    """Amazon's draft apps are authorized with version=beta."""
    return "beta" if current_app.config["AMAZON_DRAFT_APP"] else None


class AmazonApp(FlaskOAuth2App):
    """Authlib's Flask client, fitted to Seller Central and Login with Amazon."""

    def create_authorization_url(self, redirect_uri=None, **kwargs):
        """The consent URL of the marketplace's Seller Central, with only Amazon's parameters."""
        state = generate_token(32)
        base = kwargs.pop("seller_central")
        url = with_query(
            f"{base}/apps/authorize/consent",
            application_id=current_app.config["AMAZON_APPLICATION_ID"],
            state=state,
            redirect_uri=redirect_uri or None,
            version=draft_version(),
        )
        return {
            "url": url,
            "state": state,
            **kwargs,
        }

    def login_uri_redirect(self, callback_uri: str, amazon_state: str, redirect_uri: str, **kwargs):
        """Send a renewal that started in Seller Central back there, with our own state.

        callback_uri has no query: only the parameters below go to Seller Central.
        """
        state = generate_token(32)
        url = with_query(
            callback_uri,
            redirect_uri=redirect_uri,
            amazon_state=amazon_state,
            state=state,
            version=draft_version(),
        )
        self.save_authorize_data(redirect_uri=redirect_uri, url=url, state=state, **kwargs)
        return url

    def pop_state(self, state: str | None) -> dict:
        """The data saved with a state, once: unknown, replayed or expired states raise."""
        if not state:
            raise MismatchingStateError()
        entry = session.get(f"_state_{self.name}_{state}") or {}
        data = self.framework.get_state_data(session, state)
        self.framework.clear_state_data(session, state)
        if data is None or entry.get("exp", 0) < time.time():
            raise MismatchingStateError()
        return data

    def exchange_code(self, code: str, redirect_uri: str | None) -> dict:
        """Trade a spapi_oauth_code for tokens (client_secret_post, as LWA documents)."""
        return self.fetch_access_token(redirect_uri=redirect_uri, code=code)

    def refresh(self, refresh_token: str) -> dict:
        def ask(client) -> dict:
            return client.refresh_token(
                absolute(self.access_token_url),
                refresh_token=refresh_token,
                timeout=current_app.config["AMAZON_TIMEOUT"],
            )

        return self.with_each_secret(ask)

    def fetch_access_token(self, redirect_uri=None, **kwargs):
        kwargs.setdefault("timeout", current_app.config["AMAZON_TIMEOUT"])

        def ask(client) -> dict:
            if redirect_uri is not None:
                client.redirect_uri = redirect_uri
            return client.fetch_token(absolute(self.access_token_url), **kwargs)

        return self.with_each_secret(ask)

    def with_each_secret(self, ask: Callable) -> dict:
        """Ask LWA with the new client secret first, if there is one, and with the current one
        when LWA answers invalid_client (the new one is not active yet)."""
        secrets = secrets_to_try(current_app.config)
        for number, secret in enumerate(secrets, start=1):
            with self._get_oauth_client() as client:
                client.client_secret = secret
                try:
                    return ask(client)
                except OAuthError as error:
                    if error.error != "invalid_client" or number == len(secrets):
                        raise
        raise OAuthError("invalid_client", "no client secret is configured")


class AccessTokens:
    """This worker's copy of each connection's newest access token (see access.py)."""

    def __init__(self) -> None:
        self._grants: dict[int, tuple[str, object]] = {}
        self._lock = threading.Lock()

    def get(self, connection_id: int, source: str) -> object | None:
        with self._lock:
            kept_source, grant = self._grants.get(connection_id, (None, None))
        return grant if kept_source == source else None

    def put(self, connection_id: int, source: str, grant: object) -> None:
        with self._lock:
            self._grants[connection_id] = (source, grant)

    def drop(self, connection_id: int) -> None:
        with self._lock:
            self._grants.pop(connection_id, None)


def configure(app: Flask) -> None:
    """Fill in Amazon's defaults (or the sandbox's) and register the Authlib client."""
    config = app.config
    if config["AMAZON_SANDBOX"] is None:
        # A developer without Amazon credentials gets the simulated Seller Central; production
        # gets it only when PORTAL_AMAZON_SANDBOX=true asks for it.
        config["AMAZON_SANDBOX"] = config["ENV"] == "development" and not config["AMAZON_CLIENT_ID"]
    if config["AMAZON_SANDBOX"]:
        use_sandbox(app)
    config["AMAZON_TOKEN_URL"] = config["AMAZON_TOKEN_URL"] or LWA_TOKEN_URL
    expiry_date(config["AMAZON_CLIENT_SECRET_EXPIRES"])  # a wrong date stops the start here
    # One registry per app: Authlib caches clients by name, and tests build many apps.
    oauth = OAuth(app)
    client = oauth.register(
        "amazon",
        client_id=config["AMAZON_CLIENT_ID"],
        client_secret=config["AMAZON_CLIENT_SECRET"],
        access_token_url=config["AMAZON_TOKEN_URL"],
        client_kwargs={"token_endpoint_auth_method": "client_secret_post"},
        client_cls=AmazonApp,
    )
    client.framework.expires_in = config["AMAZON_STATE_TTL"]
    app.extensions["amazon"] = client
    app.extensions["amazon_access_tokens"] = AccessTokens()


def use_sandbox(app: Flask) -> None:
    """Point the client at the sandbox, with secrets of its own (random, kept on this machine)."""
    from .sandbox.keys import instance_secret

    config = app.config
    for key, value in {**SANDBOX_PATHS, **SANDBOX_APP}.items():
        config[key] = config[key] or value
    folder = Path(app.instance_path)
    # The sandbox's Amazon knows its own secret; the portal uses it unless told otherwise.
    config["AMAZON_SANDBOX_CLIENT_SECRET"] = instance_secret(folder, "sandbox-client-secret")
    config["AMAZON_CLIENT_SECRET"] = (
        config["AMAZON_CLIENT_SECRET"] or config["AMAZON_SANDBOX_CLIENT_SECRET"]
    )
    config["AMAZON_SANDBOX_SIGNING_KEY"] = config["AMAZON_SANDBOX_SIGNING_KEY"] or instance_secret(
        folder, "sandbox-signing-key"
    )
    if config["ENV"] != "development":
        app.logger.warning(
            "The Amazon sandbox is on (PORTAL_AMAZON_SANDBOX=true): merchants connect simulated "
            "seller accounts, never real ones. Fine for a public demo, wrong for real merchants."
        )


def amazon() -> AmazonApp:
    return current_app.extensions["amazon"]


def access_tokens() -> AccessTokens:
    """This worker's copies of the access tokens (access.py keeps them, and in the database)."""
    return current_app.extensions["amazon_access_tokens"]
