"""Small URL helpers shared by the blueprints."""

from urllib.parse import urlencode, urlsplit

from flask import request


def is_own_path(target: str | None) -> bool:
    """True for a path on this site ("/de/faq/1"), never for another host or scheme."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target


def with_query(url: str, **params: str | None) -> str:
    """The URL with these parameters added to its query; None values are left out."""
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}{urlencode({k: v for k, v in params.items() if v is not None})}"


def same_origin_request() -> bool:
    """Reject cross-site form posts for forms that carry no CSRF token (anonymous readers)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:  # modern browsers say where a request comes from
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")
