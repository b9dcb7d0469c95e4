"""An overview of the merchant's tokens (states, the most urgent one, progress in the renewal
steps), as shown inside the article and on the self-service page."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import get_timezone

from .. import faq, hooks
from ..faq.render import Step
from . import connections
from .models import Connection
from .state import Progress, Status, most_urgent, progress


@dataclass(frozen=True)
class TokenOverview:
    connections: list[tuple[Connection, Status]]
    urgent: Status  # the state that matters most across the merchant's connections
    progress: Progress
    steps: tuple[Step, ...]


def token_article_steps(lang: str) -> tuple[Step, ...]:
    page = faq.get_article(current_app.config["TOKEN_ARTICLE_ID"], lang)
    return page.rendered.steps if page else ()


def token_overview(user_id: int, lang: str) -> TokenOverview:
    pairs = connections.with_status(user_id)
    statuses = [status for _, status in pairs]
    return TokenOverview(
        pairs, most_urgent(statuses), progress(statuses), token_article_steps(lang)
    )


def card_key(connection: Connection, status: Status) -> tuple:
    """All that a connection's card shows, to keep the rendered card while none of it changes."""
    return (
        connection.id,
        connection.marketplace,
        connection.selling_partner_id,
        connection.region,
        connection.authorized_at,
        connection.expires_at,
        connection.last_check_at,
        connection.last_check_result,
        connection.last_event_id,
        status,
        str(get_timezone()),
        hooks.parts_key(hooks.parts(hooks.CONNECTION_FACTS, connection, True)),
    )
