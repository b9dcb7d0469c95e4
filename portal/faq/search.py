"""An in-memory full-text index: accent- and case-insensitive, stemmed, bigrams for Japanese."""

import bisect
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from ..i18n import LANGUAGES

SNOWBALL = {
    "fr": "french", "de": "german", "en": "english", "es": "spanish", "it": "italian",
    "nl": "dutch", "pl": "polish", "sv": "swedish", "ar": "arabic",
}  # fmt: skip
WORD = re.compile(r"\w+")
# Han, Hiragana, Katakana (and the prolonged sound mark): scripts written without spaces.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
CJK_SPLIT = re.compile(f"({CJK.pattern})")
KANA_MARKS = {"\u3099", "\u309a"}  # dakuten, handakuten: part of the letter, not an accent
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "body": 1.0}
PREFIX_WEIGHT = 0.5
MIN_PREFIX = 3
MAX_EXPANSIONS = 50
# Share of a Japanese query run's bigrams a document must contain,
# so that "トークン更新" finds "トークンの更新".
CJK_MATCH = 0.6

_local = threading.local()


def fold(text: str) -> str:
    """Lower-case and strip accents (é -> e, ü -> u), keeping Japanese kana intact."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if ch in KANA_MARKS or unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFKC", kept).casefold()


def stemmer(lang: str):
    """One stemmer per thread and language: Snowball stemmers keep state between calls."""
    cache = _local.__dict__.setdefault("stemmers", {})
    if lang not in cache:
        cache[lang] = snowballstemmer.stemmer(SNOWBALL[lang]) if lang in SNOWBALL else None
    return cache[lang]


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Words repeat a lot across articles: stem each one once (pure-Python Snowball is slow)."""
    snowball = stemmer(lang)
    return snowball.stemWord(word) if snowball else word


def ngrams(run: str) -> list[str]:
    """Character bigrams, so Japanese text is findable without word boundaries."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def pieces(text: str, lang: str) -> Iterator[list[str]]:
    """The terms of each word: one stem, or the bigrams of a run of Japanese text."""
    for word in WORD.findall(fold(text)):
        for piece in CJK_SPLIT.split(word):
            if CJK.fullmatch(piece):
                yield ngrams(piece)
            elif piece:
                yield [stem(piece, lang)]


def analyze(text: str, lang: str) -> list[str]:
    """Turn text into index terms for one language."""
    return [term for group in pieces(text, lang) for term in group]


@dataclass(frozen=True)
class Document:
    article_id: int
    lang: str
    title: str
    keywords: Iterable[str]
    body: str


@dataclass(frozen=True)
class Hit:
    article_id: int
    lang: str
    score: float


class LanguageIndex:
    """The inverted index of the documents of one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.sorted_terms: list[str] = []

    def add(self, doc: Document) -> None:
        fields = {"title": doc.title, "keywords": " ".join(doc.keywords), "body": doc.body}
        for name, text in fields.items():
            for term in analyze(text, self.lang):
                scores = self.postings[term]
                scores[doc.article_id] = scores.get(doc.article_id, 0.0) + FIELD_WEIGHTS[name]

    def freeze(self) -> None:
        self.sorted_terms = sorted(self.postings)

    def expand(self, term: str) -> dict[int, float]:
        """Scores for one query term: the exact term, then longer terms that start with it."""
        scores = dict(self.postings.get(term, {}))
        if len(term) < MIN_PREFIX:
            return scores
        start = bisect.bisect_left(self.sorted_terms, term)
        for candidate in self.sorted_terms[start : start + MAX_EXPANSIONS]:
            if not candidate.startswith(term):
                break
            if candidate == term:
                continue
            for article_id, score in self.postings[candidate].items():
                scores[article_id] = scores.get(article_id, 0.0) + score * PREFIX_WEIGHT
        return scores

    def match_group(self, terms: list[str]) -> dict[int, float]:
        """Documents matching one query word: its stem, or enough of its bigrams."""
        if len(terms) == 1:
            return self.expand(terms[0])
        needed = math.ceil(CJK_MATCH * len(terms))
        matched: dict[int, int] = defaultdict(int)
        scores: dict[int, float] = defaultdict(float)
        for term in dict.fromkeys(terms):
            for article_id, score in self.postings.get(term, {}).items():
                matched[article_id] += 1
                scores[article_id] += score
        return {a: scores[a] for a, count in matched.items() if count >= needed}

    def search(self, query: str) -> list[Hit]:
        totals: dict[int, float] | None = None
        for group in pieces(query, self.lang):
            scores = self.match_group(group)
            if totals is None:
                totals = scores
            else:  # every word of the query must match
                totals = {a: totals[a] + s for a, s in scores.items() if a in totals}
            if not totals:
                return []
        return [Hit(a, self.lang, s) for a, s in (totals or {}).items()]


class SearchIndex:
    """One index per language, built once and then only read."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.languages: dict[str, LanguageIndex] = {}
        for doc in documents:
            self.languages.setdefault(doc.lang, LanguageIndex(doc.lang)).add(doc)
        for index in self.languages.values():
            index.freeze()

    def search(self, query: str) -> list[Hit]:
        """Every matching (article, language), best first, in a stable order."""
        hits = [hit for index in self.languages.values() for hit in index.search(query)]
        order = {lang: position for position, lang in enumerate(LANGUAGES)}
        return sorted(hits, key=lambda hit: (-hit.score, hit.article_id, order.get(hit.lang, 99)))
