"""The web's conventions: sitemap with alternates, JSON-LD, meta description, Open Graph, robots."""

import json
import re
import xml.etree.ElementTree as ET

from portal.i18n import LANGUAGES

EN = "/en/faq/2763-generate-or-renew-the-amazon-token"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def test_sitemap_lists_every_translation_with_alternates(client):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    article_urls = [
        u for u in root.findall("s:url", NS) if "/faq/2763-" in u.find("s:loc", NS).text
    ]
    assert len(article_urls) == len(LANGUAGES)
    for url in article_urls:
        links = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)}
        assert set(links) == {*LANGUAGES, "x-default"}
        assert links["x-default"].startswith("http://localhost/fr/faq/2763-")
        assert url.find("s:lastmod", NS).text in ("2022-09-13", "2026-12-02")


def test_structured_data_describes_the_question_and_the_steps(client):
    html = client.get(EN).get_data(as_text=True)
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    faq_page, how_to = data["@graph"]
    assert faq_page["@type"] == "FAQPage"
    assert faq_page["mainEntity"][0]["name"] == "How do I generate or renew the Amazon token?"
    assert how_to["@type"] == "HowTo" and len(how_to["step"]) == 4
    assert how_to["step"][2]["url"].endswith(f"{EN}#step-3")


def test_meta_description_and_open_graph(client):
    html = client.get("/ja/faq/2763-amazon-token-no-hakko-to-koshin").get_data(as_text=True)
    assert re.search(r'<meta name="description" content="[^"]*magnalister', html)
    assert '<meta property="og:locale" content="ja_JP">' in html
    assert '<meta property="og:locale:alternate" content="ar_AR">' in html
    assert '<meta property="og:title" content="Amazonトークンの発行と更新">' in html


def test_robots_and_favicon(client):
    assert "Sitemap: http://localhost/sitemap.xml" in client.get("/robots.txt").get_data(
        as_text=True
    )
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
