"""The geometry of support's trend charts: plain numbers (bars, points, ticks, label room) that
support/_charts.html draws as SVG and labels. Nothing here reads the database."""

import math
from dataclasses import dataclass, field
from datetime import date
from unicodedata import east_asian_width

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
