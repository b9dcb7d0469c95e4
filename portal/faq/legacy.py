"""Links into the Znuny FAQ the articles came from: e-mails, tickets and search engines still
point at `public.pl?Action=PublicFAQZoom;ItemID=123`. Each one leads to its article, for good."""

from urllib.parse import parse_qsl

from flask import Blueprint, abort, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from .. import faq
from ..i18n import negotiated_language
from .links import article_url
from .views import reader_scope

bp = Blueprint("faq_legacy", __name__)

ZOOM = {"PublicFAQZoom", "CustomerFAQZoom", "AgentFAQZoom"}
PRINT = {"PublicFAQPrint", "CustomerFAQPrint", "AgentFAQPrint"}


def znuny_arguments() -> dict[str, str]:
    """Znuny separates its arguments with ';' as well as '&'."""
    query = request.query_string.decode("utf-8", "replace").replace(";", "&")
    return dict(parse_qsl(query))


@bp.get("/<any(otrs, znuny):folder>/<any(public.pl, customer.pl, index.pl):script>")
def znuny_link(folder: str, script: str) -> ResponseReturnValue:
    """301 to the article in the reader's language; anything else is the normal 404."""
    g.lang = negotiated_language()
    arguments = znuny_arguments()
    action = arguments.get("Action", "")
    article_id = item_article(arguments.get("ItemID", ""))
    if article_id is None or action not in ZOOM | PRINT or "Subaction" in arguments:
        abort(404)
    page = faq.get_article(article_id, g.lang, **reader_scope())
    if page is None:
        abort(404)
    if action in PRINT:
        target = url_for(
            "faq.print_view", lang=g.lang, article_id=article_id, slug=page.translation.slug
        )
    else:
        target = article_url(page.article, g.lang)
    response = redirect(target, 301)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def item_article(item: str) -> int | None:
    """The article an item became: its own number, or the article it was a translation of."""
    if not item.isdigit():
        return None
    library = faq.library()
    number = int(item)
    return library.items.get(number, number if number in library.articles else None)
