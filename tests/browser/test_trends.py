"""Support's trend charts in Chromium: accessible, and drawn right to left in Arabic."""

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.faq.models import ArticleView, SearchMiss, Vote
from portal.models import utcnow
from tests.browser.test_renewal import log_in
from tests.helpers import add_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def recent_weeks(live_server):
    """Views, votes and fruitless searches in Arabic in some of the last weeks (once a run:
    the server's tables are shared)."""
    now = utcnow()
    with live_server.app.app_context():
        for weeks_ago in (1, 2, 4, 6):  # none today: readers of the other tests count today
            when = now - timedelta(weeks=weeks_ago)
            db.session.add_all([
                ArticleView(article_id=2763, lang="ar", day=when.date(), count=10 + weeks_ago),
                Vote(article_id=2763, lang="ar", revision=1, voter=f"trends-{weeks_ago}",
                     helpful=weeks_ago != 2, created_at=when),
                SearchMiss(lang="ar", query="trends", created_at=when),
            ])  # fmt: skip
        db.session.commit()


@pytest.fixture
def dashboard(page, live_server, recent_weeks):
    """A support agent, logged in."""
    suffix = uuid.uuid4().hex[:8]
    add_user(live_server.app, f"trends-{suffix}@example.com", role="support", language="en")
    log_in(page, f"trends-{suffix}@example.com", "en", "/en/support/")
    return page


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_trend_charts_are_accessible(dashboard, axe, lang):
    page = dashboard
    page.goto(f"/{lang}/support/dashboard?language=ar&article=2763")
    expect(page.locator("svg.chart[role=img]")).to_have_count(3)
    for summary in page.locator(".chart-numbers summary").all():
        summary.click()
    expect(page.locator(".chart-numbers table").first).to_be_visible()
    assert axe(page) == []


def left_edges(page, selector: str) -> list[float]:
    return [box["x"] for box in (item.bounding_box() for item in page.locator(selector).all())]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_time_runs_with_the_text(dashboard, lang):
    page = dashboard
    page.goto(f"/{lang}/support/dashboard")
    chart = page.locator("#trend-views-title + svg")
    bars = left_edges(chart, "rect.bar")
    assert bars == sorted(bars, reverse=lang == "ar")  # the oldest week where reading starts
    axis = max(left_edges(chart, ".axis-labels text"))
    assert (axis > max(bars)) if lang == "ar" else (axis < min(bars))
    # Mirrored by its coordinates, not by a transform that would flip the text too.
    assert chart.evaluate("svg => getComputedStyle(svg).transform") == "none"
    assert chart.evaluate("svg => getComputedStyle(svg).direction") == (
        "rtl" if lang == "ar" else "ltr"
    )
