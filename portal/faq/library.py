"""The articles of faq/, loaded once per process; bodies are read and rendered when asked for."""

import fcntl
import hashlib
import os
import sqlite3
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from flask import current_app, has_app_context

from ..i18n import LANGUAGES
from .render import Rendered, plain_text, render_markdown
from .search import Document, SearchIndex, write_index_file
from .store import Article, Category, load_articles, read_body

# (article, language, revision) entries of some 16 kB: 4 MB at most. A miss costs a few ms.
RENDER_CACHE_SIZE = 256
# From this many translations on, the search index is kept in a file that every worker and
# every restart reads; a smaller FAQ is indexed in memory in a fraction of a second.
SHARED_INDEX_FROM = 1000
INDEX_FILE = "faq-index.sqlite3"  # in the instance folder
PARSED_FILE = "faq-front-matter.pickle"  # in the instance folder, see store.ParsedFiles
# The code that decides what the index holds: a change to any other file keeps the index.
INDEX_CODE = ("library.py", "render.py", "search.py", "store.py")


class Library:
    """Everything the portal knows about its articles; read-only after loading."""

    def __init__(self, faq_dir: Path, product: str, instance: Path | None = None) -> None:
        self.articles: dict[int, Article]
        self.categories: dict[str, Category]
        parsed = instance / PARSED_FILE if instance else None
        self.articles, self.categories, self.digest = load_articles(faq_dir, parsed)
        # Searches skip these: checking each hit's article costs more than the search.
        self.internal = frozenset(a.id for a in self.articles.values() if a.state == "internal")
        self.not_public = frozenset(a.id for a in self.articles.values() if not a.is_public)
        self.items = imported_items(self.articles.values())
        self.product = product
        self.rendered = lru_cache(maxsize=RENDER_CACHE_SIZE)(self._render)
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()

    @property
    def translation_count(self) -> int:
        return sum(len(article.translations) for article in self.articles.values())

    def _render(self, article_id: int, lang: str, revision: int, files_url: str) -> Rendered:
        # revision is part of the cache key: a new source text never reuses old HTML.
        body = read_body(self.articles[article_id].translations[lang])
        return render_markdown(body, self.product, files_url)

    def render(self, article: Article, lang: str, files_url: str = "") -> Rendered:
        """The HTML of a translation; files_url is where its links to files/... lead."""
        return self.rendered(article.id, lang, article.revision, files_url)

    @property
    def index(self) -> SearchIndex:
        """The search index, opened on first use and then shared by every request."""
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = self._open_index()
        return self._index

    def _open_index(self) -> SearchIndex:
        """The shared index file in the app's instance folder, or an index in memory."""
        if self.translation_count < SHARED_INDEX_FROM or not has_app_context():
            return SearchIndex(self._documents())
        path = Path(current_app.instance_path) / INDEX_FILE
        try:
            return shared_index(path, self.stamp(), self._documents)
        except (OSError, sqlite3.Error) as exc:  # a read-only instance folder, a full disk
            current_app.logger.warning("search index kept in memory: %s", exc)
            return SearchIndex(self._documents())

    def stamp(self) -> str:
        """Names what the index is made from: the article files, the product name and the code."""
        code = hashlib.blake2b(digest_size=16)
        for name in INDEX_CODE:
            code.update((Path(__file__).parent / name).read_bytes())
        # Stems and accent folding change with the stemmer and with Python's Unicode tables.
        code.update(f"{version('snowballstemmer')} {unicodedata.unidata_version}".encode())
        code.update(sys.byteorder.encode())  # of the arrays in the file
        return f"{self.digest} {code.hexdigest()} {self.product}"

    def _documents(self) -> Iterator[Document]:
        # Language by language: the index is written, and its memory freed, one at a time.
        for lang in LANGUAGES:
            for article in self.articles.values():
                translation = article.translations.get(lang)
                if translation is None:
                    continue
                yield Document(
                    article_id=article.id,
                    lang=lang,
                    title=f"{translation.title} {translation.question}",
                    keywords=translation.keywords,
                    body=plain_text(read_body(translation), self.product),
                )


def imported_items(articles) -> dict[int, int]:
    """Znuny item number -> article id: each translation came from an item of its own."""
    return {
        translation.znuny_item: article.id
        for article in articles
        for translation in article.translations.values()
        if translation.znuny_item is not None
    }


def shared_index(
    path: Path, stamp: str, documents: Callable[[], Iterator[Document]]
) -> SearchIndex:
    """The index file for stamp: the first worker that needs it builds it, the others wait."""
    index = SearchIndex.open(path, stamp)
    if index is not None:
        return index
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        index = SearchIndex.open(path, stamp)  # built by another worker while this one waited
        if index is None:
            building = path.with_suffix(".tmp")
            write_index_file(building, documents(), stamp)
            os.replace(building, path)  # workers that opened the old file keep reading it
            index = SearchIndex.open(path, stamp)
    if index is None:
        raise OSError(f"{path} cannot be read back")
    return index
