"""Sending e-mail: SMTP when PORTAL_MAIL_SERVER is set, else printed to the console."""

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app


class Mailer:
    """One SMTP session for a whole run of reminders (or the console when there is no server)."""

    def __init__(self) -> None:
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass

    def connect(self) -> smtplib.SMTP:
        config = self.config
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        )
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        if not self.config["MAIL_SERVER"]:
            # The embedded default: show the mail instead of sending it.
            sys.stdout.write(f"{message.as_string()}\n{'-' * 72}\n")
            return
        if self.smtp is None:
            self.smtp = self.connect()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.smtp = self.connect()  # the server hung up between two mails: once more
            self.smtp.send_message(message)
