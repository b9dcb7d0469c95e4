"""Reading an article: redirects, notices, print view, caching, internal articles."""

from portal.faq.store import ArticleError

FR = "/fr/faq/2763-generer-ou-renouveler-le-token-amazon"


def test_article_shows_breadcrumbs_date_keywords_and_steps(client):
    html = client.get(FR).get_data(as_text=True)
    assert '<h1 id="title">Générer ou renouveler le token Amazon</h1>' in html
    for crumb in ("Questions support", "Places de marché", "Amazon", "Configuration"):
        assert crumb in html
    assert 'href="/fr/category/support/marketplace/amazon/configuration"' in html
    assert "13 septembre 2022" in html  # Babel's long date format
    assert 'href="/fr/search?q=Seller+Central"' in html
    assert '<div class="admonition important">' in html
    assert html.count('<li class="step" id="step-') == 4
    assert "Frage" not in html and "Lösung" not in html and "RENOUELER" not in html


def test_wrong_or_old_slug_redirects_to_canonical_url(client):
    response = client.get("/fr/faq/2763-ancien-titre")
    assert response.status_code == 301
    assert response.headers["Location"] == FR
    response = client.get("/de/faq/2763-generer-ou-renouveler-le-token-amazon/print")
    assert response.headers["Location"] == "/de/faq/2763-amazon-token-erstellen-oder-erneuern/print"


def test_support_short_link_redirects_to_the_readers_language(client):
    response = client.get("/faq/2763", headers={"Accept-Language": "pl"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/pl/faq/2763-generowanie-lub-odnawianie-tokena-amazon"
    assert "Accept-Language" in response.headers["Vary"]
    assert client.get("/faq/2763?lang=ja").headers["Location"].startswith("/ja/faq/2763-")
    assert client.get("/faq/424242").status_code == 404


def test_missing_translation_shows_source_with_notice(sample_app):
    client = sample_app.test_client()
    html = client.get("/it/faq/10-sample-fr").get_data(as_text=True)
    assert '<html lang="it"' in html
    assert 'class="faq-article" lang="fr"' in html and "Body in fr." in html
    assert 'class="notice"' in html and "Français" in html
    # canonical points at the text actually shown
    assert '<link rel="canonical" href="http://localhost/fr/faq/10-sample-fr">' in html
    assert 'hreflang="it"' not in html


def test_outdated_translation_links_to_the_original(sample_app):
    client = sample_app.test_client()
    html = client.get("/de/faq/10-sample-de").get_data(as_text=True)
    assert "Body in de." in html
    assert 'class="notice"' in html and 'href="/fr/faq/10-sample-fr"' in html
    current = client.get("/en/faq/10-sample-en").get_data(as_text=True)
    assert 'class="notice"' not in current


def test_internal_articles_are_not_served_to_readers(sample_app):
    client = sample_app.test_client()
    assert client.get("/fr/faq/11-secret").status_code == 404
    assert client.get("/faq/11").status_code == 404
    assert "Secret" not in client.get("/fr/").get_data(as_text=True)
    assert "/faq/11-" not in client.get("/sitemap.xml").get_data(as_text=True)
    assert "Secret" not in client.get("/fr/search?q=secret").get_data(as_text=True)


def test_print_view_carries_the_header_rows(client):
    response = client.get("/en/faq/2763-generate-or-renew-the-amazon-token/print")
    html = response.get_data(as_text=True)
    for row in ("Category", "State", "Language", "Votes", "Result", "Last update", "Keywords"):
        assert f'<th scope="row">{row}</th>' in html
    assert "Support questions › Marketplaces › Amazon › Configuration" in html
    assert "<td>public</td>" in html and ">English</td>" in html and "0.00%" in html
    assert "December 2, 2026" in html
    assert 'class="vote-form"' not in html and "site-search" not in html


def test_anonymous_pages_are_cacheable_and_revalidate(client):
    response = client.get(FR)
    assert "Set-Cookie" not in response.headers
    assert response.cache_control.public and response.cache_control.max_age > 0
    assert response.headers["Last-Modified"]
    etag = response.headers["ETag"]
    again = client.get(FR, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def test_a_vote_changes_the_etag(client):
    etag = client.get(FR).headers["ETag"]
    client.post("/fr/faq/2763/vote", data={"helpful": "yes"})
    assert client.get(FR, headers={"If-None-Match": etag}).status_code == 200


def test_home_and_category_pages_list_articles(client):
    home = client.get("/de/").get_data(as_text=True)
    assert "Amazon-Token erstellen oder erneuern" in home
    assert 'href="/de/category/support"' in home
    category = client.get("/de/category/support/marketplace/amazon").get_data(as_text=True)
    assert "Amazon-Token erstellen oder erneuern" in category
    assert "Support-Fragen" in category
    assert client.get("/de/category/nope").status_code == 404


def test_broken_front_matter_names_the_file(build_app, sample_faq):
    broken = sample_faq / "10-sample" / "en.md"
    broken.write_text('+++\nid = 10\ntitle = "unterminated\n+++\nbody\n', encoding="utf-8")
    try:
        build_app(sample_faq)
    except ArticleError as error:
        assert str(broken) in str(error) and "TOML" in str(error)
    else:
        raise AssertionError("a broken article must stop the portal from starting")


def test_missing_keys_and_duplicate_sources_are_reported(build_app, article_file, sample_faq):
    path = article_file(sample_faq / "12-x", "fr", id=12, revision=1)
    article_file(sample_faq / "12-x", "en", id=12, revision=1)
    try:
        build_app(sample_faq)
    except ArticleError as error:
        assert "12-x" in str(error) and "exactly one" in str(error)
    else:
        raise AssertionError("two source texts must be refused")
    path.write_text(path.read_text().replace('slug = "sample-fr"\n', ""), encoding="utf-8")
    try:
        build_app(sample_faq)
    except ArticleError as error:
        assert str(path) in str(error) and "slug" in str(error)
    else:
        raise AssertionError("a missing slug must be refused")


def test_rendered_html_is_sanitized(build_app, article_file, sample_faq):
    body = 'Hola <script>alert(1)</script> <a href="javascript:alert(2)" onclick="x()">x</a>\n'
    article_file(sample_faq / "10-sample", "es", body, source_revision=3)
    client = build_app(sample_faq).test_client()
    html = client.get("/es/faq/10-sample-es").get_data(as_text=True)
    assert "<script>alert" not in html and "javascript:" not in html and "onclick" not in html
