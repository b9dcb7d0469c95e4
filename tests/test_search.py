"""Search: accents and case, stemming per language, German compounds, Japanese, numbers, misses."""

import pytest

from portal.extensions import db
from portal.faq.models import SearchMiss
from portal.faq.search import Document, SearchIndex, analyze


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
    assert [hit.article_id for hit in index.search("Token")] == [1]
    assert [hit.article_id for hit in index.search("zugang")] == [1]
    assert index.search("erneuerung beantragen") == []  # inner parts are not matched


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
