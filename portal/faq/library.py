"""The articles of faq/, loaded once per process, with their rendered HTML and search index."""

import threading
from functools import lru_cache
from pathlib import Path

from .render import Rendered, plain_text, render_markdown
from .search import Document, SearchIndex
from .store import Article, Category, load_articles

RENDER_CACHE_SIZE = 4096  # (article, language, revision) entries; a few kB each


class Library:
    """Everything the portal knows about its articles; read-only after loading."""

    def __init__(self, faq_dir: Path, product: str) -> None:
        self.articles: dict[int, Article]
        self.categories: dict[str, Category]
        self.articles, self.categories = load_articles(faq_dir)
        self.product = product
        self.rendered = lru_cache(maxsize=RENDER_CACHE_SIZE)(self._render)
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()

    def _render(self, article_id: int, lang: str, revision: int) -> Rendered:
        # revision is part of the cache key: a new source text never reuses old HTML.
        return render_markdown(self.articles[article_id].translations[lang].body, self.product)

    def render(self, article: Article, lang: str) -> Rendered:
        return self.rendered(article.id, lang, article.revision)

    @property
    def index(self) -> SearchIndex:
        """The search index, built on first use and then shared by every request."""
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = SearchIndex(self._documents())
        return self._index

    def _documents(self):
        for article in self.articles.values():
            for translation in article.translations.values():
                yield Document(
                    article_id=article.id,
                    lang=translation.lang,
                    title=f"{translation.title} {translation.question}",
                    keywords=translation.keywords,
                    body=plain_text(translation.body, self.product),
                )
