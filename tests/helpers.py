"""Helpers shared by the test suites (fixtures live in conftest.py)."""

import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask import Flask, template_rendered
from flask_sqlalchemy.session import Session
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent
# CI sets this so that a missing service fails the run instead of skipping tests.
REQUIRE_ALL = os.environ.get("PORTAL_TEST_REQUIRE_ALL") == "1"
# Run the suite against another database, e.g. postgresql+psycopg://postgres@127.0.0.1/portal_test
DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


def need(available: bool, reason: str) -> None:
    """Skip a test whose service is missing, or fail it where CI promised the service."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required for CI: {reason}")
    pytest.skip(reason)


def database_url(tmp_path: Path, suffix: str = "") -> str:
    """The test's database: a file in tmp_path, or the PostgreSQL one (suffix: another one
    beside it, e.g. for the tables the rolled-back tests share)."""
    if DATABASE_URL and DATABASE_URL.startswith("postgresql"):
        url = sa.engine.make_url(DATABASE_URL)
        return postgres_database(url.set(database=url.database + suffix).render_as_string(False))
    return DATABASE_URL or f"sqlite:///{tmp_path / 'portal.db'}"


def make_app(tmp_path: Path | None, reset: bool = True, **config):
    """The portal on the test's database (tmp_path's), or on config's DATABASE_URL."""
    url = config["DATABASE_URL"] = config.get("DATABASE_URL") or database_url(tmp_path)
    if url.startswith("postgresql"):
        # A test that waits on another's lock (a rolled-back test's open transaction) fails
        # instead of hanging the suite.
        options = {"pool_pre_ping": True, "connect_args": {"options": "-c lock_timeout=20s"}}
        config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)
    app = create_app(
        {
            "TESTING": True,
            "ENV": "development",
            "SECRET_KEY": "test-secret",
            # A cheap hash keeps the suite fast; tests of the real cost ask for it.
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            **config,
        }
    )
    if reset:
        with app.app_context():
            db.drop_all()
            db.create_all()
    return app


class JoinedSession(Session):
    """The app's session on the test's connection, whatever the engine Flask-SQLAlchemy picks."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """Run the test inside one transaction that is rolled back at its end: the app's commits
    become savepoints (SQLAlchemy's "joining a session into an external transaction").

    Only for a test whose app is used from its own thread (test client, CLI runner): a live
    server or another app would not see the test's data.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        # pysqlite's own BEGIN handling breaks savepoints: SQLAlchemy emits BEGIN instead.
        sa.event.listen(
            engine, "connect", lambda dbapi, record: setattr(dbapi, "isolation_level", None)
        )
        sa.event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
        engine.dispose()
    connection = engine.connect()
    outer = connection.begin()
    app_session = db.session
    joined = sessionmaker(
        class_=JoinedSession, db=db, bind=connection, join_transaction_mode="create_savepoint"
    )
    db.session = scoped_session(joined, scopefunc=app_session.registry.scopefunc)
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = app_session
        outer.rollback()
        connection.close()


SAMPLE_CATEGORIES = """
["guides"]
fr = "Guides"
en = "Guides"
de = "Anleitungen"
"""


def toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int | date):
        return str(value)
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def write_article(folder: Path, lang: str, body: str | None = None, **meta) -> Path:
    """Write one language file of a sample article; meta overrides the front matter."""
    front = {
        "id": 10,
        "slug": f"sample-{lang}",
        "title": f"Sample {lang}",
        "question": f"Question {lang}?",
        "category": "guides",
        "keywords": ["sample"],
        "state": "public",
        "updated": date(2026, 1, 5),
        **meta,
    }
    head = "\n".join(f"{key} = {toml_value(value)}" for key, value in front.items())
    text = f"+++\n{head}\n+++\n\n" + (body or f"Body in {lang}.\n\n1. First\n2. Second\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lang}.md"
    path.write_text(text, encoding="utf-8")
    return path


POSTGRES = os.environ.get("PORTAL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(f"{POSTGRES}/postgres", connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except (sa.exc.SQLAlchemyError, ImportError):  # no driver or no server: "not here"
        return False


@functools.cache
def postgres_database(url: str) -> str:
    """The URL of a PostgreSQL database, created when missing (once a run); skips without one."""
    target = sa.engine.make_url(url)
    name = target.database
    admin = sa.create_engine(
        target.set(database="postgres"),
        isolation_level="AUTOCOMMIT",  # CREATE DATABASE cannot run inside a transaction
        connect_args={"connect_timeout": 2},
    )
    query = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
    try:
        with admin.connect() as connection:
            if connection.execute(query, {"name": name}).first() is None:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(sa.text(f"CREATE DATABASE {quoted}"))
    except sa.exc.ProgrammingError:  # another test run created it at the same moment
        pass
    except (sa.exc.SQLAlchemyError, ImportError) as error:
        need(False, f"cannot create the PostgreSQL database {name!r}: {error}")
    finally:
        admin.dispose()
    return url


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


class LiveServer:
    """The portal on a free loopback port, threaded: the sandbox calls back into it.

    The port is bound first, so that the app is created knowing its own address:
    `LiveServer(lambda url: make_app(tmp_path, BASE_URL=url))`.
    """

    def __init__(self, build: Callable[[str], Flask]) -> None:
        if isinstance(build, Flask):
            raise TypeError("LiveServer takes a function of the base URL that creates the app")
        listening = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        try:
            self.app = build(self.url)
            self.server = make_server(
                "127.0.0.1", 0, self.app, threaded=True, fd=listening.fileno()
            )
        finally:
            listening.close()  # the server holds its own copy of the socket
        # Wait for requests still running at shutdown, so the next test's tables are its own.
        self.server.daemon_threads = False
        self.server.block_on_close = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def live_app(tmp_path: Path, **config) -> Callable[[str], Flask]:
    """What LiveServer needs to create a test app that knows its address."""
    return lambda url: make_app(tmp_path, BASE_URL=url, **config)


CSRF = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the form on a page."""
    return CSRF.search(html).group(1)


class Browser:
    """A cookie-keeping HTTP client that follows redirects only when asked to."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.http = requests.Session()
        self.last: requests.Response | None = None

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def get(self, path: str, follow: bool = True, **kwargs) -> requests.Response:
        self.last = self.http.get(self.url(path), allow_redirects=follow, timeout=30, **kwargs)
        return self.last

    def post(
        self, path: str, data: dict, follow: bool = True, csrf: bool = True
    ) -> requests.Response:
        if csrf:
            data = {"csrf_token": self.csrf(), **data}
        self.last = self.http.post(self.url(path), data=data, allow_redirects=follow, timeout=30)
        return self.last

    def csrf(self) -> str:
        """The CSRF token of the last page (fetching a page that carries one if needed)."""
        found = CSRF.search(self.last.text) if self.last is not None else None
        if found is None:
            found = CSRF.search(self.get("/fr/login").text)
        return found.group(1)

    def login(self, email: str, password: str) -> requests.Response:
        self.get("/fr/login")
        return self.post("/fr/login", {"email": email, "password": password})


def session_of(app: Flask, browser: Browser) -> dict:
    """What the browser's signed session cookie holds (the test knows the secret key)."""
    cookie = browser.http.cookies.get("session")
    if cookie is None:
        return {}
    return dict(app.session_interface.get_signing_serializer(app).loads(cookie))


def client_login(client, email="marie@example.com", password="correct horse", lang="en", next_=""):
    """Log in with a Flask test client (Browser.login does it over HTTP)."""
    page = client.get(f"/{lang}/login", query_string={"next": next_})
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "email": email,
        "password": password,
        "next": next_,
    }
    return client.post(f"/{lang}/login", data=data)


def add_user(app, email: str, role: str = "merchant", language: str = "fr") -> int:
    from portal.accounts.models import Role
    from portal.accounts.services import create_user

    with app.app_context():
        user = create_user(email, "correct horse", Role(role), language)
        db.session.commit()
        return user.id


def staff_client(app, email: str = "help@example.com", lang: str = "en"):
    """A test client logged in as a new support agent, apart from the readers' clients."""
    add_user(app, email, role="support", language=lang)
    agent = app.test_client()
    client_login(agent, email, lang=lang)
    return agent


def merchant_with_connection(
    app, email: str = "marie@example.com", days_left: int = 100, language: str = "fr"
) -> tuple[int, int]:
    """A merchant whose simulated connection expires in days_left days: (user id, its id)."""
    from portal.amazon.sandbox import sellers
    from portal.amazon.sandbox.demo import simulated_connection

    user_id = add_user(app, email, language=language)
    with app.app_context():
        seller = sellers.new_seller(f"Shop {email}", "EU")
        return user_id, simulated_connection(user_id, seller, "FR", days_left).id


def logged_in(
    server: LiveServer, email: str, role: str = "merchant", language: str = "fr"
) -> tuple[Browser, int]:
    """A new user, and a browser logged in to their account."""
    user_id = add_user(server.app, email, role, language)
    browser = Browser(server.url)
    browser.login(email, "correct horse")
    return browser, user_id


class DemoMerchant:
    """The demo merchant (`flask demo`) logged in to a running portal, for wrk.

    `headers()` are the session cookie and the User-Agent it was given to, as one browser sends
    them (Flask-Login's session protection marks a session used by another browser, and saves
    it again). A browser also keeps the cookie an answer sets (the session notes its last use
    once a minute); wrk cannot, so `headers()` visits a page first and gives the newest cookie.
    """

    def __init__(self, base_url: str, user_agent: str = "portal-load") -> None:
        self.browser = Browser(base_url)
        self.browser.http.headers["User-Agent"] = user_agent
        self.browser.login("demo@example.com", "demo-merchant")

    def headers(self) -> list[str]:
        self.browser.get("/fr/account/amazon").raise_for_status()
        cookie = self.browser.http.cookies["session"]
        return [
            f"Cookie: session={cookie}",
            f"User-Agent: {self.browser.http.headers['User-Agent']}",
        ]


def prepare_demo_database(env: dict) -> None:
    """Create the tables of the database in env's PORTAL_DATABASE_URL and the demo accounts."""
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "portal", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """The portal under gunicorn with the repository's gunicorn.conf.py, on a free port.

    `options` are more gunicorn command-line options, e.g. ("--max-requests", "0").
    """

    def __init__(
        self, env: dict, log: Path, workers: int = 2, options: tuple[str, ...] = ()
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [
            *(sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"),
            *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), *options),
            *("--access-logfile", "/dev/null", "--error-logfile", str(log), "portal:create_app()"),
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PORTAL_ENV": "development", "PORTAL_BASE_URL": self.url, **env},
            stdout=subprocess.DEVNULL,
        )

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if requests.get(f"{self.url}/readyz", timeout=3).ok:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        self.stop()
        pytest.fail(f"gunicorn did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@contextmanager
def statements(app):
    """The queries the block sends to the database."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):  # see rolled_back
            sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def html_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """The Nu Html Checker's errors for each page (name -> HTML), one JVM for them all."""
    need(
        VNU_JAR.exists() and shutil.which("java") is not None,
        "the Nu Html Checker needs java and `npm ci` (./run.sh test installs both)",
    )
    folder.mkdir(parents=True, exist_ok=True)
    for name, html in pages.items():
        (folder / f"{name}.html").write_text(html, encoding="utf-8")
    # The checker reads files: it refuses loopback URLs.
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", folder],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stdout or "{}").get("messages", [])
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages
    ]


@contextmanager
def renders(app: Flask) -> Iterator[list[str]]:
    """The names of the templates rendered while the block runs."""
    names: list[str] = []

    def record(sender, template, context, **extra) -> None:
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)
