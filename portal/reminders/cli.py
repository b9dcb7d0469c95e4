"""`flask reminders send [--as-of DATE] [--dry-run]`, meant to run from cron (hourly is fine)."""

from datetime import datetime, time

import click
from flask.cli import AppGroup

from .services import send_due

reminders = AppGroup("reminders", help="Remind merchants before their Amazon token expires.")


def parse_moment(value: str | None) -> datetime | None:
    """An ISO date (noon UTC that day) or date-time (UTC)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from error
    if len(value) == 10:
        moment = datetime.combine(moment.date(), time(12))
    return moment.replace(tzinfo=None)


@reminders.command("send")
@click.option("--as-of", "as_of", help="Pretend it is this date (YYYY-MM-DD) or time (UTC).")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send and record nothing.")
def send(as_of: str | None, dry_run: bool) -> None:
    """Send the reminders that are due, each exactly once."""
    report = send_due(parse_moment(as_of), dry_run, echo=click.echo)
    if not dry_run:
        click.echo(f"{report.sent} sent, {report.failed} failed, {report.skipped} already handled")
    if report.failed:
        raise SystemExit(1)
