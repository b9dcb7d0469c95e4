"""Bad input on every route and parameter: never a server error, never reflected script."""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import add_user, client_login

SCRIPT = "<script>alert(1)</script>"
TRICKS = [
    SCRIPT,
    "../../etc/passwd",
    "%00",
    "' OR 1=1 --",
    "\u202e",
    "é" * 300,
    "//evil.example",
    "javascript:alert(1)",
    "{{7*7}}",
    "-1",
    "99999999999999999999",
    "Atzr|x",
    "a\x00b",
]
QUERY_KEYS = ["q", "next", "lang", "state", "context", "article", "customer_lang", "anchor",
              "amazon_callback_uri", "amazon_state", "spapi_oauth_code", "selling_partner_id",
              "error", "feedback", "code"]  # fmt: skip
FORM_KEYS = ["helpful", "lang", "marketplace", "connection", "confirmed", "popup", "next", "add",
             "email", "password", "outage", "days_left", "seller", "new_name", "new_password",
             "region", "grant_type", "code", "refresh_token", "client_id"]  # fmt: skip
nasty = st.one_of(st.text(max_size=60), st.sampled_from(TRICKS))
FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def rules(app, methods: set[str]):
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and methods & set(rule.methods):
            yield rule


def fill(rule, value: str) -> str:
    """The rule's URL with every variable set to value (or a number where a number is needed)."""
    path = rule.rule
    for name, converter in rule._converters.items():
        replacement = (
            "2763" if type(converter).__name__ == "IntegerConverter" else quote(value, safe="")
        )
        path = re.sub(rf"<(?:[^>:]+:)?{name}>", replacement.replace("\\", "\\\\"), path)
    return path


def assert_harmless(response) -> None:
    with response:
        assert response.status_code < 500, (response.request.path, response.status_code)
        assert SCRIPT not in response.get_data(as_text=True)


@pytest.fixture
def clients(app):
    add_user(app, "fuzz@example.com")
    add_user(app, "staff@example.com", role="support")
    merchant, staff = app.test_client(), app.test_client()
    client_login(merchant, "fuzz@example.com")
    client_login(staff, "staff@example.com")
    return [app.test_client(), merchant, staff]


@FUZZ
@given(value=nasty, query=st.dictionaries(st.sampled_from(QUERY_KEYS), nasty, max_size=4))
def test_get_routes(app, clients, value, query):
    for rule in rules(app, {"GET"}):
        for client in clients:
            assert_harmless(client.get(fill(rule, value), query_string=query))


@FUZZ
@given(value=nasty, form=st.dictionaries(st.sampled_from(FORM_KEYS), nasty, max_size=5))
def test_post_routes(app, clients, value, form):
    for rule in rules(app, {"POST"}):
        for client in clients:
            assert_harmless(client.post(fill(rule, value), data=form))


@FUZZ
@given(header=nasty)
def test_language_headers_and_cookies(app, clients, header):
    # What a browser can send: printable characters, no line breaks.
    printable = "".join(ch for ch in header if ch.isprintable())
    client = clients[0]
    client.set_cookie("lang", printable.encode("ascii", "ignore").decode()[:50])
    response = client.get(
        "/", headers={"Accept-Language": printable.encode("ascii", "ignore").decode()[:100]}
    )
    assert response.status_code == 302 and re.match(r"^/[a-z]{2}/$", response.headers["Location"])
