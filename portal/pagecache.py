"""Rendered pages for anonymous readers, and page parts that are the same for every reader,
kept a few seconds in each worker (PAGE_CACHE_SECONDS, at most PAGE_CACHE_SIZE entries);
logged-in users' own pages apart (PERSONAL_PAGE_CACHE_SIZE), kept by the user's state.

A reminder wave sends thousands of merchants to the same article at once; rendering it once
per worker and interval, instead of once per reader, is what keeps the portal fast then.
Only what a shared cache could store is kept: pages marked public with a max-age, for
readers who are not logged in, without a cookie being set. A vote clears this worker's pages
of that article (anyone can vote, so a vote must not empty the whole cache); other workers
show the new count within PAGE_CACHE_SECONDS.
"""

import secrets
import threading
from collections.abc import Callable, Hashable
from functools import wraps
from typing import TypeVar

from cachetools import TTLCache
from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from . import hooks
from .i18n import page_language
from .readerpages import mark_keepable

T = TypeVar("T")


class PageCache:
    """Pages and values by key; each entry may belong to a group (an article) forgotten at once."""

    def __init__(self, size: int, seconds: float) -> None:
        self.seconds = seconds
        # key -> (group, page or value)
        self._pages: TTLCache = TTLCache(maxsize=max(size, 1), ttl=max(seconds, 0.001))
        self._lock = threading.Lock()  # cachetools caches are not thread-safe by themselves

    def get(self, key: str) -> tuple[bytes, list] | None:
        with self._lock:
            entry = self._pages.get(key)
        return None if entry is None else entry[1]

    def put(self, key: str, page: tuple[bytes, list], group: Hashable = None) -> None:
        with self._lock:
            self._pages[key] = (group, page)

    def remember(self, key: tuple, compute: Callable[[], T], group: Hashable = None) -> T:
        """A value pages show (a vote count), kept as long as the pages themselves."""
        with self._lock:
            entry = self._pages.get(key)
        if entry is not None:
            return entry[1]
        value = compute()
        if self.seconds:
            with self._lock:
                self._pages[key] = (group, value)
        return value

    def forget(self, group: Hashable) -> None:
        """Drop every entry of the group; a few hundred entries at most, so a scan is cheap."""
        with self._lock:
            for key in list(self._pages):
                entry = self._pages.get(key)
                if entry is not None and entry[0] == group:
                    del self._pages[key]


def init_app(app: Flask) -> None:
    seconds = app.config["PAGE_CACHE_SECONDS"]
    app.extensions["page_cache"] = PageCache(app.config["PAGE_CACHE_SIZE"], seconds)
    # Apart, so that many users opening their own pages at once push no shared page out.
    personal = PageCache(app.config["PERSONAL_PAGE_CACHE_SIZE"], seconds)
    if app.debug or app.config["TEMPLATES_AUTO_RELOAD"]:  # templates change as one edits them
        app.jinja_env.globals["cached_fragment"] = lambda *key, caller: caller()
        app.extensions["personal_pages"] = None
    else:
        app.jinja_env.globals["cached_fragment"] = Fragments(app.extensions["page_cache"])
        app.extensions["personal_pages"] = Fragments(personal)
    # Signed CSRF tokens by the session's own, for a minute (see session_csrf_token).
    app.extensions["signed_csrf_tokens"] = PageCache(app.config["PERSONAL_PAGE_CACHE_SIZE"], 60)
    # In place of Flask-WTF's (a global and a context processor), after it: see CSRF_HOLE.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})


def remembered(key: tuple, compute: Callable[[], T], group: Hashable = None) -> T:
    return current_app.extensions["page_cache"].remember(key, compute, group)


def per_language(name: str, build: Callable[[], T]) -> T:
    """What is the same for every request in the page's language (a menu link: its label and
    URL), built once per worker and language while the page cache keeps it.

    Each translation through Flask-Babel's gettext() costs about as much as a query here.
    """
    key = ("per-language", name, request.script_root, page_language())
    return remembered(key, build)


def personal_page(key: tuple, render: Callable[[], str]) -> str:
    """A logged-in user's page, kept while nothing it shows of them changes: its key is the
    user's state (hooks.PERSONAL_STATE: the rows read with them) and key, what the page adds
    (its name). What time alone changes (days left, a late synchronisation) and what is the
    same for everyone (the article's steps) shows within PAGE_CACHE_SECONDS, as on anonymous
    pages. A page with a message waiting is rendered afresh, to show the message once. Its
    CSRF tokens are each request's own (see CSRF_HOLE)."""
    keeper: Fragments | None = current_app.extensions["personal_pages"]
    if keeper is None or "_flashes" in session:
        return render()
    state = hooks.first_answer(hooks.PERSONAL_STATE)
    if state is None:
        return render()
    where = (request.full_path, page_language(), hooks.generation())
    return keeper("page", *where, state, *key, caller=render)


def forget_pages(group: Hashable) -> None:
    """Something a group of pages shows changed (a vote): render them afresh in this worker."""
    current_app.extensions["page_cache"].forget(group)


def anonymous_request() -> bool:
    """A reader whose page is the same as everyone's: not logged in, no message waiting."""
    return request.method in ("GET", "HEAD") and not (
        hooks.personal_request() or "_flashes" in session
    )


def cached_page(*query: str, group: Callable[..., Hashable] | None = None) -> Callable:
    """Let the view's answer be kept for anonymous readers and served to the next ones before
    Flask's dispatch (see readerpages); query names the arguments the page depends on.

    Requests carrying any other argument (a feedback message, a tracking tag) are not kept.
    group, given the view's arguments, names the group the page belongs to (its article).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs):
            cache: PageCache = current_app.extensions["page_cache"]
            if cache.seconds and anonymous_request() and not set(request.args) - set(query):
                mark_keepable(request.environ, group(**kwargs) if group else None)
            return view(**kwargs)

        return wrapper

    return decorator


# Where a part kept for later shows a form's CSRF token: each request fills in its own.
# Random, so that no text of a page can be mistaken for it.
CSRF_HOLE = f"csrf-{secrets.token_hex(16)}"


def csrf_token() -> str:
    """The templates' csrf_token(): the session's token, or a hole in a part being kept."""
    return CSRF_HOLE if g.get("keeping_fragment") else session_csrf_token()


def session_csrf_token() -> str:
    """Flask-WTF's generate_csrf(), signed once a minute for each session in a worker rather
    than for each page: signing took 0.09 ms in the process, a fifteenth of a kept token page
    (measured). A token signed a minute ago is as valid (WTF_CSRF_TIME_LIMIT, an hour)."""
    own = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    if own is None:  # the session's first form: generate_csrf() adds its token to the session
        return generate_csrf()
    return current_app.extensions["signed_csrf_tokens"].remember(("csrf", own), generate_csrf)


class Fragments:
    """Parts of pages that are the same for every reader with the same key, rendered once per
    worker while the page cache keeps them: bounded, expiring and cleared with the pages.
    Each part is whole elements, so a page never depends on where another part was cut.
    A part may hold forms: the key names whose they are, and their CSRF tokens are left out
    of what is kept (see CSRF_HOLE)."""

    def __init__(self, pages: PageCache) -> None:
        self.pages = pages

    def __call__(self, *key: object, caller: Callable[[], str]) -> Markup:
        """Jinja's {% call cached_fragment(...) %}; the key names everything the part shows."""
        # External URLs in a part depend on the host and path prefix the request came through.
        where = (request.scheme, request.host, request.script_root)  # root_url costs 3 times more
        part = self.pages.remember(("fragment", where, *key), lambda: keep(caller))
        if CSRF_HOLE in part and not g.get("keeping_fragment"):
            return Markup(part.replace(CSRF_HOLE, session_csrf_token()))
        return part


def keep(caller: Callable[[], str]) -> Markup:
    """Render a part to keep, with holes for CSRF tokens (also in the parts inside it)."""
    outer = g.get("keeping_fragment", False)
    g.keeping_fragment = True
    try:
        return Markup(caller())
    finally:
        g.keeping_fragment = outer
