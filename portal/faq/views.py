"""Reading the FAQ: home, categories, articles, print view and PDF, search, links, sitemap."""

import mimetypes
from datetime import UTC, datetime, time

from babel.units import format_unit
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import faq, hooks
from ..i18n import LANGUAGES, localized_blueprint, negotiated_language
from ..pagecache import cached_page, remembered
from . import pdf
from .links import article_url, structured_data, translation_links

bp = localized_blueprint("faq", __name__)
root = Blueprint("faq_root", __name__)

# After a vote ("no": say what was missing) and after the reason ("sent", "told": once more).
FEEDBACK_MESSAGES = ("thanks", "already", "no", "sent", "told")
PUBLIC_MAX_AGE = 300
SEARCH_MAX_AGE = 60


def reader_scope() -> dict[str, bool]:
    """Internal articles are for support staff only; customers' ones for anyone logged in."""
    logged_in = current_user.is_authenticated
    return {
        "include_internal": logged_in and current_user.is_staff,
        "include_customers": logged_in,
    }


STATE_LABELS = {
    "public": _l("public"),
    "customers": _l("customers only"),
    "internal": _l("internal"),
}


@bp.app_context_processor
def faq_helpers() -> dict:
    return {
        "article_url": article_url,
        "translation_links": translation_links,
        "structured_data": structured_data,
        "state_label": lambda state: STATE_LABELS.get(state, state),
        "og_locale": lambda code: LANGUAGES[code].og_locale,
        "file_size": file_size,
        "feedback_reasons": faq.REASON_LABELS,
        "max_comment": faq.MAX_COMMENT,
    }


def file_size(size: int) -> str:
    """12,3 ko in French, 12.3 kB in English: Babel knows each language's units."""
    unit, value = ("digital-kilobyte", size / 1000)
    if size >= 1_000_000:
        unit, value = ("digital-megabyte", size / 1_000_000)
    return format_unit(value, unit, length="short", format="#,##0.#", locale=get_locale())


def shared(response: Response, max_age: int) -> Response:
    """Shared caches may keep the page; security's headers make it private for a logged-in user."""
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def public_page(body: str | bytes, last_modified: datetime | None = None) -> Response:
    """A page without personal data: cacheable by shared caches, revalidated by ETag."""
    response = shared(current_app.make_response(body), PUBLIC_MAX_AGE)
    if last_modified:
        response.last_modified = last_modified.replace(tzinfo=UTC)
    response.add_etag()
    return response.make_conditional(request)


def find_page(article_id: int) -> faq.ArticlePage:
    page = faq.get_article(article_id, g.lang, **reader_scope())
    if page is None:
        abort(404)
    return page


def article_group(article_id: int, **_) -> tuple[str, int]:
    """The cached pages and vote counts of one article, which a vote on it renews."""
    return ("article", article_id)


def page_context(page: faq.ArticlePage, fresh_votes: bool = False) -> dict:
    """What the article and its print view show besides the text.

    The vote count may be some seconds old, except right after a vote: the reader's own
    vote must show, whichever worker answers.
    """
    key = (page.article.id, page.translation.lang, page.article.revision)
    if fresh_votes:
        votes = faq.vote_summary(*key)
    else:
        votes = remembered(
            ("votes", *key), lambda: faq.vote_summary(*key), article_group(page.article.id)
        )
    updated = datetime.combine(page.translation.updated, time())
    last_modified = max(filter(None, (updated, votes.last_vote)))
    return {
        "page": page,
        "votes": votes,
        "trail": faq.category_trail(page.article.category),
        "last_modified": last_modified,
    }


@bp.get("/")
@cached_page()
def home() -> ResponseReturnValue:
    """The language's home page: the category tree and every article."""
    return public_page(
        render_template(
            "faq/home.html",
            categories=faq.child_categories(None),
            articles=faq.list_articles(g.lang, **reader_scope()),
        )
    )


@bp.get("/category/<path:path>")
@cached_page()
def category(path: str) -> ResponseReturnValue:
    if path not in faq.library().categories:
        abort(404)
    return public_page(
        render_template(
            "faq/category.html",
            trail=faq.category_trail(path),
            categories=faq.child_categories(path),
            articles=faq.list_articles(g.lang, path, **reader_scope()),
        )
    )


@bp.get("/faq/<int:article_id>-<slug>")
@cached_page(group=article_group)
def article(article_id: int, slug: str) -> ResponseReturnValue:
    """Show one FAQ article in the reader's language."""
    page = find_page(article_id)
    if slug != page.translation.slug:
        return redirect(article_url(page.article, g.lang), 301)
    feedback = request.args.get("feedback")
    context = page_context(page, fresh_votes=feedback is not None)
    body = render_template(
        "faq/article.html",
        feedback=feedback if feedback in FEEDBACK_MESSAGES else None,
        **context,
    )
    return public_page(body, context["last_modified"])


@bp.get("/faq/<int:article_id>-<slug>/print")
@cached_page(group=article_group)
def print_view(article_id: int, slug: str) -> ResponseReturnValue:
    page = find_page(article_id)
    if slug != page.translation.slug:
        return redirect(url_for(".print_view", article_id=article_id, slug=page.translation.slug))
    context = page_context(page)
    return public_page(render_template("faq/print.html", **context), context["last_modified"])


@bp.get("/faq/<int:article_id>-<slug>.pdf")
@cached_page(group=article_group)  # a render takes 0.2-0.4 s: see faq/pdf.py
def print_pdf(article_id: int, slug: str) -> ResponseReturnValue:
    """The print view as a PDF, as Znuny prints an FAQ item."""
    page = find_page(article_id)
    if slug != page.translation.slug:
        return redirect(url_for(".print_pdf", article_id=article_id, slug=page.translation.slug))
    context = page_context(page)
    html = render_template("faq/print.html", pdf=True, **context)
    printed = url_for(".print_view", article_id=article_id, slug=slug, _external=True)
    response = public_page(pdf.render(html, printed, page.article), context["last_modified"])
    return pdf.attach(response, f"{article_id}-{slug}.pdf")


@bp.get("/search")
@cached_page("q")
def search() -> ResponseReturnValue:
    query = request.args.get("q", "")
    results = faq.search(query, g.lang, **reader_scope())
    response = current_app.make_response(render_template("faq/search.html", results=results))
    shared(response, SEARCH_MAX_AGE)
    if results.empty:
        # Every search without results is counted for support: caches must ask each time.
        response.cache_control.no_cache = True
    return response


@root.get("/")
def index() -> ResponseReturnValue:
    response = redirect(url_for("faq.home", lang=negotiated_language()))
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@root.get("/faq/<int:article_id>")
def short_link(article_id: int) -> ResponseReturnValue:
    """The link support pastes: /faq/<id>, optionally ?lang=de; the step stays in the #fragment."""
    lang = request.args.get("lang")
    g.lang = lang if lang in LANGUAGES else negotiated_language()
    page = find_page(article_id)
    response = redirect(article_url(page.article, g.lang))
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/faq/<int:article_id>")
def typed_link(article_id: int) -> ResponseReturnValue:
    """What readers and support type: /de/faq/2763, without the slug."""
    page = find_page(article_id)
    return redirect(article_url(page.article, g.lang), 301)


# Images are shown in the page; anything else is downloaded, never run in the portal's origin.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@root.get("/faq/<int:article_id>/files/<name>")
def article_file(article_id: int, name: str) -> ResponseReturnValue:
    """An image or attachment kept beside the article, for whoever may read the article."""
    g.lang = negotiated_language()  # of the error page, if any
    page = find_page(article_id)
    path = faq.article_file(page.article, name)
    if path is None:
        abort(404)
    texts = page.article.translations.values()
    listed = {a.file: a for text in texts for a in text.attachments}
    download = listed[name].name if name in listed else name
    shown = mimetypes.guess_type(path.name)[0] in INLINE_TYPES
    response = send_file(path, download_name=download, as_attachment=not shown, conditional=True)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if page.article.is_public:
        shared(response, PUBLIC_MAX_AGE)
    return response


@root.get("/sitemap.xml")
@cached_page()
def sitemap() -> ResponseReturnValue:
    lib = faq.library()
    articles = [a for a in lib.articles.values() if a.is_public]
    xml = render_template("faq/sitemap.xml", articles=articles, languages=LANGUAGES)
    response = public_page(xml)
    response.mimetype = "application/xml"
    return response


def home_page(lang: str) -> str:
    return url_for("faq.home", lang=lang)


def add_hooks(app: Flask) -> None:
    hooks.add(app, hooks.HOME, home_page)
    # Anonymous readers' pages: no form on them posts to another site.
    hooks.add(app, hooks.READING, bp.name, root.name)
