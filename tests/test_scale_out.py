"""Two gunicorn instances behind an imaginary load balancer share PostgreSQL and Redis only."""

import os
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db
from tests.flow import consent, location, start
from tests.helpers import POSTGRES, ROOT, Browser, add_user, need, postgres_available

pytestmark = pytest.mark.postgres
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASE = "portal_scale_out"


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def shared_database():
    need(postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {DATABASE}"))
    url = f"{POSTGRES}/{DATABASE}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "shared-secret"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url, app
    with app.app_context():
        db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(scope="module")
def instances(shared_database, tmp_path_factory):
    need(redis_available(), "Redis is not running on 127.0.0.1:6379")
    url, _ = shared_database
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_REDIS_URL": REDIS_URL,
        "PORTAL_SECRET_KEY": "shared-secret",
        "PORTAL_LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
        "PORTAL_WORKERS": "2",
    }
    ports = [free_port(), free_port()]
    log = tmp_path_factory.mktemp("gunicorn") / "errors.log"
    with log.open("wb") as errors:
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--access-logfile",
                    "/dev/null",
                    "portal:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )  # fmt: skip
            for port in ports
        ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if all(requests.get(f"{base}/readyz", timeout=3).ok for base in bases):
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        for process in processes:
            process.kill()
        pytest.fail("the gunicorn instances did not start: " + log.read_text()[-2000:])
    yield bases
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)


def on(base: str, url: str) -> str:
    """The same URL, sent by the load balancer to another instance."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=urlsplit(base).netloc))


def test_an_authorization_started_on_one_instance_completes_on_the_other(
    shared_database, instances
):
    first, second = instances
    _, app = shared_database
    add_user(app, "scale@example.com")
    browser = Browser(first)
    browser.login("scale@example.com", "correct horse")
    callback = location(consent(browser, start(browser)))
    assert callback.startswith(first)
    page = browser.get(on(second, callback))
    assert page.url.startswith(f"{second}/fr/account/amazon") and 'data-state="active"' in page.text
    browser.base = second
    api = browser.get("/api/v1/amazon/connections").json()
    assert [c["state"] for c in api] == ["active"]


def test_log_in_limits_are_shared(shared_database, instances):
    first, second = instances
    _, app = shared_database
    email = f"limited-{uuid.uuid4().hex[:8]}@example.com"  # Redis keeps counts between runs
    add_user(app, email)
    codes = []
    for base in (first, second, first, second):
        browser = Browser(base)
        codes.append(browser.login(email, "wrong password").status_code)
    assert codes == [400, 400, 400, 429]
