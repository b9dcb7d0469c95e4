"""What merchants read of the synchronisation, in their language."""

from flask_babel import lazy_gettext as _l

from .models import RunStatus, SyncKind
from .sync import SyncState

KINDS = {
    SyncKind.STOCK_AND_PRICES: _l("Stock and price updates"),
    SyncKind.ORDERS: _l("Order import"),
}
RUN_STATUSES = {RunStatus.OK: _l("Succeeded"), RunStatus.FAILED: _l("Failed")}
STATES = {
    SyncState.RUNNING: _l("Running"),
    SyncState.FAILING: _l("Failing"),
    SyncState.STOPPED: _l("Stopped"),
    SyncState.WAITING: _l("Waiting for the connector"),
    SyncState.LATE: _l("No recent run"),
    SyncState.UNKNOWN: _l("No report yet"),
}
