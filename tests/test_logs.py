"""Logs never hold a token, an authorization code or an OAuth state, however a message says it."""

import json
import logging
import sys

import pytest

from portal.logs import JsonFormatter, scrub

SECRET = "s3cr3t-VALUE_42"
NAMES = ["refresh_token", "code", "spapi_oauth_code", "state", "amazon_state", "client_secret"]
SHAPES = {
    "query string": "GET /amazon/callback?selling_partner_id=A1B2&{name}={value}&lang=fr HTTP/1.1",
    "form body": "grant_type=refresh_token&{name}={value}&client_id=amzn1.x",
    "JSON": '{{"grant_type": "refresh_token", "{name}": "{value}", "client_id": "amzn1.x"}}',
    "compact JSON": '{{"{name}":"{value}","client_id":"amzn1.x"}}',
    "Python dict": "{{'{name}': '{value}', 'client_id': 'amzn1.x'}}",
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", NAMES)
def test_secret_values_are_redacted(name, shape):
    text = SHAPES[shape].format(name=name, value=SECRET)
    scrubbed = scrub(text)
    assert SECRET not in scrubbed
    assert name in scrubbed and "[redacted]" in scrubbed  # the reader still sees what was there
    assert "amzn1.x" in scrubbed or "A1B2" in scrubbed  # and the rest of the line


@pytest.mark.parametrize(
    "text",
    [
        "country_code=FR&marketplace=A13V1IB3VIYZZH",
        '{"postal_code": "75001", "statement": "ok"}',
        "the state of the connection is active",
        "GET /fr/faq/2763-generer-ou-renouveler-le-token-amazon",
    ],
)
def test_other_values_stay(text):
    assert scrub(text) == text


def test_lwa_tokens_are_redacted_anywhere():
    assert (
        scrub("got Atzr|IwEBIA-x_y and Atza|abc.def") == "got Atzr|[redacted] and Atza|[redacted]"
    )


def test_the_json_formatter_scrubs_messages_and_tracebacks(app):
    try:
        raise ValueError(f'token endpoint said {{"refresh_token": "{SECRET}"}}')
    except ValueError:
        record = logging.LogRecord(
            "portal", logging.ERROR, __file__, 1, "callback state=%s", (SECRET,), True
        )
        record.exc_info = sys.exc_info()
    with app.test_request_context(f"/amazon/callback?state={SECRET}"):
        line = JsonFormatter().format(record)
    assert SECRET not in line
    entry = json.loads(line)
    assert entry["message"] == "callback state=[redacted]"
    assert entry["path"] == "/amazon/callback" and "[redacted]" in entry["error"]
