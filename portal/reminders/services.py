"""Finding due reminders, claiming each one once, and sending it in the merchant's language."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from .. import hooks
from ..accounts.models import User
from ..amazon.models import Connection
from ..amazon.state import status_of
from ..extensions import db
from ..models import flush_unless_duplicate, utcnow
from .mail import Mailer
from .models import Reminder, ReminderStatus
from .schedule import ReminderKind, due_kind

# A claim older than this belongs to a run that died; another run may take it over.
STALE_CLAIM = timedelta(minutes=15)


@dataclass(frozen=True)
class Due:
    connection: Connection
    user: User
    kind: ReminderKind


def due_reminders(as_of: datetime) -> Iterator[Due]:
    """Every reminder due at as_of, for tokens the merchant has not switched off or lost."""
    rows = db.session.execute(
        db.select(Connection, User)
        .join(User, User.id == Connection.user_id)
        .where(Connection.revoked_at.is_(None), Connection.deactivated_at.is_(None))
        .order_by(Connection.id)
    )
    for connection, user in rows:
        kind = due_kind(connection.expires_at, as_of)
        if kind:
            yield Due(connection, user, kind)


def claim(due: Due, now: datetime) -> Reminder | None:
    """Take the reminder for this run, or None when another run sent or is sending it."""
    reminder = Reminder(
        connection_id=due.connection.id,
        expires_at=due.connection.expires_at,
        kind=due.kind,
        status=ReminderStatus.SENDING,
        claimed_at=now,
    )
    db.session.add(reminder)
    if flush_unless_duplicate():  # the unique key lets one run in
        for hook in hooks.get(hooks.TOKEN_REMINDER):  # committed with the claim
            hook(due.connection, due.kind.value)
        db.session.commit()
        return reminder
    # It exists: take it over only if it failed, or if its run died while sending it.
    this_one = (
        Reminder.connection_id == due.connection.id,
        Reminder.expires_at == due.connection.expires_at,
        Reminder.kind == due.kind,
    )
    taken = db.session.execute(
        db.update(Reminder)
        .where(
            *this_one,
            (Reminder.status == ReminderStatus.FAILED)
            | (
                (Reminder.status == ReminderStatus.SENDING)
                & (Reminder.claimed_at < now - STALE_CLAIM)
            ),
        )
        .values(status=ReminderStatus.SENDING, claimed_at=now)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return db.session.execute(db.select(Reminder).where(*this_one)).scalar_one()


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # sent or being sent by another run


def send_due(as_of: datetime | None = None, dry_run: bool = False, echo=print) -> RunReport:
    """Send every due reminder once; failures stay failed and are retried by the next run."""
    now = utcnow()
    as_of = as_of or now
    report = RunReport()
    with Mailer() as mailer:
        for due in list(due_reminders(as_of)):
            if dry_run:
                echo(f"would send {due.kind} to {due.user.email} (connection {due.connection.id})")
                continue
            reminder = claim(due, now)
            if reminder is None:
                report.skipped += 1
                continue
            reminder.attempts += 1
            try:
                mailer.send(compose(due, as_of))
            except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
                reminder.status, reminder.last_error = (
                    ReminderStatus.FAILED,
                    f"{type(error).__name__}: {error}"[:255],
                )
                report.failed += 1
                echo(f"failed {due.kind} to {due.user.email}: {error}")
            else:
                reminder.status, reminder.sent_at = ReminderStatus.SENT, utcnow()
                reminder.last_error = None
                report.sent += 1
                echo(f"sent {due.kind} to {due.user.email}")
            db.session.commit()
    return report


def links(user: User) -> dict[str, str]:
    """Absolute links for the mail: the article's renewal steps and the self-service page.

    Built in compose()'s request context, whose address is BASE_URL.
    """
    article = url_for("faq_root.short_link", article_id=current_app.config["TOKEN_ARTICLE_ID"],
                      lang=user.language, _external=True)  # fmt: skip
    return {
        "article": f"{article}#steps",
        "account": url_for("amazon_pages.account", lang=user.language, _external=True),
    }


def compose(due: Due, as_of: datetime) -> EmailMessage:
    """The reminder in the merchant's language and time zone, with an .ics for the expiry."""
    config = current_app.config
    connection, user = due.connection, due.user
    with force_locale(user.language), current_app.test_request_context(base_url=config["BASE_URL"]):
        days_left = status_of(connection, as_of).days_left or 0
        expiry = local_expiry(connection, user)
        if due.kind is ReminderKind.EXPIRED:
            subject = _("Your Amazon token has expired: synchronization has stopped")
        else:
            subject = ngettext(
                "Your Amazon token expires in %(num)d day",
                "Your Amazon token expires in %(num)d days",
                days_left,
            )
        context = {
            "connection": connection,
            "expired": due.kind is ReminderKind.EXPIRED,
            "days_left": days_left,
            "expiry": format_date(expiry, "long", locale=user.language),
            "links": links(user),
            "lang": user.language,
            "subject": subject,
        }
        text = render_template("reminders/email.txt", **context)
        html = render_template("reminders/email.html", **context)
        calendar = ics(connection, expiry, context["links"]["account"])
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_SENDER"]
    message["To"] = user.email
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="portal")
    message["Content-Language"] = user.language
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message.add_attachment(
        calendar, maintype="text", subtype="calendar", filename="amazon-token.ics",
        params={"method": "PUBLISH"},
    )  # fmt: skip
    return message


def local_expiry(connection: Connection, user: User) -> date:
    """The expiry day as the merchant's calendar shows it."""
    return connection.expires_at.replace(tzinfo=UTC).astimezone(ZoneInfo(user.timezone)).date()


def ics(connection: Connection, day: date, account_url: str) -> bytes:
    """A calendar entry on the expiry day, with an alarm a week before."""
    event = Event()
    event.add("uid", f"amazon-token-{connection.id}-{connection.expires_at:%Y%m%d}@portal")
    event.add("dtstamp", utcnow().replace(tzinfo=UTC))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add(
        "summary", _("Amazon token expires (%(seller)s)", seller=connection.selling_partner_id)
    )
    event.add("description", _("Renew it here: %(url)s", url=account_url))
    event.add("url", account_url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Your Amazon token expires in a week"))
    alarm.add("trigger", timedelta(days=-7))
    event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", "-//Portal//Amazon token reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()
