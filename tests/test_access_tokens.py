"""Access tokens against a test double of Login with Amazon's token endpoint over HTTP (not the
built-in sandbox): caching, the five-minute margin, invalid_grant, failures."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from portal.amazon import access
from portal.amazon.models import Connection, Event, StoredAccessToken
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import add_user


class FakeLwa:
    """Answers refresh-token requests as LWA does; `answer` decides each one."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answer = self.ok
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers["Content-Length"])
                fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                double.requests.append(fields)
                status, body = double.answer(len(double.requests))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(body).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/auth/o2/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def ok(number: int) -> tuple[int, dict]:
        return 200, {"access_token": f"Atza|{number}", "token_type": "bearer", "expires_in": 3600}


@pytest.fixture
def lwa():
    double = FakeLwa()
    yield double
    double.server.shutdown()
    double.server.server_close()


@pytest.fixture
def real_app(build_app, lwa):
    """The portal configured for a real Amazon app (no sandbox), its token URL the double."""
    return build_app(
        AMAZON_SANDBOX=False, AMAZON_APPLICATION_ID="amzn1.sp.solution.x",
        AMAZON_CLIENT_ID="amzn1.application-oa2-client.x", AMAZON_CLIENT_SECRET="secret",
        AMAZON_TOKEN_URL=lwa.url, AMAZON_TIMEOUT=1,
    )  # fmt: skip


@pytest.fixture
def connection_id(real_app) -> int:
    user_id = add_user(real_app, "marie@example.com")
    with real_app.app_context():
        now = utcnow()
        connection = Connection(
            user_id=user_id, region="EU", marketplace="DE", selling_partner_id="A1B2C3",
            refresh_token=real_app.extensions["token_vault"].encrypt("Atzr|stored"),
            authorized_at=now, expires_at=now + timedelta(days=300),
        )  # fmt: skip
        db.session.add(connection)
        db.session.commit()
        return connection.id


def grant(app, connection_id: int) -> access.Grant:
    with app.app_context():
        return access.grant(db.session.get(Connection, connection_id))


def test_a_token_is_refreshed_once_and_kept_until_five_minutes_are_left(
    real_app, lwa, connection_id
):
    first = grant(real_app, connection_id)
    assert first.access_token == "Atza|1" and grant(real_app, connection_id) == first
    (asked,) = lwa.requests
    assert asked["grant_type"] == "refresh_token" and asked["refresh_token"] == "Atzr|stored"
    assert asked["client_secret"] == "secret"  # in the body (client_secret_post)
    lwa.answer = lambda number: (200, {"access_token": f"Atza|{number}", "expires_in": 299})
    real_app.extensions["amazon_access_tokens"].drop(connection_id)
    with real_app.app_context():
        row = db.session.get(StoredAccessToken, connection_id)
        row.expires_at = utcnow() + timedelta(minutes=4)  # under the margin: refreshed
        db.session.commit()
    assert grant(real_app, connection_id).access_token == "Atza|2"
    assert grant(real_app, connection_id).access_token == "Atza|3"  # 299 s: never enough
    assert len(lwa.requests) == 3


def test_invalid_grant_marks_the_connection_revoked(real_app, lwa, connection_id):
    lwa.answer = lambda _: (400, {"error": "invalid_grant", "error_description": "revoked"})
    with pytest.raises(access.NoAccess) as refused:
        grant(real_app, connection_id)
    assert refused.value.state == "revoked"
    with real_app.app_context():
        assert db.session.get(Connection, connection_id).revoked_at is not None
        kinds = db.session.scalars(db.select(Event.kind)).all()
    assert kinds == ["revoked"]


@pytest.mark.parametrize(("status", "timed_out"), [(503, False), (500, False), (None, True)])
def test_amazon_failing_changes_nothing(real_app, lwa, connection_id, status, timed_out):
    def failing(_):
        if status is None:
            time.sleep(1.5)  # longer than AMAZON_TIMEOUT
            return 200, {"access_token": "late", "expires_in": 3600}
        return status, {"error": "server_error"}

    lwa.answer = failing
    with pytest.raises(access.AmazonUnavailable) as failure:
        grant(real_app, connection_id)
    assert failure.value.timed_out is timed_out
    with real_app.app_context():
        connection = db.session.get(Connection, connection_id)
        assert connection.revoked_at is None
        assert real_app.extensions["token_vault"].decrypt(connection.refresh_token) == "Atzr|stored"
        assert db.session.get(StoredAccessToken, connection_id).claimed_until is None
