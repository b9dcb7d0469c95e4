"""Features add to shared pages through portal.hooks: without one feature's contribution, the
page shows nothing of it and still renders; and no module imports against the layers."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal import hooks
from portal.accounts import views as account_views
from portal.accounts.login import logged_in, user_state
from portal.amazon import contributions as amazon
from portal.amazon.sandbox import sellers
from portal.amazon.sandbox import views as sandbox_views
from portal.amazon.sandbox.demo import simulated_connection
from portal.connector import contributions as connector
from portal.faq import views as faq_views
from portal.support import views as support_views
from tests.helpers import add_user, client_login, renders, statements

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "/fr/faq/2763-generer-ou-renouveler-le-token-amazon"
ARTICLE_TITLE = '<h1 id="title">'


def without(app, name: str, contribution) -> None:
    """The app as if the feature had not registered this contribution."""
    assert contribution in app.extensions["hooks"].get(name)
    app.extensions["hooks"].remove(name, contribution)


@pytest.fixture
def expiring(app):
    """A logged-in merchant whose token expires in five days."""
    user_id = add_user(app, "kunde@example.com", language="fr")
    with app.app_context():
        seller = sellers.new_seller("Kundenshop", "EU")
        simulated_connection(user_id, seller, "FR", 5)
    client = app.test_client()
    client_login(client, "kunde@example.com", lang="fr")
    return client


def test_the_article_box_comes_from_amazon(app, build_app):
    assert 'id="your-token"' in app.test_client().get(ARTICLE).get_data(as_text=True)
    bare = build_app(reset=False)
    without(bare, hooks.ARTICLE_BOX, amazon.article_box)
    response = bare.test_client().get(ARTICLE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and ARTICLE_TITLE in html and 'class="answer"' in html
    assert 'id="your-token"' not in html


def test_the_token_banner_comes_from_amazon(app, expiring):
    assert "token-banner" in expiring.get("/fr/").get_data(as_text=True)
    without(app, hooks.BANNER, amazon.token_banner)
    response = expiring.get(ARTICLE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and ARTICLE_TITLE in html and 'id="your-token"' in html
    assert "token-banner" not in html


def test_the_renewal_dialog_comes_from_amazon(app, expiring):
    assert 'id="renew-dialog"' in expiring.get("/fr/").text
    without(app, hooks.END_OF_PAGE, amazon.renew_dialog)
    response = expiring.get(ARTICLE)
    assert response.status_code == 200 and ARTICLE_TITLE in response.text
    assert 'id="your-token"' in response.text and 'class="site-footer"' in response.text
    assert 'id="renew-dialog"' not in response.text


def test_connections_read_with_the_user_come_from_amazon(app, expiring):
    from portal.amazon import connections

    def user_query(sent: list[str]) -> str:
        return next(sql for sql in sent if "FROM user_account" in sql)

    # Amazon's part of the query: the connections with the id of each one's newest event.
    with statements(app) as sent:
        expiring.get("/fr/")
    assert "amazon_event" in user_query(sent)
    without(app, hooks.USER_LOADING, connections.read_with_user)
    with statements(app) as sent:
        response = expiring.get("/fr/")
    assert response.status_code == 200 and "token-banner" in response.text
    assert "amazon_event" not in user_query(sent)


def test_the_home_page_comes_from_the_faq(app, build_app):
    assert 'class="brand" href="/fr/"' in app.test_client().get(ARTICLE).text
    bare = build_app(reset=False)
    without(bare, hooks.HOME, faq_views.home_page)
    client = bare.test_client()
    response = client.get("/fr/search?q=token")
    assert response.status_code == 200 and 'class="brand" href="/"' in response.text
    assert client.get("/language/de").headers["Location"] == "/"


def test_the_demo_banner_comes_from_the_sandbox(app):
    client = app.test_client()
    assert app.config["AMAZON_SANDBOX"] and "sandbox-banner" in client.get("/fr/").text
    without(app, hooks.BANNER, sandbox_views.demo_banner)
    response = client.get(ARTICLE)
    assert response.status_code == 200 and ARTICLE_TITLE in response.text
    assert "sandbox-banner" not in response.text


def menu(html: str) -> str:
    start = html.index('<nav class="user-nav"')
    return html[start : html.index("</nav>", start)]


def test_menu_links_come_from_their_features(app, expiring):
    html = menu(expiring.get("/fr/").text)
    assert 'href="/fr/account/amazon"' in html and 'href="/fr/account/password"' in html
    without(app, hooks.NAVIGATION, amazon.token_link)
    html = menu(expiring.get("/fr/").text)
    assert 'href="/fr/account/amazon"' not in html
    assert 'href="/fr/account/password"' in html and 'action="/fr/logout"' in html
    without(app, hooks.NAVIGATION, account_views.password_link)
    without(app, hooks.NAVIGATION, account_views.session_link)
    response = expiring.get(ARTICLE)
    assert response.status_code == 200 and ARTICLE_TITLE in response.text
    assert menu(response.text).split(">", 1)[1].strip() == ""


def test_the_support_link_comes_from_support(app, client):
    add_user(app, "help@example.com", role="support", language="en")
    client_login(client, "help@example.com")
    assert 'href="/en/support/"' in client.get("/en/").text
    without(app, hooks.NAVIGATION, support_views.support_link)
    response = client.get("/en/")
    assert response.status_code == 200 and 'href="/en/support/"' not in response.text
    assert 'action="/en/logout"' in response.text


def test_where_users_start_comes_from_their_features(app):
    add_user(app, "kunde@example.com", language="fr")
    add_user(app, "help@example.com", role="support", language="en")

    def start(email: str, lang: str) -> str:
        return client_login(app.test_client(), email, lang=lang).headers["Location"]

    assert start("kunde@example.com", "fr") == "/fr/account/amazon"
    assert start("help@example.com", "en") == "/en/support/"
    without(app, hooks.LANDING, amazon.token_page)
    without(app, hooks.LANDING, support_views.support_start)
    assert start("kunde@example.com", "fr") == "/fr/"
    assert start("help@example.com", "en") == "/en/"


def test_seller_central_in_form_action_comes_from_amazon(app, build_app):
    assert (
        "sellercentral.amazon.fr"
        in app.test_client().get("/fr/login").headers["Content-Security-Policy"]
    )
    bare = build_app(reset=False)
    without(bare, hooks.FORM_ACTION, amazon.seller_central_origins)
    response = bare.test_client().get("/fr/login")
    assert response.status_code == 200 and 'name="password"' in response.text
    assert "form-action 'self';" in response.headers["Content-Security-Policy"] + ";"


def test_reading_pages_are_declared_by_the_faq(build_app):
    bare = build_app()
    without(bare, hooks.READING, faq_views.bp.name)
    response = bare.test_client().get(ARTICLE)
    # Without the declaration the article gets the merchants' wider policy.
    assert response.status_code == 200 and ARTICLE_TITLE in response.text
    assert "sellercentral" in response.headers["Content-Security-Policy"]


def test_pages_leading_to_amazon_are_declared_by_amazon(app, build_app):
    client = app.test_client()
    assert client.get(ARTICLE).headers["Referrer-Policy"] == "same-origin"
    assert client.get("/fr/account/amazon").headers["Referrer-Policy"] == "same-origin"
    bare = build_app(reset=False)  # read at the first answer: removed before it
    without(bare, hooks.SAME_ORIGIN_REFERRER, "faq.article")
    without(bare, hooks.SAME_ORIGIN_REFERRER, "amazon_pages")
    response = bare.test_client().get(ARTICLE)
    assert response.status_code == 200 and ARTICLE_TITLE in response.text
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    to_log_in = bare.test_client().get("/fr/account/amazon")
    assert to_log_in.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_personal_request_is_known_from_accounts(app, expiring):
    """Without accounts saying a logged-in request is personal, a merchant's page would be
    sent public, for any shared cache to keep and hand to others (the portal's own page
    cache keeps no answer to a request that carries a session)."""
    own = expiring.get(ARTICLE)
    assert "/fr/logout" in own.text and own.cache_control.private
    assert "/fr/logout" not in app.test_client().get(ARTICLE).text
    without(app, hooks.PERSONAL, logged_in)
    shared = expiring.get("/fr/")
    assert "/fr/logout" in shared.text and shared.cache_control.public
    assert not shared.cache_control.private
    assert "/fr/logout" not in app.test_client().get("/fr/").text


def test_a_merchants_page_is_kept_by_the_state_accounts_gives(app, expiring):
    """Without accounts naming what a user's pages show of them, their token page is
    rendered at each view (and still whole)."""
    expiring.get("/fr/account/amazon")
    with renders(app) as rendered:
        expiring.get("/fr/account/amazon")
    assert rendered == []
    without(app, hooks.PERSONAL_STATE, user_state)
    with renders(app) as rendered:
        page = expiring.get("/fr/account/amazon")
    assert "amazon/account.html" in rendered
    assert "connection-card" in page.text and 'id="connector-keys"' in page.text


def test_imports_keep_to_the_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_core_module_importing_a_feature_fails_the_contracts(tmp_path):
    copy = tmp_path / "portal"
    shutil.copytree(ROOT / "portal", copy, ignore=shutil.ignore_patterns("static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (copy / "pagecache.py").open("a") as module:
        module.write("\nfrom .amazon.marketplaces import central_hosts  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "portal.pagecache is not allowed to import portal.amazon" in result.stdout
    assert "portal.pagecache -> portal.amazon.marketplaces" in result.stdout


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter's command on the portal package found under root."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_connector_keys_come_from_the_connector(app, expiring):
    page = expiring.get("/fr/account/amazon").text
    assert 'id="connector-keys"' in page
    without(app, hooks.ACCOUNT_SECTION, connector.keys_section)
    page = expiring.get("/fr/account/amazon")
    assert page.status_code == 200 and 'id="connector-keys"' not in page.text
    assert "connection-card" in page.text


def test_the_synchronisation_facts_come_from_the_connector(app, expiring):
    assert "sync-facts" in expiring.get("/fr/account/amazon").text
    assert "sync" in expiring.get("/api/v1/amazon/connections").get_json()[0]
    without(app, hooks.CONNECTION_FACTS, connector.sync_facts)
    without(app, hooks.CONNECTION_JSON, connector.sync_json)
    page = expiring.get("/fr/account/amazon")
    assert page.status_code == 200 and "sync-facts" not in page.text
    assert "connection-card" in page.text
    (connection,) = expiring.get("/api/v1/amazon/connections").get_json()
    assert "sync" not in connection and connection["state"] == "expiring"


def test_the_client_secrets_warning_comes_from_amazon(app):
    app.config["AMAZON_CLIENT_SECRET_EXPIRES"] = "2000-01-01"
    assert "client secret" in app.test_client().get("/readyz").get_json()["warnings"][0]
    without(app, hooks.READINESS, amazon.secret_readiness)
    assert app.test_client().get("/readyz").get_json() == {"status": "ok"}


def test_the_client_secrets_banner_comes_from_amazon(app):
    app.config["AMAZON_CLIENT_SECRET_EXPIRES"] = "2000-01-01"
    add_user(app, "admin@example.com", role="admin", language="en")
    admin = app.test_client()
    client_login(admin, "admin@example.com")
    assert "client secret" in admin.get("/en/").text
    without(app, hooks.BANNER, amazon.secret_banner)
    page = admin.get("/en/")
    assert page.status_code == 200 and "client secret" not in page.text


def test_the_webhooks_section_comes_from_the_connector(app, expiring):
    assert 'id="webhooks"' in expiring.get("/fr/account/amazon").text
    without(app, hooks.ACCOUNT_SECTION, connector.webhooks_section)
    page = expiring.get("/fr/account/amazon")
    assert page.status_code == 200 and 'id="webhooks"' not in page.text
    assert 'id="connector-keys"' in page.text
