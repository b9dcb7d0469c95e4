"""Support's weekly trends: ISO weeks on SQLite and PostgreSQL, filters, and the SVG charts."""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest

from portal.extensions import db
from portal.faq.models import ArticleView, SearchMiss, Vote
from portal.i18n import LANGUAGES
from portal.models import utcnow
from portal.support import charts, trends
from portal.support.trends import Filters
from tests.helpers import (
    POSTGRES,
    add_user,
    html_errors,
    make_app,
    need,
    postgres_available,
    postgres_database,
)

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 11, 12)  # a Thursday: its week starts on Monday 9 November
MONDAY = date(2026, 11, 9)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_database(request, tmp_path):
    """A portal on a fresh SQLite file, then on PostgreSQL: the same weeks on both."""
    if request.param == "postgres":
        need(postgres_available(), "PostgreSQL is not running on 127.0.0.1:5432")
        url = postgres_database(f"{POSTGRES}/portal_test_trends")
    else:
        url = f"sqlite:///{tmp_path / 'trends.db'}"
    app = make_app(None, DATABASE_URL=url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def vote(when: datetime, helpful: bool, lang: str = "fr", article_id: int = 2763) -> Vote:
    voter = f"{when.isoformat()}-{helpful}-{lang}-{article_id}"
    return Vote(article_id=article_id, lang=lang, revision=1, voter=voter, helpful=helpful,
                created_at=when)  # fmt: skip


def miss(when: datetime, lang: str = "fr") -> SearchMiss:
    return SearchMiss(lang=lang, query="quittung", created_at=when)


def view(day: date, count: int, lang: str = "fr", article_id: int = 2763) -> ArticleView:
    return ArticleView(article_id=article_id, lang=lang, day=day, count=count)


def add(*rows) -> None:
    db.session.add_all(rows)
    db.session.commit()


def test_twelve_monday_weeks_end_with_the_current_one():
    weeks = trends.week_starts(TODAY)
    assert len(weeks) == 12 and weeks[-1] == MONDAY and weeks[0] == MONDAY - timedelta(weeks=11)
    assert {week.isoweekday() for week in weeks} == {1}
    assert trends.week_starts(MONDAY) == weeks  # a Monday starts its own week
    assert trends.week_starts(MONDAY + timedelta(days=6)) == weeks  # Sunday still ends it


def test_sunday_night_and_monday_morning_are_different_weeks(any_database):
    sunday, first = MONDAY - timedelta(days=1), MONDAY - timedelta(weeks=11)
    add(
        vote(at(sunday, 23, 30), True), vote(at(MONDAY, 0, 10), False),
        miss(at(sunday, 23, 30)), miss(at(MONDAY, 0, 10)), miss(at(MONDAY, 0, 11)),
        view(sunday, 5), view(MONDAY, 7),
        # the first week starts at midnight; the minute before is thirteen weeks ago
        miss(at(first, 0, 0)), miss(at(first - timedelta(days=1), 23, 59)),
        vote(at(first - timedelta(days=1), 23, 59), True), view(first - timedelta(days=1), 100),
        view(first, 3),
    )  # fmt: skip
    series = trends.weekly(Filters(), TODAY)
    assert series.votes[-2:] == [1, 1] and series.helpful[-2:] == [1, 0]
    assert series.misses == [1] + [0] * 9 + [1, 2]
    assert series.views == [3] + [0] * 9 + [5, 7]
    assert sum(series.votes) == 2  # the vote before the first week is left out


def test_helpful_share_per_week_tells_no_votes_from_none_helpful(any_database):
    add(
        vote(at(MONDAY), True), vote(at(MONDAY, 13), True, "de"), vote(at(MONDAY, 14), False),
        vote(at(MONDAY - timedelta(weeks=1)), False),
    )  # fmt: skip
    shares = trends.weekly(Filters(), TODAY).shares
    assert shares[-1] == pytest.approx(200 / 3)
    assert shares[-2] == 0.0  # one vote, not helpful
    assert shares[:-2] == [None] * 10  # nobody voted


def test_filters_by_language_and_article(any_database):
    add(
        view(MONDAY, 4, "fr", 2763), view(MONDAY, 6, "de", 2763), view(MONDAY, 9, "fr", 10),
        vote(at(MONDAY), True, "fr", 2763), vote(at(MONDAY), False, "de", 2763),
        vote(at(MONDAY), False, "fr", 10),
        miss(at(MONDAY), "fr"), miss(at(MONDAY), "de"), miss(at(MONDAY, 15), "de"),
    )  # fmt: skip
    cases = {
        Filters(): (19, 3, 1, 3),
        Filters("fr"): (13, 2, 1, 1),
        Filters(article_id=2763): (10, 2, 1, 3),  # searches have no article
        Filters("de", 2763): (6, 1, 0, 2),
        Filters("ja"): (0, 0, 0, 0),
    }
    for chosen, expected in cases.items():
        series = trends.weekly(chosen, TODAY)
        now = (series.views[-1], series.votes[-1], series.helpful[-1], series.misses[-1])
        assert now == expected, chosen


def test_scale_has_round_ticks_above_the_highest_value():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(3) == [0, 1, 2, 3]
    assert charts.nice_ticks(1927) == [0, 500, 1000, 1500, 2000]
    assert charts.nice_ticks(14) == [0, 5, 10, 15]


@pytest.mark.parametrize("rtl", [False, True])
def test_bars_grow_with_their_values_and_run_with_the_text(rtl):
    weeks = trends.week_starts(TODAY)
    values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20]
    chart = charts.chart("c", values, weeks, ["2 Nov"] * 12, rtl)
    heights = [mark.height for mark in chart.marks]
    assert heights[0] == 0 and heights[-1] == chart.bottom - chart.top
    assert heights[10] == pytest.approx(heights[-1] / 2, abs=0.1)
    xs = [mark.x for mark in chart.marks]
    assert xs == sorted(xs, reverse=rtl)
    assert (chart.axis_x > chart.right) if rtl else (chart.axis_x < chart.left)


def test_long_week_labels_are_thinned_but_the_current_week_keeps_its_own():
    weeks = trends.week_starts(TODAY)
    short = charts.chart("c", [1] * 12, weeks, ["9 Nov"] * 12, False)
    long = charts.chart("c", [1] * 12, weeks, ["30 septembre."] * 12, False)
    assert all(mark.show_label for mark in short.marks)
    assert [mark.show_label for mark in long.marks] == [False, True] * 6


def test_line_breaks_where_nobody_voted():
    weeks = trends.week_starts(TODAY)
    shares = [None] * 8 + [50.0, 100.0, None, 25.0]
    chart = charts.chart("c", shares, weeks, ["w"] * 12, False, percent=True)
    assert len(chart.lines) == 1 and len(chart.lines[0].split()) == 2
    assert chart.marks[9].y == chart.top and chart.marks[8].y == (chart.top + chart.bottom) / 2


# The page


@pytest.fixture
def support(app, client, auth):
    add_user(app, "trends@example.com", role="support", language="en")
    auth.login("trends@example.com")
    return client


@pytest.fixture
def readings(app):
    """Views, votes and misses this week and the week before, relative to today."""
    monday = utcnow().date() - timedelta(days=utcnow().weekday())
    with app.app_context():
        add(
            view(monday, 7), view(monday - timedelta(days=1), 1234, "de"),
            vote(at(monday, 0, 5), True), vote(at(monday, 0, 6), True, "de"),
            vote(at(monday, 0, 7), False, "ar"),
            miss(at(monday, 0, 5)), miss(at(monday - timedelta(weeks=1)), "de"),
        )  # fmt: skip
    return monday


def svgs(html: str) -> list[ET.Element]:
    """Every chart of the page, parsed as XML: a parse error fails the test."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def tables(html: str) -> dict[str, dict[str, list[str]]]:
    """Each chart's table (by its section's id): week -> the row's cell texts, oldest first."""
    found = {}
    for name, section in re.findall(r'<section class="trend" aria-labelledby="([\w-]+)-title">'
                                    r"(.*?)</section>", html, re.S):  # fmt: skip
        rows = re.findall(r'<tr data-week="([\d-]+)">(.*?)</tr>', section, re.S)
        found[name] = {week: cells(row) for week, row in rows}
    return found


def cells(row: str) -> list[str]:
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def chart_values(svg: ET.Element) -> dict[str, str]:
    group = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "values")
    return {text.get("data-week"): text.text for text in group}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_draws_three_labelled_charts(support, readings, lang):
    response = support.get(f"/{lang}/support/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{LANGUAGES[lang].direction}"' in html
    charts = svgs(html)
    assert len(charts) == 3
    for svg in charts:
        assert svg.get("role") == "img"
        heading = svg.get("aria-labelledby")
        assert re.search(rf'<h3 id="{heading}">[^<]+</h3>', html)
        desc = svg.find(f"{SVG}desc")
        assert desc.get("id") == svg.get("aria-describedby") and desc.text.strip()
        weeks = [t for g in svg.iter(f"{SVG}g") if g.get("class") == "weeks" for t in g]
        assert weeks and all(text.text for text in weeks)
    assert html.count("<caption>") == 4 and 'scope="row"' in html  # the totals and 3 charts
    assert "<script" not in html.split("<main", 1)[1]  # drawn without a script


def test_the_charts_numbers_are_the_tables_numbers(support, readings):
    html = support.get("/en/support/dashboard").get_data(as_text=True)
    numbers = tables(html)
    drawn_charts = {svg.get("aria-labelledby").removesuffix("-title"): svg for svg in svgs(html)}
    assert set(numbers) == set(drawn_charts) == {"trend-views", "trend-helpful", "trend-misses"}
    for name, svg in drawn_charts.items():
        drawn = chart_values(svg)
        assert list(drawn) == list(numbers[name]) and len(drawn) == 12
        for week, row in numbers[name].items():
            assert drawn[week] == ("–" if row[-1] == "no votes" else row[-1]), (name, week)
    views = [row[-1] for row in numbers["trend-views"].values()]
    assert views[-2:] == ["1,234", "7"] and set(views[:-2]) == {"0"}
    helpful = list(numbers["trend-helpful"].values())
    assert helpful[-1][1:] == ["3", "67%"] and helpful[-2][1:] == ["0", "no votes"]
    assert [row[-1] for row in numbers["trend-misses"].values()][-2:] == ["1", "1"]
    bars = list(drawn_charts["trend-views"].iter(f"{SVG}rect"))
    assert float(bars[-2].get("height")) > 100 * float(bars[-1].get("height")) > 0


def test_arabic_runs_right_to_left(support, readings):
    for lang in ("ar", "en"):
        html = support.get(f"/{lang}/support/dashboard").get_data(as_text=True)
        bars = list(svgs(html)[0].iter(f"{SVG}rect"))
        first, last = float(bars[0].get("x")), float(bars[-1].get("x"))
        assert (first > last) if lang == "ar" else (first < last)
        assert "transform" not in html.split('<section class="trends"')[1]


def test_filters_narrow_the_page_and_bad_ones_are_refused(support, readings):
    html = support.get("/en/support/dashboard?language=de&article=2763").get_data(as_text=True)
    assert '<option value="de" lang="de" selected>' in html
    assert re.search(r'<option value="2763" selected>Generate or renew', html)
    views = [row[-1] for row in tables(html)["trend-views"].values()]
    assert views[-2:] == ["1,234", "0"]
    assert "Searches are not tied to an article" in html
    for query in ("language=xx", "article=99999", "article=abc", "article=²"):
        response = support.get(f"/en/support/dashboard?{query}")
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and 'role="alert"' in page, query
        assert [row[-1] for row in tables(page)["trend-views"].values()][-2:] == ["1,234", "7"]


def test_only_staff_see_the_trends(app, client, auth):
    assert client.get("/en/support/dashboard").status_code == 302
    add_user(app, "reader@example.com")
    auth.login("reader@example.com")
    assert client.get("/en/support/dashboard?language=de").status_code == 403


def test_the_dashboard_is_valid_html(support, readings, tmp_path):
    pages = {
        lang: support.get(f"/{lang}/support/dashboard?language=de").get_data(as_text=True)
        for lang in ("en", "ar", "ja")
    }
    pages["refused"] = support.get("/de/support/dashboard?article=abc").get_data(as_text=True)
    assert html_errors(pages, tmp_path / "pages") == []
