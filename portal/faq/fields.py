"""The front matter keys an article may carry besides the required ones: files to download,
the rating it had in the help center it came from, the Znuny item it was, a review date."""

from dataclasses import dataclass
from datetime import date, datetime

from .kept import quick_pickle


class FieldError(ValueError):
    """A key with a value of the wrong kind; store.py adds the file's name."""


@quick_pickle
@dataclass(frozen=True, slots=True)
class Attachment:
    """A file offered for download under an article, kept in the article's files/ folder."""

    file: str  # its name in files/
    name: str  # the name readers download it as
    type: str
    size: int


@quick_pickle
@dataclass(frozen=True, slots=True)
class Rating:
    """Readers' votes in the help center the article came from (Znuny: 1 to 5 stars)."""

    votes: int
    percent: float

    @property
    def stars(self) -> float:
        return round(self.percent / 20, 1)


def read_optional(meta: dict) -> dict:
    """The optional keys of one file's front matter, checked, as Translation's fields."""
    # Only the keys present: 10,000 files are read at each start-up.
    return {key: READERS[key](meta[key]) for key in READERS.keys() & meta.keys()}


def read_review_by(value) -> date:
    # A TOML date-time is a datetime, which Python counts as a date too: refused.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise FieldError("'review_by' must be a TOML date, e.g. 2027-03-31")
    return value


def read_item_number(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise FieldError("'znuny_item' must be a positive whole number")
    return value


def read_attachments(entries) -> tuple[Attachment, ...]:
    """attachments = [{ file = "manual.pdf", name = "Manual.pdf", type = "...", size = 1234 }]"""
    if not isinstance(entries, list):
        raise FieldError("'attachments' must be a list of tables")
    attachments = []
    for entry in entries:
        try:
            attachment = Attachment(
                file=str(entry["file"]),
                name=str(entry.get("name", entry["file"])),
                type=str(entry.get("type", "application/octet-stream")),
                size=int(entry.get("size", 0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FieldError(f"attachment {entry!r}: needs file, name, type, size") from exc
        if not is_file_name(attachment.file):
            raise FieldError(f"attachment file {attachment.file!r} is not a plain name")
        attachments.append(attachment)
    return tuple(attachments)


def is_file_name(name: str) -> bool:
    """A name in the article's files/ folder, never a path out of it."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def read_rating(table) -> Rating:
    """imported_rating = { votes = 12, percent = 80.0 }"""
    try:
        rating = Rating(votes=int(table["votes"]), percent=float(table["percent"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise FieldError("'imported_rating' needs votes and percent") from exc
    if rating.votes < 0 or not 0 <= rating.percent <= 100:
        raise FieldError("'imported_rating': votes >= 0, percent from 0 to 100")
    return rating


READERS = {
    "internal_note": str,
    "znuny_item": read_item_number,
    "attachments": read_attachments,
    "imported_rating": read_rating,
    "review_by": read_review_by,
}
