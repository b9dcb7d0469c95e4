"""Log-in and log-out, `next` only to our own paths, the users CLI."""

import pytest
from requests.adapters import HTTPAdapter

from portal.accounts.models import Role, User
from portal.accounts.services import find_user
from portal.extensions import db
from tests.helpers import Browser, LiveServer, add_user, csrf_token


@pytest.fixture
def user(app):
    return add_user(app, "marie@example.com")


def test_login_lands_on_the_account_page(client, auth, user):
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/en/account/amazon"
    assert "Log out" in client.get("/en/account/amazon").get_data(as_text=True)


def test_wrong_password_gives_a_clear_error_and_no_session(client, auth, user):
    response = auth.login(password="wrong")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The email address or the password is not correct." in html
    assert client.get("/api/v1/amazon/connections").status_code == 401


def test_login_form_errors_are_localized(client, user):
    page = client.get("/de/login").get_data(as_text=True)
    response = client.post(
        "/de/login", data={"csrf_token": csrf_token(page), "email": "not-an-email", "password": ""}
    )
    assert response.status_code == 400
    assert '<html lang="de"' in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, user):
    response = client.post(
        "/en/login", data={"email": "marie@example.com", "password": "correct horse"}
    )
    assert response.status_code == 400
    assert client.get("/api/v1/amazon/connections").status_code == 401


def test_next_goes_back_to_our_own_page(auth, user):
    response = auth.login(next_="/fr/faq/2763-generer-ou-renouveler-le-token-amazon#step-2")
    assert (
        response.headers["Location"] == "/fr/faq/2763-generer-ou-renouveler-le-token-amazon#step-2"
    )


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"]
)
def test_next_never_leaves_the_site(auth, user, target):
    assert auth.login(next_=target).headers["Location"] == "/en/account/amazon"


def test_pages_that_need_a_login_send_there_and_back(client, user):
    response = client.get("/de/account/amazon", headers={"Accept-Language": "de"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/de/login?next=/de/account/amazon")


def test_logout(client, auth, user):
    auth.login()
    response = auth.logout()
    assert response.headers["Location"] == "/en/"
    assert client.get("/api/v1/amazon/connections").status_code == 401


def test_logged_in_pages_are_private(client, auth, user):
    auth.login()
    response = client.get("/fr/faq/2763-generer-ou-renouveler-le-token-amazon")
    assert response.cache_control.private and not response.cache_control.public
    assert 'id="your-token"' in response.get_data(as_text=True)
    printed = client.get("/fr/faq/2763-generer-ou-renouveler-le-token-amazon/print")
    assert 'id="your-token"' not in printed.get_data(as_text=True)


def test_anonymous_article_is_shared_and_invites_to_log_in(client, user):
    response = client.get("/fr/faq/2763-generer-ou-renouveler-le-token-amazon")
    html = response.get_data(as_text=True)
    assert response.cache_control.public and "Set-Cookie" not in response.headers
    assert "/fr/login?next=/fr/faq/2763-generer-ou-renouveler-le-token-amazon%23your-token" in html


def test_users_create_command(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Support@Example.com",
            "--role",
            "support",
            "--password",
            "long enough now",
            "--language",
            "de",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = find_user("support@example.com")
        assert (
            user.role is Role.SUPPORT
            and user.language == "de"
            and user.check_password("long enough now")
        )
        assert "long enough now" not in user.password_hash


def test_users_create_prompts_for_the_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "p@example.com"], input="s3cret-passphrase\ns3cret-passphrase\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert find_user("p@example.com").check_password("s3cret-passphrase")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss"], "Invalid value for '--role'"),
        (["--password", "short"], "at least 12 characters"),
        (["--password", "long enough now", "--timezone", "Mars/Base"], "unknown time zone"),
    ],
)
def test_users_create_refuses_bad_input(app, runner, args, message):
    result = runner.invoke(args=["users", "create", "x@example.com", *args])
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 0


def test_users_create_refuses_a_duplicate(app, runner, user):
    result = runner.invoke(
        args=["users", "create", "MARIE@example.com", "--password", "long enough now"]
    )
    assert result.exit_code != 0 and "already exists" in result.output


def test_the_cli_refuses_an_address_the_log_in_form_refuses(app, runner, auth):
    result = runner.invoke(args=["users", "create", "a@shop.test", "--password", "long enough now"])
    assert result.exit_code != 0 and "not a valid email address" in result.output
    assert "shop.test" in result.output  # and says why
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 0
    assert auth.login("a@shop.test", "long enough now").status_code == 400


@pytest.mark.parametrize(
    "email", ["Kim.Lee+shop@Example.COM", "josé@exämple.de", "o'neil@sub.example.org"]
)
def test_an_address_the_cli_accepts_can_log_in(app, runner, client, auth, email):
    result = runner.invoke(args=["users", "create", email, "--password", "long enough now"])
    assert result.exit_code == 0, result.output
    response = auth.login(email, "long enough now")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/api/v1/amazon/connections").status_code == 200


class FromAddress(HTTPAdapter):
    """Connect from another loopback address, as a client elsewhere on the Internet would."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def browser_at(url: str, address: str) -> Browser:
    browser = Browser(url)
    browser.http.mount("http://", FromAddress(address))
    return browser


def test_one_address_cannot_lock_a_merchant_out(build_app):
    limits = {
        "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "3 per minute",
        "LOGIN_LIMIT_PER_ADDRESS": "5 per minute",
    }
    with LiveServer(lambda url: build_app(BASE_URL=url, **limits)) as server:
        add_user(server.app, "marie@example.com")
        attacker = browser_at(server.url, "127.0.0.2")
        codes = [attacker.login("marie@example.com", f"guess {n}").status_code for n in range(4)]
        assert codes == [400, 400, 400, 429]
        merchant = browser_at(server.url, "127.0.0.3")
        assert merchant.login("marie@example.com", "correct horse").status_code == 200
        assert merchant.get("/api/v1/amazon/connections").status_code == 200
        # The hammering address is held back for every account once it reaches its own limit.
        codes = [
            attacker.login(f"n{n}@example.com", "a wrong password").status_code for n in range(3)
        ]
        assert codes == [400, 400, 429]
