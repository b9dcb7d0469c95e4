"""OAuth states are used once, server-side, and Seller Central's callback URI is checked strictly.

The state lives in the signed session cookie, so a copy of the cookie taken before the callback
still holds it: only a record on the server can tell that it came back already.
"""

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from portal.amazon.models import UsedState
from portal.amazon.sandbox.models import TokenRequest
from portal.extensions import db
from portal.models import utcnow
from tests.flow import connections, consent, continue_login_uri, events, location, start
from tests.helpers import Browser


def token_requests(app) -> int:
    with app.app_context():
        return len(db.session.execute(db.select(TokenRequest)).scalars().all())


def test_a_replayed_session_cookie_cannot_use_a_state_again(server, merchant, renewing):
    consent_url = start(merchant, connection=renewing["id"])
    # Seller Central gives a new code for every confirmation of the same consent URL (same state).
    first = location(consent(merchant, consent_url, seller=None))
    second = location(consent(merchant, consent_url, seller=None))
    assert parse_qs(urlsplit(first).query)["state"] == parse_qs(urlsplit(second).query)["state"]
    copied = merchant.http.cookies.copy()  # the session cookie that still holds the state

    merchant.get(first)
    renewed = connections(server.app)
    assert renewed[0]["token"] != renewing["token"]
    assert [kind for kind, _ in events(server.app)] == ["authorized", "renewed"]
    asked = token_requests(server.app)

    for callback in (second, first):  # a second callback, then the same one again
        merchant.http.cookies = copied.copy()
        page = merchant.get(callback)
        assert "expiré ou a déjà été utilisé" in page.text.replace("&#39;", "'")
    assert connections(server.app) == renewed  # no second token stored
    assert events(server.app)[2:] == [("authorization_failed", "state_invalid")] * 2
    assert token_requests(server.app) == asked  # Amazon was not even asked


def test_two_callbacks_with_one_state_at_once_make_one_renewal(server, merchant, renewing):
    consent_url = start(merchant, connection=renewing["id"])
    callbacks = [location(consent(merchant, consent_url, seller=None)) for _ in range(2)]
    browsers = []
    for _ in callbacks:  # two copies of the same session cookie
        browser = Browser(server.url)
        browser.http.cookies = merchant.http.cookies.copy()
        browsers.append(browser)
    barrier = threading.Barrier(2)

    def finish(browser, callback):
        barrier.wait()
        browser.get(callback)

    threads = [
        threading.Thread(target=finish, args=pair) for pair in zip(browsers, callbacks, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(events(server.app)[1:]) == [
        ("authorization_failed", "state_invalid"),
        ("renewed", None),
    ]


def other_account_question(merchant, renewing) -> None:
    """A renewal in which Seller Central authorized another seller account: the portal asks."""
    merchant.post("/sandbox/seller-central/signout", {}, csrf=True)
    url = start(merchant, connection=renewing["id"])
    question = merchant.get(location(consent(merchant, url, seller="Autre Boutique")))
    assert 'name="add" value="yes"' in question.text


def test_an_old_other_account_question_is_refused(server, merchant, renewing):
    other_account_question(merchant, renewing)
    config = server.app.config
    ttl, config["AMAZON_STATE_TTL"] = config["AMAZON_STATE_TTL"], 0  # the answer comes too late
    try:
        merchant.post("/amazon/other-account", {"add": "yes", "lang": "fr"})
    finally:
        config["AMAZON_STATE_TTL"] = ttl
    assert connections(server.app) == [renewing]
    assert events(server.app)[-1] == ("authorization_failed", "state_invalid")


def test_an_other_account_answer_cannot_be_replayed(server, merchant, renewing):
    other_account_question(merchant, renewing)
    copied = merchant.http.cookies.copy()
    merchant.post("/amazon/other-account", {"add": "yes", "lang": "fr"})
    added = connections(server.app)
    assert len(added) == 2
    asked = token_requests(server.app)
    merchant.http.cookies = copied
    merchant.post("/amazon/other-account", {"add": "yes", "lang": "fr"})
    assert connections(server.app) == added
    assert events(server.app)[-1] == ("authorization_failed", "state_invalid")
    assert token_requests(server.app) == asked


def test_used_states_older_than_their_lifetime_are_pruned(server, merchant, renewing):
    old = utcnow() - timedelta(seconds=server.app.config["AMAZON_STATE_TTL"] + 5)
    with server.app.app_context():
        db.session.add(UsedState(digest="0" * 64, used_at=old))
        db.session.add(UsedState(digest="1" * 64, used_at=utcnow()))
        db.session.commit()
    merchant.get(location(consent(merchant, start(merchant, connection=renewing["id"]), None)))
    with server.app.app_context():
        kept = db.session.execute(db.select(UsedState.digest)).scalars().all()
    assert "0" * 64 not in kept and "1" * 64 in kept and len(kept) == 3  # the first, the new


def confirm_uri(server, host: str = "https://sellercentral-europe.amazon.com") -> str:
    return f"{host}/apps/authorize/confirm/{server.app.config['AMAZON_APPLICATION_ID']}"


def login_uri(callback_uri: str) -> str:
    query = {"amazon_callback_uri": callback_uri, "amazon_state": "s", "selling_partner_id": "A1"}
    return "/amazon/login?" + urlencode(query)


@pytest.mark.parametrize(
    "callback_uri",
    [
        "https://sellercentral.amazon.fr:99999/apps/authorize/confirm/{app}",
        "https://sellercentral.amazon.fr:x/apps/authorize/confirm/{app}",
        "https://[sellercentral.amazon.fr/apps/authorize/confirm/{app}",
        "https://sellercentral.amazon.fr/apps/authorize/consent",
        "https://sellercentral.amazon.fr/apps/authorize/confirm/amzn1.sp.solution.someone-else",
        "https://sellercentral.amazon.fr/apps/authorize/confirm/{app}/../../../logout",
        "https://sellercentral.amazon.fr/",
        "{server}/sandbox/seller-central/apps/authorize/confirm/amzn1.sp.solution.someone-else",
        "{server}/sandbox/seller-central/apps/manage",
        "{server}/sandbox/seller-centralx/apps/authorize/confirm/{app}",
    ],
)
def test_the_login_uri_refuses_other_callback_uris(server, merchant, callback_uri):
    uri = callback_uri.format(app=server.app.config["AMAZON_APPLICATION_ID"], server=server.url)
    response = merchant.get(login_uri(uri), follow=False)
    assert response.status_code == 400 and "Location" not in response.headers
    assert events(server.app)[-1] == ("authorization_failed", "not_amazon")


def test_the_login_uri_keeps_no_query_of_the_callback_uri(server, merchant):
    planted = confirm_uri(server) + "?redirect_uri=https%3A%2F%2Fevil.example%2F&state=x#frag"
    back = location(continue_login_uri(merchant, login_uri(planted), add_new=True))
    parts = urlsplit(back)
    assert back.startswith(confirm_uri(server) + "?") and not parts.fragment
    query = parse_qs(parts.query)
    assert set(query) == {"redirect_uri", "amazon_state", "state"}
    assert query["redirect_uri"] == [f"{server.url}/amazon/callback"]
    assert query["amazon_state"] == ["s"] and query["state"] != ["x"]


def test_the_login_uri_accepts_the_sandbox_and_seller_central(server, merchant):
    for uri in (confirm_uri(server, f"{server.url}/sandbox/seller-central"), confirm_uri(server)):
        assert merchant.get(login_uri(uri), follow=False).status_code == 200
