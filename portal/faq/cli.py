"""`flask faq index`: read every article and build the search index, at each release."""

import time

import click
from flask.cli import AppGroup

from .. import faq as articles

faq = AppGroup("faq", help="The articles in faq/.")


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
