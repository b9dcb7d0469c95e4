"""Structured JSON logs, one object a line, each with the request's id; never a secret."""

import json
import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID = "X-Request-ID"
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Belt and braces: whatever a message says, these never reach the log.
SECRETS = re.compile(r"(Atz[ra]\|)[^\s\"'&]+|(client_secret|spapi_oauth_code|code)=[^\s&\"']+")


def scrub(text: str) -> str:
    return SECRETS.sub(lambda m: (m.group(1) or f"{m.group(2)}=") + "[redacted]", text)


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


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get(REQUEST_ID, "")
        g.request_id = given if VALID_ID.match(given) else uuid.uuid4().hex

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
