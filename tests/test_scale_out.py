"""Two gunicorn instances behind an imaginary load balancer share PostgreSQL and Redis only."""

import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import sqlalchemy as sa

from portal import create_app
from portal.accounts.services import find_user
from portal.amazon.models import Connection, StoredAccessToken
from portal.amazon.sandbox.models import TokenRequest
from portal.connector import keys
from portal.extensions import db
from tests.flow import consent, location, start
from tests.helpers import POSTGRES, Browser, Gunicorn, add_user, need, postgres_available

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


@pytest.fixture(scope="module")
def shared_database():
    need(postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {DATABASE}"))
    url = f"{POSTGRES}/{DATABASE}"
    app = create_app({"ENV": "development", "DATABASE_URL": url, "SECRET_KEY": "shared-secret"})
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
        "PORTAL_DATABASE_URL": url,
        "PORTAL_REDIS_URL": REDIS_URL,
        "PORTAL_SECRET_KEY": "shared-secret",
        "PORTAL_LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "3 per minute",
        # The sandbox that stands in for Amazon runs on these instances: a refresh calls back
        # into them, so threads must be left beyond the ten connector requests each gets.
        "PORTAL_THREADS": "12",
    }
    log = tmp_path_factory.mktemp("gunicorn")
    servers = [Gunicorn(env, log / f"{number}.log") for number in range(2)]
    for server in servers:
        server.wait_ready()
    yield [server.url for server in servers]
    for server in servers:
        server.stop()


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


def test_connector_workers_asking_at_once_on_two_instances_cause_one_refresh(
    shared_database, instances
):
    first, second = instances
    _, app = shared_database
    email = f"connector-{uuid.uuid4().hex[:8]}@example.com"
    add_user(app, email)
    browser = Browser(first)
    browser.login(email, "correct horse")
    browser.get(location(consent(browser, start(browser))))
    with app.app_context():
        user_id = find_user(email).id
        key = keys.create(user_id, "Shop")[1]
        query = sa.select(Connection.id).where(Connection.user_id == user_id)
        connection_id = db.session.scalars(query).one()
        # The kept access token is unusable and no worker holds it yet: the next asks refresh.
        db.session.execute(
            sa.update(StoredAccessToken)
            .where(StoredAccessToken.connection_id == connection_id)
            .values(token=None)
        )
        db.session.commit()
        before = refreshes()
    path = f"/api/v1/connector/connections/{connection_id}/access-token"
    headers = {"Authorization": f"Bearer {key}"}

    def ask(number: int) -> requests.Response:
        base = (first, second)[number % 2]
        return requests.post(base + path, headers=headers, timeout=30)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(ask, range(20)))
    assert [answer.status_code for answer in answers] == [200] * 20
    with app.app_context():
        assert refreshes() == before + 1
    # The worker that took the authorization's answer may still hand out its token: valid too.
    for token in {answer.json()["access_token"] for answer in answers}:
        sellers = requests.get(
            f"{first}/sandbox/sp-api/sellers/v1/marketplaceParticipations",
            headers={"x-amz-access-token": token},
            timeout=10,
        )
        assert sellers.status_code == 200


def refreshes() -> int:
    query = sa.select(sa.func.count()).where(TokenRequest.grant_type == "refresh_token")
    return db.session.scalar(query.select_from(TokenRequest))
