"""A logged-in session's life: a fresh one at log-in, its user's version, idle and total time.

The session is Flask's signed cookie, so the server cannot delete a copy of it. Each session
carries instead the user's session version, which log-out, a password change and "log out
everywhere" raise, and the times it began and was last used.
"""

import time

from flask import current_app, flash, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from .models import User

VERSION = "_version"
STARTED = "_started"
SEEN = "_seen"
SEEN_EVERY = 60  # seconds: the last visit is written once a minute, not with every response

clock = time.time  # the tests move it forward


def start(user: User) -> None:
    """Log in with a new session: nothing of the one before (OAuth states, CSRF token) is kept."""
    session.clear()
    login_user(user)
    now = int(clock())
    session.update({VERSION: user.session_version, STARTED: now, SEEN: now})


def end() -> None:
    """Log out of this session; the caller raises the user's version so that copies end too."""
    logout_user()
    session.clear()


def keep(user: User) -> None:
    """Let this session go on after its user's version was raised here (a password change)."""
    session[VERSION] = user.session_version


def check(user: User | None) -> User | None:
    """The session's user while the session is valid; else the session ends, with a message."""
    if user is None:
        session.clear()
        return None
    now = clock()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    lifetime = current_app.config["SESSION_LIFETIME_DAYS"] * 86400
    if session.get(VERSION) != user.session_version or now - session.get(STARTED, 0) > lifetime:
        message = _("Your session has ended. Please log in again.")
    elif now - session.get(SEEN, 0) > idle:
        message = _("You have been logged out after a while without activity. Please log in again.")
    else:
        if now - session[SEEN] >= min(SEEN_EVERY, idle / 4):
            session[SEEN] = int(now)
        return user
    # Called while Flask-Login loads the user: clearing is all logout_user() would do here.
    session.clear()
    flash(message, "session-ended")
    return None
