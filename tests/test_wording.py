"""The words merchants read: the article and the dialogs say the same thing in every language."""

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.faq.render import render_markdown
from portal.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "faq" / "2763-amazon-token"
PRODUCT = "magnalister"
STEP_2_DIALOG = "Authorize %(product)s for Amazon?"
# A quotation in any of the ten languages: « », “ ”, „ “, ” ”, ‘ ’, 「 」 or " ".
QUOTED = re.compile(r"[«“„”‘「\"]\s*(.+?)\s*[»“”’」\"]")
# Amazon's own labels: in English, in quotes (../shared confirms no translated label).
AMAZON_LABELS = ("Confirm", "Manage Your Apps", "Re-authorize")


def catalog(lang: str) -> dict[str, str]:
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if isinstance(m.id, str) and m.string}


def article(lang: str) -> tuple[dict, str]:
    _, front, body = (ARTICLE / f"{lang}.md").read_text(encoding="utf-8").split("+++", 2)
    return tomllib.loads(front), body


def step(body: str, number: int) -> str:
    """One numbered step of the body, its continuation lines joined."""
    found = re.search(rf"^{number}\. (.+?)(?=^\d+\. |^\S|\Z)", body, re.M | re.S)
    return re.sub(r"[ \t\n]+", " ", found.group(1)).strip()  # keeps no-break spaces


@pytest.mark.parametrize("lang", LANGUAGES)
def test_step_2_quotes_the_dialog_merchants_see(lang):
    dialog = catalog(lang)[STEP_2_DIALOG] % {"product": PRODUCT}
    _, body = article(lang)
    quoted = QUOTED.search(step(body, 2).replace("{{product}}", PRODUCT)).group(1)
    assert quoted == dialog


def quoted_labels(text: str) -> list[tuple[str, bool]]:
    """Each Amazon label in the text, and whether it stands in quotes."""
    found = []
    for label in AMAZON_LABELS:
        for match in re.finditer(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text):
            before, after = text[: match.start()], text[match.end() :]
            opened = re.search(r"[«“„”‘「\"]\s*$", before) and re.match(r"\s*[»“”’」\"]", after)
            found.append((label, bool(opened)))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_amazon_labels_are_english_and_quoted(lang):
    messages = catalog(lang)
    assert not set(AMAZON_LABELS) & set(messages)  # the simulation shows them untranslated
    mentions = [s for i, s in messages.items() if re.search(r"press Confirm\b", i)]
    assert len(mentions) == 2
    front, body = article(lang)
    # In the body, buttons are bold ("Confirm the message" in English is a verb, not a label).
    buttons = re.findall(r"\*\*(.+?)\*\*", body)
    for text in [*mentions, *buttons, front.get("internal_note", "")]:
        assert all(quoted for _, quoted in quoted_labels(text)), text
    assert quoted_labels(step(body, 3)) == [("Confirm", True)]
    for mention in mentions:
        assert quoted_labels(mention) == [("Confirm", True)]


def test_japanese_uses_one_word_for_authorize_and_for_seller_central():
    front, body = article("ja")
    # The keywords keep both spellings on purpose: readers search with either.
    shown = [body, front["title"], front["question"], front["description"]]
    shown += catalog("ja").values()
    for text in shown:
        assert "承認" not in text and "セラーセントラル" not in text, text
    assert "認証" in body and "Seller Central" in body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_keywords_name_the_apis(lang):
    front, _ = article(lang)
    assert {"MWS", "SP-API"} <= set(front["keywords"])


@pytest.mark.parametrize(
    ("lang", "wrong", "right"),
    [
        ("pl", "dla Amazona", "w Amazonie"),
        ("pl", "Na miesiąc przed", "Od miesiąca przed"),
        ("de", "ist in vier Schritten erstellt", "lässt sich in vier Schritten erstellen"),
        ("sv", "utfärdar", "beviljar"),
    ],
)
def test_article_wording(lang, wrong, right):
    text = (ARTICLE / f"{lang}.md").read_text(encoding="utf-8")
    assert wrong not in text and right in text


@pytest.mark.parametrize(
    ("lang", "msgid", "expected"),
    [
        ("pl", "Days left", "Pozostało dni"),
        ("sv", "Link for the customer", "Länk för kunden"),
    ],
)
def test_catalog_wording(lang, msgid, expected):
    assert catalog(lang)[msgid] == expected


def test_polish_mismatch_message_is_past_tense():
    (text,) = [s for i, s in catalog("pl").items() if i.startswith("You were renewing")]
    assert text.startswith("Odnawiano token")


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("設定を\n開きます。", "<p>設定を開きます。</p>"),
        ("移動します。\n   チェックボックス", "<p>移動します。チェックボックス</p>"),
        ("右下の\n**確認**をクリック", "<p>右下の<strong>確認</strong>をクリック</p>"),
        ("**設定**\nを開く", "<p><strong>設定</strong>を開く</p>"),
        ("- 有効期限の\n  1か月前", "<ul>\n<li>有効期限の\n  1か月前</li>\n</ul>"),
        ("閉じてかまいません。\nmagnalisterと", "<p>閉じてかまいません。magnalisterと</p>"),
        ("Amazon\nトークン", "<p>Amazon\nトークン</p>"),  # a Latin letter: the space stays
        ("one\ntwo", "<p>one\ntwo</p>"),
        ("한국어\n문장", "<p>한국어\n문장</p>"),  # Korean separates words with spaces
    ],
)
def test_line_break_between_cjk_characters_is_not_a_space(markdown, html):
    assert str(render_markdown(markdown, PRODUCT).before) == html


def test_japanese_article_has_no_line_break_inside_a_sentence(client):
    from tests.test_i18n import article_path

    page = client.get(article_path(client.application, "ja")).get_data(as_text=True)
    html = page[page.index('<h2 id="important"') : page.index('<h2 id="help"')]
    cjk = "[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]"
    assert not re.search(f"{cjk}[ \t]*\n\\s*(?:<[^>]+>)*{cjk}", html)
    assert "移動します。チェックボックス" in html
