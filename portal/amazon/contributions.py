"""What the Amazon token adds to pages and headers that core owns (see portal/hooks.py):
the box in the token article, the warning banner, step 2's dialog, the menu link, Seller
Central's origins for the forms, and the pages that keep the Referer to themselves."""

from urllib.parse import urlsplit

from flask import Flask, current_app, g, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import faq, hooks
from ..accounts.models import Role
from ..i18n import page_language
from ..pagecache import per_language
from . import connections
from .marketplaces import LANGUAGE_DEFAULTS, central_hosts
from .messages import EVENTS, STATES, marketplace_label
from .overview import TokenOverview, card_key, token_overview
from .secret import WARN_ADMINS_DAYS, readiness_warning, secret_status
from .state import most_urgent


def merchant(user) -> bool:
    return user.is_authenticated and not user.is_staff


def article_box(page: faq.ArticlePage) -> hooks.Partial:
    """The reader's own token where the article says [[token-status]], or an invitation to
    log in (anonymous readers get it from the page cache)."""
    overview: TokenOverview | None = None
    if merchant(current_user):
        overview = token_overview(current_user.id, page_language())
    return hooks.Partial("amazon/_article_box.html", {"overview": overview})


def token_banner() -> hooks.Partial | None:
    """For a merchant whose token needs renewing, a warning on every page."""
    if not merchant(current_user):
        return None
    urgent = most_urgent([status for _, status in connections.with_status(current_user.id)])
    if not urgent.needs_renewal:
        return None
    key = (urgent.state, urgent.days_left)
    return hooks.Partial("amazon/_banner.html", {"banner": urgent}, key)


def secret_banner() -> hooks.Partial | None:
    """For admins, from a month before the app's client secret expires (amazon/secret.py)."""
    if not current_user.is_authenticated or current_user.role is not Role.ADMIN:
        return None
    status = secret_status(current_app.config)
    if not status.within(WARN_ADMINS_DAYS):
        return None
    return hooks.Partial("amazon/_secret_banner.html", {"secret": status}, (status,))


def secret_readiness() -> str | None:
    return readiness_warning(current_app.config)


def renew_dialog() -> hooks.Partial | None:
    """Step 2 of the article, asked before Seller Central opens in a pop-up (see portal.js)."""
    return hooks.Partial("amazon/_renew_dialog.html", key=()) if merchant(current_user) else None


def token_page_url() -> str:
    return url_for("amazon_pages.account", lang=page_language())


def token_link() -> hooks.NavItem | None:
    if not merchant(current_user):
        return None
    return per_language(
        "token-link", lambda: hooks.NavItem(_("Your Amazon token"), token_page_url())
    )


def token_page(user) -> str | None:
    """Merchants start on their token's page."""
    return token_page_url() if merchant(user) else None


def seller_central_origins(app: Flask) -> set[str]:
    """Where the merchant's forms go to authorize: every Seller Central, or the configured one."""
    origins = {f"https://{host}" for host in central_hosts()}
    configured = urlsplit(app.config["AMAZON_SELLER_CENTRAL_URL"] or "")
    if configured.scheme:
        origins.add(f"{configured.scheme}://{configured.netloc}")
    return origins


def template_helpers() -> dict:
    """Labels and keys that Amazon's templates (and those showing a connection) use."""
    return {
        "marketplace_label": marketplace_label,
        "token_state_label": lambda state: STATES[state],
        "event_label": lambda kind: EVENTS[kind],
        "default_marketplace": LANGUAGE_DEFAULTS.get(g.get("lang", ""), "DE"),
        "card_key": card_key,
    }


def add_hooks(app: Flask) -> None:
    app.context_processor(template_helpers)
    hooks.add(app, hooks.ARTICLE_BOX, article_box)
    hooks.add(app, hooks.USER_LOADING, connections.read_with_user)
    hooks.add(app, hooks.BANNER, token_banner, secret_banner)
    hooks.add(app, hooks.READINESS, secret_readiness)
    hooks.add(app, hooks.END_OF_PAGE, renew_dialog)
    hooks.add(app, hooks.NAVIGATION, token_link)
    hooks.add(app, hooks.LANDING, token_page)
    hooks.add(app, hooks.FORM_ACTION, seller_central_origins)
    # Pages that lead to Seller Central, the token article's box among them.
    hooks.add(app, hooks.SAME_ORIGIN_REFERRER, "amazon", "amazon_pages", "faq.article")
