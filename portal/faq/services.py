"""The FAQ's services: articles and categories for a reader, search, votes and views."""

import hashlib
from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, has_request_context, url_for
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from werkzeug.security import safe_join

from ..extensions import db
from ..i18n import LANGUAGES
from ..models import commit_unless_duplicate, utcnow
from .fields import is_file_name
from .library import Library
from .models import ArticleView, SearchMiss, Vote
from .render import Rendered
from .store import Article, Category, Translation

MAX_QUERY = 200
FILES_FOLDER = "files"  # beside an article's language files: its images and attachments


def library() -> Library:
    return current_app.extensions["faq"]


@dataclass(frozen=True)
class ArticlePage:
    """One article as a reader of one language gets it."""

    article: Article
    lang: str  # the language asked for
    translation: Translation  # the text shown: the asked language, else the source
    rendered: Rendered

    @property
    def missing(self) -> bool:
        """No translation into the asked language: the source text is shown."""
        return self.translation.lang != self.lang

    @property
    def internal_note(self) -> str:
        """Support's note on the article, in the reader's language when there is one."""
        return self.translation.internal_note or self.article.source.internal_note

    @property
    def outdated(self) -> bool:
        """The translation was made from an older revision of the source text."""
        return self.article.is_outdated(self.translation)


def visible(article: Article, include_internal: bool, include_customers: bool = False) -> bool:
    """Staff see every article; logged-in merchants the customers' ones too; others public ones."""
    if article.state == "customers":
        return include_customers or include_internal
    return article.is_public or include_internal


def get_article(
    article_id: int, lang: str, include_internal: bool = False, include_customers: bool = False
) -> ArticlePage | None:
    """Find an article and the text to show in lang, or None if the reader may not see it."""
    lib = library()
    article = lib.articles.get(article_id)
    if article is None or not visible(article, include_internal, include_customers):
        return None
    translation = article.translation(lang) or article.source
    rendered = lib.render(article, translation.lang, files_url(article.id))
    return ArticlePage(article, lang, translation, rendered)


def files_url(article_id: int) -> str:
    """Where the files beside an article are served: its text links to files/<name>."""
    if not has_request_context():  # an e-mail, a command: its own links are absolute
        return ""
    return url_for("faq_root.article_file", article_id=article_id, name="-")[:-1]


def article_file(article: Article, name: str) -> Path | None:
    """A file kept beside the article (an image, an attachment), or None."""
    folder = article.source.path.parent / FILES_FOLDER
    path = Path(safe_join(str(folder), name) or "")
    return path if is_file_name(name) and path.is_file() else None


@dataclass(frozen=True)
class Listed:
    article: Article
    translation: Translation  # in the reader's language, else the source
    link_lang: str  # the URL's language: the reader's, or where a search found it


def list_articles(
    lang: str,
    category: str | None = None,
    include_internal: bool = False,
    include_customers: bool = False,
) -> list[Listed]:
    """Articles in a category and its sub-categories (all when category is None), by title."""
    listed = [
        Listed(article, article.translation(lang) or article.source, lang)
        for article in library().articles.values()
        if visible(article, include_internal, include_customers)
        and (category is None or f"{article.category}/".startswith(f"{category}/"))
    ]
    return sorted(listed, key=lambda item: item.translation.title.casefold())


def category_trail(path: str) -> list[Category]:
    """The category and its ancestors, root first, for breadcrumbs."""
    categories = library().categories
    trail = []
    current: str | None = path
    while current:
        trail.append(categories[current])
        current = categories[current].parent
    return trail[::-1]


def child_categories(parent: str | None) -> list[Category]:
    return [c for c in library().categories.values() if c.parent == parent]


@dataclass(frozen=True)
class SearchResults:
    query: str
    local: list[Listed]  # found in the reader's language
    other: list[Listed]  # found only in another language; translation says which

    @property
    def empty(self) -> bool:
        return not self.local and not self.other


def search(
    query: str, lang: str, include_internal: bool = False, include_customers: bool = False
) -> SearchResults:
    """Search every language; the reader's language first, then the others, best first."""
    query = " ".join(query.split())[:MAX_QUERY]
    lib = library()
    local: dict[int, Listed] = {}
    number = query.lstrip("#")
    if number.isdigit() and int(number) in lib.articles:
        article = lib.articles[int(number)]
        if visible(article, include_internal, include_customers):
            local[article.id] = Listed(article, article.translation(lang) or article.source, lang)
    hidden = hidden_articles(lib, include_internal, include_customers)
    found = lib.index.scores(query) if query else {}
    for article_id in best_first(found.pop(lang, {})):
        if article_id not in local and article_id not in hidden:
            article = lib.articles[article_id]
            local[article_id] = Listed(article, article.translations[lang], lang)
    # Found only in other languages: listed once, by the language where it scored best.
    other: list[Listed] = []
    for article_id, hit_lang in best_elsewhere(found, exclude=local.keys() | hidden):
        article = lib.articles[article_id]
        if article.translation(lang) is None:
            other.append(Listed(article, article.translations[hit_lang], hit_lang))
        else:  # translated into the reader's language too: show theirs
            other.append(Listed(article, article.translations[lang], lang))
    results = SearchResults(query, list(local.values()), other)
    if query and results.empty:
        record_miss(query, lang)
    return results


def hidden_articles(lib: Library, include_internal: bool, include_customers: bool) -> Set[int]:
    if include_internal:
        return frozenset()
    return lib.internal if include_customers else lib.not_public


def best_first(scores: dict[int, float]) -> list[int]:
    """Article ids by score, then by id."""
    return sorted(scores, key=lambda article_id: (-scores[article_id], article_id))


def best_elsewhere(found: dict[str, dict[int, float]], exclude: Set[int]) -> list[tuple[int, str]]:
    """Each article once, with the language of its best score: by score, id, language order."""
    order = {code: position for position, code in enumerate(LANGUAGES)}
    best: dict[int, tuple[float, int, str]] = {}
    for hit_lang, scores in found.items():
        for article_id in scores.keys() - exclude:
            key = (-scores[article_id], order.get(hit_lang, 99), hit_lang)
            if article_id not in best or key < best[article_id]:
                best[article_id] = key
    ranked = sorted(best.items(), key=lambda item: (item[1][0], item[0], item[1][1]))
    return [(article_id, key[2]) for article_id, key in ranked]


def record_miss(query: str, lang: str) -> None:
    db.session.add(SearchMiss(lang=lang, query=query))
    db.session.commit()


@dataclass(frozen=True)
class VoteSummary:
    votes: int
    helpful: int
    last_vote: datetime | None

    @property
    def result(self) -> float:
        return helpful_percent(self.helpful, self.votes)


def helpful_percent(helpful: int, votes: int) -> float:
    """Share of "yes" answers in percent, 0 when nobody voted (as the Znuny print shows)."""
    return 100.0 * helpful / votes if votes else 0.0


def vote_summary(article_id: int, lang: str, revision: int) -> VoteSummary:
    row = db.session.execute(
        db.select(
            func.count(Vote.id),
            func.count(Vote.id).filter(Vote.helpful.is_(True)),
            func.max(Vote.created_at),
        ).where(Vote.article_id == article_id, Vote.lang == lang, Vote.revision == revision)
    ).one()
    return VoteSummary(row[0], row[1], row[2])


def voter_digest(identity: str) -> str:
    """Store who voted as a keyed digest: the same reader always maps to the same value."""
    key = current_app.config["SECRET_KEY"].encode()
    return hashlib.blake2b(identity.encode(), key=key[:64], digest_size=32).hexdigest()


def record_vote(page: ArticlePage, identity: str, helpful: bool) -> bool:
    """Count one vote; False when this reader already voted on this revision."""
    db.session.add(
        Vote(
            article_id=page.article.id,
            lang=page.translation.lang,
            revision=page.article.revision,
            voter=voter_digest(identity),
            helpful=helpful,
        )
    )
    return commit_unless_duplicate()


def count_view(article_id: int, lang: str) -> None:
    """Add one read of an article today; two readers at once both count."""
    key = (
        ArticleView.article_id == article_id,
        ArticleView.lang == lang,
        ArticleView.day == utcnow().date(),
    )
    for _attempt in range(2):
        updated = db.session.execute(
            db.update(ArticleView).where(*key).values(count=ArticleView.count + 1)
        )
        if updated.rowcount:
            db.session.commit()
            return
        try:
            db.session.add(
                ArticleView(article_id=article_id, lang=lang, day=utcnow().date(), count=1)
            )
            db.session.commit()
            return
        except IntegrityError:  # another request created today's row first: add to it
            db.session.rollback()
