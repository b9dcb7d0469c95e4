"""A session's life over real HTTP: a fresh one at log-in, none left after log-out, time limits."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.accounts import sessions
from portal.accounts.services import find_user
from tests.flow import start
from tests.helpers import Browser, LiveServer, add_user, live_app, logged_in, session_of

API = "/api/v1/amazon/connections"
MINUTE, DAY = 60, 24 * 60 * 60


@pytest.fixture
def clock(monkeypatch):
    """The time the portal's session checks see; the test moves it forward."""
    now = [time.time()]
    monkeypatch.setattr(sessions, "clock", lambda: now[0])
    return now


def copy_of(browser: Browser) -> Browser:
    """Another client that copied the browser's cookies (a stolen or shared cookie)."""
    thief = Browser(browser.base)
    thief.http.cookies.update(browser.http.cookies)
    return thief


def test_a_cookie_copied_before_log_out_is_refused_after_it(server, merchant):
    thief = copy_of(merchant)
    assert thief.get(API).status_code == 200
    merchant.post("/fr/logout", {})
    assert merchant.get(API).status_code == 401
    assert thief.get(API).status_code == 401


def test_a_session_planted_before_log_in_is_not_the_one_after_it(server):
    add_user(server.app, "marie@example.com")
    attacker = Browser(server.url)
    attacker.get("/fr/login")
    known_token = attacker.csrf()
    planted = attacker.http.cookies["session"]
    victim = copy_of(attacker)  # e.g. set by a sibling subdomain
    victim.login("marie@example.com", "correct horse")
    assert victim.http.cookies["session"] != planted
    assert victim.get(API).status_code == 200
    # The CSRF token the attacker saw before the log-in does not work in the new session.
    forged = victim.http.post(
        f"{server.url}/fr/logout", data={"csrf_token": known_token}, allow_redirects=False
    )
    assert forged.status_code == 400
    assert victim.get(API).status_code == 200


def test_an_authorization_started_before_log_in_is_gone_after_it(server, merchant):
    add_user(server.app, "paul@example.com")
    state = parse_qs(urlsplit(start(merchant)).query)["state"][0]
    assert any(state in key for key in session_of(server.app, merchant))
    merchant.post("/fr/login", {"email": "paul@example.com", "password": "correct horse"})
    assert merchant.get(API).status_code == 200  # Paul now
    left = session_of(server.app, merchant)
    assert not [key for key in left if key.startswith("_state_") or "amazon" in key]
    assert set(left) <= {"_user_id", "_fresh", "_id", "_version", "_started", "_seen", "csrf_token"}


def test_log_out_leaves_nothing_of_the_session(server, merchant):
    start(merchant)
    merchant.post("/fr/logout", {}, follow=False)
    assert set(session_of(server.app, merchant)) == {"_flashes"}


def test_activity_keeps_a_session_and_idleness_ends_it(server, clock):
    browser, _ = logged_in(server, "marie@example.com")
    for _ in range(3):  # five hours in all, never two idle
        clock[0] += 100 * MINUTE
        assert browser.get(API).status_code == 200
    clock[0] += 121 * MINUTE
    page = browser.get("/fr/account/amazon")
    assert urlsplit(page.url).path == "/fr/login"
    assert "flash-session-ended" in page.text
    assert browser.get(API).status_code == 401


def test_a_session_ends_seven_days_after_log_in_however_active(tmp_path, clock):
    with LiveServer(live_app(tmp_path, SESSION_IDLE_MINUTES=2 * 24 * 60)) as server:
        browser, _ = logged_in(server, "marie@example.com")
        for _ in range(6):
            clock[0] += DAY
            assert browser.get(API).status_code == 200
        clock[0] += DAY - MINUTE
        assert browser.get(API).status_code == 200
        clock[0] += 2 * MINUTE
        page = browser.get("/fr/account/amazon")
        assert urlsplit(page.url).path == "/fr/login" and "flash-session-ended" in page.text


def test_the_time_limits_come_from_the_configuration(tmp_path, clock):
    with LiveServer(live_app(tmp_path, SESSION_IDLE_MINUTES=10, SESSION_LIFETIME_DAYS=1)) as server:
        browser, _ = logged_in(server, "marie@example.com")
        clock[0] += 11 * MINUTE
        assert browser.get(API).status_code == 401


def test_the_last_visit_is_written_at_most_once_a_minute(server, clock):
    browser, _ = logged_in(server, "marie@example.com")
    clock[0] += 30
    assert "Set-Cookie" not in browser.get(API).headers
    clock[0] += 31
    assert "Set-Cookie" in browser.get(API).headers
    clock[0] += 30
    assert "Set-Cookie" not in browser.get(API).headers


def test_readers_without_a_session_load_no_user(server, monkeypatch):
    loaded = []
    monkeypatch.setattr(sessions, "check", lambda user: loaded.append(user) or user)
    reader = Browser(server.url)
    assert reader.get("/fr/").status_code == 200 and "session" not in reader.http.cookies
    assert loaded == []


def test_an_admin_logs_a_merchant_out_everywhere(server, merchant):
    admin, _ = logged_in(server, "admin@example.com", role="admin", language="en")
    with server.app.app_context():
        marie = find_user("marie@example.com").id
    page = admin.get(f"/en/support/merchants/{marie}")
    assert 'id="logout-everywhere"' in page.text
    done = admin.post(f"/en/support/merchants/{marie}/logout-everywhere", {})
    assert urlsplit(done.url).path == f"/en/support/merchants/{marie}"
    assert merchant.get(API).status_code == 401
    assert admin.get("/en/support/").url.endswith("/en/support/")  # still logged in


def test_support_staff_cannot_log_a_merchant_out(server, merchant):
    support, _ = logged_in(server, "help@example.com", role="support", language="en")
    with server.app.app_context():
        marie = find_user("marie@example.com").id
    page = support.get(f"/en/support/merchants/{marie}")
    assert page.status_code == 200 and 'id="logout-everywhere"' not in page.text
    refused = support.post(f"/en/support/merchants/{marie}/logout-everywhere", {})
    assert refused.status_code == 403
    assert merchant.get(API).status_code == 200


def test_the_logout_everywhere_command_ends_every_session(server, merchant):
    other = Browser(server.url)
    other.login("marie@example.com", "correct horse")
    result = server.app.test_cli_runner().invoke(
        args=["users", "logout-everywhere", "Marie@Example.com"]
    )
    assert result.exit_code == 0, result.output
    assert merchant.get(API).status_code == 401 and other.get(API).status_code == 401
    unknown = server.app.test_cli_runner().invoke(
        args=["users", "logout-everywhere", "nobody@example.com"]
    )
    assert unknown.exit_code != 0 and "no user" in unknown.output
