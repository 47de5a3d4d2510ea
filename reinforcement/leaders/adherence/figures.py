"""The counts behind adherence figures, their shares, medians and flags; no database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from reinforcement.leaders.adherence.periods import Period

# (figure, config key, what a flag says)
THRESHOLDS = (
    ("held", "ADHERENCE_HELD_MIN", "Check-ins not held on time"),
    ("agenda", "ADHERENCE_AGENDA_MIN", "Agendas not prepared ahead"),
    ("actions", "ADHERENCE_ACTIONS_MIN", "Action items left open"),
)
NO_CHECK_INS = "No check-ins due"
# A coach with people reporting to them who held no check-in is not coaching: absence of
# activity counts against the figures, it never reads as "on rhythm".
NOT_COACHING = "Not coaching: no check-in held"


def _percent(part: int, whole: int) -> int | None:
    return None if not whole else int(100 * part / whole + 0.5)


def median(histogram: Counter) -> float | None:
    """The median of a ``{value: how many}`` histogram."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted, seen, low = ((total - 1) // 2, total // 2), 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen > wanted[0]:
            low = value
        if seen > wanted[1]:
            return (low + value) / 2
    return None  # unreachable: the counts add up to ``total``


@dataclass
class Figures:
    """Counts behind one coach's (or group's, or week's) adherence; they add up exactly."""

    check_ins: int = 0  # due in the period
    held: int = 0
    held_on_time: int = 0
    agenda_ahead: int = 0
    actions: int = 0  # due in the period
    actions_done: int = 0
    overdue_days: Counter = field(default_factory=Counter)  # late items: {days: items}
    gap_reviews: int = 0
    gap_evaluated: int = 0

    def add(self, other: Figures) -> Figures:
        for name in ("check_ins", "held", "held_on_time", "agenda_ahead", "actions",
                     "actions_done", "gap_reviews", "gap_evaluated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.overdue_days.update(other.overdue_days)
        return self

    @property
    def held_share(self) -> int | None:
        return _percent(self.held_on_time, self.check_ins)

    @property
    def agenda_share(self) -> int | None:
        return _percent(self.agenda_ahead, self.check_ins)

    @property
    def actions_share(self) -> int | None:
        return _percent(self.actions_done, self.actions)

    @property
    def gap_share(self) -> int | None:
        return _percent(self.gap_evaluated, self.gap_reviews)

    @property
    def late_actions(self) -> int:
        return sum(self.overdue_days.values())

    @property
    def median_overdue(self) -> float | None:
        return median(self.overdue_days)

    def below(self, thresholds: dict[str, int]) -> list[str]:
        """What needs help: each figure under its threshold (exact, not the rounded share)."""
        if not self.check_ins and not self.actions:
            return [NO_CHECK_INS]
        parts = {"held": (self.held_on_time, self.check_ins),
                 "agenda": (self.agenda_ahead, self.check_ins),
                 "actions": (self.actions_done, self.actions)}
        flags = [NO_CHECK_INS] if not self.check_ins else []
        for name, _key, message in THRESHOLDS:
            part, whole = parts[name]
            if whole and part * 100 < thresholds[name] * whole:
                flags.append(message)
        return flags


def thresholds() -> dict[str, int]:
    """The configured minimum percentages, by figure."""
    return {name: int(current_app.config[key]) for name, key, _message in THRESHOLDS}


@dataclass
class Person:
    id: int
    name: str
    email: str
    level: str
    manager_id: int | None
    is_active: bool
    reports: int = 0  # active direct reports: the people they are expected to coach


@dataclass
class Row:
    """One line of the report: a coach, a leader's managers or a level."""

    key: str | int
    label: str
    figures: Figures
    flags: list[str]
    person: Person | None = None
    coaches: int = 1
    expected: int = 0  # coaches expected to coach: with direct reports, or who held one
    coaching: int = 0  # of them, those who held at least one check-in in the period

    @property
    def coverage(self) -> str:
        """Coverage first: "2 of 12 coaching"."""
        return f"{self.coaching} of {self.expected} coaching"


@dataclass
class TrendStep:
    start: date
    end: date  # exclusive
    figures: Figures


@dataclass
class Rollup:
    period: Period
    thresholds: dict[str, int]
    coaches: list[Row]
    leaders: list[Row]
    levels: list[Row]
    total: Row
    trend: list[TrendStep]

    def coach(self, person_id: int) -> Row | None:
        return next((row for row in self.coaches if row.key == person_id), None)


