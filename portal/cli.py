"""`flask translate ...`: keep the gettext catalogs of the ten languages in step with the code.

Each feature has its own command group (`users`, `demo`, `reminders`, `tokens`, `faq`);
create_app registers them all."""

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.catalog import TranslationError
from babel.messages.checkers import checkers
from babel.messages.pofile import read_po
from flask import Flask, current_app
from flask.cli import AppGroup

from .i18n import LANGUAGES

translate = AppGroup("translate", help="Extract, update, check and compile UI translations.")


def source_root() -> Path:
    """Where babel.cfg is: the folder that holds the portal package."""
    return Path(current_app.root_path).parent


def catalogs() -> Path:
    return Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])


def pybabel(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", *args],
        check=True,
        cwd=source_root(),
    )


@translate.command()
def update() -> None:
    """Extract the UI text and merge it into every language's catalog."""
    pot = source_root() / "messages.pot"
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "-o",
        str(pot),
        ".",
    )
    for code in LANGUAGES:
        catalog = catalogs() / code / "LC_MESSAGES" / "messages.po"
        if catalog.exists():
            pybabel("update", "-i", str(pot), "-d", str(catalogs()), "-l", code,
                    "--no-fuzzy-matching", "--ignore-obsolete")  # fmt: skip
        else:
            pybabel("init", "-i", str(pot), "-d", str(catalogs()), "-l", code)
    pot.unlink()


@translate.command()
def compile() -> None:  # noqa: A001 (the command's name)
    """Compile the catalogs into .mo files."""
    pybabel("compile", "-d", str(catalogs()))


@translate.command()
def check() -> None:
    """Fail when a catalog has an empty, fuzzy or broken entry."""
    found = [problem for code in LANGUAGES for problem in catalog_problems(code)]
    for line in found:
        click.echo(line, err=True)
    if found:
        raise click.ClickException(f"{len(found)} translation problem(s)")
    click.echo(f"{len(LANGUAGES)} catalogs complete")


def catalog_problems(code: str) -> list[str]:
    """What keeps one language's catalog from being complete."""
    path = catalogs() / code / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return [f"{path}: missing catalog"]
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"{path}: {msgid!r} is fuzzy")
        elif not all(strings):
            found.append(f"{path}: {msgid!r} is not translated")
        for checker in checkers:
            try:
                checker(catalog, message)
            except TranslationError as exc:
                found.append(f"{path}: {msgid!r}: {exc}")
    return found


def register(app: Flask) -> None:
    app.cli.add_command(translate)
