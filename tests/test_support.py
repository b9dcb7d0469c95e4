"""Support sees a customer's token state but no secret and act on nothing; merchants stay out."""

from datetime import timedelta

import pytest

from portal.amazon.models import Connection
from portal.amazon.sandbox import sellers
from portal.amazon.sandbox.demo import simulated_connection
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import add_user, client_login, csrf_token


@pytest.fixture
def customer(app):
    """A German merchant whose token expires in five days."""
    user_id = add_user(app, "kunde@example.com", language="de")
    with app.app_context():
        seller = sellers.new_seller("Kundenshop", "EU")
        connection = simulated_connection(user_id, seller, "DE", 5)
        return {
            "user_id": user_id,
            "connection_id": connection.id,
            "seller": seller.selling_partner_id,
        }


@pytest.fixture
def support(app, client, auth):
    add_user(app, "help@example.com", role="support", language="en")
    auth.login("help@example.com")
    return client


def test_support_finds_a_customer_by_email_or_seller_id(support, customer):
    for query in ("kunde@", customer["seller"].lower()):
        html = support.get("/en/support/", query_string={"q": query}).get_data(as_text=True)
        assert f'href="/en/support/merchants/{customer["user_id"]}"' in html
    assert (
        "kunde@"
        not in support.get("/en/support/?q=nobody").get_data(as_text=True).split("</form>")[1]
    )


def test_support_sees_state_dates_and_history_but_no_secret(app, support, customer):
    response = support.get(f"/en/support/merchants/{customer['user_id']}")
    html = response.get_data(as_text=True)
    assert 'data-state="expiring"' in html and "5 days" in html and "Authorized" in html
    with app.app_context():
        stored = db.session.get(Connection, customer["connection_id"]).refresh_token
    assert "Atzr|" not in html and stored.decode() not in html and "gAAAA" not in html
    assert response.cache_control.private and response.cache_control.no_store


def test_support_cannot_act_on_a_merchants_connection(app, support, customer):
    page = support.get(f"/en/support/merchants/{customer['user_id']}").get_data(as_text=True)
    token = csrf_token(page)
    for action in ("verify", "deactivate", "reactivate"):
        response = support.post(f"/amazon/connections/{customer['connection_id']}/{action}",
                                data={"csrf_token": token, "lang": "en"})  # fmt: skip
        assert response.status_code == 404
    renew = {
        "csrf_token": token,
        "connection": customer["connection_id"],
        "marketplace": "DE",
        "confirmed": "1",
    }
    response = support.post("/amazon/authorize", data=renew)
    assert response.status_code == 404
    assert support.get("/api/v1/amazon/connections").get_json() == []
    with app.app_context():
        connection = db.session.get(Connection, customer["connection_id"])
        assert connection.deactivated_at is None and connection.last_check_at is None


def test_merchants_and_visitors_cannot_open_support_pages(app, client, auth, customer):
    assert client.get("/en/support/").status_code == 302  # to the log-in page
    auth.login("kunde@example.com")
    for path in ("/en/support/", f"/en/support/merchants/{customer['user_id']}", "/en/support/link",
                 "/en/support/dashboard"):  # fmt: skip
        assert client.get(path).status_code == 403


def test_link_for_the_customer(support):
    html = support.get("/en/support/link?article=2763&customer_lang=de&anchor=step-3").get_data(
        as_text=True
    )
    assert 'value="http://localhost/faq/2763?lang=de#step-3"' in html
    assert "Internal note for support" in html
    assert support.get("/faq/2763?lang=de").headers["Location"].startswith("/de/faq/2763-")
    bad_anchor = support.get("/en/support/link?article=2763&customer_lang=de&anchor=evil").get_data(
        as_text=True
    )
    assert 'value="http://localhost/faq/2763?lang=de"' in bad_anchor


def test_support_sees_internal_articles_and_notes(sample_app):
    add_user(sample_app, "help@example.com", role="support", language="fr")
    client = sample_app.test_client()
    client_login(client, "help@example.com", lang="fr")
    assert client.get("/fr/faq/11-secret").status_code == 200
    assert "Secret" in client.get("/fr/").get_data(as_text=True)
    assert "Secret" in client.get("/fr/support/link?article=11").get_data(as_text=True)


def test_the_article_shows_support_its_internal_note(app, support):
    html = support.get("/en/faq/2763-generate-or-renew-the-amazon-token").get_data(as_text=True)
    assert "Internal note for support" in html and "MD1000" in html
    assert "MD1000" not in app.test_client().get(
        "/en/faq/2763-generate-or-renew-the-amazon-token"
    ).get_data(as_text=True)


def test_dashboard_counts_views_votes_and_fruitless_searches(app, support):
    reader = app.test_client()
    for _ in range(3):
        assert reader.post("/de/faq/2763/viewed").status_code == 204
    assert (
        reader.post("/de/faq/2763/viewed", headers={"Origin": "https://evil.example"}).status_code
        == 400
    )
    reader.post("/de/faq/2763/vote", data={"helpful": "yes"})
    app.test_client().post("/de/faq/2763/vote", data={"helpful": "no"})
    reader.get("/de/search?q=quittung")
    html = support.get("/en/support/dashboard").get_data(as_text=True)
    row = html[html.index('lang="de">Deutsch') :]
    row = row[: row.index("</tr>")]
    assert "<td>3</td>" in row and "<td>2</td>" in row and "50.00%" in row and "quittung" in row


def test_banner_warns_the_merchant_on_every_page(app, client, auth, customer):
    auth.login("kunde@example.com", lang="de")
    for path in ("/de/", "/de/faq/2763-amazon-token-erstellen-oder-erneuern", "/de/account/amazon"):
        html = client.get(path).get_data(as_text=True)
        assert 'class="token-banner state-expiring"' in html
    assert "token-banner" not in app.test_client().get("/de/").get_data(as_text=True)


def test_support_sees_what_the_connector_reported(app, support, customer):
    from portal.connector.sync import RunReport, record

    page = support.get(f"/en/support/merchants/{customer['user_id']}").get_data(as_text=True)
    assert 'data-sync-state="unknown"' in page  # never "running" without a report
    finished = f"{(utcnow() - timedelta(minutes=3)).isoformat()}Z"
    error = {"code": "QuotaExceeded", "message": "Amazon throttled the feed"}
    report = RunReport(run_id="r1", kind="orders", status="failed", items=0,
                       started_at=finished, finished_at=finished, error=error)  # fmt: skip
    with app.app_context():
        record(db.session.get(Connection, customer["connection_id"]), report)
    page = support.get(f"/en/support/merchants/{customer['user_id']}").get_data(as_text=True)
    assert 'data-sync-state="failing"' in page and "Amazon throttled the feed" in page
    assert "QuotaExceeded" in page  # in the run history
