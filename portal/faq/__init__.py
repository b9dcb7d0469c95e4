"""The FAQ: the only code that reads faq/. Other packages use what this module names."""

from .library import Library
from .services import (
    ArticlePage,
    SearchResults,
    VoteSummary,
    best_first,
    category_trail,
    child_categories,
    count_view,
    get_article,
    helpful_percent,
    library,
    list_articles,
    record_vote,
    search,
    vote_summary,
)
from .store import Article, ArticleError, Category, Translation

__all__ = [
    "Article",
    "ArticleError",
    "ArticlePage",
    "Category",
    "Library",
    "SearchResults",
    "Translation",
    "VoteSummary",
    "best_first",
    "category_trail",
    "child_categories",
    "count_view",
    "get_article",
    "helpful_percent",
    "library",
    "list_articles",
    "record_vote",
    "search",
    "vote_summary",
]
