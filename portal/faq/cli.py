"""`flask faq index`: read every article and build the search index, at each release."""

import time

import click
from flask.cli import AppGroup

from .. import faq as articles
from .revisions import record_or_warn
from .znuny.command import import_znuny

faq = AppGroup("faq", help="The articles in faq/.")
faq.add_command(import_znuny)


@faq.command()
def index() -> None:
    """Build the search index now rather than on the first search after a release."""
    started = time.perf_counter()
    library = articles.library()
    library.index  # noqa: B018 (built, or opened when it is up to date)
    click.echo(
        f"Search index ready in {time.perf_counter() - started:.1f} s"
        f" (articles: {len(library.articles)}, translations: {library.translation_count})"
    )
    # After `flask db upgrade`: a portal started before it could not keep the sources' texts.
    added = record_or_warn(library)
    if added is None:
        click.echo("Source revisions not kept: see the warning above.", err=True)
    else:
        click.echo(f"New source revisions kept: {added}")
