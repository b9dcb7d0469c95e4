"""What readers tell us on an article's page: "Was it helpful?", what was missing, a read."""

import secrets

from flask import Response, abort, current_app, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import current_user

from .. import faq
from ..errors import plain_error
from ..pagecache import forget_pages
from ..security import limiter, private_page, remember
from ..urls import same_origin_request
from .links import article_url
from .views import article_group, bp, find_page, page_context

VOTER_COOKIE = "voter"


def vote_limit() -> str:
    return current_app.config["VOTE_LIMIT"]


def view_limit() -> str:
    return current_app.config["VIEW_LIMIT"]


def beacon_refused(limit: RequestLimit) -> Response:
    """The browser sends the beacon and never shows its answer: no page to render."""
    return current_app.make_response(plain_error(429))


@bp.post("/faq/<int:article_id>/vote")
@limiter.limit(vote_limit)  # per address: a fresh cookie is a new voter
def vote(article_id: int) -> ResponseReturnValue:
    """Record "Was this article helpful?"; one vote per reader and revision."""
    page = find_page(article_id)
    answer = request.form.get("helpful")
    if answer not in ("yes", "no") or not same_origin_request():
        abort(400)
    identity = request.cookies.get(VOTER_COOKIE) or secrets.token_urlsafe(24)
    voter = voter_of(identity)
    counted = faq.record_vote(page, voter, answer == "yes")
    if counted:
        forget_pages(article_group(page.article.id))
    message = "thanks" if counted else "already"
    if answer == "no" and (counted or faq.awaits_reason(page, voter)):
        message = "no"  # the page asks what was missing
    target = article_url(page.article, g.lang, feedback=message)
    return remember(redirect(f"{target}#feedback", 303), VOTER_COOKIE, identity)


def voter_of(identity: str | None) -> str | None:
    """Whose vote it is: the logged-in user's, else the reader cookie's (None without one)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"reader:{identity}" if identity else None


@bp.post("/faq/<int:article_id>/feedback")
@limiter.limit(vote_limit)  # per address, as the vote it belongs to
def feedback(article_id: int) -> ResponseReturnValue:
    """After "No": the reason and an optional comment, stored with the reader's own vote."""
    page = find_page(article_id)
    if not same_origin_request():
        abort(400)
    voter = voter_of(request.cookies.get(VOTER_COOKIE))
    form = request.form
    try:
        outcome = faq.record_feedback(
            page, voter, form.get("reason", ""), form.get("comment", ""), g.lang
        )
    except faq.FeedbackRefused as refused:
        # The page again with what the reader wrote: theirs alone, so kept by no cache.
        context = page_context(page, fresh_votes=True)
        body = render_template("faq/article.html", reason_form=refused.form, **context)
        return private_page(body), 422
    target = article_url(page.article, g.lang, feedback=outcome)
    return redirect(f"{target}#feedback", 303)


@bp.post("/faq/<int:article_id>/viewed")
@limiter.limit(view_limit, on_breach=beacon_refused)
def viewed(article_id: int) -> ResponseReturnValue:
    """The article page's beacon: count a read (cached pages count too, bots without JS do not)."""
    page = find_page(article_id)
    if not same_origin_request():
        abort(400)
    faq.count_view(page.article.id, page.translation.lang)
    return "", 204
