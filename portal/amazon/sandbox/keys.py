"""The sandbox's own random secrets, kept in the instance folder so that every worker agrees."""

import os
import secrets
import tempfile
from pathlib import Path


def instance_secret(folder: Path, name: str) -> str:
    """The secret in folder/name, created once if missing: random, readable by the owner only."""
    path = folder / name
    if not path.exists():
        create_once(path, secrets.token_urlsafe(32))
    return path.read_text(encoding="ascii").strip()


def create_once(path: Path, value: str) -> None:
    """Write value to path unless another process was first: a complete file or none, mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(value + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)  # atomic, and refuses to replace what another wrote first
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
