"""The pieces of the authorization: derived state, token encryption, the Login URI's host check."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet

from portal.amazon.crypto import InvalidToken, TokenVault, parse_keys
from portal.amazon.models import Connection
from portal.amazon.seller_central import confirm_page
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
    assert deactivated.state is TokenState.DEACTIVATED and not deactivated.syncing
    revoked = status_of(connection(timedelta(days=100), revoked_at=NOW), NOW)
    assert revoked.state is TokenState.REVOKED and not revoked.syncing
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


APP = "amzn1.sp.solution.x"


@pytest.mark.parametrize(
    ("uri", "region"),
    [
        (f"https://sellercentral-europe.amazon.com/apps/authorize/confirm/{APP}", "EU"),
        (f"https://sellercentral.amazon.co.jp/apps/authorize/confirm/{APP}", "FE"),
        (f"https://vendorcentral.amazon.com/apps/authorize/confirm/{APP}", "NA"),
        (f"https://sellercentral.amazon.fr/apps/authorize/confirm/{APP}", "EU"),
        (f"https://SellerCentral.Amazon.fr/apps/authorize/confirm/{APP}?x=1#y", "EU"),
        (f"https://sellercentral.amazon.com.evil.example/apps/authorize/confirm/{APP}", None),
        (f"http://sellercentral.amazon.com/apps/authorize/confirm/{APP}", None),
        (f"https://sellercentral.amazon.com:8443/apps/authorize/confirm/{APP}", None),
        (f"https://sellercentral.amazon.com:99999/apps/authorize/confirm/{APP}", None),
        (f"https://a:b@sellercentral.amazon.com/apps/authorize/confirm/{APP}", None),
        (f"/sandbox/seller-central/apps/authorize/confirm/{APP}", None),
        ("https://sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.y", None),
        (f"https://sellercentral.amazon.com/apps/authorize/confirm/{APP}/", None),
        (f"https://sellercentral.amazon.com/x/apps/authorize/confirm/{APP}", None),
        ("https://sellercentral.amazon.com/x", None),
        (None, None),
    ],
)
def test_login_uri_accepts_only_our_confirm_page_on_seller_and_vendor_central(
    build_app, uri, region
):
    app = build_app(
        AMAZON_CLIENT_ID="amzn1.application-oa2-client.x",
        AMAZON_CLIENT_SECRET="s",
        AMAZON_APPLICATION_ID=APP,
    )
    assert not app.config["AMAZON_SANDBOX"]
    with app.test_request_context():
        found = confirm_page(uri)
    if region is None:
        assert found is None
    else:
        host = urlsplit(uri).hostname
        assert found == (f"https://{host}/apps/authorize/confirm/{APP}", region)


def test_login_uri_accepts_the_configured_seller_central(build_app):
    app = build_app(BASE_URL="http://portal.test")
    confirm = "/apps/authorize/confirm/" + app.config["AMAZON_APPLICATION_ID"]
    with app.test_request_context(base_url="http://portal.test"):
        uri = f"http://portal.test/sandbox/seller-central{confirm}"
        assert confirm_page(uri + "?redirect_uri=x") == (uri, "")
        assert confirm_page("http://portal.test/elsewhere") is None
        assert confirm_page(f"http://portal.test/sandbox/seller-centralx{confirm}") is None
        assert confirm_page("http://portal.test/sandbox/seller-central/apps/manage") is None
