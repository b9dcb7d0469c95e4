"""What readers tell us about articles: helpful votes and searches that found nothing."""

from datetime import date, datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


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
