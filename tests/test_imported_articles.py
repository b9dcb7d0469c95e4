"""What an imported help center needs: old Znuny links, typed links, customers-only articles,
files beside an article and the rating it had before."""

import pytest

from portal.faq import ArticleError
from portal.faq.store import load_articles
from portal.i18n import LANGUAGES
from tests.helpers import (
    SAMPLE_CATEGORIES,
    add_user,
    client_login,
    html_errors,
    staff_client,
    write_article,
)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def imported_faq(tmp_path):
    """Article 20 imported from items 20 (fr) and 21 (de); 30 for customers; 40 internal."""
    faq_dir = tmp_path / "faq"
    faq_dir.mkdir()
    (faq_dir / "categories.toml").write_text(SAMPLE_CATEGORIES, encoding="utf-8")
    folder = faq_dir / "20-imprimante"
    body = "Voir l'image :\n\n![Écran](files/ecran.png)\n\n[Le guide](files/guide.pdf)\n"
    write_article(
        folder, "fr", body, id=20, slug="imprimante", title="Imprimante", revision=1,
        znuny_item=20, keywords=["imprimante"],
        attachments=[{"file": "guide.pdf", "name": "Guide complet.pdf",
                      "type": "application/pdf", "size": 12345}],
        imported_rating={"votes": 12, "percent": 80.0},
    )  # fmt: skip
    write_article(
        folder, "de", id=20, slug="drucker", title="Drucker", source_revision=1, znuny_item=21
    )
    (folder / "files").mkdir()
    (folder / "files" / "ecran.png").write_bytes(PNG)
    (folder / "files" / "guide.pdf").write_bytes(b"%PDF-1.4 guide")
    write_article(
        faq_dir / "30-kunden", "fr", id=30, slug="reserve", title="Tarifs réservés",
        revision=1, state="customers", keywords=["tarifsclients"],
    )  # fmt: skip
    write_article(
        faq_dir / "40-interne", "fr", id=40, slug="interne", title="Note interne",
        revision=1, state="internal",
    )  # fmt: skip
    return faq_dir


@pytest.fixture
def imported(build_app, imported_faq):
    return build_app(imported_faq, PAGE_CACHE_SECONDS=60)


@pytest.mark.parametrize(
    "path",
    [
        "/otrs/public.pl?Action=PublicFAQZoom;ItemID=20",
        "/otrs/customer.pl?Action=CustomerFAQZoom;ItemID=20",
        "/otrs/index.pl?Action=AgentFAQZoom;ItemID=20",
        "/znuny/public.pl?Action=PublicFAQZoom&ItemID=20",
        "/otrs/public.pl?Action=PublicFAQZoom;ItemID=20;Nav=",
    ],
)
def test_old_znuny_links_lead_to_the_article_in_the_readers_language(imported, path):
    response = imported.test_client().get(path, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert response.status_code == 301
    assert response.location == "/de/faq/20-drucker"
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_an_item_that_became_a_translation_leads_to_its_article(imported):
    client = imported.test_client()
    client.set_cookie("lang", "fr")
    response = client.get("/otrs/public.pl?Action=PublicFAQZoom;ItemID=21")
    assert response.status_code == 301
    assert response.location == "/fr/faq/20-imprimante"


@pytest.mark.parametrize("action", ["PublicFAQPrint", "CustomerFAQPrint"])
def test_old_print_links_lead_to_the_print_view(imported, action):
    response = imported.test_client().get(
        f"/otrs/public.pl?Action={action};ItemID=20", headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 301
    assert response.location == "/fr/faq/20-imprimante/print"


@pytest.mark.parametrize(
    "path",
    [
        "/otrs/public.pl?Action=PublicFAQZoom;ItemID=999",
        "/otrs/public.pl?Action=PublicFAQZoom;ItemID=abc",
        "/otrs/public.pl?Action=PublicFAQZoom",
        "/otrs/public.pl?Action=PublicFAQExplorer;CategoryID=1",
        "/otrs/public.pl?Action=PublicFAQZoom;ItemID=40",  # internal
        "/otrs/customer.pl?Action=CustomerFAQZoom;ItemID=30",  # customers, not logged in
        "/otrs/index.pl?Action=AgentFAQZoom;Subaction=DownloadAttachment;ItemID=20;FileID=3",
    ],
)
def test_old_links_to_nothing_get_the_normal_not_found_page(imported, path):
    response = imported.test_client().get(path, headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert '<html lang="de"' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_typed_link_without_the_slug_leads_to_the_article(imported, lang):
    response = imported.test_client().get(f"/{lang}/faq/20")
    assert response.status_code == 301
    slug = "drucker" if lang == "de" else "imprimante"
    assert response.location == f"/{lang}/faq/20-{slug}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_page_not_found_under_a_language_speaks_it(imported, lang):
    client = imported.test_client()
    client.set_cookie("lang", "ja" if lang != "ja" else "fr")
    for path in (f"/{lang}/no-such-page", f"/{lang}/faq/999", f"/{lang}/faq/999-x"):
        response = client.get(path, headers={"Accept-Language": "sv"})
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}" dir="{LANGUAGES[lang].direction}"' in page


def test_an_image_beside_the_article_is_shown_in_it(imported):
    client = imported.test_client()
    page = client.get("/fr/faq/20-imprimante").get_data(as_text=True)
    assert '<img alt="Écran" src="/faq/20/files/ecran.png">' in page
    image = client.get("/faq/20/files/ecran.png")
    assert image.status_code == 200
    assert image.data == PNG
    assert image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert image.cache_control.public
    image.close()


def test_an_attachment_is_listed_and_downloaded_under_its_name(imported):
    client = imported.test_client()
    page = client.get("/en/faq/20-imprimante").get_data(as_text=True)
    assert 'href="/faq/20/files/guide.pdf" download="Guide complet.pdf"' in page
    assert "12.3 kB" in page
    response = client.get("/faq/20/files/guide.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert 'filename="Guide complet.pdf"' in response.headers["Content-Disposition"]
    response.close()
    french = client.get("/fr/faq/20-imprimante").get_data(as_text=True)
    assert "12,3\u202fko" in french or "12,3 ko" in french


@pytest.mark.parametrize(
    "path",
    [
        "/faq/20/files/missing.png",
        "/faq/20/files/..%2Ffr.md",
        "/faq/20/files/.hidden",
        "/faq/999/files/ecran.png",
        "/faq/40/files/ecran.png",
    ],
)
def test_only_the_files_of_a_readable_article_are_served(imported, path):
    assert imported.test_client().get(path).status_code == 404


def test_the_former_rating_is_shown_apart_from_the_portals_votes(imported):
    page = imported.test_client().get("/en/faq/20-imprimante").get_data(as_text=True)
    assert "Rating in our former help center: 4 out of 5 stars (12 votes)" in page
    assert "No votes yet" in page


def customers_paths() -> list[str]:
    return ["/fr/", "/fr/category/guides", "/fr/faq/30-reserve", "/fr/search?q=tarifsclients"]


def test_customers_articles_are_invisible_to_anonymous_readers(imported):
    client = imported.test_client()
    for path in customers_paths():
        response = client.get(path)
        assert "Tarifs réservés" not in response.get_data(as_text=True), path
    assert client.get("/fr/faq/30-reserve").status_code == 404
    assert client.get("/faq/30").status_code == 404
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/faq/30-" not in sitemap


def test_logged_in_merchants_see_customers_articles_never_cached_for_others(imported):
    add_user(imported, "marie@example.com")
    merchant = imported.test_client()
    client_login(merchant, lang="fr")
    for path in customers_paths():
        response = merchant.get(path)
        assert "Tarifs réservés" in response.get_data(as_text=True), path
        assert "private" in response.headers["Cache-Control"], path
        assert "no-store" in response.headers["Cache-Control"], path
    article = merchant.get("/en/faq/30-reserve").get_data(as_text=True)
    assert "only logged-in merchants can see this article" in article
    # What the merchant saw is in no cache an anonymous reader is served from.
    anonymous = imported.test_client()
    for path in customers_paths():
        assert "Tarifs réservés" not in anonymous.get(path).get_data(as_text=True), path


def test_staff_see_customers_and_internal_articles(imported):
    home = staff_client(imported, "staff@example.com").get("/en/").get_data(as_text=True)
    assert "Tarifs réservés" in home
    assert "Note interne" in home


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        ({"state": "secret"}, "state must be one of public, customers, internal"),
        ({"znuny_item": "x"}, "'znuny_item' must be a positive whole number"),
        ({"attachments": [{"name": "a"}]}, "needs file, name, type, size"),
        ({"attachments": [{"file": "../fr.md"}]}, "is not a plain name"),
        ({"imported_rating": {"votes": 3}}, "'imported_rating' needs votes and percent"),
        ({"imported_rating": {"votes": 3, "percent": 140.0}}, "percent from 0 to 100"),
    ],
)
def test_bad_imported_front_matter_names_the_problem(tmp_path, meta, problem):
    faq_dir = tmp_path / "faq"
    faq_dir.mkdir()
    (faq_dir / "categories.toml").write_text(SAMPLE_CATEGORIES, encoding="utf-8")
    write_article(faq_dir / "10-x", "fr", revision=1, **meta)
    with pytest.raises(ArticleError, match=problem.replace("(", r"\(")):
        load_articles(faq_dir)


def test_imported_pages_are_valid_html(imported, tmp_path):
    client = imported.test_client()
    paths = {
        "article-fr": "/fr/faq/20-imprimante",
        "article-ar": "/ar/faq/20-imprimante",
        "print-de": "/de/faq/20-drucker/print",
        "home-ja": "/ja/",
        "not-found-sv": "/sv/faq/999",
    }
    pages = {name: client.get(path).get_data(as_text=True) for name, path in paths.items()}
    assert html_errors(pages, tmp_path / "html") == []
