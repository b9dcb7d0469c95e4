"""A small in-memory full-text index: accent- and case-insensitive, stemmed, n-grams for Japanese."""

import bisect
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer

SNOWBALL = {
    "fr": "french", "de": "german", "en": "english", "es": "spanish", "it": "italian",
    "nl": "dutch", "pl": "polish", "sv": "swedish", "ar": "arabic",
}  # fmt: skip
WORD = re.compile(r"\w+")
# Han, Hiragana, Katakana (and the prolonged sound mark): scripts written without spaces.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
KANA_MARKS = {"\u3099", "\u309a"}  # dakuten, handakuten: part of the letter, not an accent
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "body": 1.0}
PREFIX_WEIGHT = 0.5
MIN_PREFIX = 3
MAX_EXPANSIONS = 50

_local = threading.local()


def fold(text: str) -> str:
    """Lower-case and strip accents (é -> e, ü -> u), keeping Japanese kana intact."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch for ch in decomposed if ch in KANA_MARKS or unicodedata.category(ch) != "Mn"
    )
    return unicodedata.normalize("NFKC", kept).casefold()


def stemmer(lang: str):
    """One stemmer per thread and language: Snowball stemmers keep state between calls."""
    cache = _local.__dict__.setdefault("stemmers", {})
    if lang not in cache:
        cache[lang] = snowballstemmer.stemmer(SNOWBALL[lang]) if lang in SNOWBALL else None
    return cache[lang]


def ngrams(run: str) -> list[str]:
    """Character bigrams, so Japanese text is findable without word boundaries."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def analyze(text: str, lang: str) -> list[str]:
    """Turn text into index terms for one language."""
    stem = stemmer(lang)
    terms: list[str] = []
    for word in WORD.findall(fold(text)):
        for piece in re.split(f"({CJK.pattern})", word):
            if not piece:
                continue
            if CJK.fullmatch(piece):
                terms.extend(ngrams(piece))
            else:
                terms.append(stem.stemWord(piece) if stem else piece)
    return terms


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

    def search(self, query: str) -> list[Hit]:
        terms = list(dict.fromkeys(analyze(query, self.lang)))
        if not terms:
            return []
        totals: dict[int, float] | None = None
        for term in terms:
            scores = self.expand(term)
            if totals is None:
                totals = scores
            else:  # every term must match
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
        """Every matching (article, language), best first."""
        hits = [hit for index in self.languages.values() for hit in index.search(query)]
        return sorted(hits, key=lambda hit: -hit.score)
