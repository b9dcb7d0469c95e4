"""What the connector gets as JSON: a connection and a run, alike in the API's answers and in
the webhooks' payloads."""

from ..amazon import connections
from ..amazon.models import Connection
from .models import SyncRun


def connection_json(connection: Connection) -> dict:
    return {
        "id": connection.id,
        "selling_partner_id": connection.selling_partner_id,
        "marketplace": connection.marketplace,
        "region": connection.region,
        "state": connections.status(connection).state.value,
        "expires_at": connections.iso(connection.expires_at),
    }


def run_json(run: SyncRun) -> dict:
    error = {"code": run.error_code, "message": run.error_message} if run.error_code else None
    return {
        "run_id": run.run_id,
        "kind": run.kind.value,
        "status": run.status.value,
        "started_at": connections.iso(run.started_at),
        "finished_at": connections.iso(run.finished_at),
        "items": run.items,
        "error": error,
    }
