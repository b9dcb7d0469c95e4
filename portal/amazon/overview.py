"""An overview of the merchant's tokens (states, the most urgent one, progress in the renewal
steps), as shown inside the article and on the self-service page."""

from dataclasses import dataclass

from flask import current_app

from .. import faq
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
