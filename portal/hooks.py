"""Where features add to what core owns (shared pages, security headers, the page cache)
without core importing them, in the manner of Indico's template hooks.

A feature registers its contributions when create_app sets it up; core asks for them by name:

    hooks.add(app, hooks.BANNER, token_banner)      # amazon: a warning on every page
    for banner in hooks.get(hooks.BANNER): ...      # base.html, through page_banners()

Each name below says what its contributions are. The registry belongs to one app, so a test
can build an app and remove one contribution to see the page without it.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from flask import Flask, current_app, request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

# Called with the article page where its text says [[token-status]]: a Partial or None.
ARTICLE_BOX = "article_box"
# Called on every page: a Partial or None, shown above the page's own content.
BANNER = "banner"
# Called on every page: a Partial or None, at the page's end (a dialog that its forms open).
END_OF_PAGE = "end_of_page"
# Called on a logged-in user's own page (the token page): a Partial or None, after the page's
# own content. The page is kept by the user's state (PERSONAL_STATE): a part shows only what
# is read with the user (USER_LOADING), or what may be PAGE_CACHE_SECONDS old.
ACCOUNT_SECTION = "account_section"
# Called with an Amazon connection and whether the page shows it in detail (card, support's
# page) or in short (the article's box): a Partial or None, with a key (the connector's
# synchronisation).
CONNECTION_FACTS = "connection_facts"
# Called with an Amazon connection in the JSON answers about it: a dict of fields to add.
CONNECTION_JSON = "connection_json"
# Called with each event amazon records about a connection (renewed, revoked...), before the
# change is committed: what a feature writes then is committed with it (the webhooks' outbox).
CONNECTION_EVENT = "connection_event"
# Called with a connection and its reminder's step ("30" ... "2" days left, or "expired") when
# that reminder is first due, before that is committed (the webhooks' outbox).
TOKEN_REMINDER = "token_reminder"
# Called by `flask tokens rotate-key` with the token vault: re-encrypt with its first key what
# a feature keeps encrypted (webhook secrets); returns how many were re-encrypted.
ROTATE_KEYS = "rotate_keys"
# Called by /readyz: a short warning for monitoring (the portal still serves), or None.
READINESS = "readiness"
# Called on every page: a NavItem or None, in the header's account menu, in order of registration.
NAVIGATION = "navigation"
# Called with a language code: the URL of the site's home page in it, or None; the first
# answer wins (without one, the site's root).
HOME = "home"
# Called with the user who has just logged in: the URL of the page they start on, or None;
# the first answer wins (without one, the help center's home).
LANDING = "landing"
# Called once with the app: the origins ("https://host") its forms may post to besides our own.
FORM_ACTION = "form_action"
# Called when the logged-in user is read: a SQLAlchemy loader option, so that what their
# pages show comes with the user in one query (a merchant's connections).
USER_LOADING = "user_loading"
# Called on a logged-in user's page that may be kept (pagecache.personal_page): a key naming
# the user and all that their pages show of them, or None; the first answer wins.
PERSONAL_STATE = "personal_state"
# Called on every request: True when the answer is about one person (a logged-in user), so
# that no cache keeps it and the page cache serves nothing to them.
PERSONAL = "personal"
# Blueprint or endpoint names whose pages lead to another site and keep the Referer same-origin.
SAME_ORIGIN_REFERRER = "same_origin_referrer"
# Blueprint names of the pages anonymous readers read (no other site's forms on them).
READING = "reading"


@dataclass(frozen=True)
class Partial:
    """A feature's template, rendered inside the page with the page's variables, as
    {% include %} would (no second run of the context processors).

    With a key (all that the part shows besides the page's language), the rendered part is
    kept and shared like the page's own cached parts (pagecache.Fragments).
    """

    template: str
    values: Mapping[str, object] = field(default_factory=dict)
    key: tuple | None = None


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    post: bool = False  # a button in a form with the CSRF token (log out), not a link


class Hooks:
    """The contributions of one app, by hook name, in order of registration."""

    def __init__(self) -> None:
        self._by_name: dict[str, tuple] = {}
        self.generation = 0  # raised by each change: pages kept before it are other pages

    def add(self, name: str, *contributions: object) -> None:
        self._by_name[name] = (*self._by_name.get(name, ()), *contributions)
        self.generation += 1

    def remove(self, name: str, contribution: object) -> None:
        self._by_name[name] = tuple(c for c in self._by_name.get(name, ()) if c != contribution)
        self.generation += 1

    def get(self, name: str) -> tuple:
        return self._by_name.get(name, ())


def init_app(app: Flask) -> None:
    app.extensions["hooks"] = Hooks()
    app.jinja_env.globals.update(
        article_box=article_box,
        page_banners=page_banners,
        page_endings=page_endings,
        show_parts=show_parts,
        connection_facts=connection_facts,
        navigation=navigation,
        home_url=home_url,
    )


def add(app: Flask, name: str, *contributions: object) -> None:
    app.extensions["hooks"].add(name, *contributions)


def get(name: str, app: Flask | None = None) -> tuple:
    return (app or current_app).extensions["hooks"].get(name)


def first_answer(name: str, *args: object) -> object | None:
    """The first contribution's answer that is not empty, for hooks where the first one wins."""
    return next((answer for hook in get(name) if (answer := hook(*args))), None)


def generation() -> int:
    """How many times the contributions changed (a test removing one; features add theirs at
    start): part of the key of a kept page, which they shape."""
    return current_app.extensions["hooks"].generation


def home_url(lang: str) -> str:
    """The site's home page in this language: the FAQ's, where it is set up."""
    return first_answer(HOME, lang) or f"{request.script_root}/"


def personal_request() -> bool:
    """Whether any feature says this request is about one person."""
    return any(check() for check in get(PERSONAL))


def rendered(context: Context, name: str, *args: object) -> Markup:
    """The Partials a hook's contributions return, rendered where the page asks for them."""
    return show_parts(context, parts(name, *args))


@pass_context
def show_parts(context: Context, found: list[Partial]) -> Markup:
    """Partials rendered in the page; those with a key are kept like the page's own parts."""
    html = []
    for part in found:

        def render(part: Partial = part) -> str:
            template = context.environment.get_template(part.template)
            return template.render({**context.get_all(), **part.values})

        if part.key is None:
            html.append(render())
        else:
            # The page's own {% call cached_fragment(...) %}, as the template would call it.
            kept = context.environment.globals["cached_fragment"]
            html.append(kept(part.template, context["lang"], *part.key, caller=render))
    return Markup("".join(html))


def parts(name: str, *args: object) -> list[Partial]:
    """The Partials that a hook's contributions return (those that return None left out)."""
    return [part for hook in get(name) if (part := hook(*args)) is not None]


def parts_key(found: list[Partial]) -> tuple | None:
    """All that the parts show, to keep a page by; None when a part has no key."""
    if any(part.key is None for part in found):
        return None
    return tuple((part.template, part.key) for part in found)


@pass_context
def article_box(context: Context, page: object) -> Markup:
    return rendered(context, ARTICLE_BOX, page)


@pass_context
def connection_facts(context: Context, connection: object, detailed: bool = True) -> Markup:
    return rendered(context, CONNECTION_FACTS, connection, detailed)


def connection_json(connection: object) -> dict:
    """What features add to the JSON about a connection."""
    added: dict = {}
    for hook in get(CONNECTION_JSON):
        added.update(hook(connection))
    return added


@pass_context
def page_banners(context: Context) -> Markup:
    return rendered(context, BANNER)


@pass_context
def page_endings(context: Context) -> Markup:
    return rendered(context, END_OF_PAGE)


def navigation() -> Iterator[NavItem]:
    return (item for item in (hook() for hook in get(NAVIGATION)) if item)
