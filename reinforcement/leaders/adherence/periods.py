"""Report periods: calendar months, quarters and years, and their trend steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

PERIOD_KINDS = {"month": "Month", "quarter": "Quarter", "year": "Year"}

def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year: ``start`` inclusive, ``end`` exclusive."""

    kind: str
    start: date

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period {kind!r}")
        month = {"month": day.month, "quarter": (day.month - 1) // 3 * 3 + 1, "year": 1}[kind]
        return cls(kind, date(day.year, month, 1))

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def end(self) -> date:
        return _add_months(self.start, self.months)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return str(self.start.year)

    @property
    def key(self) -> str:
        """The ``start`` query value that names this period (``2026-03``)."""
        return f"{self.start:%Y-%m}"

    def shifted(self, periods: int) -> Period:
        return Period(self.kind, _add_months(self.start, self.months * periods))

    def buckets(self) -> list[tuple[date, date]]:
        """Trend steps: weeks (from Monday, clipped to the period) or, for a year, months."""
        if self.kind == "year":
            return [(_add_months(self.start, n), _add_months(self.start, n + 1))
                    for n in range(12)]
        steps, first = [], self.start
        while first < self.end:
            monday = first - timedelta(days=first.weekday())
            last = min(monday + timedelta(days=7), self.end)
            steps.append((first, last))
            first = last
        return steps


def parse_period(kind: str | None, start: str | None, today: date) -> Period:
    """The period named by query values (``month``, ``2026-03``); this month by default."""
    kind = kind if kind in PERIOD_KINDS else "month"
    try:
        day = date.fromisoformat(f"{start}-01") if start and len(start) == 7 else (
            date.fromisoformat(start) if start else today)
    except ValueError:
        day = today
    return Period.containing(kind, day)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


