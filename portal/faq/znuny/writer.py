"""Put an item's files into faq/ without ever overwriting a file edited here since the last import,
and merge the categories into faq/categories.toml."""

import os
import tomllib
from pathlib import Path

import tomli_w

from ..store import ArticleError, parse_front_matter, split_front_matter
from .items import SourceError
from .manifest import Manifest, digest, file_digest

CATEGORIES = "categories.toml"


class Writer:
    def __init__(self, faq_dir: Path, manifest: Manifest, dry_run: bool) -> None:
        self.faq_dir = faq_dir
        self.dry_run = dry_run
        self.recorded = manifest.digests()  # what earlier imports wrote
        self.claimed: set[str] = set()  # what this run wrote

    def conflicts(self, files: dict[str, bytes], stale: list[str]) -> list[str]:
        """The files that were edited (or made) here and would be overwritten or removed."""
        found = []
        for relative, data in files.items():
            current = file_digest(self.faq_dir / relative)
            if current not in (None, digest(data), self.recorded.get(relative)):
                found.append(relative)
        for relative in stale:
            current = file_digest(self.faq_dir / relative)
            if relative not in self.claimed and current not in (None, self.recorded[relative]):
                found.append(relative)
        return found

    def write(self, files: dict[str, bytes], stale: list[str]) -> dict[str, str]:
        """Write the files, remove the stale ones; their digests, for the manifest."""
        for relative, data in files.items():
            self.claimed.add(relative)
            if not self.dry_run:
                replace(self.faq_dir / relative, data)
        for relative in stale:
            if relative not in self.claimed and not self.dry_run:
                remove(self.faq_dir / relative, self.faq_dir)
        return {relative: digest(data) for relative, data in files.items()}


def replace(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a half-written article would stop the portal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def remove(path: Path, top: Path) -> None:
    """Remove a file the import wrote, and the folders it leaves empty."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def article_folders(faq_dir: Path, ours: set[str]) -> dict[int, str]:
    """Article ids already in faq/ that no import wrote (by their front matter), with their
    folder: an imported article must not take one of them."""
    found: dict[int, str] = {}
    if not faq_dir.is_dir():
        return found
    for folder in sorted(p for p in faq_dir.iterdir() if p.is_dir() and p.name not in ours):
        for path in sorted(folder.glob("*.md"))[:1]:
            try:
                meta = parse_front_matter(
                    path, split_front_matter(path, path.read_text("utf-8"))[0]
                )
                found[int(meta["id"])] = folder.name
            except (ArticleError, OSError, UnicodeError, KeyError, TypeError, ValueError):
                # a broken file is the portal's to report, not the import's
                continue
    return found


def read_categories(faq_dir: Path) -> tuple[str, dict]:
    """categories.toml's text and table (both empty when there is none yet)."""
    path = faq_dir / CATEGORIES
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", {}
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path} is not valid TOML: {exc}") from exc


def merge_categories(faq_dir: Path, names: dict[str, dict[str, str]], dry_run: bool) -> list[str]:
    """Add the categories and the names they lack; existing entries and names are kept as they
    are. Returns the categories added. tomli_w cannot keep comments: the header comment is
    written back (the file is rewritten only when something was added)."""
    text, table = read_categories(faq_dir)
    added = [key for key in sorted(names) if key not in table]
    changed = bool(added)
    for key in sorted(names):
        entry = table.setdefault(key, {})
        for lang, name in names[key].items():
            if lang not in entry:
                entry[lang] = name
                changed = True
    if changed and not dry_run:
        replace(faq_dir / CATEGORIES, (header(text) + tomli_w.dumps(table)).encode("utf-8"))
    return added


def header(text: str) -> str:
    """The comment lines at the top of a TOML file, with the blank line after them."""
    lines = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lines.append(line)
    kept = "\n".join(lines).strip("\n")
    return f"{kept}\n\n" if kept else ""
