"""The password policy (ASVS level 2) and hashing: scrypt at the configured cost.

A hash made at another cost (an older default) is replaced at the user's next log-in.
"""

import gzip
import secrets
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
# The first 10,000 lines (the most frequent) of Django's django/contrib/auth/common-passwords.txt.gz
# (Royce Williams's list, lowercased); BSD licence, Copyright (c) Django Software Foundation.
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def problem(password: str) -> str | None:
    """Why a new password is refused, in the current language; None when it may be used."""
    if len(password) < MIN_LENGTH:
        return ngettext(
            "The password must have at least %(num)d character.",
            "The password must have at least %(num)d characters.",
            MIN_LENGTH,
        )
    if password.strip().lower() in common_passwords():
        return _("This password is one of the most common ones: please choose another.")
    return None


def method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method())


@cache
def reference_hash(method: str) -> str:
    """A hash of a random password at this cost: what an unknown address is checked against."""
    return generate_password_hash(secrets.token_urlsafe(), method)


def check(stored_hash: str | None, password: str) -> bool:
    """Check a password; without a stored hash (no such user) spend the same time and refuse."""
    if stored_hash is None:
        check_password_hash(reference_hash(method()), password)
        return False
    return check_password_hash(stored_hash, password)


def outdated(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters than the configured ones."""
    # Werkzeug writes the method in full ("scrypt" becomes "scrypt:32768:8:1") before the "$".
    return stored_hash.split("$", 1)[0] != reference_hash(method()).split("$", 1)[0]
