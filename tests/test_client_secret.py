"""The app's LWA client secret: its expiry is watched, and the new one is tried first."""

from datetime import date, timedelta

import pytest

from portal.amazon import access
from portal.amazon.models import Connection
from portal.amazon.sandbox.models import TokenRequest
from portal.amazon.secret import secret_status
from portal.extensions import db
from portal.models import utcnow
from tests.flow import connected
from tests.helpers import add_user, client_login


def token_requests(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(TokenRequest))


def refresh(server, connection_id: int) -> str:
    with server.app.app_context():
        connection = db.session.get(Connection, connection_id)
        access.forget(connection)
        return access.access(connection).access_token


def test_the_new_secret_is_tried_first_and_the_current_one_when_lwa_refuses_it(server, merchant):
    connection = connected(server, merchant)
    config = server.app.config
    sandbox_secret = config["AMAZON_SANDBOX_CLIENT_SECRET"]
    # Amazon does not know the new secret yet: refused, then the current one works.
    config["AMAZON_CLIENT_SECRET_NEXT"] = "not-active-yet"
    before = token_requests(server.app)
    assert refresh(server, connection["id"]).startswith("Atza|")
    assert token_requests(server.app) == before + 2
    # The new secret is active and the current one has expired: one request, with the new one.
    config["AMAZON_CLIENT_SECRET"], config["AMAZON_CLIENT_SECRET_NEXT"] = "expired", sandbox_secret
    before = token_requests(server.app)
    assert refresh(server, connection["id"]).startswith("Atza|")
    assert token_requests(server.app) == before + 1


def test_with_no_valid_secret_the_refresh_fails_and_changes_nothing(server, merchant):
    connection = connected(server, merchant)
    server.app.config["AMAZON_CLIENT_SECRET"] = "expired"
    with pytest.raises(access.AmazonUnavailable) as failure:
        refresh(server, connection["id"])
    assert failure.value.detail == "invalid_client"
    with server.app.app_context():
        assert db.session.get(Connection, connection["id"]).revoked_at is None


@pytest.mark.parametrize(("days", "shown"), [(45, False), (30, True), (3, True), (-2, True)])
def test_admins_see_the_secret_expiring_from_thirty_days(app, days, shown):
    app.config["AMAZON_CLIENT_SECRET_EXPIRES"] = (
        utcnow().date() + timedelta(days=days)
    ).isoformat()
    add_user(app, "admin@example.com", role="admin", language="en")
    add_user(app, "shop@example.com", language="en")
    admin, merchant = app.test_client(), app.test_client()
    client_login(admin, "admin@example.com")
    client_login(merchant, "shop@example.com")
    page = admin.get("/en/").get_data(as_text=True)
    assert ("client secret" in page) is shown
    if days < 0:
        assert "expired on" in page
    assert "client secret" not in merchant.get("/en/").get_data(as_text=True)


@pytest.mark.parametrize(("days", "warned"), [(20, False), (14, True), (-1, True)])
def test_readiness_warns_from_fourteen_days(app, days, warned):
    app.config["AMAZON_CLIENT_SECRET_EXPIRES"] = (
        utcnow().date() + timedelta(days=days)
    ).isoformat()
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"
    assert bool(answer.get_json().get("warnings")) is warned


def test_the_command_prints_the_expiry_and_the_days_left(app, runner):
    assert "not set" in runner.invoke(args=["amazon", "secret-status"]).output
    app.config["AMAZON_CLIENT_SECRET_EXPIRES"] = "2027-01-10"
    status = secret_status(app.config, today=date(2026, 12, 3))
    assert status.days_left == 38
    output = runner.invoke(args=["amazon", "secret-status"]).output
    assert "2027-01-10" in output and "days" in output


def test_a_wrong_expiry_date_stops_the_start(build_app):
    with pytest.raises(RuntimeError, match="PORTAL_AMAZON_CLIENT_SECRET_EXPIRES"):
        build_app(AMAZON_CLIENT_SECRET_EXPIRES="30/05/2027")
