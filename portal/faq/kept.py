"""What one start-up keeps for the next in the instance folder, trusted like the database.

The articles of 1,000 articles in ten languages are read and checked in 0.6-0.7 s (tomllib and
the checks of 10,000 files, even with their front matter kept: store.ParsedFiles); kept whole
while no file changed, they load in 0.12 s. The files are still read once, for their digest.
"""

import dataclasses
import hashlib
import os
import pickle
import sys
from functools import cache
from pathlib import Path

# The code that decides what an article becomes: a change to it makes the kept articles stale.
ARTICLE_CODE = ("store.py", "fields.py", "kept.py")


def read_kept(path: Path):
    """What was kept in path, or None (no file yet, another Python's pickle, a torn write)."""
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, TypeError):
        return None


def write_kept(path: Path, value) -> None:
    """Keep value in path; a read-only instance folder only costs the next start-up."""
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)  # workers reading the old file keep reading it
    except OSError:
        temporary.unlink(missing_ok=True)


def kept_value(path: Path | None, key):
    """The value kept under key, or None when there is none or another key's."""
    if path is None:
        return None
    kept = read_kept(path)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == key:
        return kept[1]
    return None


def keep_value(path: Path | None, key, value) -> None:
    if path is not None:
        write_kept(path, (key, value))


@cache
def code_digest() -> str:
    code = hashlib.blake2b(sys.version.encode(), digest_size=16)
    for name in ARTICLE_CODE:
        code.update((Path(__file__).parent / name).read_bytes())
    return code.hexdigest()


def quick_pickle(cls: type) -> type:
    """A slots dataclass that unpickles without dataclasses' own __setstate__, which looks up
    the fields for each object: 10,000 translations load in 0.05 s instead of 0.2 s."""
    names = tuple(field.name for field in dataclasses.fields(cls))

    def getstate(self) -> tuple:
        return tuple(getattr(self, name) for name in names)

    def setstate(self, state: tuple) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__getstate__ = getstate
    cls.__setstate__ = setstate
    return cls
