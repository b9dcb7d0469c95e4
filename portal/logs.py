"""Structured JSON logs, one object a line, each with the request's id; never a secret."""

import json
import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID = "X-Request-ID"
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Belt and braces: whatever a message says, these values never reach the log. The OAuth state
# and the authorization code are short-lived, but whoever reads them in time can use them.
SECRET_NAMES = (
    "access_token",
    "refresh_token",
    "client_secret",
    "code",
    "spapi_oauth_code",
    "state",
    "amazon_state",
)
_NAMES = "|".join(SECRET_NAMES)
# LWA tokens wherever they appear; name=value in query strings and form bodies; "name": "value"
# in JSON and in Python's dicts.
SECRETS = re.compile(
    r"(?P<token>Atz[ra]\|)[^\s\"'&]+"
    rf"|(?<![\w-])(?P<field>{_NAMES})=[^\s&\"']+"
    rf"|(?P<quote>[\"'])(?P<key>{_NAMES})(?P=quote)\s*:\s*[\"'][^\"']*[\"']"
)


def hide(match: re.Match) -> str:
    if match["token"]:
        return f"{match['token']}[redacted]"
    if match["field"]:
        return f"{match['field']}=[redacted]"
    quote = match["quote"]
    return f"{quote}{match['key']}{quote}: {quote}[redacted]{quote}"


def scrub(text: str) -> str:
    return SECRETS.sub(hide, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["method"] = request.method
            entry["path"] = request.path
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def request_id(given: str) -> str:
    """The proxy's request id when it looks like one, else a new one."""
    return given if VALID_ID.match(given) else uuid.uuid4().hex


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request_id(request.headers.get(REQUEST_ID, ""))

    @app.after_request
    def echo_request_id(response):
        if g.get("request_id"):
            response.headers[REQUEST_ID] = g.request_id
        return response

    if app.config["LOG_JSON"]:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        app.logger.handlers[:] = [handler]
        app.logger.setLevel(app.config["LOG_LEVEL"])
