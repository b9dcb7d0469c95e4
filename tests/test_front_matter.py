"""Front matter: any TOML that tomllib reads, and a clear refusal of a file it cannot read."""

import shutil
from datetime import date

import pytest

from portal.faq.store import ArticleError, load_articles

FULL_TOML = """+++
# The source text.
id = 10
revision = 3
slug = 'sample-fr'              # a literal string
title = "Caf\\u00e9 \\"cr\\u00e8me\\""
question = \"\"\"Question
sur deux lignes ?\"\"\"
category = "guides"
keywords = [
    "sample",
    'tab\\t',  # literal: the backslash stays
]
state = "public"
updated = 2026-01-05
+++

Body.
"""


def test_front_matter_may_use_all_of_toml(sample_faq):
    (sample_faq / "10-sample" / "fr.md").write_text(FULL_TOML, encoding="utf-8")
    articles, _, _ = load_articles(sample_faq)
    source = articles[10].translations["fr"]
    assert source.slug == "sample-fr"
    assert source.title == 'Café "crème"'
    assert source.question == "Question\nsur deux lignes ?"
    assert source.keywords == ("sample", "tab\\t")
    assert source.updated == date(2026, 1, 5)


@pytest.mark.parametrize(
    "line, problem",
    [
        ("updated = 2026-02-30", "invalid TOML"),  # no such day
        ('slug = "a"\nslug = "b"', "invalid TOML"),  # a key twice
        ('updated = "2026-01-05"', "'updated' must be a TOML date"),
        ('keywords = "sample"', "'keywords' must be a list"),
    ],
)
def test_a_file_tomllib_refuses_stops_loading_naming_it(sample_faq, line, problem):
    path = sample_faq / "10-sample" / "en.md"
    key = line.partition(" ")[0]
    lines = [
        kept for kept in path.read_text(encoding="utf-8").split("\n") if not kept.startswith(key)
    ]
    lines.insert(1, line)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ArticleError) as error:
        load_articles(sample_faq)
    assert str(path) in str(error.value) and problem in str(error.value)


def test_windows_line_ends_read_as_before(sample_faq):
    path = sample_faq / "10-sample" / "en.md"
    before, _, _ = load_articles(sample_faq)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    after, _, _ = load_articles(sample_faq)
    assert after[10].translations["en"].title == before[10].translations["en"].title
    assert after[10].translations["en"].keywords == before[10].translations["en"].keywords


@pytest.fixture
def parsed_files(tmp_path, monkeypatch):
    """Where the sample FAQ's parsed front matter is kept, as if it were a large FAQ."""
    from portal.faq import store

    monkeypatch.setattr(store, "PARSED_FILES_FROM", 1)
    return tmp_path / "parsed.pickle"


def test_a_large_faq_is_parsed_once_and_each_changed_file_again(
    sample_faq, parsed_files, monkeypatch
):
    from portal.faq import store

    first, _, digest = load_articles(sample_faq, parsed_files)
    assert parsed_files.exists()
    parse = store.parse_front_matter
    parsed = []
    monkeypatch.setattr(
        store, "parse_front_matter", lambda path, head: parsed.append(path) or parse(path, head)
    )
    again, _, same_digest = load_articles(sample_faq, parsed_files)
    assert parsed == [] and same_digest == digest
    assert again[10].translations["en"] == first[10].translations["en"]
    path = sample_faq / "10-sample" / "en.md"
    title = first[10].translations["en"].title
    path.write_text(path.read_text(encoding="utf-8").replace(title, "A new title"), "utf-8")
    changed, _, _ = load_articles(sample_faq, parsed_files)
    assert parsed == [path] and changed[10].translations["en"].title == "A new title"


def test_a_large_faq_that_did_not_change_is_not_read_again(sample_faq, parsed_files, monkeypatch):
    from portal.faq import store

    first, _, _ = load_articles(sample_faq, parsed_files)
    assert (parsed_files.parent / store.LIBRARY_FILE).exists()
    checked = []
    read = store.read_translation
    monkeypatch.setattr(
        store, "read_translation", lambda path, meta: checked.append(path) or read(path, meta)
    )
    again, categories, _ = load_articles(sample_faq, parsed_files)
    assert checked == [] and again == first
    # A new category name, another folder: read again.
    tree = sample_faq / "categories.toml"
    tree.write_text(tree.read_text(encoding="utf-8").replace("Anleitungen", "Leitfäden"), "utf-8")
    _, categories, _ = load_articles(sample_faq, parsed_files)
    assert categories["guides"].names["de"] == "Leitfäden" and checked
    moved = shutil.copytree(sample_faq, sample_faq.with_name("moved"))
    articles, _, _ = load_articles(moved, parsed_files)
    assert articles[10].source.path.is_relative_to(moved)


def test_unreadable_kept_articles_only_cost_a_read(sample_faq, parsed_files):
    from portal.faq import store

    first, _, _ = load_articles(sample_faq, parsed_files)
    (parsed_files.parent / store.LIBRARY_FILE).write_bytes(b"\x80\x05 torn")
    assert load_articles(sample_faq, parsed_files)[0] == first


def test_an_unreadable_parsed_file_only_costs_a_parse(sample_faq, parsed_files):
    parsed_files.write_bytes(b"not a pickle")
    articles, _, _ = load_articles(sample_faq, parsed_files)
    assert articles[10].translations["en"].title
    assert load_articles(sample_faq, parsed_files)[0] == articles


def test_a_small_faq_keeps_nothing(sample_faq, tmp_path):
    load_articles(sample_faq, tmp_path / "parsed.pickle")
    assert not (tmp_path / "parsed.pickle").exists()
