"""`flask translate ...`: keep the gettext catalogs of the ten languages in step with the code."""

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.catalog import TranslationError
from babel.messages.checkers import checkers
from babel.messages.pofile import read_po
from flask import Flask
from flask.cli import AppGroup

from .accounts.cli import users
from .amazon.cli import tokens
from .amazon.sandbox.demo import demo
from .faq.cli import faq
from .i18n import LANGUAGES
from .reminders.cli import reminders

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = ROOT / "messages.pot"

translate = AppGroup("translate", help="Extract, update, check and compile UI translations.")


def pybabel(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", *args], check=True, cwd=ROOT
    )


@translate.command()
def update() -> None:
    """Extract the UI text and merge it into every language's catalog."""
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "-o",
        str(POT),
        ".",
    )
    for code in LANGUAGES:
        catalog = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
        if catalog.exists():
            pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", code,
                    "--no-fuzzy-matching", "--ignore-obsolete")  # fmt: skip
        else:
            pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", code)
    POT.unlink()


@translate.command()
def compile() -> None:  # noqa: A001 (the command's name)
    """Compile the catalogs into .mo files."""
    pybabel("compile", "-d", str(TRANSLATIONS))


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
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
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
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(reminders)
    app.cli.add_command(tokens)
    app.cli.add_command(faq)
