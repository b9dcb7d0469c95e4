"""What readers tell us about articles: helpful votes and searches that found nothing."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import str_enum, utcnow


class Vote(db.Model):
    """One reader's answer to "Was this article helpful?" for one revision of one translation."""

    __tablename__ = "faq_vote"
    __table_args__ = (UniqueConstraint("article_id", "lang", "revision", "voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(index=True)
    lang: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int]
    # A digest of the reader's identity, never the raw cookie value.
    voter: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedbackReason(enum.StrEnum):
    """Why a reader answered "No" to "Was this article helpful?"."""

    OUTDATED = "outdated"
    UNCLEAR = "unclear"
    STEPS_FAIL = "steps_fail"  # the steps do not work
    OFF_TOPIC = "off_topic"  # not what the reader was looking for


class Feedback(db.Model):
    """What was missing, told by the reader who answered "No": at most one per vote.

    A table of its own rather than columns on faq_vote: most votes never get one, and the vote
    stays the one row the helpful score counts. Linked to the vote (unique), it belongs to that
    reader, article, language and revision, and goes when the vote goes.
    """

    __tablename__ = "faq_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("faq_vote.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[FeedbackReason] = mapped_column(str_enum(FeedbackReason, 16))
    # Plain text, control characters removed; shown escaped, never as HTML.
    comment: Mapped[str] = mapped_column(String(500), default="")
    # The language of the page the reader wrote on: the comment's likely language.
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    vote: Mapped[Vote] = relationship()


class SearchMiss(db.Model):
    """A search that found nothing, counted per language for the support dashboard."""

    __tablename__ = "faq_search_miss"

    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), index=True)
    query: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleView(db.Model):
    """How often an article was read, per language and day (counted by the page's beacon)."""

    __tablename__ = "faq_article_view"
    __table_args__ = (UniqueConstraint("article_id", "lang", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int]
    lang: Mapped[str] = mapped_column(String(8))
    day: Mapped[date]
    count: Mapped[int] = mapped_column(default=0)


class SourceRevision(db.Model):
    """The text of one revision of an article's source, as the portal first saw it: what a
    translation made from it is compared with on the translation dashboard."""

    __tablename__ = "faq_source_revision"
    __table_args__ = (UniqueConstraint("article_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int]
    revision: Mapped[int]
    lang: Mapped[str] = mapped_column(String(8))  # the source's language
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)  # the whole Markdown body
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
