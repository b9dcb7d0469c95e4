"""Source revisions kept in the database, and each translation's state against its source:
what the translation dashboard shows."""

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..extensions import db
from ..i18n import LANGUAGES
from ..models import commit_unless_duplicate, utcnow
from .library import Library
from .models import SourceRevision
from .services import library
from .store import Article, Translation, read_body

SOURCE, CURRENT, OUTDATED, MISSING = "source", "current", "outdated", "missing"
LABELS = {
    SOURCE: _l("Source text"),
    CURRENT: _l("Up to date"),
    OUTDATED: _l("Outdated"),
    MISSING: _l("Not translated"),
}
REVIEW_WITHIN_DAYS = 30  # the dashboard lists the reviews due this soon, and those past due
ATTEMPTS = 3  # looks at what is stored, when other workers insert the same rows meanwhile
CONTEXT_LINES = 3  # unchanged lines shown around each change of a source diff


def record_revisions(lib: Library) -> int:
    """Keep the text of each article's current source revision not stored yet; how many.

    One query for the (article, revision) pairs stored, inserts only for new ones. Workers
    starting at once insert the same rows: the unique key lets one in, the others look again.
    """
    for _attempt in range(ATTEMPTS):
        # The table's columns, not the model's: no mapper is configured for it at start-up.
        stored = SourceRevision.__table__.c
        pairs = db.session.execute(db.select(stored.article_id, stored.revision))
        known = {(article_id, revision) for article_id, revision in pairs}
        new = [a for a in lib.articles.values() if (a.id, a.revision) not in known]
        if not new:
            db.session.rollback()  # ends the read-only transaction
            return 0
        db.session.add_all(stored_revision(article) for article in new)
        if commit_unless_duplicate():
            return len(new)
    return 0


def stored_revision(article: Article) -> SourceRevision:
    source = article.source
    return SourceRevision(
        article_id=article.id,
        revision=article.revision,
        lang=source.lang,
        title=source.title,
        text=body_of(source),
    )


def body_of(source: Translation) -> str:
    """The Markdown body, without the blank lines that part it from the front matter."""
    return read_body(source).lstrip("\n")


def record_or_warn(lib: Library) -> int | None:
    """record_revisions; None, with a warning, when the database has no table for them yet
    (the portal started before `flask db upgrade`) or cannot be reached."""
    try:
        return record_revisions(lib)
    except (OperationalError, ProgrammingError) as exc:
        db.session.rollback()
        reason = str(exc.orig or exc).splitlines()[0]  # PostgreSQL's adds the query's lines
        current_app.logger.warning("source revisions not recorded: %s", reason)
        return None


def record_source_revisions(app: Flask) -> None:
    """Once per process, at start-up: keep the new source revisions; never stops the start."""
    with app.app_context():
        try:
            added = record_or_warn(app.extensions["faq"])
        finally:
            db.session.remove()
            # Workers forked from this process (gunicorn's preload) open their own connections.
            db.engine.dispose()
        if added:
            app.logger.info("source revisions recorded: %d", added)


@dataclass(frozen=True)
class Filters:
    category: str | None = None  # a category's path: it and its sub-categories
    language: str | None = None


def read_filters(args: Mapping[str, str]) -> Filters | None:
    """The dashboard's filters from a query string; None when one names nothing that exists."""
    category = args.get("category") or None
    language = args.get("language") or None
    if category is not None and category not in library().categories:
        return None
    if language is not None and language not in LANGUAGES:
        return None
    return Filters(category, language)


def category_names(lang: str) -> dict[str, str]:
    """Each category's path -> its trail of names in lang ("Support › Amazon"), by path."""
    categories = library().categories
    fallback = current_app.config["DEFAULT_LOCALE"]
    names = {}
    for path in sorted(categories):
        parts = path.split("/")
        trail = ("/".join(parts[: depth + 1]) for depth in range(len(parts)))
        names[path] = " › ".join(categories[key].name(lang, fallback) for key in trail)
    return names


@dataclass(frozen=True)
class Cell:
    """One article in one language."""

    article: Article
    lang: str
    translation: Translation | None

    @property
    def status(self) -> str:
        if self.translation is None:
            return MISSING
        if self.translation.is_source:
            return SOURCE
        return OUTDATED if self.article.is_outdated(self.translation) else CURRENT

    @property
    def label(self) -> str:
        return str(LABELS[self.status])

    @property
    def behind(self) -> int:
        """How many source revisions the translation is behind (0 for the source itself)."""
        if self.translation is None or self.translation.is_source:
            return 0
        return max(self.article.revision - self.translation.source_revision, 0)


@dataclass(frozen=True)
class Row:
    article: Article
    shown: Translation  # the title in the page's language, else the source's
    cells: list[Cell]


@dataclass(frozen=True)
class Review:
    cell: Cell
    due: date
    days_left: int  # negative: past due

    @property
    def translation(self) -> Translation:
        return self.cell.translation


@dataclass(frozen=True)
class Overview:
    filters: Filters
    languages: list[str]  # the columns
    rows: list[Row]
    reviews: list[Review]  # past due or due soon, the oldest first
    today: date

    @property
    def review_within(self) -> int:
        return REVIEW_WITHIN_DAYS

    def totals(self) -> dict[str, Counter]:
        """How many articles are in each state, per language."""
        counts: dict[str, Counter] = {code: Counter() for code in self.languages}
        for row in self.rows:
            for cell in row.cells:
                counts[cell.lang][cell.status] += 1
        return counts


def translation_overview(lang: str, filters: Filters) -> Overview:
    """Every article (of the category) by id, in every language (or the one asked for)."""
    languages = [filters.language] if filters.language else list(LANGUAGES)
    rows = [
        Row(article, article.translation(lang) or article.source, cells(article, languages))
        for article in sorted(library().articles.values(), key=lambda a: a.id)
        if filters.category is None or f"{article.category}/".startswith(f"{filters.category}/")
    ]
    today = utcnow().date()
    return Overview(filters, languages, rows, reviews_due(rows, today), today)


def cells(article: Article, languages: list[str]) -> list[Cell]:
    return [Cell(article, code, article.translation(code)) for code in languages]


def reviews_due(rows: list[Row], today: date) -> list[Review]:
    """Texts whose review_by date is past or within REVIEW_WITHIN_DAYS, the oldest first."""
    until = today + timedelta(days=REVIEW_WITHIN_DAYS)
    order = {code: position for position, code in enumerate(LANGUAGES)}
    due = [
        Review(cell, cell.translation.review_by, (cell.translation.review_by - today).days)
        for row in rows
        for cell in row.cells
        if cell.translation is not None
        and cell.translation.review_by is not None
        and cell.translation.review_by <= until
    ]
    return sorted(due, key=lambda r: (r.due, r.cell.article.id, order[r.cell.lang]))


@dataclass(frozen=True)
class DiffLine:
    change: str  # "same", "removed", "added", or "skipped": unchanged lines left out
    old: int | None = None  # line numbers, from 1
    new: int | None = None
    text: str = ""
    skipped: int = 0


@dataclass(frozen=True)
class SourceChanges:
    """What changed in an article's source since the revision a translation was made from."""

    cell: Cell
    old: SourceRevision | None  # None: the portal never saw that revision's text
    title: str  # the current source's
    text: str
    lines: list[DiffLine]

    @property
    def article(self) -> Article:
        return self.cell.article


def source_changes(article_id: int, lang: str) -> SourceChanges | None:
    """The source's diff for the translation into lang; None if there is no such translation."""
    article = library().articles.get(article_id)
    translation = article.translation(lang) if article else None
    if translation is None or translation.is_source:
        return None
    wanted = {article.revision, translation.source_revision}
    stored = {
        kept.revision: kept
        for kept in db.session.execute(
            db.select(SourceRevision).where(
                SourceRevision.article_id == article.id, SourceRevision.revision.in_(wanted)
            )
        ).scalars()
    }
    current = stored.get(article.revision)
    # Not stored yet (the table came after this process started): the file is that revision.
    title, text = (
        (current.title, current.text)
        if current
        else (article.source.title, body_of(article.source))
    )
    cell = Cell(article, lang, translation)
    old = stored.get(translation.source_revision) if cell.status == OUTDATED else None
    return SourceChanges(cell, old, title, text, diff_lines(old.text, text) if old else [])


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """A unified diff by line: the changes with CONTEXT_LINES around them, the rest counted."""
    before, after = old.splitlines(), new.splitlines()
    if before == after:
        return []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    lines: list[DiffLine] = []
    shown_to = 0  # the old text's lines up to here are shown or counted
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        if group[0][1] > shown_to:
            lines.append(DiffLine("skipped", skipped=group[0][1] - shown_to))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [
                    DiffLine("same", i + 1, j1 + i - i1 + 1, before[i]) for i in range(i1, i2)
                ]
                continue
            lines += [DiffLine("removed", i + 1, None, before[i]) for i in range(i1, i2)]
            lines += [DiffLine("added", None, j + 1, after[j]) for j in range(j1, j2)]
        shown_to = group[-1][2]
    if shown_to < len(before):
        lines.append(DiffLine("skipped", skipped=len(before) - shown_to))
    return lines
