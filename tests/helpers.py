"""Helpers shared by the test suites (fixtures live in conftest.py)."""

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent
# CI sets this so that a missing service fails the run instead of skipping tests.
REQUIRE_ALL = os.environ.get("PORTAL_TEST_REQUIRE_ALL") == "1"
# Run the suite against another database, e.g. postgresql+psycopg://postgres@127.0.0.1/portal_test
DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


def need(available: bool, reason: str) -> None:
    """Skip a test whose service is missing, or fail it where CI promised the service."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required for CI: {reason}")
    pytest.skip(reason)


def database_url(tmp_path: Path) -> str:
    return DATABASE_URL or f"sqlite:///{tmp_path / 'portal.db'}"


def make_app(tmp_path: Path, reset: bool = True, **config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url(tmp_path),
            **config,
        }
    )
    if reset:
        with app.app_context():
            db.drop_all()
            db.create_all()
    return app


SAMPLE_CATEGORIES = """
["guides"]
fr = "Guides"
en = "Guides"
de = "Anleitungen"
"""


def toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, int | date):
        return str(value)
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def write_article(folder: Path, lang: str, body: str | None = None, **meta) -> Path:
    """Write one language file of a sample article; meta overrides the front matter."""
    front = {
        "id": 10,
        "slug": f"sample-{lang}",
        "title": f"Sample {lang}",
        "question": f"Question {lang}?",
        "category": "guides",
        "keywords": ["sample"],
        "state": "public",
        "updated": date(2026, 1, 5),
        **meta,
    }
    head = "\n".join(f"{key} = {toml_value(value)}" for key, value in front.items())
    text = f"+++\n{head}\n+++\n\n" + (body or f"Body in {lang}.\n\n1. First\n2. Second\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lang}.md"
    path.write_text(text, encoding="utf-8")
    return path


POSTGRES = os.environ.get("PORTAL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(f"{POSTGRES}/postgres", connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except (sa.exc.SQLAlchemyError, ImportError):  # no driver or no server: "not here"
        return False


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
