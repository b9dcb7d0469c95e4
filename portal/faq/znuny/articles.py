"""From Znuny's items to the portal's articles: which items are translations of which, and the
Markdown file each item becomes (TOML front matter between '+++' lines, then the body)."""

from collections import defaultdict
from dataclasses import dataclass

import tomli_w

from ...i18n import LANGUAGES
from .convert import (
    describe,
    field_text,
    html_to_markdown,
    safe_file_name,
    slugify,
    split_keywords,
    text_to_markdown,
)
from .items import Item
from .labels import Field, caption

# Znuny's state types (faq_state_type) as the portal's states.
STATES = {"public": "public", "external": "customers", "internal": "internal"}
AUDIENCE = {"public": 3, "customers": 2, "internal": 1}  # how many kinds of readers see it


def skip_reason(item: Item, include_unapproved: bool) -> str | None:
    """Why an item is not imported, or None."""
    if item.language not in LANGUAGES:
        return f"language {item.language!r} is not one of the portal's ten"
    if item.state_type not in STATES:
        return f"unknown state type {item.state_type!r}"
    if include_unapproved:
        return None
    if not item.approved:
        return "not approved"
    if not item.valid:
        return "invalid in Znuny"
    return None


def portal_state(item: Item) -> str:
    """An unapproved or invalid item (imported only when asked to) is for support staff only."""
    return STATES[item.state_type] if item.approved and item.valid else "internal"


@dataclass
class Article:
    source: Item  # the oldest item: its ItemID is the article's id
    translations: list[Item]

    @property
    def id(self) -> int:
        return self.source.item_id

    @property
    def items(self) -> list[Item]:
        return [self.source, *self.translations]

    @property
    def state(self) -> str:
        return portal_state(self.source)

    @property
    def category(self) -> str:
        return category_path(self.source.category)


def group_articles(items: list[Item]) -> list[Article]:
    """Items linked to each other in different languages become one article, the oldest its
    source; every other item is an article of its own."""
    by_id = {item.item_id: item for item in items}
    oldest_first = sorted(items, key=lambda item: (item.created, item.item_id))
    rank = {item.item_id: position for position, item in enumerate(oldest_first)}

    def order(item: Item) -> int:
        return rank[item.item_id]

    placed: set[int] = set()
    articles = []
    for source in oldest_first:
        if source.item_id in placed:
            continue
        group = {source.language: source}
        placed.add(source.item_id)
        reached = [source]
        while reached:
            current = reached.pop(0)
            for other in sorted((by_id[i] for i in current.links if i in by_id), key=order):
                # Two linked items of one language are related articles ("see also"), not
                # translations: an article has one text per language, so each stays on its own.
                # A translation is shown to the article's readers: never a less visible item.
                if (
                    other.item_id in placed
                    or other.language in group
                    or AUDIENCE[portal_state(other)] < AUDIENCE[portal_state(source)]
                ):
                    continue
                group[other.language] = other
                placed.add(other.item_id)
                reached.append(other)
        translations = sorted((i for i in group.values() if i is not source), key=order)
        articles.append(Article(source, translations))
    return articles


def category_path(names: tuple[str, ...]) -> str:
    """Znuny's A::B as a key of categories.toml: "a/b"."""
    return "/".join(slugify(name, "category") for name in names)


def category_names(articles: list[Article]) -> dict[str, dict[str, str]]:
    """Each article's category and its parents, named in the language of each of its items.

    Znuny names a category once, whatever the language; a translation filed in a category of
    the same depth names the article's categories in its own language.
    """
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for article in articles:
        keys = article.category.split("/")
        for item in article.items:
            if len(item.category) != len(keys):
                continue
            for depth, name in enumerate(item.category, start=1):
                names["/".join(keys[:depth])].setdefault(item.language, name)
    return names


def file_names(item: Item) -> dict[int, str]:
    """Each attachment's name in the article's files/ folder, by file id."""
    return {a.file_id: safe_file_name(a.file_id, a.filename) for a in item.attachments}


def markdown(item: Item, value: str, files: dict[int, str]) -> str:
    if item.content_type == "text/plain":
        return text_to_markdown(value)
    return html_to_markdown(value, files)


def body(item: Item, fields: tuple[Field, ...]) -> str:
    """The public fields in Znuny's order, each under its heading; empty ones left out."""
    files = file_names(item)
    sections = []
    for field in fields:
        text = (
            markdown(item, item.fields.get(field.number, ""), files) if not field.internal else ""
        )
        if text:
            sections.append(
                f"## {caption(field, item.language)} {{#field-{field.number}}}\n\n{text}"
            )
    return "\n\n".join(sections)


def internal_note(item: Item, fields: tuple[Field, ...]) -> str:
    """The internal fields as plain text, each named when there are several."""
    notes = [
        (
            caption(field, item.language),
            field_text(item.fields.get(field.number, ""), item.content_type),
        )
        for field in fields
        if field.internal
    ]
    notes = [(label, text) for label, text in notes if text]
    if len(notes) == 1:
        return notes[0][1]
    return "\n\n".join(f"{label}:\n{text}" for label, text in notes)


def description(item: Item, fields: tuple[Field, ...]) -> str:
    for field in fields:
        text = field_text(item.fields.get(field.number, ""), item.content_type)
        if not field.internal and text:
            return describe(text)
    return ""


def attachment_list(item: Item, contents: dict[int, bytes]) -> list[dict]:
    """The attachments offered for download (inline images are only shown in the text)."""
    names = file_names(item)
    return [
        {
            "file": names[info.file_id],
            "name": info.filename,
            "type": info.content_type,
            "size": len(contents.get(info.file_id, b"")),
        }
        for info in item.attachments
        if not info.inline
    ]


def toml_value(value) -> str:
    """One value as TOML writes it (a string, a number, a list of them)."""
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def inline_table(table: dict) -> str:
    return "{ " + ", ".join(f"{key} = {toml_value(value)}" for key, value in table.items()) + " }"


def article_file(
    article: Article, item: Item, revision: int, fields: tuple[Field, ...], contents: dict
) -> str:
    """The text of faq/<article>/<lang>.md; revision is the source's own, or for a translation
    the source revision it matches."""
    title = item.title.strip() or f"FAQ {item.item_id}"
    meta = {
        "id": article.id,
        ("revision" if item is article.source else "source_revision"): revision,
        "slug": slugify(title, f"item-{item.item_id}"),
        "title": title,
        "question": title,
        "description": description(item, fields),
        "category": article.category,
        "keywords": split_keywords(item.keywords),
        "state": article.state,
        "updated": item.changed.date(),
    }
    note = internal_note(item, fields)
    if note:
        meta["internal_note"] = note
    meta["znuny_item"] = item.item_id
    head = tomli_w.dumps(meta)
    # Written inline as the portal documents them: tomli_w would make long ones [[sections]].
    attachments = attachment_list(item, contents)
    if attachments:
        rows = "".join(f"    {inline_table(entry)},\n" for entry in attachments)
        head += f"attachments = [\n{rows}]\n"
    if item.votes:
        rating = {"votes": item.votes.count, "percent": item.votes.percent}
        head += f"imported_rating = {inline_table(rating)}\n"
    return f"+++\n{head}+++\n\n{body(item, fields)}\n"
