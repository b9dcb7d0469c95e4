"""What support staff look up: merchants and their connections, article links, reader statistics."""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import func, or_

from .. import faq
from ..accounts.models import Role, User
from ..amazon.models import Connection
from ..extensions import db
from ..faq.models import ArticleView, SearchMiss, Vote
from ..i18n import LANGUAGES

MAX_RESULTS = 50


def find_merchants(query: str) -> list[User]:
    """Merchants whose email contains the query, or who own a matching selling partner id."""
    text = query.strip()
    if not text:
        return []
    pattern = f"%{text.lower()}%"
    sellers = db.select(Connection.user_id).where(
        func.upper(Connection.selling_partner_id) == text.upper()
    )
    return list(
        db.session.execute(
            db.select(User)
            .where(User.role == Role.MERCHANT, or_(User.email.like(pattern), User.id.in_(sellers)))
            .order_by(User.email)
            .limit(MAX_RESULTS)
        ).scalars()
    )


def customer_link(article_id: int, lang: str, anchor: str | None) -> str:
    """The short link support pastes: /faq/<id>?lang=de#step-3."""
    link = url_for("faq_root.short_link", article_id=article_id, lang=lang, _external=True)
    return f"{link}#{anchor}" if anchor else link


def anchors(page: faq.ArticlePage) -> list[tuple[str, str]]:
    """The places a link can point at: each heading, then each step."""
    rendered = page.rendered
    return [(s.anchor, s.text) for s in rendered.sections] + [
        (s.anchor, s.text) for s in rendered.steps
    ]


@dataclass(frozen=True)
class LanguageStats:
    lang: str
    views: int
    votes: int
    helpful: int
    misses: int
    top_misses: list[tuple[str, int]]

    @property
    def result(self) -> float:
        return faq.helpful_percent(self.helpful, self.votes)


def per_language(column, *columns) -> dict:
    rows = db.session.execute(db.select(column, *columns).group_by(column))
    return {row[0]: row[1:] for row in rows}


def dashboard() -> list[LanguageStats]:
    """Views, votes and their result, and fruitless searches, for each language."""
    views = per_language(ArticleView.lang, func.sum(ArticleView.count))
    votes = per_language(
        Vote.lang, func.count(Vote.id), func.count(Vote.id).filter(Vote.helpful.is_(True))
    )
    misses = per_language(SearchMiss.lang, func.count(SearchMiss.id))
    stats = []
    for lang in LANGUAGES:
        top = db.session.execute(
            db.select(SearchMiss.query, func.count(SearchMiss.id).label("n"))
            .where(SearchMiss.lang == lang)
            .group_by(SearchMiss.query)
            .order_by(func.count(SearchMiss.id).desc(), SearchMiss.query)
            .limit(5)
        ).all()
        vote_count, helpful = votes.get(lang, (0, 0))
        stats.append(
            LanguageStats(
                lang=lang,
                views=int(views.get(lang, (0,))[0] or 0),
                votes=vote_count,
                helpful=helpful,
                misses=misses.get(lang, (0,))[0],
                top_misses=[(query, count) for query, count in top],
            )
        )
    return stats
