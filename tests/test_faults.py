"""Faults: Amazon's token endpoint failing mid-renewal, the database dropping its connections."""

import uuid

import pytest
import requests
import sqlalchemy as sa

from portal.amazon.sandbox import services as sandbox
from portal.extensions import db
from tests.flow import authorize, connections, events
from tests.helpers import (
    DATABASE_URL,
    POSTGRES,
    LiveServer,
    live_app,
    need,
    postgres_available,
    postgres_database,
)


def test_renewals_recover_when_the_token_endpoint_comes_back(server, merchant, renewing):
    before = connections(server.app)
    for outage in ("503", "500", "not_json", "invalid_client"):
        callback = authorize(merchant, connection=renewing["id"])
        with server.app.app_context():
            sandbox.set_setting("outage", outage)
        page = merchant.get(callback)
        assert page.status_code == 200 and "flash-error" in page.text
        assert connections(server.app) == before  # nothing lost, nothing changed
    with server.app.app_context():
        sandbox.set_setting("outage", "")
    merchant.get(authorize(merchant, connection=renewing["id"]))
    (after,) = connections(server.app)
    assert after["token"] != before[0]["token"] and after["expires_at"] > before[0]["expires_at"]
    assert [kind for kind, _ in events(server.app)].count("authorization_failed") == 4


@pytest.fixture
def live_on_postgres(tmp_path):
    need(postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
    url = (
        DATABASE_URL if (DATABASE_URL or "").startswith("postgresql") else f"{POSTGRES}/portal_test"
    )
    with LiveServer(live_app(tmp_path, DATABASE_URL=postgres_database(url))) as server:
        yield server


@pytest.mark.postgres
def test_the_portal_reconnects_after_postgresql_dropped_its_connections(live_on_postgres):
    server = live_on_postgres
    session = requests.Session()
    assert session.get(f"{server.url}/readyz", timeout=10).ok
    assert session.post(f"{server.url}/fr/faq/2763/vote", data={"helpful": "yes"}, timeout=10).ok
    with server.app.app_context():
        database = db.engine.url.database
        admin = sa.create_engine(
            db.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
    with admin.connect() as connection:
        dropped = connection.execute(
            sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"),
            {"db": database},
        ).scalar()  # fmt: skip
    admin.dispose()
    assert dropped >= 1
    for _ in range(5):  # every request after the drop works: the pool checks before lending
        assert session.get(f"{server.url}/readyz", timeout=10).ok
        assert session.get(
            f"{server.url}/fr/faq/2763-generer-ou-renouveler-le-token-amazon", timeout=10
        ).ok


@pytest.mark.postgres
def test_the_tests_create_a_missing_postgresql_database():
    need(postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
    name = f"portal_created_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    try:
        url = postgres_database(f"{POSTGRES}/{name}")
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT current_database()")).scalar() == name
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
