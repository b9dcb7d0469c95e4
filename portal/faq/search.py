"""A full-text index in SQLite: accent- and case-insensitive, stemmed, bigrams for Japanese."""

import math
import re
import sqlite3
import threading
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from operator import attrgetter
from pathlib import Path

import snowballstemmer

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
# One row per language and term: the articles that contain it and their scores, as arrays
# of int64 and float64 in the machine's byte order.
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE postings (
    lang TEXT NOT NULL,
    term TEXT NOT NULL,
    articles BLOB NOT NULL,
    scores BLOB NOT NULL,
    UNIQUE (lang, term)
);
"""
LAST_CHAR = "\U0010ffff"  # sorts after every character a term can hold

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


@lru_cache(maxsize=20_000)
def stem(word: str, lang: str) -> str:
    """Words repeat a lot in queries: stem each one once (pure-Python Snowball is slow)."""
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
    """The text of one article in one language; one document per article and language."""

    article_id: int
    lang: str
    title: str
    keywords: Iterable[str]
    body: str


def term_scores(doc: Document, analyzed: dict[str, list[str]]) -> dict[str, float]:
    """Each term of a document with its score: the field's weight for every time it occurs.

    analyzed holds the terms of each word seen so far in the document's language: words repeat
    across articles, so each is analyzed once. analyze() splits text into words anyway, so a
    text's terms are its words' terms, one after the other.
    """
    scores: dict[str, float] = defaultdict(float)
    fields = {"title": doc.title, "keywords": " ".join(doc.keywords), "body": doc.body}
    for name, text in fields.items():
        for word, count in Counter(text.split()).items():
            if word not in analyzed:
                analyzed[word] = analyze(word, doc.lang)
            for term in analyzed[word]:
                # Weights are whole numbers: times count adds up to the same as one by one.
                scores[term] += FIELD_WEIGHTS[name] * count
    return scores


def postings(documents: Iterable[Document]) -> dict[str, tuple[array, array]]:
    """For each term of documents in one language: the articles that hold it, and their scores."""
    terms: dict[str, tuple[array, array]] = {}
    analyzed: dict[str, list[str]] = {}
    for doc in documents:
        for term, score in term_scores(doc, analyzed).items():
            if term not in terms:
                terms[term] = (array("q"), array("d"))
            articles, scores = terms[term]
            articles.append(doc.article_id)
            scores.append(score)
    return terms


def write_index(connection: sqlite3.Connection, documents: Iterable[Document], stamp: str) -> None:
    """Index the documents into an empty database; stamp names what they were made from.

    The documents of a language must come together: each language is written, and its
    postings freed, before the next is read. That keeps a worker that builds the index small.
    """
    connection.executescript(SCHEMA)
    languages: list[str] = []
    for lang, group in groupby(documents, key=attrgetter("lang")):
        if lang in languages:
            raise ValueError(f"the documents in {lang} do not come together")
        languages.append(lang)
        connection.executemany(
            "INSERT INTO postings VALUES (?, ?, ?, ?)",
            (
                (lang, term, articles.tobytes(), scores.tobytes())
                for term, (articles, scores) in postings(group).items()
            ),
        )
    connection.executemany(
        "INSERT INTO meta VALUES (?, ?)", [("stamp", stamp), ("languages", " ".join(languages))]
    )
    connection.commit()


def write_index_file(path: Path, documents: Iterable[Document], stamp: str) -> None:
    """Index the documents into a new file at path; on disk when this returns (the commit syncs)."""
    path.unlink(missing_ok=True)  # left over from a build that was killed
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = OFF")  # a failed build is simply redone
        write_index(connection, documents, stamp)
    finally:
        connection.close()


def unpack(articles: bytes, scores: bytes) -> tuple[array, array]:
    return array("q", articles), array("d", scores)


class SearchIndex:
    """One index per language, written once and then only read, by every thread of a worker."""

    def __init__(self, documents: Iterable[Document]) -> None:
        """Index documents in memory: a small FAQ, or a test."""
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        write_index(connection, sorted(documents, key=attrgetter("lang")), stamp="")
        self._use(connection)

    @classmethod
    def open(cls, path: Path, stamp: str) -> "SearchIndex | None":
        """The index in the file at path; None when there is none, or made from other texts."""
        try:
            # immutable: a new index replaces the file, never changes it, so no locks are needed.
            connection = sqlite3.connect(
                f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
            )
        except sqlite3.Error:  # no file yet
            return None
        try:
            found = connection.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
        except sqlite3.Error:  # not an index
            found = None
        if found != (stamp,):
            connection.close()
            return None
        index = cls.__new__(cls)
        index._use(connection)
        return index

    def _use(self, connection: sqlite3.Connection) -> None:
        self.db = connection
        self.lock = threading.Lock()  # one connection for the worker's threads, one at a time
        row = self.rows("SELECT value FROM meta WHERE key = 'languages'")
        self.languages = row[0][0].split() if row else []

    def rows(self, sql: str, *params) -> list[tuple]:
        with self.lock:
            return self.db.execute(sql, params).fetchall()

    def expand(self, lang: str, term: str) -> dict[int, float]:
        """Scores for one query term: the exact term, then longer terms that start with it."""
        if len(term) < MIN_PREFIX:
            found = self.rows(
                "SELECT term, articles, scores FROM postings WHERE lang = ? AND term = ?",
                lang,
                term,
            )
        else:
            found = self.rows(
                "SELECT term, articles, scores FROM postings WHERE lang = ? AND term >= ?"
                " AND term < ? ORDER BY term LIMIT ?",
                lang,
                term,
                term + LAST_CHAR,
                MAX_EXPANSIONS,
            )
        scores: dict[int, float] = {}
        if found and found[0][0] == term:
            scores = dict(zip(*unpack(*found[0][1:]), strict=True))
            found = found[1:]
        for _candidate, articles, weights in found:
            for article_id, score in zip(*unpack(articles, weights), strict=True):
                scores[article_id] = scores.get(article_id, 0.0) + score * PREFIX_WEIGHT
        return scores

    def match_group(self, lang: str, terms: list[str]) -> dict[int, float]:
        """Documents matching one query word: its stem, or enough of its bigrams."""
        if len(terms) == 1:
            return self.expand(lang, terms[0])
        needed = math.ceil(CJK_MATCH * len(terms))
        unique = list(dict.fromkeys(terms))
        found = self.rows(
            "SELECT articles, scores FROM postings WHERE lang = ?"
            f" AND term IN ({', '.join('?' * len(unique))})",
            lang,
            *unique,
        )
        matched: Counter[int] = Counter()
        scores: dict[int, float] = defaultdict(float)
        for articles, weights in found:
            articles, weights = unpack(articles, weights)
            matched.update(articles)
            for article_id, score in zip(articles, weights, strict=True):
                scores[article_id] += score
        return {a: scores[a] for a, count in matched.items() if count >= needed}

    def language_scores(self, lang: str, query: str) -> dict[int, float]:
        """The articles of one language that match every word of the query, with their scores."""
        totals: dict[int, float] | None = None
        for group in pieces(query, lang):
            scores = self.match_group(lang, group)
            if totals is None:
                totals = scores
            else:  # every word of the query must match
                totals = {a: totals[a] + s for a, s in scores.items() if a in totals}
            if not totals:
                return {}
        return totals or {}

    def scores(self, query: str) -> dict[str, dict[int, float]]:
        """For each language with matches: article id -> score."""
        found = {lang: self.language_scores(lang, query) for lang in self.languages}
        return {lang: scores for lang, scores in found.items() if scores}
