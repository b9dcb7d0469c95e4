"""What earlier imports wrote, per Znuny item: the next import changes only what changed in Znuny
and never a file that was edited here since (its digest no longer matches).

The manifest is a file at the top of faq/; the portal reads only folders and categories.toml.
"""

import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import tomli_w

from .items import SourceError

NAME = "znuny-import.toml"
HEADER = (
    "# Written by `flask faq import-znuny`, read by its next run: per Znuny item, the article it\n"
    "# became, Znuny's `changed` time and the SHA-256 of each file written. A file whose digest\n"
    "# differs was edited here after the import and is never overwritten. Do not edit.\n\n"
)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


@dataclass
class Record:
    article: int
    file: str  # the item's Markdown file, relative to faq/
    changed: datetime  # Znuny's `changed` when it was imported
    revision: int  # the source's revision; for a translation, the source revision it matches
    is_source: bool
    files: dict[str, str] = field(default_factory=dict)  # path relative to faq/ -> SHA-256

    @property
    def folder(self) -> str:
        return self.file.partition("/")[0]


class Manifest:
    def __init__(self, faq_dir: Path) -> None:
        self.path = faq_dir / NAME
        self.records: dict[int, Record] = {}
        if self.path.exists():
            self.records = self._read()

    def _read(self) -> dict[int, Record]:
        try:
            table = tomllib.loads(self.path.read_text(encoding="utf-8"))
            return {int(key): record(entry) for key, entry in table.get("items", {}).items()}
        except (OSError, ValueError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
            raise SourceError(f"cannot read {self.path}: {exc}") from exc

    def folder(self, item_id: int) -> str | None:
        found = self.records.get(item_id)
        return found.folder if found else None

    def digests(self) -> dict[str, str]:
        """Every file an import wrote (relative to faq/), with its SHA-256 then."""
        return {path: sha for found in self.records.values() for path, sha in found.files.items()}

    def save(self) -> None:
        items = {
            str(item_id): {
                "article": found.article,
                "file": found.file,
                "changed": found.changed,
                ("revision" if found.is_source else "source_revision"): found.revision,
                "files": found.files,
            }
            for item_id, found in sorted(self.records.items())
        }
        text = HEADER + tomli_w.dumps({"items": items})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{NAME}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(self.path)


def record(entry: dict) -> Record:
    is_source = "revision" in entry
    return Record(
        article=int(entry["article"]),
        file=str(entry["file"]),
        changed=entry["changed"],
        revision=int(entry["revision"] if is_source else entry["source_revision"]),
        is_source=is_source,
        files={str(path): str(sha) for path, sha in entry.get("files", {}).items()},
    )
