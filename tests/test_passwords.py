"""The password policy, its hashing cost, the change page and the set-password command."""

import statistics
import time

import pytest
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.accounts.models import User
from portal.accounts.services import find_user
from portal.extensions import db
from tests.helpers import Browser, LiveServer, add_user, live_app

API = "/api/v1/amazon/connections"
NEW = "a new and long passphrase"
REAL_COST = "scrypt:131072:8:1"


def stored_hash(app, email: str) -> str:
    with app.app_context():
        return find_user(email).password_hash


def change(browser: Browser, current: str, new: str, again: str | None = None):
    browser.get("/en/account/password")
    form = {"current_password": current, "new_password": new, "confirm_password": again or new}
    return browser.post("/en/account/password", form)


def test_the_default_cost_is_scrypt_n_2_17(tmp_path):
    app = create_app({"ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["PASSWORD_HASH_METHOD"] == REAL_COST


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("eleven char", "at least 12 characters"),
        ("qwerty123456", "most common"),
        ("QWERTY123456", "most common"),  # compared without case
        (" qwertyqwerty ", "most common"),
    ],
)
def test_users_create_refuses_a_weak_password(app, runner, password, message):
    result = runner.invoke(args=["users", "create", "x@example.com", "--password", password])
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 0


def test_the_list_holds_the_10000_most_common_passwords():
    from portal.accounts import passwords

    common = passwords.common_passwords()
    assert len(common) == 10_000 and "123456" in common and "password" in common
    assert all(word == word.lower() for word in common)


def test_set_password_command(app, runner):
    add_user(app, "marie@example.com")
    with app.app_context():
        before = find_user("marie@example.com").session_version
    result = runner.invoke(args=["users", "set-password", "marie@example.com", "--password", NEW])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = find_user("marie@example.com")
        assert user.check_password(NEW) and not user.check_password("correct horse")
        assert user.session_version == before + 1
    prompted = runner.invoke(
        args=["users", "set-password", "marie@example.com"], input=f"{NEW}!\n{NEW}!\n"
    )
    assert prompted.exit_code == 0, prompted.output
    with app.app_context():
        assert find_user("marie@example.com").check_password(f"{NEW}!")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("marie@example.com", "short", "at least 12 characters"),
        ("marie@example.com", "qwerty123456", "most common"),
        ("nobody@example.com", NEW, "no user"),
    ],
)
def test_set_password_refuses(app, runner, email, password, message):
    add_user(app, "marie@example.com")
    result = runner.invoke(args=["users", "set-password", email, "--password", password])
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert find_user("marie@example.com").check_password("correct horse")


def test_changing_the_password_ends_the_other_sessions_only(server, merchant):
    other = Browser(server.url)
    other.login("marie@example.com", "correct horse")
    assert 'href="/en/account/password"' in merchant.get("/en/account/amazon").text
    done = change(merchant, "correct horse", NEW)
    assert done.status_code == 200 and done.url.endswith("/en/account/amazon")
    assert merchant.get(API).status_code == 200
    assert other.get(API).status_code == 401
    again = Browser(server.url)
    assert again.login("marie@example.com", "correct horse").status_code == 400
    again.login("marie@example.com", NEW)
    assert again.get(API).status_code == 200


@pytest.mark.parametrize(
    ("current", "new", "again", "field"),
    [
        ("wrong password", NEW, NEW, "current_password"),
        ("correct horse", NEW, NEW + "x", "confirm_password"),
        ("correct horse", "too short", "too short", "new_password"),
        ("correct horse", "qwerty123456", "qwerty123456", "new_password"),
        ("correct horse", "", "", "new_password"),
    ],
)
def test_the_password_page_refuses_mistakes(server, merchant, current, new, again, field):
    refused = change(merchant, current, new, again)
    assert refused.status_code == 400 and f'id="{field}-error"' in refused.text
    assert '<html lang="en"' in refused.text
    assert merchant.get(API).status_code == 200
    assert Browser(server.url).login("marie@example.com", "correct horse").status_code == 200


def test_the_password_page_needs_csrf_and_a_log_in(server, merchant):
    form = {"current_password": "correct horse", "new_password": NEW, "confirm_password": NEW}
    assert merchant.post("/en/account/password", form, csrf=False).status_code == 400
    anonymous = Browser(server.url).get("/en/account/password", follow=False)
    assert anonymous.status_code == 302
    assert "/login?next=/en/account/password" in anonymous.headers["Location"]
    assert Browser(server.url).login("marie@example.com", NEW).status_code == 400


@pytest.fixture
def real_cost_live(tmp_path):
    """The portal with the production hashing cost and no log-in limit in the way."""
    app = live_app(
        tmp_path,
        PASSWORD_HASH_METHOD=REAL_COST,
        LOGIN_LIMIT_PER_ADDRESS="1000 per minute",
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="1000 per minute",
    )
    with LiveServer(app) as server:
        yield server


def test_an_older_hash_is_replaced_at_the_next_log_in(real_cost_live):
    app = real_cost_live.app
    add_user(app, "marie@example.com")
    with app.app_context():
        user = find_user("marie@example.com")
        user.password_hash = generate_password_hash("correct horse", "scrypt:32768:8:1")
        db.session.commit()
    browser = Browser(real_cost_live.url)
    assert browser.login("marie@example.com", "wrong password").status_code == 400
    assert stored_hash(app, "marie@example.com").startswith("scrypt:32768:8:1$")
    browser.login("marie@example.com", "correct horse")
    assert browser.get(API).status_code == 200
    assert stored_hash(app, "marie@example.com").startswith(f"{REAL_COST}$")
    again = Browser(real_cost_live.url)
    again.login("marie@example.com", "correct horse")
    assert again.get(API).status_code == 200


def test_unknown_and_known_addresses_take_the_same_time(real_cost_live):
    add_user(real_cost_live.app, "marie@example.com")
    assert stored_hash(real_cost_live.app, "marie@example.com").startswith(f"{REAL_COST}$")
    browser = Browser(real_cost_live.url)
    browser.get("/fr/login")
    token = browser.csrf()

    def attempt(email: str) -> float:
        began = time.perf_counter()
        answer = browser.post(
            "/fr/login",
            {"csrf_token": token, "email": email, "password": "wrong password"},
            csrf=False,
        )
        assert answer.status_code == 400
        return time.perf_counter() - began

    attempt("nobody@example.com")  # warm-up on both paths
    attempt("marie@example.com")
    known, unknown = [], []
    for _ in range(20):  # interleaved, so a busy machine slows both alike
        known.append(attempt("marie@example.com"))
        unknown.append(attempt("nobody@example.com"))
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    assert abs(known_median - unknown_median) <= 0.2 * known_median, (known, unknown)
