"""Set-up: configuration from the environment, migrations, complete catalogs."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.cli import catalog_problems
from portal.extensions import db
from portal.i18n import LANGUAGES
from tests.helpers import POSTGRES, need, postgres_available


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_PRODUCT_NAME", "ShopSync")
    monkeypatch.setenv("PORTAL_DEFAULT_LOCALE", "de")
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert client.get("/").headers["Location"] == "/de/"
    html = client.get("/de/faq/2763-amazon-token-erstellen-oder-erneuern").get_data(as_text=True)
    assert "ShopSync" in html and "magnalister" not in html


def test_unknown_default_locale_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_DEFAULT_LOCALE", "xx")
    with pytest.raises(RuntimeError, match="PORTAL_DEFAULT_LOCALE"):
        create_app({"TESTING": True})


def test_migrations_create_the_models_tables(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"})
    with app.app_context():
        upgrade()
        tables = set(db.inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete(app, lang):
    with app.app_context():
        assert catalog_problems(lang) == []


def test_translate_check_command(runner):
    result = runner.invoke(args=["translate", "check"])
    assert result.exit_code == 0, result.output
    assert "10 catalogs complete" in result.output


def test_compiled_catalogs_are_not_committed():
    root = Path(__file__).resolve().parent.parent
    ignored = (root / ".gitignore").read_text()
    assert "*.mo" in ignored


@pytest.mark.postgres
def test_migrations_on_postgresql():
    need(postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("DROP DATABASE IF EXISTS portal_migrations"))
        connection.execute(sa.text("CREATE DATABASE portal_migrations"))
    try:
        app = create_app({"TESTING": True, "DATABASE_URL": f"{POSTGRES}/portal_migrations"})
        with app.app_context():
            upgrade()
            tables = set(db.inspect(db.engine).get_table_names())
            db.engine.dispose()
        assert set(db.metadata.tables) <= tables
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS portal_migrations"))
        admin.dispose()
