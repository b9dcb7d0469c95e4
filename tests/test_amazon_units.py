"""The pieces of the authorization: derived state, token encryption, the Login URI's host check."""

from datetime import datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from portal.amazon.crypto import InvalidToken, TokenVault, parse_keys
from portal.amazon.models import Connection
from portal.amazon.services import callback_region
from portal.amazon.state import TokenState, status_of

NOW = datetime(2026, 11, 27, 12, 0)


def connection(expires_in: timedelta, **dates) -> Connection:
    return Connection(
        expires_at=NOW + expires_in, authorized_at=NOW + expires_in - timedelta(days=365), **dates
    )


@pytest.mark.parametrize(
    ("expires_in", "state", "days"),
    [
        (timedelta(days=200), TokenState.ACTIVE, 200),
        (timedelta(days=30, seconds=1), TokenState.ACTIVE, 30),
        (timedelta(days=30), TokenState.EXPIRING, 30),
        (timedelta(days=12, hours=5), TokenState.EXPIRING, 12),
        (timedelta(seconds=1), TokenState.EXPIRING, 0),
        (timedelta(0), TokenState.EXPIRED, 0),
        (timedelta(days=-3), TokenState.EXPIRED, 0),
    ],
)
def test_state_follows_the_dates(expires_in, state, days):
    status = status_of(connection(expires_in), NOW)
    assert (status.state, status.days_left) == (state, days)
    assert status.syncing == (state in (TokenState.ACTIVE, TokenState.EXPIRING))


def test_merchant_deactivation_and_amazon_revocation():
    deactivated = status_of(connection(timedelta(days=100), deactivated_at=NOW), NOW)
    assert deactivated.state is TokenState.DEACTIVATED and deactivated.orders == "stopped"
    revoked = status_of(connection(timedelta(days=100), revoked_at=NOW), NOW)
    assert revoked.state is TokenState.REVOKED and revoked.stock_and_prices == "stopped"
    assert (
        status_of(connection(timedelta(days=-1), deactivated_at=NOW), NOW).state
        is TokenState.EXPIRED
    )
    assert status_of(None, NOW).state is TokenState.NOT_CONNECTED


def test_vault_encrypts_and_rotates_keys():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = TokenVault([old]).encrypt("Atzr|secret")
    assert b"Atzr" not in stored
    rotated_vault = TokenVault([new, old])
    assert rotated_vault.decrypt(stored) == "Atzr|secret"
    rotated = rotated_vault.rotate(stored)
    assert TokenVault([new]).decrypt(rotated) == "Atzr|secret"
    with pytest.raises(InvalidToken):
        TokenVault([new]).decrypt(stored)


def test_token_keys_from_configuration():
    assert parse_keys("a, b,") == ["a", "b"]
    assert parse_keys(["a"]) == ["a"]
    assert parse_keys(None) == []


@pytest.mark.parametrize(
    ("uri", "region"),
    [
        ("https://sellercentral-europe.amazon.com/apps/authorize/confirm/x", "EU"),
        ("https://sellercentral.amazon.co.jp/apps/authorize/confirm/x", "FE"),
        ("https://vendorcentral.amazon.com/apps/authorize/confirm/x", "NA"),
        ("https://sellercentral.amazon.fr/apps/authorize/confirm/x", "EU"),
        ("https://sellercentral.amazon.com.evil.example/x", None),
        ("http://sellercentral.amazon.com/x", None),
        ("https://sellercentral.amazon.com:8443/x", None),
        ("https://a:b@sellercentral.amazon.com/x", None),
        ("/sandbox/seller-central/apps/authorize/confirm/x", None),
    ],
)
def test_login_uri_accepts_only_seller_and_vendor_central(build_app, uri, region):
    app = build_app(
        AMAZON_CLIENT_ID="amzn1.application-oa2-client.x",
        AMAZON_CLIENT_SECRET="s",
        AMAZON_APPLICATION_ID="amzn1.sp.solution.x",
    )
    assert not app.config["AMAZON_SANDBOX"]
    with app.test_request_context():
        assert callback_region(uri) == region


def test_login_uri_accepts_the_configured_seller_central(build_app):
    app = build_app(BASE_URL="http://portal.test")
    with app.test_request_context(base_url="http://portal.test"):
        assert (
            callback_region("http://portal.test/sandbox/seller-central/apps/authorize/confirm/x")
            == ""
        )
        assert callback_region("http://portal.test/elsewhere") is None
