"""Anonymous pages are rendered once per worker and interval; nobody gets another's page."""

import re
import time
from html.parser import HTMLParser

import pytest
import requests

from portal.extensions import db
from portal.faq.models import SearchMiss
from tests.helpers import (
    LiveServer,
    add_user,
    client_login,
    csrf_token,
    logged_in,
    renders,
    statements,
)

FR = "/fr/faq/2763-generer-ou-renouveler-le-token-amazon"


def test_an_anonymous_article_is_rendered_once_and_served_the_same(app, client):
    first = client.get(FR)
    with renders(app) as rendered:
        again = app.test_client().get(FR)
    assert rendered == []
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "public" in again.headers["Cache-Control"] and "Set-Cookie" not in again.headers
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert "frame-ancestors 'none'" in again.headers["Content-Security-Policy"]


def test_a_kept_page_is_answered_before_flask_dispatches_the_request(app, client):
    dispatched = []
    app.before_request(lambda: dispatched.append(1) and None)
    first = client.get(FR)
    assert dispatched == [1]
    again = client.get(FR, headers={"X-Request-ID": "reader-42"})
    assert dispatched == [1] and again.get_data() == first.get_data()
    assert again.headers["X-Request-ID"] == "reader-42"
    sent = {name for name, _ in first.headers if name not in ("X-Request-ID", "Date")}
    assert sent == {name for name, _ in again.headers if name not in ("X-Request-ID", "Date")}
    client.set_cookie("session", "whatever")  # a session may hold a user or a message
    client.get(FR)
    assert dispatched == [1, 1]


def test_a_cached_page_still_answers_conditional_requests(client):
    etag = client.get(FR).headers["ETag"]
    response = client.get(FR, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.get_data() == b""


def test_a_vote_shows_at_once(app, client):
    assert "Aucun vote" in client.get(FR).get_data(as_text=True)
    client.post("/fr/faq/2763/vote", data={"helpful": "yes"})
    assert "1 vote" in app.test_client().get(FR).get_data(as_text=True)


def test_pages_expire(build_app):
    app = build_app(PAGE_CACHE_SECONDS=0.2)
    client = app.test_client()
    client.get(FR)
    time.sleep(0.3)
    with renders(app) as rendered:
        client.get(FR)
    assert rendered == ["faq/article.html"]


def test_a_merchants_page_expires_too(build_app):
    """What time alone changes on it (days left, a late synchronisation) shows this soon."""
    app = build_app(PAGE_CACHE_SECONDS=0.2)
    add_user(app, "kunde@example.com", language="en")
    client = app.test_client()
    client_login(client, email="kunde@example.com")
    client.get("/en/account/amazon")
    with renders(app) as rendered:
        client.get("/en/account/amazon")
    assert rendered == []
    time.sleep(0.3)
    with renders(app) as rendered:
        client.get("/en/account/amazon")
    assert "amazon/account.html" in rendered


def test_the_cache_can_be_turned_off(build_app):
    app = build_app(PAGE_CACHE_SECONDS=0)
    client = app.test_client()
    client.get(FR)
    with renders(app) as rendered:
        client.get(FR)
    assert rendered == ["faq/article.html"]


@pytest.mark.parametrize("query", ["?feedback=thanks", "?utm_source=newsletter"])
def test_other_arguments_bypass_the_cache(app, client, query):
    client.get(FR)
    with renders(app) as rendered:
        html = client.get(FR + query).get_data(as_text=True)
    assert rendered == ["faq/article.html"]
    if query == "?feedback=thanks":
        assert "Merci" in html


def test_a_logged_in_merchant_never_gets_the_anonymous_page(app, client):
    anonymous = client.get("/en/faq/2763-generate-or-renew-the-amazon-token").get_data(as_text=True)
    assert "Log in" in anonymous
    add_user(app, "marie@example.com")
    merchant = app.test_client()
    client_login(merchant)
    with renders(app) as rendered:
        response = merchant.get("/en/faq/2763-generate-or-renew-the-amazon-token")
    html = response.get_data(as_text=True)
    assert "faq/article.html" in rendered
    assert "Log out" in html and "Your Amazon token" in html
    assert "private" in response.headers["Cache-Control"]
    # ...and the anonymous reader still gets theirs, without the merchant's session.
    assert "Log out" not in app.test_client().get(FR).get_data(as_text=True)


def test_a_message_waiting_in_the_session_is_shown(app, client):
    add_user(app, "marie@example.com")
    client.get("/en/")
    client_login(client)
    token = csrf_token(client.get("/en/account/amazon").get_data(as_text=True))
    response = client.post("/en/logout", data={"csrf_token": token})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have been logged out." in html


def test_searches_with_results_are_cached_and_each_miss_is_counted(app, client):
    client.get("/fr/search?q=renouvellement")
    with renders(app) as rendered:
        client.get("/fr/search?q=renouvellement")
    assert rendered == []
    for _ in range(2):
        miss = client.get("/fr/search?q=zzzqqq")
        assert "no-cache" in miss.headers["Cache-Control"]
    with app.app_context():
        assert db.session.query(SearchMiss).filter_by(query="zzzqqq").count() == 2


def test_shared_parts_show_each_merchant_their_own_token(app):
    """Steps, header and footer are rendered once per language; the cards never are."""
    pages = {}
    for email in ("marie@example.com", "paul@example.com"):
        add_user(app, email)
        client = app.test_client()
        client_login(client, email=email)
        pages[email] = client.get("/en/account/amazon").get_data(as_text=True)
    tokens = [csrf_token(html) for html in pages.values()]
    assert tokens[0] != tokens[1]
    for html, token in zip(pages.values(), tokens, strict=True):
        assert html.count(token) == html.count('name="csrf_token"')


def test_cached_pages_keep_their_type_and_answer_head(client):
    first, again = client.get("/sitemap.xml"), client.get("/sitemap.xml")
    assert again.mimetype == first.mimetype == "application/xml"
    head = client.head(FR)
    assert head.status_code == 200 and head.get_data() == b""
    assert int(head.headers["Content-Length"]) == len(client.get(FR).get_data())


def test_after_voting_the_reader_sees_their_vote_whichever_worker_answers(app, client):
    assert "Aucun vote" in client.get(FR).get_data(as_text=True)
    other_worker = app.test_client()
    with app.app_context():  # the vote lands on another worker: this one's cache is not cleared
        from portal import faq

        page = faq.get_article(2763, "fr")
        faq.record_vote(page, "reader:someone", True)
    assert "1 vote" in other_worker.get(FR + "?feedback=thanks").get_data(as_text=True)
    assert "Aucun vote" in client.get(FR).get_data(
        as_text=True
    )  # others: within PAGE_CACHE_SECONDS


def test_a_forged_host_header_does_not_poison_the_cache(client):
    forged = client.get(FR, headers={"Host": "evil.example"}).get_data(as_text=True)
    assert 'rel="canonical" href="http://evil.example/' in forged
    html = client.get(FR).get_data(as_text=True)
    assert "evil.example" not in html
    assert 'rel="canonical" href="http://localhost/fr/faq/2763-' in html


PERSONAL_PAGES = [
    "/fr/",
    "/fr/category/support",
    FR,
    FR + "/print",
    FR + "?feedback=thanks",
    "/fr/search?q=renouvellement",  # with results
    "/fr/search?q=2763",
    "/fr/search?q=zzzqqq",  # without
    "/sitemap.xml",
    "/robots.txt",
    "/fr/account/amazon",
    "/api/v1/amazon/connections",
]
STAFF_PAGES = ["/fr/support/", "/fr/support/dashboard", "/fr/support/link?article=2763"]


@pytest.mark.parametrize("role", ["merchant", "support"])
def test_no_answer_to_a_logged_in_user_is_public(server, role):
    """Their pages hold the log-out form's CSRF token and, for staff, internal titles."""
    browser, _ = logged_in(server, "someone@example.com", role=role)
    for path in PERSONAL_PAGES + (STAFF_PAGES if role == "support" else []):
        response = browser.get(path, follow=False)
        assert response.status_code == 200, path
        control = response.headers.get("Cache-Control", "")
        assert "private" in control and "public" not in control, (path, control)
        assert "s-maxage" not in control, path


def test_a_vote_renders_only_that_articles_pages_afresh(sample_faq, article_file, build_app):
    """A voter with a fresh cookie each time must not empty every cached page (cache-busting)."""
    article_file(sample_faq / "12-other", "fr", id=12, slug="other", title="Other", revision=1)
    others = ["/fr/", "/fr/category/guides", "/fr/faq/12-other", "/sitemap.xml"]
    voted = ["/fr/faq/10-sample-fr", "/fr/faq/10-sample-fr/print", "/en/faq/10-sample-en"]
    with LiveServer(lambda url: build_app(sample_faq, BASE_URL=url)) as server:
        for path in others + voted:
            assert requests.get(server.url + path, timeout=10).status_code == 200
        for _ in range(3):  # three "readers", each with a fresh cookie
            vote = requests.post(f"{server.url}/fr/faq/10/vote", data={"helpful": "yes"},
                                 allow_redirects=False, timeout=10)  # fmt: skip
            assert vote.status_code == 303
        with renders(server.app) as rendered:
            for path in others:
                requests.get(server.url + path, timeout=10)
        assert rendered == []
        with renders(server.app) as rendered:
            pages = [requests.get(server.url + path, timeout=10).text for path in voted]
        assert rendered == ["faq/article.html", "faq/print.html", "faq/article.html"]
    assert "3 votes" in pages[0]
    assert re.search(r"Votes</th><td>3</td>", pages[1])  # its count was renewed with the pages


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Balance(HTMLParser):
    """Whether an HTML part closes every element it opens, and opens every one it closes."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.whole = True

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag) -> None:
        if not self.open or self.open.pop() != tag:
            self.whole = False


def fragments(app) -> dict[tuple, str]:
    pages = app.extensions["page_cache"]._pages
    return {key: entry[1] for key, entry in pages.items() if key[0] == "fragment"}


def test_each_shared_part_is_whole_elements(app):
    add_user(app, "marie@example.com")
    client = app.test_client()
    for path in (FR, "/de/faq/2763", "/fr/", "/fr/search?q=token"):
        client.get(path, follow_redirects=True)
    client_login(client, email="marie@example.com")
    client.get("/en/account/amazon")
    found = fragments(app)
    assert {key[2] for key in found} >= {"article-head", "switcher", "footer", "live-steps"}
    for key, html in found.items():
        checker = Balance()
        checker.feed(html)
        assert checker.whole and not checker.open, key


def test_shared_parts_expire_and_are_bounded_with_the_pages(build_app):
    app = build_app(PAGE_CACHE_SECONDS=0.2, PAGE_CACHE_SIZE=3)
    client = app.test_client()
    client.get(FR)
    assert 0 < len(fragments(app)) <= 3
    time.sleep(0.3)
    assert fragments(app) == {}


@pytest.fixture
def merchant(app, auth):
    """A merchant logged in with a token that expires in five days."""
    from portal.amazon.sandbox import sellers
    from portal.amazon.sandbox.demo import simulated_connection

    user_id = add_user(app, "kunde@example.com", language="en")
    with app.app_context():
        connection = simulated_connection(user_id, sellers.new_seller("Shop", "EU"), "DE", 5)
        connection_id = connection.id
    auth.login("kunde@example.com")
    return {"user_id": user_id, "connection_id": connection_id}


@pytest.mark.parametrize("path", ["/en/account/amazon", "/en/"])
def test_a_merchants_page_reads_them_in_one_query(app, client, merchant, path):
    client.get(path)
    with statements(app) as sent:
        html = client.get(path).get_data(as_text=True)
    assert 'class="token-banner' in html
    # The user with their connections and each one's newest event (hooks.USER_LOADING).
    assert len(sent) == 1, sent
    assert "amazon_connection" in sent[0] and "max(amazon_event.id)" in sent[0]


def test_a_kept_card_shows_a_new_event_and_check_at_once(app, client, merchant):
    from portal.amazon.models import Connection, Event, EventKind

    html = client.get("/en/account/amazon").get_data(as_text=True)
    assert "Connection checked" not in html and html.count("<li><time") == 1
    with app.app_context():
        connection = db.session.get(Connection, merchant["connection_id"])
        db.session.add(
            Event(user_id=merchant["user_id"], connection=connection, kind=EventKind.VERIFIED)
        )
        db.session.commit()
    html = client.get("/en/account/amazon").get_data(as_text=True)
    assert "Connection checked" in html and html.count("<li><time") == 2
    with app.app_context():
        connection = db.session.get(Connection, merchant["connection_id"])
        connection.deactivated_at = connection.authorized_at
        db.session.commit()
    html = client.get("/en/account/amazon").get_data(as_text=True)
    assert 'data-state="deactivated"' in html and "Reactivate" in html


def test_a_kept_card_keeps_no_csrf_token(app, merchant):
    """Two sessions of one merchant share the card, each with its own working token."""
    from portal.pagecache import CSRF_HOLE

    pages = []
    for _ in range(2):
        client = app.test_client()
        client_login(client, email="kunde@example.com")
        html = client.get("/en/account/amazon").get_data(as_text=True)
        pages.append((client, html))
    tokens = [csrf_token(html) for _, html in pages]
    assert tokens[0] != tokens[1]
    for (_, html), token in zip(pages, tokens, strict=True):
        assert CSRF_HOLE not in html
        assert html.count(token) == html.count('name="csrf_token"')
        action = f"/amazon/connections/{merchant['connection_id']}/deactivate"
        assert f'action="{action}"' in html
    client, html = pages[1]
    client.post(action, data={"csrf_token": tokens[1], "lang": "en"})
    assert 'data-state="deactivated"' in client.get("/en/account/amazon").get_data(as_text=True)


def test_a_sessions_csrf_token_is_signed_once_a_minute_and_accepted(client, merchant, monkeypatch):
    import portal.pagecache

    client.get("/en/account/amazon")  # the session's first form gives it its token
    signed = []
    sign = portal.pagecache.generate_csrf
    monkeypatch.setattr(portal.pagecache, "generate_csrf", lambda: signed.append(1) or sign())
    pages = [client.get("/en/account/amazon").get_data(as_text=True) for _ in range(3)]
    assert len(signed) == 1 and len({csrf_token(html) for html in pages}) == 1
    action = f"/amazon/connections/{merchant['connection_id']}/deactivate"
    client.post(action, data={"csrf_token": csrf_token(pages[2]), "lang": "en"})
    assert 'data-state="deactivated"' in client.get("/en/account/amazon").get_data(as_text=True)


def test_a_merchants_page_is_kept_while_nothing_it_shows_changes(app, client, merchant):
    from portal.amazon.models import Connection

    first = client.get("/en/account/amazon").get_data(as_text=True)
    with renders(app) as rendered:
        again = client.get("/en/account/amazon").get_data(as_text=True)
    assert rendered == []
    assert again.replace(csrf_token(again), "") == first.replace(csrf_token(first), "")
    with app.app_context():
        db.session.get(Connection, merchant["connection_id"]).last_check_result = "ok"
        db.session.commit()
    with renders(app) as rendered:
        client.get("/en/account/amazon")
    assert "amazon/account.html" in rendered


def test_a_kept_page_shows_what_another_worker_wrote_at_once(app, client, merchant):
    """The page is kept by the rows read with the merchant, whoever changed them and however:
    here the connector's report of a failing synchronisation, then a statement on its row."""
    from sqlalchemy import update

    from portal.connector.models import RunStatus, SyncKind, SyncSummary
    from portal.models import utcnow

    client.get("/en/account/amazon")
    with app.app_context():
        now = utcnow()
        db.session.add(SyncSummary(
            connection_id=merchant["connection_id"], kind=SyncKind.ORDERS, last_run_at=now,
            last_status=RunStatus.FAILED, last_failure_at=now, failing_since=now,
            error_code="QUOTA", error_message="Quota exceeded",
        ))  # fmt: skip
        db.session.commit()
    assert "<q>Quota exceeded</q>" in client.get("/en/account/amazon").get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(SyncSummary).values(error_message="Seller Central is down"))
        db.session.commit()
    html = client.get("/en/account/amazon").get_data(as_text=True)
    assert "<q>Seller Central is down</q>" in html and "Quota exceeded" not in html


def test_no_kept_page_is_known_by_a_secret(app, client, merchant):
    from portal.accounts.models import User
    from portal.amazon.models import Connection

    client.get("/en/account/amazon")
    keys = repr(list(app.extensions["personal_pages"].pages._pages))
    assert "account/amazon" in keys
    with app.app_context():
        secrets = (
            db.session.get(User, merchant["user_id"]).password_hash,
            repr(db.session.get(Connection, merchant["connection_id"]).refresh_token),
        )
    assert not any(secret in keys for secret in secrets)


def test_a_users_state_is_the_rows_read_with_them(app, merchant):
    from portal.accounts.login import user_query
    from portal.models import loaded_rows

    with app.app_context():
        user = (
            db.session.execute(user_query(), {"user_id": merchant["user_id"]}).unique().scalar_one()
        )
        with statements(app) as sent:
            state = loaded_rows(user)
        assert sent == []  # nothing more is read to know it
        (connection,) = user.amazon_connections
        assert user.email in state[0] and connection.selling_partner_id in repr(state)
        assert "events" not in repr(state)  # not read with the user: not part of its state
        # Now read, and leading back to the connection (back_populates): no endless loop.
        assert connection.events and connection.events[0].connection is connection
        assert loaded_rows(user) != state and hash(loaded_rows(user))


def test_a_kept_page_shows_a_waiting_message_once(client, merchant):
    client.get("/en/account/amazon")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your token has been renewed.")]
    pages = [client.get("/en/account/amazon").get_data(as_text=True) for _ in range(2)]
    assert "Your token has been renewed." in pages[0]
    assert "Your token has been renewed." not in pages[1]


def test_a_kept_page_follows_the_menu_and_banners_around_it(app, client, merchant):
    from portal import hooks
    from portal.amazon.contributions import token_banner, token_link

    html = client.get("/en/account/amazon").get_data(as_text=True)
    assert 'class="token-banner' in html and ">Your Amazon token</a>" in html
    app.extensions["hooks"].remove(hooks.NAVIGATION, token_link)
    app.extensions["hooks"].remove(hooks.BANNER, token_banner)
    html = client.get("/en/account/amazon").get_data(as_text=True)
    assert 'class="token-banner' not in html and ">Your Amazon token</a>" not in html


def test_merchants_never_see_each_others_kept_page(app, merchant):
    from portal.amazon.models import Connection
    from portal.amazon.sandbox import sellers
    from portal.amazon.sandbox.demo import simulated_connection

    other = add_user(app, "autre@example.com", language="en")
    with app.app_context():
        theirs = simulated_connection(other, sellers.new_seller("Boutique", "EU"), "FR", 5)
        sellers_of = {
            "autre@example.com": theirs.selling_partner_id,
            "kunde@example.com": db.session.get(
                Connection, merchant["connection_id"]
            ).selling_partner_id,
        }
    for email, seller in sellers_of.items():
        client = app.test_client()
        client_login(client, email=email)
        for _ in range(2):
            html = client.get("/en/account/amazon").get_data(as_text=True)
            assert seller in html
            assert not any(other in html for other in sellers_of.values() if other != seller)
