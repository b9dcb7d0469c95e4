"""Reminders against a real SMTP server on loopback: schedule, language, .ics, once, retries."""

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from portal.amazon.sandbox import sellers
from portal.amazon.sandbox.demo import simulated_connection
from portal.extensions import db
from portal.reminders.models import Reminder
from portal.reminders.services import send_due
from tests.helpers import ROOT, add_user, free_port


class Inbox:
    """An SMTP peer that keeps what it receives, and can refuse the next mails."""

    def __init__(self) -> None:
        self.messages = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(build_app, inbox):
    return build_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        MAIL_SENDER="Support <support@example.com>",
        BASE_URL="https://help.example.com",
    )


def merchant_with_token(app, language: str, days_left: int, email: str | None = None) -> int:
    user_id = add_user(app, email or f"{language}@example.com", language=language)
    with app.app_context():
        seller = sellers.new_seller(f"Shop {user_id}", "EU")
        return simulated_connection(user_id, seller, "DE", days_left).id


def run(app, as_of: datetime | None = None, **kwargs):
    with app.app_context():
        return send_due(as_of, echo=lambda *_: None, **kwargs)


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def calendar(message) -> str:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return (
        part.get_content() if isinstance(part.get_content(), str) else part.get_content().decode()
    )


def test_schedule_over_a_simulated_year(mail_app, inbox):
    from portal.amazon.models import Connection

    connection_id = merchant_with_token(mail_app, "de", 365)
    with mail_app.app_context():
        expires = db.session.get(Connection, connection_id).expires_at
    start = datetime.now().replace(minute=0, second=0, microsecond=0)
    sent = {}
    for hours in range(
        0, 24 * 375, 6
    ):  # every six hours for a year and more (hourly in production)
        moment = start + timedelta(hours=hours)
        before = len(inbox.messages)
        run(mail_app, moment)
        if len(inbox.messages) > before:
            sent[moment] = inbox.messages[-1]["Subject"]
    moments = sorted(sent)
    # 30, 23, 16, 9 and 2 days before the expiry, then once it has expired
    assert [(expires - moment).days for moment in moments[:-1]] == [30, 23, 16, 9, 2]
    assert timedelta(0) <= moments[-1] - expires < timedelta(hours=6)
    assert sent[moments[0]] == "Ihr Amazon-Token läuft in 30 Tagen ab"
    assert "abgelaufen" in sent[moments[-1]]


@pytest.mark.parametrize(("language", "subject", "stops"), [
    ("fr", "expire dans 9 jours", "commandes"),
    ("de", "läuft in 9 Tagen ab", "Bestellungen"),
    ("ja", "9日", "注文"),
    ("ar", "9", "الطلبات"),
])  # fmt: skip
def test_reminder_is_in_the_merchants_language(mail_app, inbox, language, subject, stops):
    connection_id = merchant_with_token(mail_app, language, 9)
    run(mail_app)
    (message,) = inbox.messages
    assert subject in message["Subject"]
    text = body(message)
    assert stops in text
    assert f"https://help.example.com/{language}/account/amazon" in text
    assert f"https://help.example.com/faq/2763?lang={language}#steps" in text
    assert (
        message["To"] == f"{language}@example.com"
        and message["From"] == "Support <support@example.com>"
    )
    assert message.get_body(("html",)).get_content().startswith("<!doctype html>")
    ics = calendar(message)
    with mail_app.app_context():
        from portal.amazon.models import Connection

        expires = db.session.get(Connection, connection_id).expires_at
    assert "BEGIN:VEVENT" in ics and "DTSTART;VALUE=DATE:" in ics
    assert (expires.date().strftime("%Y%m%d") in ics) or (
        (expires + timedelta(days=1)).strftime("%Y%m%d") in ics
    )
    assert "TRIGGER:-P7D" in ics


def test_nothing_is_sent_twice(mail_app, inbox):
    merchant_with_token(mail_app, "fr", 23)
    run(mail_app)
    run(mail_app)
    assert len(inbox.messages) == 1


def test_two_concurrent_runs_send_each_reminder_once(mail_app, inbox):
    for number in range(6):
        merchant_with_token(mail_app, "fr", 16, email=f"m{number}@example.com")
    barrier = threading.Barrier(2)
    errors = []

    def one_run():
        try:
            with mail_app.app_context():
                barrier.wait()
                send_due(echo=lambda *_: None)
        except Exception as error:  # reported below, with the other run's result
            errors.append(error)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m["To"] for m in inbox.messages) == [f"m{n}@example.com" for n in range(6)]


def test_two_cron_processes_at_once(mail_app, inbox, tmp_path):
    for number in range(4):
        merchant_with_token(mail_app, "en", 2, email=f"p{number}@example.com")
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_DATABASE_URL": mail_app.config["DATABASE_URL"],
        "PORTAL_SECRET_KEY": "test-secret",
        "PORTAL_MAIL_SERVER": "127.0.0.1",
        "PORTAL_MAIL_PORT": str(inbox.port),
    }
    command = [sys.executable, "-m", "flask", "--app", "portal", "reminders", "send"]
    runs = [
        subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60)[0].decode() for process in runs]
    assert all(process.returncode == 0 for process in runs), outputs
    assert len(inbox.messages) == 4


def test_a_failed_send_is_retried_by_the_next_run(mail_app, inbox):
    merchant_with_token(mail_app, "it", 30)
    inbox.refuse = 1
    first = run(mail_app)
    assert (first.sent, first.failed) == (0, 1) and inbox.messages == []
    second = run(mail_app)
    assert second.sent == 1 and len(inbox.messages) == 1
    with mail_app.app_context():
        reminder = db.session.execute(db.select(Reminder)).scalar_one()
        assert (reminder.status, reminder.attempts, reminder.kind) == ("sent", 2, "30")


def test_an_unreachable_server_loses_nothing(build_app, inbox):
    app = build_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    merchant_with_token(app, "nl", 9)
    assert run(app).failed == 1
    with app.app_context():
        assert db.session.execute(db.select(Reminder.status)).scalar_one() == "failed"


def test_dry_run_sends_and_records_nothing(mail_app, inbox):
    merchant_with_token(mail_app, "sv", 2)
    lines = []
    with mail_app.app_context():
        send_due(dry_run=True, echo=lines.append)
        assert db.session.execute(db.select(db.func.count(Reminder.id))).scalar() == 0
    assert inbox.messages == [] and lines == ["would send 2 to sv@example.com (connection 1)"]


def test_switched_off_and_withdrawn_tokens_get_no_reminder(mail_app, inbox):
    from portal.amazon.models import Connection
    from portal.models import utcnow

    first = merchant_with_token(mail_app, "fr", 9, email="a@example.com")
    second = merchant_with_token(mail_app, "fr", 9, email="b@example.com")
    with mail_app.app_context():
        db.session.get(Connection, first).deactivated_at = utcnow()
        db.session.get(Connection, second).revoked_at = utcnow()
        db.session.commit()
    run(mail_app)
    assert inbox.messages == []


def test_cli(mail_app, inbox):
    merchant_with_token(mail_app, "pl", 300)
    runner = mail_app.test_cli_runner()
    soon = (datetime.now() + timedelta(days=280)).date().isoformat()
    result = runner.invoke(args=["reminders", "send", "--as-of", soon, "--dry-run"])
    assert "would send 23 to pl@example.com" in result.output
    result = runner.invoke(args=["reminders", "send", "--as-of", soon])
    assert result.exit_code == 0 and "1 sent" in result.output and len(inbox.messages) == 1
    assert runner.invoke(args=["reminders", "send", "--as-of", "yesterday"]).exit_code != 0
