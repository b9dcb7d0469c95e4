"""Localized error pages, as in microblog's app/errors/handlers.py."""

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from .extensions import db

TITLES = {
    400: _l("This request could not be processed"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("This request could not be processed"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}
TEXTS = {
    400: _l("The request was incomplete or invalid. Please go back and try again."),
    403: _l("You are not allowed to see this page."),
    404: _l("The page you are looking for does not exist or has moved."),
    405: _l("The request was incomplete or invalid. Please go back and try again."),
    429: _l("Please wait a moment before you try again."),
    500: _l("An unexpected error occurred. Please try again in a few minutes."),
}


def error_page(code: int):
    known = code if code in TITLES else (500 if code >= 500 else 400)
    return render_template("errors/error.html", title=TITLES[known], text=TEXTS[known]), code


def plain_error(code: int):
    """The error's title and text without a page: where no link can be built, or nobody looks."""
    return f"{TITLES[code]}\n{TEXTS[code]}\n", code, {"Content-Type": "text/plain; charset=utf-8"}


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # an answer made for this case (a beacon's plain 429)
            return error.response
        return error_page(error.code or 500)

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        """A Host header outside TRUSTED_HOSTS: no link can be built for it, so a plain answer."""
        return plain_error(400)

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        # A failed transaction must not leak into the error page's own queries.
        db.session.rollback()
        return error_page(500)
