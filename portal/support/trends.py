"""Support's weekly trends: article views, helpful share, searches that found nothing.

The database sums each day; the days are put into ISO weeks (Monday first, in UTC) here, so
that SQLite and PostgreSQL give the same weeks: neither is asked for a week number or a cast
(SQLite's CAST(... AS DATE) gives the year). The charts' geometry is in charts.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import Date, and_, func

from .. import faq
from ..extensions import db
from ..faq.models import ArticleView, SearchMiss, Vote
from ..i18n import LANGUAGES
from ..models import utcnow
from .charts import Chart, chart

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
