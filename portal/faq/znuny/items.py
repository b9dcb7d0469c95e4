"""What a source reads from Znuny: plain data, the same whichever source read it."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class SourceError(Exception):
    """Nothing can be read: a bad URL, a refused connection, not a Znuny database."""


class ItemError(Exception):
    """One item cannot be read (undecodable content, a missing category...); the rest can."""


@dataclass(frozen=True)
class AttachmentInfo:
    file_id: int  # faq_attachment.id, the FileID of Znuny's download links
    filename: str
    content_type: str
    inline: bool  # an image shown inside a field's rich text


@dataclass(frozen=True)
class Votes:
    count: int
    percent: float  # faq_voting.rate is a percentage per vote (one star is 20): their mean


@dataclass(frozen=True)
class Item:
    item_id: int
    title: str
    language: str  # faq_language.name: "en", "de"...
    category: tuple[str, ...]  # the category's names from the top: ("Products", "Amazon")
    state_type: str  # "public", "external" or "internal"
    approved: bool
    valid: bool
    content_type: str  # "text/html" (rich text) or "text/plain"
    keywords: str
    fields: dict[int, str]  # Field1 .. Field6 as stored
    created: datetime
    changed: datetime
    attachments: tuple[AttachmentInfo, ...] = ()
    votes: Votes | None = None
    links: frozenset[int] = field(default_factory=frozenset)  # FAQ items linked to this one


@dataclass(frozen=True)
class Broken:
    """An item the source could not read, and why."""

    item_id: int
    problem: str


class Source(Protocol):
    name: str  # says where the items come from, for the summary
    notes: tuple[str, ...]  # what the summary must say about this source

    def count(self) -> int: ...

    def items(self) -> Iterator[Item | Broken]: ...

    def contents(self, item: Item) -> dict[int, bytes]:
        """The bytes of each of the item's attachments, by file id; raises ItemError."""
        ...
