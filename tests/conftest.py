"""Fixtures in the shape of flaskr's tests/conftest.py."""

import os

import pytest

from portal.extensions import db
from tests.flow import connected
from tests.helpers import (
    SAMPLE_CATEGORIES,
    LiveServer,
    client_login,
    csrf_token,
    database_url,
    live_app,
    logged_in,
    make_app,
    rolled_back,
    write_article,
)

# The portal runs as production unless told otherwise: the tests, their `flask` and gunicorn
# processes are development (tests of production say so in their own configuration).
os.environ["PORTAL_ENV"] = "development"


def close(app) -> None:
    """Give the app's database connections back, so a PostgreSQL run leaks none."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def shared_tables(tmp_path_factory):
    """A database whose tables are made once, for the tests that roll their changes back."""
    # Apart from the one the other tests make afresh, which servers and other apps also write.
    url = database_url(tmp_path_factory.mktemp("shared"), suffix="_shared")
    close(make_app(None, DATABASE_URL=url))
    return url


@pytest.fixture
def app(shared_tables):
    """The portal on the shared tables, the test's changes rolled back at its end. Tests whose
    data other apps or servers must read use build_app or live_app: tables made afresh."""
    app = make_app(None, reset=False, DATABASE_URL=shared_tables)
    with rolled_back(app):
        yield app
    close(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log the test client in and out, as flaskr's tests do (the user must exist)."""

    def __init__(self, client) -> None:
        self._client = client

    def login(self, email="marie@example.com", password="correct horse", lang="en", next_=""):
        return client_login(self._client, email, password, lang, next_)

    def logout(self, lang="en"):
        page = self._client.get(f"/{lang}/").get_data(as_text=True)
        return self._client.post(f"/{lang}/logout", data={"csrf_token": csrf_token(page)})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def sample_faq(tmp_path):
    """A small FAQ: one article translated in part (one translation outdated), one internal."""
    faq_dir = tmp_path / "faq"
    faq_dir.mkdir()
    (faq_dir / "categories.toml").write_text(SAMPLE_CATEGORIES, encoding="utf-8")
    write_article(faq_dir / "10-sample", "fr", revision=3)
    write_article(faq_dir / "10-sample", "en", source_revision=3)
    write_article(faq_dir / "10-sample", "de", source_revision=2)  # made from an older text
    write_article(faq_dir / "11-secret", "fr", id=11, slug="secret", title="Secret", revision=1,
                  state="internal")  # fmt: skip
    return faq_dir


@pytest.fixture
def build_app(tmp_path):
    """Create apps with extra configuration; their connections are closed afterwards."""
    built = []

    def build(faq_dir=None, reset=True, **config):
        if faq_dir is not None:
            config["FAQ_DIR"] = str(faq_dir)
        built.append(make_app(tmp_path, reset, **config))
        return built[-1]

    yield build
    for app in built:
        close(app)


@pytest.fixture
def article_file():
    return write_article


@pytest.fixture
def sample_app(tmp_path, sample_faq):
    app = make_app(tmp_path, FAQ_DIR=str(sample_faq))
    yield app
    close(app)


@pytest.fixture
def server(tmp_path):
    """The portal on a real port, with the sandbox standing in for Amazon."""
    with LiveServer(live_app(tmp_path, AMAZON_TIMEOUT=2, AMAZON_STATE_TTL=120)) as server:
        yield server


@pytest.fixture
def merchant(server):
    """A logged-in merchant's browser."""
    browser, _ = logged_in(server, "marie@example.com")
    return browser


@pytest.fixture
def renewing(server, merchant):
    """A merchant with an active connection, about to renew it."""
    return connected(server, merchant)
