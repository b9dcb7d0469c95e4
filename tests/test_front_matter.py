"""Front matter: the quick reader of simple TOML must agree with tomllib, or leave it the file."""

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.faq.store import load_articles, simple_toml

TYPICAL = """
id = 2763
revision = 1
slug = "generer-ou-renouveler-le-token-amazon"
title = "Générer ou renouveler le token Amazon"
keywords = ["Amazon", "token", "Seller Central"]
internal_note = "L'état doit être \\"Actif\\".\\tVoir aussi\\\\la fiche."
updated = 2022-09-13
"""

PIECE = st.one_of(
    st.sampled_from(['\\"', "\\\\", "\\n", "\\t", "\\u00e9", "\\e", "\t", "é", ",", "]", "#", "'"]),
    st.text(st.characters(codec="utf-8", exclude_characters='"\\'), max_size=4),
)
STRING = st.lists(PIECE, max_size=5).map(lambda pieces: '"' + "".join(pieces) + '"')
VALUE = st.one_of(
    STRING,
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["-0", "+1", "01", "2024-02-29", "2023-02-29", "2022-00-10", "true", "[]"]),
    st.lists(STRING, max_size=3).map(lambda strings: "[" + ", ".join(strings) + "]"),
)
LINE = st.tuples(st.from_regex(r"[A-Za-z0-9_-]{1,4}", fullmatch=True), VALUE).map(
    lambda pair: f"{pair[0]} = {pair[1]}"
)
HEAD = st.lists(st.one_of(LINE, st.just("")), max_size=6).map(lambda lines: "\n".join(lines))


def test_typical_front_matter_is_read_without_tomllib():
    assert simple_toml(TYPICAL) == tomllib.loads(TYPICAL)


def test_anything_else_is_left_to_tomllib():
    for head in (
        "id = 1 # comment",
        "title = 'literal'",
        "[table]",
        'a = "x"\na = "y"',
        "d = 2026-02-30",
    ):
        assert simple_toml(head) is None


@settings(max_examples=300, deadline=None)
@given(HEAD)
def test_the_quick_reader_agrees_with_tomllib(head):
    quick = simple_toml(head)
    try:
        expected = tomllib.loads(head)
    except tomllib.TOMLDecodeError:
        assert quick is None
        return
    if quick is not None:
        assert quick == expected
        assert [type(value) for value in quick.values()] == [type(v) for v in expected.values()]


def test_windows_line_ends_read_as_before(sample_faq):
    path = sample_faq / "10-sample" / "en.md"
    before, _, _ = load_articles(sample_faq)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    after, _, _ = load_articles(sample_faq)
    assert after[10].translations["en"].title == before[10].translations["en"].title
    assert after[10].translations["en"].keywords == before[10].translations["en"].keywords
