"""The connector's synchronisation runs: stored as reported, and what they say, per connection
and kind (stock and prices, orders), next to what the token allows."""

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import delete, select

from ..amazon.models import Connection
from ..amazon.state import TokenState, status_of
from ..extensions import db
from ..models import commit_unless_duplicate, utcnow
from .models import RunStatus, SyncKind, SyncRun, SyncSummary

KEPT_RUNS = 50  # per connection and kind; older ones are pruned
CLOCK_SKEW = timedelta(minutes=5)  # how far in the future a connector's clock may be

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class RunError(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[Text, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
    message: Annotated[Text, StringConstraints(max_length=500)]


class RunReport(BaseModel):
    """A synchronisation run as the connector reports it (POST .../sync-runs)."""

    model_config = ConfigDict(extra="forbid")
    run_id: Annotated[Text, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
    kind: SyncKind
    status: RunStatus
    started_at: datetime
    finished_at: datetime
    items: Annotated[int, Field(ge=0, le=10**9)] | None = None
    error: RunError | None = None

    @field_validator("started_at", "finished_at")
    @classmethod
    def in_utc(cls, moment: datetime) -> datetime:
        """A moment with its offset (2026-12-03T10:42:00Z), stored in UTC without one."""
        if moment.tzinfo is None:
            raise ValueError("needs a time zone offset, e.g. 2026-12-03T10:42:00Z")
        moment = moment.astimezone(UTC).replace(tzinfo=None)
        if moment > utcnow() + CLOCK_SKEW:
            raise ValueError("is in the future")
        return moment

    def problems(self) -> list[str]:
        """What the fields allow one by one but not together."""
        found = []
        if self.finished_at < self.started_at:
            found.append("finished_at: is before started_at")
        if self.status is RunStatus.FAILED and self.error is None:
            found.append("error: is required when status is failed")
        return found


class SyncState(enum.StrEnum):
    RUNNING = "running"  # a success within the expected interval
    FAILING = "failing"  # the last run failed
    STOPPED = "stopped"  # the token does not allow it (expired, withdrawn, deactivated)
    WAITING = "waiting"  # authorized or renewed, no run reported since
    LATE = "late"  # the last success is older than the expected interval
    UNKNOWN = "unknown"  # no connector ever reported


@dataclass(frozen=True)
class Sync:
    kind: SyncKind
    state: SyncState
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    since: datetime | None = None  # failing or stopped since
    error_code: str | None = None
    error_message: str | None = None


def record(connection: Connection, report: RunReport) -> tuple[SyncRun, bool]:
    """Store a reported run once (by run_id); True when it is new."""
    found = existing(connection.id, report.run_id)
    if found is not None:
        return found, False
    run = SyncRun(
        connection_id=connection.id,
        run_id=report.run_id,
        kind=report.kind,
        status=report.status,
        started_at=report.started_at,
        finished_at=report.finished_at,
        items=report.items,
        error_code=report.error.code if report.error else None,
        error_message=report.error.message if report.error else None,
    )
    db.session.add(run)
    summarize(connection.id, run)
    if not commit_unless_duplicate():  # the same report, sent twice at once
        return existing(connection.id, report.run_id), False
    prune(connection.id, report.kind)
    return run, True


def existing(connection_id: int, run_id: str) -> SyncRun | None:
    query = select(SyncRun).where(SyncRun.connection_id == connection_id, SyncRun.run_id == run_id)
    return db.session.scalars(query).first()


def summarize(connection_id: int, run: SyncRun) -> None:
    """Bring the kind's summary up to date with a run (reports may arrive out of order)."""
    summary = db.session.get(SyncSummary, (connection_id, run.kind))
    if summary is None:
        summary = SyncSummary(connection_id=connection_id, kind=run.kind)
        db.session.add(summary)
    if run.status is RunStatus.OK:
        summary.last_success_at = later(summary.last_success_at, run.finished_at)
    else:
        summary.last_failure_at = later(summary.last_failure_at, run.finished_at)
    if summary.last_run_at is None or run.finished_at >= summary.last_run_at:
        summary.last_run_at = run.finished_at
        summary.last_status = run.status
        if run.status is RunStatus.FAILED:
            summary.failing_since = summary.failing_since or run.finished_at
            summary.error_code, summary.error_message = run.error_code, run.error_message
        else:
            summary.failing_since = summary.error_code = summary.error_message = None


def later(first: datetime | None, second: datetime) -> datetime:
    return second if first is None or second > first else first


def prune(connection_id: int, kind: SyncKind) -> None:
    """Keep the newest KEPT_RUNS runs of a kind."""
    newest = (
        select(SyncRun.id)
        .where(SyncRun.connection_id == connection_id, SyncRun.kind == kind)
        .order_by(SyncRun.finished_at.desc(), SyncRun.id.desc())
        .limit(KEPT_RUNS)
    )
    db.session.execute(
        delete(SyncRun).where(
            SyncRun.connection_id == connection_id,
            SyncRun.kind == kind,
            SyncRun.id.not_in(newest.scalar_subquery()),
        )
    )
    db.session.commit()


def runs_of(connection_id: int) -> list[SyncRun]:
    """The runs kept for a connection, newest first (KEPT_RUNS of each kind at most)."""
    query = select(SyncRun).where(SyncRun.connection_id == connection_id)
    return list(db.session.scalars(query.order_by(SyncRun.finished_at.desc(), SyncRun.id.desc())))


def syncs_of(connection: Connection, now: datetime | None = None) -> list[Sync]:
    """Each kind's state, from its summary (read with the connection) and the token's state."""
    summaries = {summary.kind: summary for summary in connection.sync_summaries}
    return [sync_of(connection, summaries.get(kind), kind, now or utcnow()) for kind in SyncKind]


def sync_of(
    connection: Connection,
    summary: SyncSummary | None,
    kind: SyncKind,
    now: datetime | None = None,
) -> Sync:
    now = now or utcnow()
    last = {
        "last_success_at": summary.last_success_at if summary else None,
        "last_failure_at": summary.last_failure_at if summary else None,
    }
    token = status_of(connection, now)
    if not token.syncing:
        return Sync(kind, SyncState.STOPPED, since=stopped_at(connection, token.state), **last)
    if summary is None or summary.last_run_at is None:
        return Sync(kind, SyncState.UNKNOWN)
    if connection.authorized_at > summary.last_run_at:
        return Sync(kind, SyncState.WAITING, since=connection.authorized_at, **last)
    if summary.last_status is RunStatus.FAILED:
        return Sync(
            kind,
            SyncState.FAILING,
            since=summary.failing_since,
            error_code=summary.error_code,
            error_message=summary.error_message,
            **last,
        )
    expected = timedelta(minutes=current_app.config["CONNECTOR_SYNC_EXPECTED_MINUTES"])
    if now - summary.last_success_at <= expected:
        return Sync(kind, SyncState.RUNNING, **last)
    return Sync(kind, SyncState.LATE, since=summary.last_success_at, **last)


def stopped_at(connection: Connection, token: TokenState) -> datetime | None:
    return {
        TokenState.REVOKED: connection.revoked_at,
        TokenState.EXPIRED: connection.expires_at,
        TokenState.DEACTIVATED: connection.deactivated_at,
    }.get(token)


def as_json(sync: Sync) -> dict:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat(timespec="seconds") + "Z" if moment else None

    error = {"code": sync.error_code, "message": sync.error_message} if sync.error_code else None
    return {
        "state": sync.state.value,
        "last_success_at": iso(sync.last_success_at),
        "last_failure_at": iso(sync.last_failure_at),
        "stopped_since": iso(sync.since) if sync.state is SyncState.STOPPED else None,
        "failing_since": iso(sync.since) if sync.state is SyncState.FAILING else None,
        "error": error,
    }


def summary_of(connection_id: int, kind: SyncKind) -> SyncSummary | None:
    return db.session.get(SyncSummary, (connection_id, kind), populate_existing=True)
