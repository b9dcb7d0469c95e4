"""Helpers shared by every feature's models."""

import enum
from collections.abc import Collection
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import Enum, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapper

from .extensions import db


def utcnow() -> datetime:
    """Timestamps are stored in UTC, without time zone, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def str_enum(enum_class: type[enum.StrEnum], length: int) -> Enum:
    """Store an enum by value as a plain string column, the same on SQLite and PostgreSQL."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


def commit_unless_duplicate() -> bool:
    """Commit what was added; False, with nothing written, when a unique key says it exists.

    Two requests at once both try, and the database lets exactly one of them in.
    """
    return unless_duplicate(db.session.commit)


def flush_unless_duplicate() -> bool:
    """As commit_unless_duplicate, but the transaction stays open for more to be added to it."""
    return unless_duplicate(db.session.flush)


def unless_duplicate(write) -> bool:
    try:
        write()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def loaded_rows(obj: object) -> tuple:
    """The column values of obj and of every object read with it (its loaded relationships):
    what a page made of them shows, to keep the page by. Nothing is read from the database."""
    return _rows(obj, set())


def _rows(obj: object, seen: set[int]) -> tuple:
    seen.add(id(obj))  # two relationships may lead back to each other (back_populates)
    state = inspect(obj)
    columns, relationships = _shape(state.mapper)
    values = state.dict
    related = tuple(
        (key, tuple(_rows(item, seen) for item in _items(values[key]) if id(item) not in seen))
        for key in relationships
        if key in values
    )
    return tuple(values.get(key) for key in columns), related


def _items(loaded: object) -> list:
    if loaded is None:
        return []
    return list(loaded) if isinstance(loaded, Collection) else [loaded]


@cache
def _shape(mapper: Mapper) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(a.key for a in mapper.column_attrs), tuple(r.key for r in mapper.relationships)
