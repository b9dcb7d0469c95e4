"""A simulated connector for the sandbox's demo merchant. It uses the connector API as a real
one does: a key, an access token per connection, the (sandbox's) SP-API, and a report for each
run. When the simulation controls expire or revoke the token, its runs fail; after a renewal
they succeed again, and the pages show it.

    flask --app portal sandbox connector            # a run every minute (./run.sh starts it)
    flask --app portal sandbox connector --once
"""

import time
import uuid
from datetime import UTC, datetime

import click
import requests
from flask import current_app
from flask.cli import AppGroup

from ..accounts.services import find_user
from ..amazon.sandbox.demo import DEMO_EMAIL
from ..extensions import db
from ..models import utcnow
from . import keys
from .models import ConnectorKey, SyncKind

NAME = "Simulated connector"
sandbox = AppGroup("sandbox", help="The built-in Amazon sandbox.")


class SimulatedConnector:
    def __init__(self, base_url: str, key: str, timeout: float = 15) -> None:
        self.api = f"{base_url.rstrip('/')}/api/v1/connector"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {key}"
        self.timeout = timeout

    def run_once(self) -> list[dict]:
        """One synchronisation of every connection; the reports sent."""
        answer = self.http.get(f"{self.api}/connections", timeout=self.timeout)
        answer.raise_for_status()
        return [report for c in answer.json() for report in self.synchronise(c["id"])]

    def synchronise(self, connection_id: int) -> list[dict]:
        started = now()
        error = self.use_amazon(connection_id)
        reports = []
        for kind in SyncKind:
            report = {
                "run_id": f"sim-{kind}-{uuid.uuid4().hex[:12]}",
                "kind": kind.value,
                "status": "failed" if error else "ok",
                "started_at": started,
                "finished_at": now(),
                "items": 0 if error else 1,
            }
            if error:
                report["error"] = error
            url = f"{self.api}/connections/{connection_id}/sync-runs"
            self.http.post(url, json=report, timeout=self.timeout).raise_for_status()
            reports.append(report)
        return reports

    def use_amazon(self, connection_id: int) -> dict | None:
        """Get access and read the seller's marketplaces; the error, if any."""
        url = f"{self.api}/connections/{connection_id}/access-token"
        answer = self.http.post(url, timeout=self.timeout)
        if answer.status_code != 200:
            body = answer.json()
            return {"code": body["error"], "message": body["message"][:500]}
        grant = answer.json()
        sellers = requests.get(
            f"{grant['spapi_url']}/sellers/v1/marketplaceParticipations",
            headers={"x-amz-access-token": grant["access_token"]},
            timeout=self.timeout,
        )
        if sellers.status_code != 200:
            return {"code": f"HTTP{sellers.status_code}", "message": "SP-API refused the call"}
        return None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def fresh_key(user_id: int) -> str:
    """A new key for the simulation (a key is shown once); the previous ones are revoked."""
    query = db.select(ConnectorKey).where(
        ConnectorKey.user_id == user_id,
        ConnectorKey.name == NAME,
        ConnectorKey.revoked_at.is_(None),
    )
    for old in db.session.scalars(query).all():
        old.revoked_at = utcnow()
    return keys.create(user_id, NAME)[1]


@sandbox.command("connector")
@click.option("--every", default=60, show_default=True, help="Seconds between two runs.")
@click.option("--once", is_flag=True, help="One run, then stop.")
def connector(every: int, once: bool) -> None:
    """Run a simulated connector for the demo merchant against this portal (BASE_URL)."""
    if not current_app.config["AMAZON_SANDBOX"]:
        raise click.ClickException("the Amazon sandbox is off: there is nothing to simulate")
    user = find_user(DEMO_EMAIL)
    if user is None:
        raise click.ClickException("no demo merchant: run `flask --app portal demo` first")
    simulated = SimulatedConnector(current_app.config["BASE_URL"], fresh_key(user.id))
    db.session.remove()  # nothing of the database is held while the loop runs
    while True:
        try:
            sent = simulated.run_once()
            failed = sum(report["status"] == "failed" for report in sent)
            click.echo(f"{now()} reported {len(sent)} run(s), {failed} failed")
        except requests.RequestException as error:  # the portal is starting, or stopped
            click.echo(f"{now()} the portal did not answer: {type(error).__name__}", err=True)
        if once:
            return
        time.sleep(every)
