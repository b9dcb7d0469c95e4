"""What was missing: the reason and comment a reader adds to their own "No", and what support
reads of them (comments newest first, the helpful score of each revision)."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import commit_unless_duplicate
from .models import Feedback, FeedbackReason, Vote
from .services import ArticlePage, helpful_percent, library, voter_digest
from .store import Article

MAX_COMMENT = 500
COMMENTS_PER_PAGE = 50
MAX_SCORES = 200

REASON_LABELS = {
    FeedbackReason.OUTDATED: _l("The information is out of date"),
    FeedbackReason.UNCLEAR: _l("It is hard to understand"),
    FeedbackReason.STEPS_FAIL: _l("The steps do not work"),
    FeedbackReason.OFF_TOPIC: _l("It is not what I was looking for"),
}

# Bidirectional embeddings, overrides and isolates: in a comment they would only reorder how
# support sees the text around them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class ReasonForm:
    """The "what was missing?" form as the reader sent it, and what is wrong with it."""

    reason: str = ""
    comment: str = ""
    error: str | None = None
    field: str | None = None  # "reason" or "comment"; None: the answer itself (no "No" vote)


class FeedbackRefused(Exception):
    """Nothing was stored; form says why, in the reader's language."""

    def __init__(self, form: ReasonForm) -> None:
        super().__init__(form.error)
        self.form = form


def clean_comment(text: str) -> str:
    """Plain text as typed: line breaks kept (a browser sends CRLF), other control characters
    and bidirectional overrides removed, tabs made spaces."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\t", " "))
    text = BIDI_CONTROLS.sub("", text)
    kept = (c for c in text if c == "\n" or unicodedata.category(c) != "Cc")
    return "".join(kept).strip()


def checked_form(reason: str, comment: str) -> ReasonForm:
    """The form's values, or FeedbackRefused for an unknown reason or a too long comment."""
    comment = clean_comment(comment)
    if reason not in {member.value for member in FeedbackReason}:
        message = _("Please choose one of the reasons.")
        raise FeedbackRefused(ReasonForm(reason, comment, message, "reason"))
    if len(comment) > MAX_COMMENT:
        message = ngettext(
            "Please shorten your comment to %(num)d character or fewer.",
            "Please shorten your comment to %(num)d characters or fewer.",
            MAX_COMMENT,
        )
        raise FeedbackRefused(ReasonForm(reason, comment, message, "comment"))
    return ReasonForm(reason, comment)


def own_no_vote(page: ArticlePage, identity: str | None) -> Vote | None:
    """The reader's "No" on the revision and translation the page shows, if they gave one."""
    if identity is None:
        return None
    return db.session.execute(
        db.select(Vote).where(
            Vote.article_id == page.article.id,
            Vote.lang == page.translation.lang,
            Vote.revision == page.article.revision,
            Vote.voter == voter_digest(identity),
            Vote.helpful.is_(False),
        )
    ).scalar_one_or_none()


def awaits_reason(page: ArticlePage, identity: str) -> bool:
    """The reader answered "No" on this revision and has not said why yet."""
    vote = own_no_vote(page, identity)
    if vote is None:
        return False
    told = db.select(Feedback.id).where(Feedback.vote_id == vote.id)
    return db.session.execute(told).first() is None


def record_feedback(
    page: ArticlePage, identity: str | None, reason: str, comment: str, written_in: str
) -> str:
    """Store why the reader's own "No" was given: "sent", or "told" when they already said.

    Raises FeedbackRefused, with nothing stored, for a bad reason, a too long comment, or a
    reader without a "No" on this revision (they voted "Yes", or on an older text).
    """
    form = checked_form(reason, comment)
    vote = own_no_vote(page, identity)
    if vote is None:
        message = _(
            "We could not find your “No” answer for this version of the article. "
            "Please answer the question first."
        )
        raise FeedbackRefused(ReasonForm(form.reason, form.comment, message))
    db.session.add(
        Feedback(
            vote_id=vote.id,
            reason=FeedbackReason(form.reason),
            comment=form.comment,
            lang=written_in,
        )
    )
    return "sent" if commit_unless_duplicate() else "told"


@dataclass(frozen=True)
class ReaderComment:
    """One reason and comment as support reads it."""

    article_id: int
    article: Article | None  # None once the article left faq/
    title: str
    lang: str  # the translation the reader voted on
    revision: int
    reason: FeedbackReason
    comment: str
    written_in: str  # the language of the page the reader wrote on
    created_at: datetime


@dataclass(frozen=True)
class CommentPage:
    comments: list[ReaderComment]
    total: int
    page: int
    pages: int
    first: int  # the position of the first comment shown, from 1; 0 when none
    last: int


def article_title(article_id: int, lang: str) -> tuple[Article | None, str]:
    """The article and its title in lang (else its source); no title once it is gone."""
    article = library().articles.get(article_id)
    if article is None:
        return None, ""
    return article, (article.translation(lang) or article.source).title


def filters(article_id: int | None, lang: str | None) -> list:
    conditions = []
    if article_id is not None:
        conditions.append(Vote.article_id == article_id)
    if lang is not None:
        conditions.append(Vote.lang == lang)
    return conditions


def reader_comments(
    article_id: int | None, lang: str | None, page: int, shown_in: str
) -> CommentPage:
    """Reasons and comments for an article and language (None: all), newest first."""
    query = (
        db.select(Feedback)
        .join(Feedback.vote)
        .options(contains_eager(Feedback.vote))  # each row's vote with it, not a query each
        .where(*filters(article_id, lang))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )
    found = db.paginate(query, page=page, per_page=COMMENTS_PER_PAGE, error_out=False)
    if found.pages and page > found.pages:  # an old link after answers were removed: the last
        found = db.paginate(query, page=found.pages, per_page=COMMENTS_PER_PAGE)
    comments = []
    for feedback in found.items:
        vote = feedback.vote
        article, title = article_title(vote.article_id, shown_in)
        comments.append(
            ReaderComment(
                article_id=vote.article_id,
                article=article,
                title=title,
                lang=vote.lang,
                revision=vote.revision,
                reason=feedback.reason,
                comment=feedback.comment,
                written_in=feedback.lang,
                created_at=feedback.created_at,
            )
        )
    total = found.total or 0
    first = found.first if comments else 0
    return CommentPage(comments, total, found.page, found.pages, first, found.last)


@dataclass(frozen=True)
class RevisionScore:
    """How helpful one revision of an article was in one language."""

    article_id: int
    article: Article | None  # None once the article left faq/
    title: str
    lang: str
    revision: int
    votes: int
    helpful: int
    reasons: int  # how many "No" answers said why

    @property
    def share(self) -> float:
        return helpful_percent(self.helpful, self.votes)


@dataclass(frozen=True)
class Scores:
    rows: list[RevisionScore]
    total: int  # rows there are; at most MAX_SCORES are shown


def revision_scores(article_id: int | None, lang: str | None, shown_in: str) -> Scores:
    """Votes, "yes" answers and reasons per article, language and revision, newest first."""
    groups = (
        db.select(
            Vote.article_id,
            Vote.lang,
            Vote.revision,
            func.count(Vote.id),
            func.count(Vote.id).filter(Vote.helpful.is_(True)),
            func.count(Feedback.id),
        )
        .outerjoin(Feedback, Feedback.vote_id == Vote.id)
        .where(*filters(article_id, lang))
        .group_by(Vote.article_id, Vote.lang, Vote.revision)
    )
    total = db.session.execute(db.select(func.count()).select_from(groups.subquery())).scalar()
    rows = [
        RevisionScore(row[0], *article_title(row[0], shown_in), *row[1:])
        for row in db.session.execute(
            groups.order_by(Vote.article_id, Vote.revision.desc(), Vote.lang).limit(MAX_SCORES)
        )
    ]
    return Scores(rows, total or 0)
