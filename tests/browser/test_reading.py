"""Readers in a real Chromium: every language, the switcher, copy-link buttons, votes, axe-core."""

import re

import pytest
from playwright.sync_api import expect

from portal.i18n import LANGUAGES

pytestmark = pytest.mark.browser

SLUGS = {
    "fr": "generer-ou-renouveler-le-token-amazon",
    "de": "amazon-token-erstellen-oder-erneuern",
    "en": "generate-or-renew-the-amazon-token",
    "es": "generar-o-renovar-el-token-de-amazon",
    "it": "generare-o-rinnovare-il-token-amazon",
    "nl": "amazon-token-aanmaken-of-vernieuwen",
    "pl": "generowanie-lub-odnawianie-tokena-amazon",
    "sv": "skapa-eller-fornya-din-amazon-token",
    "ar": "tawlid-aw-tajdid-token-amazon",
    "ja": "amazon-token-no-hakko-to-koshin",
}


def article(lang: str) -> str:
    return f"/{lang}/faq/2763-{SLUGS[lang]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_article_in_every_language_is_accessible(page, axe, lang):
    page.goto(article(lang))
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator("ol.steps > li")).to_have_count(4)
    expect(page.locator("#step-3 button.copy-link")).to_be_visible()
    assert axe(page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/fr/",
        "/ar/",
        "/ja/search?q=トークン",
        "/de/search?q=nichts",
        "/en/category/support",
        f"{article('ar')}/print",
        "/xx/",
    ],
)
def test_other_pages_are_accessible(page, axe, path):
    page.goto(path)
    assert axe(page) == []


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_layout_mirrors_for_right_to_left(page, lang):
    page.goto(article(lang))
    padding = page.locator("#step-1").evaluate(
        "el => [getComputedStyle(el).paddingLeft, getComputedStyle(el).paddingRight]"
    )
    left, right = (float(value.removesuffix("px")) for value in padding)
    # The room for the step's number badge is on the side where the text starts.
    assert (right > left) if lang == "ar" else (left > right)
    header = page.locator(".site-header").bounding_box()
    brand = page.locator(".brand").bounding_box()
    starts_right = brand["x"] + brand["width"] > header["x"] + header["width"] / 2
    assert starts_right == (lang == "ar")


def test_switcher_lands_on_the_same_article_and_is_remembered(page):
    page.goto(article("fr"))
    page.locator(".language-switcher summary").click()
    page.get_by_role("link", name="Deutsch").click()
    expect(page).to_have_url(re.compile(article("de") + "$"))
    expect(page.locator("h1")).to_have_text("Amazon-Token erstellen oder erneuern")
    page.goto("/")
    expect(page).to_have_url(re.compile("/de/$"))


def test_copy_link_button_copies_the_step_url(context, page):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(article("en"))
    page.locator("#step-3 button.copy-link").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"{article('en')}#step-3")
    expect(page.locator("#announcer")).to_have_text("Link copied to the clipboard")


def test_deep_link_to_a_step_from_the_short_link(page):
    page.goto("/faq/2763?lang=sv#step-3")
    expect(page).to_have_url(re.compile(article("sv") + "#step-3$"))
    expect(page.locator("#step-3")).to_be_in_viewport()


def test_vote_in_the_browser(page):
    page.goto(article("it"))
    page.get_by_role("button", name="Sì").click()
    expect(page.locator(".feedback-message")).to_be_visible()
    expect(page).to_have_url(re.compile(r"feedback=thanks#feedback$"))


def test_search_from_the_header(page):
    page.goto("/fr/category/support")
    page.locator("#site-search").fill("renouvellement")
    page.locator("#site-search").press("Enter")
    expect(page.locator("#results-local")).to_be_visible()
    page.get_by_role("link", name="Générer ou renouveler le token Amazon").click()
    expect(page).to_have_url(re.compile(article("fr") + "$"))
