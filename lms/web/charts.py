"""Line-chart geometry for trends on a 1-5 scale, drawn as inline SVG by the templates.

Pure: no Flask, no database. A chart places dated values on a shared time axis (so the charts
of one page line up) and a fixed 1-5 value axis. The attendance chart in
``courses.live.reports_views`` draws stacked percentage bars per session, a different shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from lms.web.dates import format_date

WIDTH, HEIGHT = 320, 120
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 26, 10, 8, 20
LOW, HIGH = 1, 5


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    when: date
    label: str  # shown on hover and read by screen readers


@dataclass(frozen=True)
class Chart:
    title: str
    points: list[Point]
    start: date
    end: date

    width: int = WIDTH
    height: int = HEIGHT

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def grid(self) -> list[tuple[float, int]]:
        """``(y, value)`` of each horizontal line, 5 at the top."""
        return [(_y(value), value) for value in range(HIGH, LOW - 1, -1)]

    @property
    def axis_y(self) -> int:
        return HEIGHT - PAD_BOTTOM + 14

    @property
    def left(self) -> int:
        return PAD_LEFT

    @property
    def right(self) -> int:
        return WIDTH - PAD_RIGHT

    @property
    def summary(self) -> str:
        """What the chart shows, in words, for its accessible name."""
        if not self.points:
            return f"{self.title}: no scores yet"
        first, last = self.points[0], self.points[-1]
        if len(self.points) == 1:
            return f"{self.title}: {_fmt(first.value)} on {format_date(first.when)}"
        return (f"{self.title}: from {_fmt(first.value)} on {format_date(first.when)} to "
                f"{_fmt(last.value)} on {format_date(last.when)}, {len(self.points)} scores")


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _moment(when: date | datetime) -> float:
    if isinstance(when, datetime):
        return when.timestamp()
    return datetime.combine(when, time.min, tzinfo=UTC).timestamp()


def _day(when: date | datetime) -> date:
    return when.date() if isinstance(when, datetime) else when


def _y(value: float) -> float:
    span = HEIGHT - PAD_TOP - PAD_BOTTOM
    return PAD_TOP + span * (HIGH - value) / (HIGH - LOW)


def line_chart(title: str, values: Sequence[tuple[date | datetime, float, str]], *,
               start: date | datetime, end: date | datetime) -> Chart:
    """Place ``(when, value, label)`` between ``start`` and ``end`` on a 1-5 scale.

    Values outside 1-5 are clamped; a single moment sits in the middle of the axis.
    """
    left, right = PAD_LEFT, WIDTH - PAD_RIGHT
    low, high = _moment(start), _moment(end)
    points = []
    for when, value, label in values:
        moment = _moment(when)
        x = (left + right) / 2 if high <= low else left + (right - left) * (
            (moment - low) / (high - low))
        clamped = min(max(value, LOW), HIGH)
        points.append(Point(round(x, 1), round(_y(clamped), 1), value, _day(when), label))
    return Chart(title, points, _day(start), _day(end))
