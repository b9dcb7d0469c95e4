"""Search: accents and case, stemming per language, German compounds, Japanese, numbers, misses."""

import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.faq import best_first
from portal.faq.library import INDEX_FILE, shared_index
from portal.faq.models import SearchMiss
from portal.faq.search import Document, SearchIndex, analyze
from portal.i18n import LANGUAGES

# portal.faq.library is also the name of a function in portal.faq
faq_library = importlib.import_module("portal.faq.library")


def titles(client, lang: str, query: str) -> tuple[str, str]:
    """The local results section and the other-languages section of a search page."""
    html = client.get(f"/{lang}/search", query_string={"q": query}).get_data(as_text=True)
    local, _, other = html.partition('id="results-other"')
    return local, other


@pytest.mark.parametrize(
    ("lang", "query", "title"),
    [
        ("fr", "renouvellement", "Générer ou renouveler le token Amazon"),  # stemming
        ("fr", "GENERER", "Générer ou renouveler le token Amazon"),  # case and accents
        ("fr", "génerer TOKEN", "Générer ou renouveler le token Amazon"),
        ("de", "Erneuerung", "Amazon-Token erstellen oder erneuern"),
        ("de", "tokenerneuerung", None),  # not in the text: nothing found
        ("en", "renewing tokens", "Generate or renew the Amazon token"),
        ("es", "renovación", "Generar o renovar el token de Amazon"),
        ("ja", "トークン更新", "Amazonトークンの発行と更新"),  # no spaces
        ("ja", "発行", "Amazonトークンの発行と更新"),
        ("ar", "تجديد", "توليد رمز أمازون (Token) أو تجديده"),
        ("pl", "odnowienie tokena", "Generowanie lub odnawianie tokena Amazon"),
        ("sv", "förnyelse", "Skapa eller förnya din Amazon-token"),
        ("fr", "2763", "Générer ou renouveler le token Amazon"),  # the article number
        ("de", "#2763", "Amazon-Token erstellen oder erneuern"),
    ],
)
def test_search_finds_the_article(client, lang, query, title):
    local, _ = titles(client, lang, query)
    if title is None:
        assert "results-local" not in local
    else:
        assert 'id="results-local"' in local and title in local


def test_german_compounds_match_by_prefix():
    index = SearchIndex([Document(1, "de", "Tokenerneuerung beantragen", [], "Zugangsdaten")])
    assert [article_id for article_id, _, _ in scored(index, "Token")] == [1]
    assert [article_id for article_id, _, _ in scored(index, "zugang")] == [1]
    assert scored(index, "erneuerung beantragen") == []  # inner parts are not matched


def test_analyzer_folds_accents_and_keeps_kana():
    assert analyze("Générer", "fr") == analyze("generer", "fr")
    assert analyze("トークン", "ja") == ["トー", "ーク", "クン"]
    assert analyze("ガイド", "ja") != analyze("カイト", "ja")


def test_results_in_other_languages_are_marked(sample_app):
    client = sample_app.test_client()
    # "Body in de." exists only in German; a French reader sees it under other languages.
    local, other = titles(client, "fr", "body de")
    assert 'id="results-local"' not in local or "Sample" not in local
    assert "Sample de" not in other  # the reader's own translation is listed instead
    local, other = titles(client, "it", "sample")
    assert "Sample fr" in other and 'class="badge"' in other and "Français" in other
    assert 'href="/fr/faq/10-sample-fr"' in other


def test_reader_language_first(client):
    local, other = titles(client, "de", "Amazon")
    assert "Amazon-Token erstellen oder erneuern" in local
    assert "Générer" not in local and "Générer" not in other


def test_searches_that_find_nothing_are_counted(app, client):
    client.get("/nl/search?q=xylofoon")
    client.get("/nl/search?q=xylofoon")
    client.get("/nl/search?q=token")
    client.get("/nl/search?q=")
    with app.app_context():
        misses = db.session.execute(db.select(SearchMiss.lang, SearchMiss.query)).all()
    assert misses == [("nl", "xylofoon"), ("nl", "xylofoon")]


def test_search_page_reflects_no_markup(client):
    html = client.get("/en/search", query_string={"q": '<script>alert("x")</script>'}).get_data(
        as_text=True
    )
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_index_is_built_once(app, client):
    client.get("/fr/search?q=token")
    index = app.extensions["faq"].index
    client.get("/de/search?q=token")
    assert app.extensions["faq"].index is index


def scored(index: SearchIndex, query: str) -> list[tuple[int, str, float]]:
    """(article, language, score), best first in each language, as the search page ranks them."""
    found = index.scores(query)
    return [
        (article_id, lang, found[lang][article_id])
        for lang in LANGUAGES
        if lang in found
        for article_id in best_first(found[lang])
    ]


def test_title_counts_more_than_keywords_and_keywords_more_than_body():
    index = SearchIndex(
        [
            Document(1, "en", "Other", [], "invoice and another invoice"),
            Document(2, "en", "Other", ["invoice"], ""),
            Document(3, "en", "Invoice", [], "invoice"),
        ]
    )
    assert scored(index, "invoices") == [(3, "en", 4.0), (1, "en", 2.0), (2, "en", 2.0)]


def test_longer_words_count_half():
    index = SearchIndex(
        [Document(1, "de", "Token", [], ""), Document(2, "de", "Tokenerneuerung", [], "")]
    )
    assert scored(index, "Token") == [(1, "de", 3.0), (2, "de", 1.5)]


def test_a_short_word_expands_to_fifty_longer_ones_at_most():
    compounds = [Document(n, "de", f"Tokenart{n:02}", [], "") for n in range(60)]
    found = scored(SearchIndex(compounds), "Token")
    assert [article_id for article_id, _, _ in found] == list(range(50))


# Accents, marks that combine, spaces of every kind, ligatures, Japanese.
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list(" \u00a0\u3000\t\n\u0301\u3099éßﬁ½´ΣトークンガイドIİ")),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(["fr", "de", "ja", "ar"]))
def test_a_text_has_the_terms_of_its_words(text, lang):
    # The index analyzes each distinct word once; that must not change what a text is made of.
    assert analyze(text, lang) == [term for word in text.split() for term in analyze(word, lang)]


def documents_counted(built: list) -> callable:
    def documents():
        built.append(True)
        yield Document(1, "fr", "Renouveler le token", ["token"], "Étapes à suivre")
        yield Document(1, "ja", "トークンの更新", [], "")

    return documents


def test_the_index_file_is_built_once_then_read(tmp_path):
    path = tmp_path / "faq-index.sqlite3"
    built = []
    first = shared_index(path, "files-1", documents_counted(built))
    again = shared_index(path, "files-1", documents_counted(built))
    assert len(built) == 1
    assert scored(again, "renouvellement") == scored(first, "renouvellement") == [(1, "fr", 3.0)]
    assert scored(again, "トークン更新") == [(1, "ja", 12.0)]  # 4 of the 5 bigrams
    assert scored(shared_index(path, "files-2", documents_counted(built)), "etape") == [
        (1, "fr", 1.0)
    ]
    assert len(built) == 2  # other article files: built anew
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faq-index.lock", "faq-index.sqlite3"]


def test_a_broken_index_file_is_replaced(tmp_path):
    path = tmp_path / "faq-index.sqlite3"
    path.write_bytes(b"half written")
    index = shared_index(path, "files-1", documents_counted([]))
    assert scored(index, "token") == [(1, "fr", 5.0)]


def test_a_large_faq_shares_its_index_through_the_instance_folder(app, tmp_path, monkeypatch):
    monkeypatch.setattr(faq_library, "SHARED_INDEX_FROM", 1)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    client = app.test_client()
    local, _ = titles(client, "fr", "renouvellement")
    assert "Générer ou renouveler le token Amazon" in local
    assert (tmp_path / INDEX_FILE).is_file()


def test_without_a_writable_instance_folder_the_index_stays_in_memory(app, tmp_path, monkeypatch):
    monkeypatch.setattr(faq_library, "SHARED_INDEX_FROM", 1)
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "file" / "instance"))
    local, _ = titles(app.test_client(), "fr", "renouvellement")
    assert "Générer ou renouveler le token Amazon" in local


def test_the_index_can_be_built_at_release(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(faq_library, "SHARED_INDEX_FROM", 1)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = runner.invoke(args=["faq", "index"])
    assert result.exit_code == 0, result.output
    assert "Search index ready" in result.output and "translations: 10" in result.output
    built = (tmp_path / INDEX_FILE).stat().st_mtime_ns
    local, _ = titles(app.test_client(), "fr", "renouvellement")  # read, not built again
    assert "Générer ou renouveler le token Amazon" in local
    assert (tmp_path / INDEX_FILE).stat().st_mtime_ns == built
