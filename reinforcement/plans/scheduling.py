"""When check-ins happen: the slots of a plan's rhythm, and how a new cadence moves them.

Pure date arithmetic (no app, no database). A slot is a local date and wall-clock time in the
coach's time zone, turned into UTC one date at a time, so 09:00 stays 09:00 local on both
sides of a daylight-saving change (the UTC hour moves instead). A wall-clock time that does
not exist on a date (skipped when the clocks go forward) lands that much later, as the clock
reads after the change; an ambiguous one (repeated when the clocks go back) is its first
occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lms.web.dates import zone_named

CADENCE_DAYS = {"weekly": 7, "biweekly": 14}
LOCAL_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def every_days(cadence: str) -> int:
    """Days between two check-ins of ``cadence`` ("weekly" or "biweekly")."""
    try:
        return CADENCE_DAYS[str(cadence)]
    except KeyError:
        raise ValueError(f"unknown cadence {cadence!r}") from None


def parse_local_time(text: str) -> time:
    """``"09:30"`` (or ``"9:30"``) -> ``time(9, 30)``; raise ``ValueError`` otherwise."""
    match = LOCAL_TIME.match((text or "").strip())
    if match is None:
        raise ValueError(f"not a time of day as HH:MM: {text!r}")
    return time(int(match.group(1)), int(match.group(2)))


def at_local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``clock`` on ``day`` in ``zone`` (see the module note on gaps)."""
    # fold=0: a repeated time is its first occurrence; a skipped one takes the offset from
    # before the change, so shown in the zone it reads as the clock after it (02:30 -> 03:30).
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def ends_before(starts_on: date, weeks: int) -> date:
    """The first day after a plan of ``weeks`` weeks that started on ``starts_on``."""
    return starts_on + timedelta(weeks=weeks)


def dates_from(first: date, until: date, cadence: str) -> list[date]:
    """Every ``cadence`` date from ``first`` (included) up to ``until`` (excluded)."""
    step = timedelta(days=every_days(cadence))
    days, day = [], first
    while day < until:
        days.append(day)
        day += step
    return days


def check_in_times(starts_on: date, weeks: int, cadence: str, clock: time,
                   zone: ZoneInfo | str) -> list[datetime]:
    """The UTC times of every check-in of a plan started on ``starts_on``.

    A plan of 12 weeks meets 12 times weekly, 6 times every two weeks; the first check-in is
    on ``starts_on`` itself.
    """
    if weeks < 1:
        raise ValueError("a plan lasts at least one week")
    zone = zone if isinstance(zone, ZoneInfo) else zone_named(zone)
    return [at_local(day, clock, zone)
            for day in dates_from(starts_on, ends_before(starts_on, weeks), cadence)]


def future_slots(next_at: datetime, until: date, cadence: str, clock: time,
                 zone: ZoneInfo | str) -> list[datetime]:
    """The slots of a new cadence: from the local date of the next check-in ``next_at``
    (which stays that day), every ``cadence`` at ``clock`` until the plan's end ``until``."""
    zone = zone if isinstance(zone, ZoneInfo) else zone_named(zone)
    first = next_at.astimezone(zone).date()
    return [at_local(day, clock, zone) for day in dates_from(first, until, cadence)]


# --- moving existing check-ins onto new slots ------------------------------------------------

@dataclass(frozen=True)
class Existing:
    """A future check-in of one coaching pair."""

    id: int
    at: datetime
    # Scheduled and untouched (no agenda item added by a person, no notes, no prepared
    # agenda, no action item): it may be moved or deleted. Anything else stays put.
    free: bool


@dataclass
class Reconciled:
    keep: list[int] = field(default_factory=list)
    moves: list[tuple[int, datetime]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    inserts: list[datetime] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.moves or self.deletes or self.inserts)


def reconcile(existing: Sequence[Existing], slots: Sequence[datetime], *,
              tolerance: timedelta) -> Reconciled:
    """Fit one pair's future check-ins to the new ``slots`` with as little change as possible.

    1. A check-in already at a new slot stays and takes it.
    2. Any other check-in that is not free (worked on, held, cancelled, …) stays where it is
       and stands for the remaining slot nearest to it (the earlier on a tie), when one is
       within ``tolerance``: nothing new is scheduled right beside it.
    3. The other free check-ins move, in time order, each to the remaining slot nearest to
       it; free check-ins left over are deleted, slots left over get new check-ins.
    """
    result = Reconciled()
    remaining = sorted(slots)
    others = []
    for item in sorted(existing, key=lambda e: (not e.free, e.at)):
        if item.at in remaining:
            remaining.remove(item.at)
            result.keep.append(item.id)
        else:
            others.append(item)
    for item in (e for e in others if not e.free):
        result.keep.append(item.id)
        if remaining:
            nearest = min(remaining, key=lambda slot: abs(slot - item.at))
            if abs(nearest - item.at) <= tolerance:
                remaining.remove(nearest)
    for item in (e for e in others if e.free):
        if remaining:
            nearest = min(remaining, key=lambda slot: abs(slot - item.at))
            remaining.remove(nearest)
            result.moves.append((item.id, nearest))
        else:
            result.deletes.append(item.id)
    result.inserts = remaining
    return result
