"""The sandbox behaves as the protocol notes' test-double spec says, and only where it should."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from portal.accounts.services import find_user
from portal.amazon.connections import connections_of, status
from portal.amazon.models import Connection
from portal.amazon.sandbox import sellers
from portal.amazon.sandbox.demo import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    DEMO_SELLER,
    DEMO_SELLER_PASSWORD,
)
from portal.amazon.state import TokenState
from portal.extensions import db
from tests.flow import connected
from tests.helpers import LiveServer, live_app, logged_in


def token_request(server, method="POST", **fields):
    config = server.app.config
    body = {
        "client_id": config["AMAZON_CLIENT_ID"],
        "client_secret": config["AMAZON_CLIENT_SECRET"],
        **fields,
    }
    body = {key: value for key, value in body.items() if value is not None}
    return requests.request(method, f"{server.url}/sandbox/auth/o2/token", data=body, timeout=10)


@pytest.mark.parametrize(
    ("fields", "status", "error", "description"),
    [
        ({"grant_type": None}, 400, "invalid_request", "Malformed request"),
        (
            {"grant_type": "password"},
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        ),
        (
            {"grant_type": "refresh_token", "client_secret": "wrong"},
            401,
            "invalid_client",
            "Client authentication failed",
        ),
        (
            {"grant_type": "authorization_code"},
            400,
            "invalid_request",
            "The request is missing a required parameter : code",
        ),
        (
            {"grant_type": "authorization_code", "code": "nope"},
            400,
            "invalid_grant",
            "The request has an invalid grant parameter : code",
        ),
        (
            {"grant_type": "refresh_token", "refresh_token": "Atzr|unknown"},
            400,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token. "
            "User may have revoked or didn't grant the permission.",
        ),
    ],
)
def test_token_endpoint_errors(server, fields, status, error, description):
    response = token_request(server, **fields)
    assert response.status_code == status
    assert response.json() == {"error": error, "error_description": description}
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert (
        response.headers["Cache-Control"] == "no-store" and response.headers["Pragma"] == "no-cache"
    )


def test_token_endpoint_wants_post(server):
    assert (
        token_request(server, method="GET", grant_type="refresh_token").json()["error"]
        == "invalid_request"
    )


def test_grantless_token(server):
    response = token_request(
        server, grant_type="client_credentials", scope="sellingpartnerapi::notifications"
    )
    assert response.status_code == 200 and "refresh_token" not in response.json()
    assert (
        token_request(server, grant_type="client_credentials", scope="x").json()["error"]
        == "invalid_scope"
    )


def test_sp_api_refuses_missing_and_unknown_tokens(server):
    url = f"{server.url}/sandbox/sp-api/sellers/v1/marketplaceParticipations"
    missing = requests.get(url, timeout=10)
    assert (
        missing.status_code == 403
        and missing.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    )
    assert missing.json()["errors"][0]["code"] == "MissingAuthenticationToken"
    unknown = requests.get(url, headers={"x-amz-access-token": "Atza|nope"}, timeout=10)
    assert (
        unknown.json()["errors"][0]["details"]
        == "The access token you provided is revoked, malformed or invalid."
    )


def consent_page(server, merchant, **params):
    query = {"application_id": server.app.config["AMAZON_APPLICATION_ID"], "state": "s", **params}
    return merchant.get(
        "/sandbox/seller-central/apps/authorize/consent", params=query, follow=False
    )


def test_consent_refuses_what_amazon_refuses(server, merchant):
    assert (
        "unknown_application"
        in consent_page(server, merchant, application_id="amzn1.sp.solution.other").text
    )
    assert "MD5101" in consent_page(server, merchant, redirect_uri="https://evil.example/cb").text
    assert (
        "MD5110"
        in consent_page(server, merchant, redirect_uri=f"{server.url}/amazon/callback#x").text
    )


def test_draft_application_needs_version_beta(tmp_path):
    with LiveServer(live_app(tmp_path, AMAZON_DRAFT_APP=True)) as server:
        browser, _ = logged_in(server, "d@example.com")
        browser.get("/fr/account/amazon")
        url = browser.post(
            "/amazon/authorize", {"marketplace": "DE", "lang": "fr", "confirmed": "1"}, follow=False
        ).headers["Location"]
        assert parse_qs(urlsplit(url).query)["version"] == ["beta"]
        assert "MD1000" in consent_page(server, browser).text


def test_sandbox_exists_only_without_amazon_credentials(build_app):
    app = build_app(
        AMAZON_CLIENT_ID="amzn1.application-oa2-client.x",
        AMAZON_CLIENT_SECRET="s",
        AMAZON_APPLICATION_ID="amzn1.sp.solution.x",
    )
    client = app.test_client()
    assert client.get("/sandbox/").status_code == 404
    assert client.post("/sandbox/auth/o2/token").status_code in (400, 404)
    assert "Demo mode" not in client.get("/en/").get_data(as_text=True)
    assert app.config["AMAZON_TOKEN_URL"] == "https://api.amazon.com/auth/o2/token"


def test_every_sandbox_page_says_it_is_a_simulation(server, merchant):
    for path in ("/sandbox/", "/sandbox/controls", "/sandbox/seller-central/signin"):
        page = merchant.get(path)
        assert "Simulation" in page.text and page.headers["Cache-Control"] == "no-store"
    assert "Demo mode" in merchant.get("/en/").text


def test_controls_move_the_dates(server, merchant):
    connection = connected(server, merchant)
    page = merchant.get("/sandbox/controls")
    assert f'name="connection" value="{connection["id"]}"' in page.text
    merchant.post("/sandbox/controls", {"connection": str(connection["id"]), "days_left": "-2"})
    with server.app.app_context():
        assert status(db.session.get(Connection, connection["id"])).state is TokenState.EXPIRED
    merchant.post("/sandbox/controls", {"connection": str(connection["id"]), "days_left": "10"})
    with server.app.app_context():
        current = status(db.session.get(Connection, connection["id"]))
        assert (current.state, current.days_left) == (TokenState.EXPIRING, 10)


def test_demo_merchant(app, runner):
    result = runner.invoke(args=["demo"])
    assert DEMO_EMAIL in result.output and DEMO_PASSWORD in result.output
    seller_line = f"seller {DEMO_SELLER} / {DEMO_SELLER_PASSWORD}"
    assert seller_line in result.output
    with app.app_context():
        (seller,) = sellers.sellers()
        assert sellers.sign_in(DEMO_SELLER, DEMO_SELLER_PASSWORD) == seller
        seller.password_hash = None  # a demo made before sellers had passwords
        db.session.commit()
    again = runner.invoke(args=["demo"]).output
    assert "exists already" in again and seller_line in again
    with app.app_context():
        assert sellers.sign_in(DEMO_SELLER, DEMO_SELLER_PASSWORD) is not None
    with app.app_context():
        user = find_user(DEMO_EMAIL)
        (connection,) = connections_of(user.id)
        current = status(connection)
        assert current.state is TokenState.EXPIRING and current.days_left == 12
        assert connection.expires_at - connection.authorized_at == timedelta(days=365)
