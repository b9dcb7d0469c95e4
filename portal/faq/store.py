"""Read the articles in faq/: one folder per article, one Markdown file per language."""

import hashlib
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..i18n import LANGUAGES
from .fields import Attachment, FieldError, Rating, read_optional
from .kept import code_digest, keep_value, kept_value, quick_pickle, read_kept, write_kept

FRONT_MATTER = "+++"
# public: everyone; customers: logged-in merchants (Znuny's "external"); internal: support staff.
STATES = ("public", "customers", "internal")
REQUIRED = ("id", "slug", "title", "question", "category", "keywords", "state", "updated")
# From this many files on, their parsed front matter is kept between start-ups (ParsedFiles).
PARSED_FILES_FROM = 1000
LIBRARY_FILE = "faq-library.pickle"  # beside the parsed front matter, in the instance folder


class ArticleError(Exception):
    """An article file that cannot be read; the message names the file."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


@quick_pickle
@dataclass(frozen=True, slots=True)
class Translation:
    lang: str
    slug: str
    title: str
    question: str
    description: str
    keywords: tuple[str, ...]
    state: str
    updated: date
    source_revision: int  # for the source text, its own revision
    file: str  # a Path costs 600 bytes, 6 MB for 10,000 files; bodies are read from here
    is_source: bool
    internal_note: str = ""  # for support staff only, never shown to readers
    znuny_item: int | None = None  # the Znuny item this text was imported from
    attachments: tuple[Attachment, ...] = ()
    imported_rating: Rating | None = None
    review_by: date | None = None  # an editor reviews this text by then (translation dashboard)

    @property
    def path(self) -> Path:
        return Path(self.file)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Article:
    id: int
    category: str
    translations: dict[str, Translation]
    source_lang: str

    @property
    def source(self) -> Translation:
        return self.translations[self.source_lang]

    @property
    def revision(self) -> int:
        return self.source.source_revision

    @property
    def state(self) -> str:
        return self.source.state

    @property
    def is_public(self) -> bool:
        return self.state == "public"

    def translation(self, lang: str) -> Translation | None:
        return self.translations.get(lang)

    def is_outdated(self, translation: Translation) -> bool:
        return translation.source_revision < self.revision


@dataclass(frozen=True)
class Category:
    path: str
    names: dict[str, str] = field(default_factory=dict)

    @property
    def parent(self) -> str | None:
        return self.path.rpartition("/")[0] or None

    def name(self, lang: str, fallback: str) -> str:
        return self.names.get(lang) or self.names.get(fallback) or self.path


def split_front_matter(path: Path, text: str) -> tuple[str, str]:
    """Split '+++ TOML +++ Markdown' into the front matter and the body."""
    if not text.startswith(FRONT_MATTER):
        raise ArticleError(path, "the file must start with a '+++' line (TOML front matter)")
    head, sep, body = text[len(FRONT_MATTER) :].partition("\n" + FRONT_MATTER)
    if not sep:
        raise ArticleError(path, "the front matter has no closing '+++' line")
    return head, body.partition("\n")[2]


def parse_front_matter(path: Path, head: str) -> dict:
    """The front matter as a table; tomllib's message says what is wrong and where."""
    try:
        return tomllib.loads(head)
    except tomllib.TOMLDecodeError as exc:
        raise ArticleError(path, f"invalid TOML front matter: {exc}") from exc


class ParsedFiles:
    """Front matter parsed at an earlier start-up, by the file's content, kept in a file.

    tomllib takes about 0.08 ms a file: 1,000 articles in ten languages (bench/run.py's corpus)
    load in 1.2-1.7 s without this, 0.43-0.52 s with it. The key is a digest of the file's
    bytes, which are read anyway for the search index's digest: unlike a size and a time, it
    holds across a deploy that rewrites the files. The file sits in the instance folder,
    trusted like the database.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        entries = read_kept(path) if path else None
        self.entries: dict[bytes, dict] = entries if isinstance(entries, dict) else {}
        self.used: dict[bytes, dict] = {}

    def front_matter(self, path: Path, data: bytes) -> dict:
        key = hashlib.blake2b(data, digest_size=16).digest()
        meta = self.entries.get(key)
        if meta is None:
            meta = parse_front_matter(path, split_front_matter(path, as_text(data))[0])
        self.used[key] = meta
        return meta

    def save(self) -> None:
        """Keep what this start-up used; a read-only instance folder only costs the next one."""
        if self.path is None or self.used.keys() == self.entries.keys():
            return
        write_kept(self.path, self.used)


def read_body(translation: Translation) -> str:
    """The Markdown body of a translation, read from its file: bodies are not kept in memory."""
    return split_front_matter(translation.path, as_text(translation.path.read_bytes()))[1]


def read_translation(path: Path, meta: dict) -> tuple[int, str, Translation]:
    """Check one language file's front matter; return (article id, category, translation)."""
    lang = sys.intern(path.stem)
    if lang not in LANGUAGES:
        raise ArticleError(
            path, f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})"
        )
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise ArticleError(path, f"missing front matter keys: {', '.join(missing)}")
    if ("revision" in meta) == ("source_revision" in meta):
        raise ArticleError(
            path, "give 'revision' (the source text) or 'source_revision' (a translation), not both"
        )
    if meta["state"] not in STATES:
        raise ArticleError(path, f"state must be one of {', '.join(STATES)}")
    if not isinstance(meta["updated"], date):
        raise ArticleError(path, "'updated' must be a TOML date, e.g. 2026-11-27")
    if not isinstance(meta["keywords"], list):
        raise ArticleError(path, "'keywords' must be a list of strings")
    translation = Translation(
        lang=lang,
        slug=str(meta["slug"]),
        title=str(meta["title"]),
        question=str(meta["question"]),
        description=str(meta.get("description", "")),
        # One string for each tag, however many articles carry it.
        keywords=tuple(sys.intern(str(k)) for k in meta["keywords"]),
        state=meta["state"],
        updated=meta["updated"],
        source_revision=int(meta.get("revision", meta.get("source_revision", 0))),
        file=str(path),
        is_source="revision" in meta,
        **optional_fields(path, meta),
    )
    return int(meta["id"]), str(meta["category"]), translation


def optional_fields(path: Path, meta: dict) -> dict:
    try:
        return read_optional(meta)
    except FieldError as exc:
        raise ArticleError(path, str(exc)) from exc


def as_text(data: bytes) -> str:
    """Decode a file as read_text() does: UTF-8, with every kind of line end read as "\\n"."""
    text = data.decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def read_article(
    folder: Path,
    files: list[Path],
    categories: dict[str, Category],
    known: ParsedFiles,
) -> Article:
    """Read every language file of one article folder and check they agree."""
    if not files:
        raise ArticleError(folder, "no language files (<lang>.md) in this article folder")
    parsed = []
    for path in files:
        data = path.read_bytes()
        parsed.append(read_translation(path, known.front_matter(path, data)))
    article_id, category, _ = parsed[0]
    for other_id, other_category, translation in parsed[1:]:
        if other_id != article_id:
            raise ArticleError(translation.path, f"id {other_id} differs from {article_id}")
        if other_category != category:
            raise ArticleError(translation.path, f"category {other_category!r} differs")
    if category not in categories:
        raise ArticleError(files[0], f"unknown category {category!r} (see categories.toml)")
    sources = [t for _, _, t in parsed if t.is_source]
    if len(sources) != 1:
        raise ArticleError(folder, "exactly one language file must carry 'revision' (the source)")
    translations = {t.lang: t for _, _, t in parsed}
    return Article(article_id, category, translations, sources[0].lang)


def read_categories(path: Path) -> dict[str, Category]:
    """Read categories.toml; every parent of a category must exist too."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ArticleError(path, f"cannot read the category tree: {exc}") from exc
    categories = {key: Category(key, dict(names)) for key, names in table.items()}
    for category in categories.values():
        if category.parent and category.parent not in categories:
            raise ArticleError(path, f"category {category.path!r} has no parent entry")
    return categories


def load_articles(
    faq_dir: Path, parsed_files: Path | None = None
) -> tuple[dict[int, Article], dict[str, Category], str]:
    """Load the category tree and every article below faq_dir, with a digest of the files.

    With PARSED_FILES_FROM files or more, what one start-up read is kept for the next, beside
    parsed_files: the articles themselves while no file changed (LIBRARY_FILE), else each
    file's front matter (ParsedFiles). Smaller FAQs load in a fraction of a second.
    """
    categories = read_categories(faq_dir / "categories.toml")
    folders = {p: sorted(p.glob("*.md")) for p in sorted(faq_dir.iterdir()) if p.is_dir()}
    many = sum(len(files) for files in folders.values()) >= PARSED_FILES_FROM
    digest = files_digest(folders)
    kept = parsed_files.with_name(LIBRARY_FILE) if many and parsed_files else None
    key = (digest, str(faq_dir), code_digest(), categories)
    articles = kept_value(kept, key)
    if articles is None:
        articles = read_all(folders, categories, ParsedFiles(parsed_files if many else None))
        keep_value(kept, key, articles)
    return articles, categories, digest


def read_all(
    folders: dict[Path, list[Path]], categories: dict[str, Category], known: ParsedFiles
) -> dict[int, Article]:
    articles: dict[int, Article] = {}
    for folder, files in folders.items():
        article = read_article(folder, files, categories, known)
        if article.id in articles:
            raise ArticleError(folder, f"article id {article.id} is used twice")
        articles[article.id] = article
    known.save()
    return articles


def files_digest(folders: dict[Path, list[Path]]) -> str:
    """Names the files' names and contents: the search index and the kept articles use it."""
    digest = hashlib.blake2b(digest_size=16)
    for folder, files in folders.items():
        for path in files:
            data = path.read_bytes()
            digest.update(f"{folder.name}/{path.name}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()
