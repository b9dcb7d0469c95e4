"""Front matter: any TOML that tomllib reads, and a clear refusal of a file it cannot read."""

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
