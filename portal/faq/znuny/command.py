"""`flask faq import-znuny`: move a whole Znuny FAQ into faq/, as often as needed."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .labels import DEFAULT_FIELDS, FIELD_LABELS_HELP, Field, parse_field_labels


def labels_option(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return DEFAULT_FIELDS
    try:
        return parse_field_labels(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def progressbar(iterable, length: int, label: str):
    """On the error stream: the summary on standard output stays readable by scripts."""
    return click.progressbar(iterable, length=length, label=label, file=sys.stderr)


@click.command("import-znuny")
@click.option(
    "--database",
    metavar="URL",
    help="SQLAlchemy URL of Znuny's database, read-only: "
    "mysql+pymysql://user:password@host/znuny, postgresql+psycopg://user@host/znuny.",
)
@click.option(
    "--webservice",
    metavar="URL",
    help="The GenericFAQConnectorREST web service, e.g. "
    "https://host/otrs/nph-genericinterface.pl/Webservice/GenericFAQConnectorREST "
    "(public, approved items only).",
)
@click.option(
    "--faq-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The FAQ folder to write into (default: the portal's FAQ_DIR).",
)
@click.option("--field-labels", metavar="SPEC", callback=labels_option, help=FIELD_LABELS_HELP)
@click.option(
    "--include-unapproved",
    is_flag=True,
    help="Import unapproved and invalid items too, as internal articles.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
@with_appcontext
def import_znuny(
    database: str | None,
    webservice: str | None,
    faq_dir: Path | None,
    field_labels: tuple[Field, ...],
    include_unapproved: bool,
    dry_run: bool,
) -> None:
    """Import a Znuny (OTRS) FAQ into faq/: each item becomes faq/<ItemID>-<slug>/<lang>.md.

    Items linked to each other in different languages become one article with translations.
    Run it again to bring in what changed in Znuny: files edited here since are never
    overwritten (reported as conflicts). faq/znuny-import.toml remembers what was written.
    """
    # Imported here: markdownify, SQLAlchemy's dialects and requests are for this command only,
    # not for every start of the portal.
    from .importer import Options, run
    from .items import SourceError

    if (database is None) == (webservice is None):
        raise click.UsageError("give either --database URL or --webservice URL")
    options = Options(
        faq_dir=faq_dir or Path(current_app.config["FAQ_DIR"]),
        fields=field_labels,
        include_unapproved=include_unapproved,
        dry_run=dry_run,
    )
    try:
        summary = run(open_source(database, webservice), options, progressbar)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in summary.lines(dry_run):
        click.echo(line)


def open_source(database: str | None, webservice: str | None):
    if database is not None:
        from .database import DatabaseSource

        return DatabaseSource(database)
    from .webservice import WebServiceSource

    return WebServiceSource(webservice)
