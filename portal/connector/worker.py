"""Who sends the webhooks, right after the change that queued them:

- with PORTAL_REDIS_URL, an RQ worker (`flask --app portal worker`): a job is queued after the
  commit, and each pass queues the next one for the earliest retry;
- in the development server, a thread after the commit;
- otherwise (and as a safety net) `flask --app portal webhooks deliver` from cron.
"""

import threading
from datetime import UTC

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..extensions import db
from .models import WebhookDelivery
from .webhooks import QUEUED, deliver_due


@event.listens_for(Session, "after_commit")
def after_commit(session: Session) -> None:
    if session.info.pop(QUEUED, False):
        dispatch(current_app._get_current_object())


@event.listens_for(Session, "after_rollback")
def after_rollback(session: Session) -> None:
    session.info.pop(QUEUED, None)  # what was queued is gone with the transaction


def dispatch(app: Flask) -> None:
    if app.config["REDIS_URL"]:
        try:
            queue(app).enqueue(deliver_job)
        except Exception:  # noqa: BLE001 (Redis down: the cron pass or the next job sends it)
            app.logger.warning("webhook delivery could not be queued in Redis")
    elif app.config["CONNECTOR_WEBHOOKS_DELIVER_AT_ONCE"]:
        threading.Thread(target=deliver_in, args=(app,), daemon=True).start()


def deliver_in(app: Flask) -> None:
    with app.app_context():
        deliver_due()


def queue(app: Flask):
    from redis import Redis  # installed with the production extra, where PORTAL_REDIS_URL is set
    from rq import Queue

    redis = Redis.from_url(app.config["REDIS_URL"])
    return Queue(app.config["CONNECTOR_WEBHOOKS_QUEUE"], connection=redis)


def deliver_job() -> None:
    """An RQ job, run inside the worker's app context: one pass, then the next retry's job."""
    deliver_due()
    pending = select(func.min(WebhookDelivery.next_attempt_at)).where(
        WebhookDelivery.delivered_at.is_(None), WebhookDelivery.gave_up_at.is_(None)
    )
    earliest = db.session.scalar(pending)
    db.session.remove()
    if earliest is not None:
        app = current_app._get_current_object()
        queue(app).enqueue_at(earliest.replace(tzinfo=UTC), deliver_job)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests).")
@with_appcontext
def worker(burst: bool) -> None:
    """Send the connectors' webhooks as RQ jobs (needs PORTAL_REDIS_URL)."""
    from rq import SimpleWorker  # no fork: the app and its database pool stay in one process

    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        raise click.ClickException("PORTAL_REDIS_URL is not set: use `flask webhooks deliver`")
    jobs = queue(app)
    jobs.enqueue(deliver_job)  # what became due while no worker ran
    SimpleWorker([jobs], connection=jobs.connection).work(burst=burst, with_scheduler=not burst)
