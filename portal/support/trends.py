"""Support's weekly trends: article views, helpful share, searches that found nothing.

The database sums each day; the days are put into ISO weeks (Monday first, in UTC) here, so
that SQLite and PostgreSQL give the same weeks: neither is asked for a week number or a cast
(SQLite's CAST(... AS DATE) gives the year). The charts' geometry is plain numbers for the
template (support/_charts.html), which draws them as SVG and writes their labels.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from unicodedata import east_asian_width

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import Date, and_, func

from .. import faq
from ..extensions import db
from ..faq.models import ArticleView, SearchMiss, Vote
from ..i18n import LANGUAGES
from ..models import utcnow

WEEKS = 12


@dataclass(frozen=True)
class Filters:
    """What the trends are about: one language or all (None), one article or all (None)."""

    lang: str | None = None
    article_id: int | None = None


def read_filters(args: Mapping[str, str]) -> tuple[Filters, str | None]:
    """The filters of the dashboard's form; an unknown value gives an error and no filter."""
    lang = args.get("language") or None
    if lang is not None and lang not in LANGUAGES:
        return Filters(), _("Choose a language from the list.")
    article = args.get("article") or None
    article_id = int(article) if article and article.isascii() and article.isdigit() else None
    if article is not None and article_id not in faq.library().articles:
        return Filters(), _("Choose an article from the list.")
    return Filters(lang, article_id), None


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last weeks, oldest first; the last one starts the current week."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


@dataclass(frozen=True)
class Weekly:
    """One number per week for each measure, oldest week first."""

    weeks: list[date]
    views: list[int]
    votes: list[int]
    helpful: list[int]
    misses: list[int]

    @property
    def shares(self) -> list[float | None]:
        """Percent of "yes" each week; None for a week without votes, which is not 0 %."""
        return [
            100 * yes / votes if votes else None
            for yes, votes in zip(self.helpful, self.votes, strict=True)
        ]


def weekly(chosen: Filters, today: date | None = None) -> Weekly:
    """The last WEEKS weeks of the three measures, the current week included."""
    weeks = week_starts(today or utcnow().date())
    first, end = weeks[0], weeks[-1] + timedelta(weeks=1)
    votes = per_day_votes(first, end, chosen)
    return Weekly(
        weeks=weeks,
        views=per_week(per_day_views(first, end, chosen), weeks),
        votes=per_week({day: counts[0] for day, counts in votes.items()}, weeks),
        helpful=per_week({day: counts[1] for day, counts in votes.items()}, weeks),
        misses=per_week(per_day_misses(first, end, chosen), weeks),
    )


def per_week(daily: dict[date, int], weeks: list[date]) -> list[int]:
    totals = dict.fromkeys(weeks, 0)
    for day, count in daily.items():
        totals[day - timedelta(days=day.weekday())] += count
    return list(totals.values())


def narrowed(query, model, chosen: Filters):
    if chosen.lang is not None:
        query = query.where(model.lang == chosen.lang)
    if chosen.article_id is not None and hasattr(model, "article_id"):
        query = query.where(model.article_id == chosen.article_id)
    return query


def utc_day(column):
    """The day of a UTC timestamp, a date on both databases."""
    return func.date(column, type_=Date)


def during(column, first: date, end: date):
    """From the first day's midnight up to the end's: a range on the timestamp itself."""
    return and_(column >= datetime.combine(first, time()), column < datetime.combine(end, time()))


def per_day_views(first: date, end: date, chosen: Filters) -> dict[date, int]:
    day = ArticleView.day
    query = db.select(day, func.sum(ArticleView.count)).where(day >= first, day < end)
    rows = db.session.execute(narrowed(query, ArticleView, chosen).group_by(day))
    return {row[0]: int(row[1] or 0) for row in rows}


def per_day_votes(first: date, end: date, chosen: Filters) -> dict[date, tuple[int, int]]:
    """Votes and "yes" answers per day."""
    day = utc_day(Vote.created_at)
    query = db.select(
        day, func.count(Vote.id), func.count(Vote.id).filter(Vote.helpful.is_(True))
    ).where(during(Vote.created_at, first, end))
    rows = db.session.execute(narrowed(query, Vote, chosen).group_by(day))
    return {row[0]: (row[1], row[2]) for row in rows}


def per_day_misses(first: date, end: date, chosen: Filters) -> dict[date, int]:
    """Searches are not tied to an article: only the language narrows them."""
    day = utc_day(SearchMiss.created_at)
    query = db.select(day, func.count(SearchMiss.id)).where(
        during(SearchMiss.created_at, first, end)
    )
    rows = db.session.execute(narrowed(query, SearchMiss, chosen).group_by(day))
    return {row[0]: row[1] for row in rows}


# The charts' drawing area (SVG user units); the SVG scales to the page's width.
WIDTH, HEIGHT = 720, 250
AXIS_ROOM = 56  # beside the plot, for the value axis' labels
EDGE = 12  # on the other side
TOP = 26  # above the plot, for the value written over the highest bar
BOTTOM = 34  # under the plot, for the weeks' labels
FONT_SIZE = 11  # of the labels, as portal.css draws them


@dataclass(frozen=True)
class Mark:
    """One week on a chart: its bar (x, y, height) or its point (x, y), its value and labels."""

    week: date
    value: float | None  # None: nothing to measure that week (no votes)
    x: float  # the middle of the week's slot
    y: float
    height: float
    value_y: float  # where the value is written: over the bar, or off the line
    label: str  # the week, "2 Nov"
    show_label: bool  # False when the weeks' labels are too wide for every one to be written
    votes: int | None = None  # what a share was computed from


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class Chart:
    """A chart's geometry: marks, value axis, and where its texts go."""

    name: str
    kind: str  # "bars" or "line"
    percent: bool
    marks: list[Mark]
    ticks: list[Tick]
    left: float
    right: float
    top: float
    bottom: float
    bar_width: float
    axis_x: float  # the value axis' labels end here, on the side where the text starts
    lines: list[str] = field(default_factory=list)  # polyline points, broken at weeks without data
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def total(self) -> float:
        return sum(mark.value or 0 for mark in self.marks)

    @property
    def peak(self) -> Mark:
        """The first week with the highest value."""
        return max(self.marks, key=lambda mark: mark.value or 0)


def nice_ticks(highest: float, steps: int = 4) -> list[float]:
    """0 up to a round number at or above the highest value, in steps of 1, 2 or 5 x 10^n."""
    if highest <= 0:
        return [0, 1]
    rough = highest / steps
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    step = max(1, round(step))  # counts are whole numbers
    return [step * n for n in range(math.ceil(highest / step) + 1)]


def text_width(text: str) -> float:
    """About how wide a label is drawn: East Asian wide characters take a whole em."""
    return FONT_SIZE * sum(1.0 if east_asian_width(c) in "WF" else 0.62 for c in text)


def chart(
    name: str,
    values: list[float | None],
    weeks: list[date],
    labels: list[str],
    rtl: bool,
    percent: bool = False,
    votes: list[int] | None = None,
) -> Chart:
    """Bars for counts, a line of points for a share; in right-to-left pages the newest week
    is on the left and the value axis on the right."""
    ticks = [0, 25, 50, 75, 100] if percent else nice_ticks(max(v or 0 for v in values))
    left, right = (EDGE, WIDTH - AXIS_ROOM) if rtl else (AXIS_ROOM, WIDTH - EDGE)
    top, bottom = TOP, HEIGHT - BOTTOM
    slot = (right - left) / len(weeks)
    # Too wide to write them all: every other week, the current one always.
    step = 1 if max(map(text_width, labels)) < slot - 4 else 2

    def x(index: int) -> float:
        place = len(weeks) - 1 - index if rtl else index
        return round(left + slot * (place + 0.5), 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * value / ticks[-1], 1)

    points = [y(value or 0) for value in values]
    marks = [
        Mark(
            week=week,
            value=value,
            x=x(i),
            y=points[i],
            height=round(bottom - points[i], 1),
            value_y=value_y(points, values, i, line=percent),
            label=labels[i],
            show_label=(len(weeks) - 1 - i) % step == 0,
            votes=votes[i] if votes else None,
        )
        for i, (week, value) in enumerate(zip(weeks, values, strict=True))
    ]
    return Chart(
        name=name,
        kind="line" if percent else "bars",
        percent=percent,
        marks=marks,
        ticks=[Tick(value, y(value)) for value in ticks],
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bar_width=round(slot * 0.6, 1),
        axis_x=right + 8 if rtl else left - 8,
        lines=line_runs(marks) if percent else [],
    )


def value_y(points: list[float], values: list[float | None], i: int, line: bool) -> float:
    """Over a bar; over a point that is not below its neighbours, else under it (off the line)."""
    above, below = points[i] - 9, points[i] + 19
    if not line or values[i] is None:
        return above
    near = [points[j] for j in (i - 1, i + 1) if 0 <= j < len(points) and values[j] is not None]
    under_neighbours = near and points[i] > sum(near) / len(near)
    return below if (under_neighbours and below < HEIGHT - BOTTOM - 4) or above < 12 else above


def line_runs(marks: list[Mark]) -> list[str]:
    """SVG polyline points for each run of consecutive weeks that have a value."""
    runs: list[list[Mark]] = [[]]
    for mark in marks:
        if mark.value is None:
            runs.append([])
        else:
            runs[-1].append(mark)
    return [" ".join(f"{m.x},{m.y}" for m in run) for run in runs if len(run) > 1]


def charts(chosen: Filters, lang: str, today: date | None = None) -> dict[str, Chart]:
    """The dashboard's three charts for the chosen filters, laid out for the page's language."""
    series = weekly(chosen, today)
    rtl = LANGUAGES[lang].direction == "rtl"
    # "2 Nov", "Nov 2", "11月2日": the locale's own pattern for a day of a month.
    pattern = get_locale().datetime_skeletons["MMMd"].pattern
    weeks = series.weeks, [format_date(week, pattern) for week in series.weeks]
    return {
        "views": chart("trend-views", series.views, *weeks, rtl),
        "helpful": chart("trend-helpful", series.shares, *weeks, rtl, True, series.votes),
        "misses": chart("trend-misses", series.misses, *weeks, rtl),
    }
