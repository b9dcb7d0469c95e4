"""Support's "Reader feedback" page: why readers answered "No", and each revision's score."""

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from .. import faq
from ..i18n import LANGUAGES
from .views import bp, staff_required


@bp.get("/feedback")
@staff_required
def feedback() -> ResponseReturnValue:
    """Reasons and comments newest first, by article and language, with the helpful scores."""
    article_id = request.args.get("article", type=int)
    language = request.args.get("language")
    language = language if language in LANGUAGES else None
    page = max(request.args.get("page", 1, type=int), 1)
    return render_template(
        "support/feedback.html",
        articles=faq.list_articles(g.lang, include_internal=True),
        chosen={"article": article_id, "language": language},
        comments=faq.reader_comments(article_id, language, page, g.lang),
        scores=faq.revision_scores(article_id, language, g.lang),
    )
