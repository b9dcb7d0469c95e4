"""Fixtures in the shape of flaskr's tests/conftest.py, plus a live server for the browser."""

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


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


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


@pytest.fixture
def sample_faq(tmp_path):
    """A small FAQ: a fully translated article, a partly translated and outdated one, an internal one."""
    faq_dir = tmp_path / "faq"
    faq_dir.mkdir()
    (faq_dir / "categories.toml").write_text(SAMPLE_CATEGORIES, encoding="utf-8")
    write_article(faq_dir / "10-sample", "fr", revision=3)
    write_article(faq_dir / "10-sample", "en", source_revision=3)
    write_article(faq_dir / "10-sample", "de", source_revision=2)  # made from an older text
    write_article(faq_dir / "11-secret", "fr", id=11, slug="secret", title="Secret", revision=1,
                  state="internal")  # fmt: skip
    return faq_dir


@pytest.fixture
def build_app(tmp_path):
    """Create an app on a given FAQ folder (the caller expects it to start or to fail)."""
    return lambda faq_dir, reset=True: make_app(tmp_path, reset, FAQ_DIR=str(faq_dir))


@pytest.fixture
def article_file():
    return write_article


@pytest.fixture
def sample_app(tmp_path, sample_faq):
    app = make_app(tmp_path, FAQ_DIR=str(sample_faq))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def postgres_available() -> bool:
    url = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # any driver or connection error means "not here"
        return False


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
