"""The adherence queries: one GROUP BY per figure, whatever the number of people or rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from lms.db import utcnow
from lms.extensions import db
from lms.people import tree
from lms.people.models import Level, User
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus
from reinforcement.goals.models import GapReview
from reinforcement.leaders.adherence.figures import (
    NO_CHECK_INS,
    NOT_COACHING,
    Figures,
    Person,
    Rollup,
    Row,
    TrendStep,
    thresholds,
)
from reinforcement.leaders.adherence.periods import Period, midnight
from reinforcement.leaders.adherence.sql import (
    at_least_zero,
    days_between,
    days_late,
    days_since,
    seconds_between,
    utc_month,
)

WINDOW = timedelta(days=1)  # "held within a day of schedule"
COACH_LEVELS = (Level.MANAGER.value, Level.LEADER.value, Level.EXECUTIVE.value)


class Scope:
    """Whose coaching a report covers: everyone (``root`` None) or a subtree; a SELECT of ids."""

    def __init__(self, root: User | None, people: Select | None = None):
        self.root = root
        self.ids = people if people is not None else (
            tree.subtree_ids(root.id) if root is not None else None)

    def where(self, column) -> list:
        return [] if self.ids is None else [column.in_(self.ids)]


def _coaches(scope: Scope) -> list[Person]:
    """The coaches with how many active people report to them (a subquery: still one query)."""
    report = aliased(User)
    reports = (select(func.count(report.id))
               .where(report.manager_id == User.id, report.is_active.is_(True))
               .correlate(User).scalar_subquery())
    stmt = (select(User.id, User.name, User.email, User.level, User.manager_id, User.is_active,
                   reports)
            .where(User.level.in_(COACH_LEVELS), *scope.where(User.id))
            .order_by(User.name, User.id))
    return [Person(*row) for row in db.session.execute(stmt)]


class Window:
    """The moments and days a period's figures look at, given ``now``."""

    def __init__(self, period: Period, now: datetime):
        self.period, self.now, self.today = period, now, now.date()
        self.start, self.upper = midnight(period.start), min(midnight(period.end), now)

    def check_ins_due(self) -> list:
        return [CheckIn.scheduled_at >= self.start, CheckIn.scheduled_at < self.upper,
                CheckIn.status.not_in((CheckInStatus.CANCELLED, CheckInStatus.RESCHEDULED)),
                or_(CheckIn.status != CheckInStatus.SCHEDULED,
                    CheckIn.scheduled_at <= self.now - WINDOW)]

    def actions_due(self) -> list:
        return [ActionItem.council_meeting_id.is_(None), ActionItem.coach_id.is_not(None),
                ActionItem.due_on >= self.period.start, ActionItem.due_on < self.period.end,
                or_(ActionItem.due_on < self.today, ActionItem.done_at.is_not(None))]

    def lateness(self):
        """Days an item is (open) or was (done) past its due date; 0 when on time."""
        return at_least_zero(case(
            (ActionItem.done_at.is_(None),
             days_between(ActionItem.due_on, literal(self.today, Date()))),
            else_=days_late(ActionItem.done_at, ActionItem.due_on)))


def _check_in_sums() -> tuple:
    on_time = and_(CheckIn.status == CheckInStatus.HELD, CheckIn.held_at.is_not(None),
                   func.abs(seconds_between(CheckIn.scheduled_at, CheckIn.held_at))
                   <= WINDOW.total_seconds())
    ahead = and_(CheckIn.agenda_prepared_at.is_not(None),
                 CheckIn.agenda_prepared_at < CheckIn.scheduled_at)
    return (func.count(CheckIn.id),
            func.sum(case((CheckIn.status == CheckInStatus.HELD, 1), else_=0)),
            func.sum(case((on_time, 1), else_=0)), func.sum(case((ahead, 1), else_=0)))


def _fill_check_ins(figures: Figures, due, held, on_time, ahead) -> None:
    figures.check_ins += due
    figures.held += int(held or 0)
    figures.held_on_time += int(on_time or 0)
    figures.agenda_ahead += int(ahead or 0)


def _fill_actions(figures: Figures, days, items, done) -> None:
    figures.actions += items
    figures.actions_done += int(done or 0)
    if days and int(days) > 0:
        figures.overdue_days[int(days)] += items


def _step(window: Window, column, *, moment: bool):
    """The index of the trend step ``column`` falls in, computed once per row: the week
    (steps start on Mondays, the first one on the period's first day) or, in a year, the
    month."""
    period = window.period
    if period.kind == "year":
        month = utc_month(column) if moment else cast(extract("month", column), Integer)
        return month - period.start.month
    days = (days_since(column, window.start) if moment
            else days_between(literal(period.start, Date()), column))
    return (days + period.start.weekday()) // 7


def _figures(scope: Scope, window: Window) -> tuple[dict[int, Figures], list[TrendStep]]:
    """Figures per coach and per trend step: one pass over each table."""
    figures: dict[int, Figures] = {}
    trend = [TrendStep(start, end, Figures()) for start, end in window.period.buckets()]

    def targets(coach_id: int, step: int | None) -> list[Figures]:
        if coach_id not in figures:
            figures[coach_id] = Figures()
        found = [figures[coach_id]]
        if step is not None and 0 <= int(step) < len(trend):
            found.append(trend[int(step)].figures)
        return found

    step = _step(window, CheckIn.scheduled_at, moment=True).label("step")
    check_ins = (select(CheckIn.coach_id, step, *_check_in_sums())
                 .where(*window.check_ins_due(), *scope.where(CheckIn.coach_id))
                 .group_by(CheckIn.coach_id, step))
    for coach_id, index, *sums in db.session.execute(check_ins):
        for target in targets(coach_id, index):
            _fill_check_ins(target, *sums)
    step = _step(window, ActionItem.due_on, moment=False).label("step")
    late = window.lateness().label("late")
    actions = (select(ActionItem.coach_id, step, late, func.count(ActionItem.id),
                      func.sum(case((ActionItem.done_at.is_not(None), 1), else_=0)))
               .where(*window.actions_due(), *scope.where(ActionItem.coach_id))
               .group_by(ActionItem.coach_id, step, late))
    for coach_id, index, days, items, done in db.session.execute(actions):
        for target in targets(coach_id, index):
            _fill_actions(target, days, items, done)
    reviews = (select(GapReview.coach_id, func.count(GapReview.id),
                      func.sum(case((GapReview.evaluated_at.is_not(None), 1), else_=0)))
               .where(GapReview.created_at >= window.start, GapReview.created_at < window.upper,
                      GapReview.coach_id.is_not(None), *scope.where(GapReview.coach_id))
               .group_by(GapReview.coach_id))
    for coach_id, count, evaluated in db.session.execute(reviews):
        [target] = targets(coach_id, None)
        target.gap_reviews += count
        target.gap_evaluated += int(evaluated or 0)
    return figures, trend


def _row(key, label: str, figures: Figures, limits: dict[str, int], *,
         person: Person | None = None) -> Row:
    """One coach's row: with people to coach and no check-in held, they are not coaching."""
    flags = figures.below(limits)
    expected = 1 if figures.held or (person is not None and person.reports) else 0
    coaching = 1 if figures.held else 0
    if expected and not coaching:
        flags = [NOT_COACHING, *(flag for flag in flags if flag != NO_CHECK_INS)]
    return Row(key, label, figures, flags, person, 1, expected, coaching)


def _group(key, label: str, rows: list[Row], limits: dict[str, int], *,
           person: Person | None = None) -> Row:
    """A group's row: coverage leads, and anyone not coaching counts against it."""
    figures = _sum(rows)
    expected = sum(row.expected for row in rows)
    coaching = sum(row.coaching for row in rows)
    flags = figures.below(limits)
    if coaching < expected:
        flags = [f"{expected - coaching} of {expected} not coaching",
                 *(flag for flag in flags if flag != NO_CHECK_INS)]
    return Row(key, label, figures, flags, person, len(rows), expected, coaching)


def rollup(root: User | None, period: Period, *, now: datetime | None = None,
           people: Select | None = None, limits: dict[str, int] | None = None) -> Rollup:
    """Adherence of every coach under ``root`` (everyone when None) for ``period``.

    Rows per coach (active ones, and deactivated ones with figures), per leader (their
    managers: people at manager level reporting to them) and per level; a trend across the
    period. ``people`` narrows the coaches to a SELECT of ids. Four queries whatever the
    size: the coaches, then one pass over check-ins, action items and gap reviews each.
    """
    now = now or utcnow()
    limits = limits or thresholds()
    scope, window = Scope(root, people), Window(period, now)
    persons = _coaches(scope)
    per_coach, trend = _figures(scope, window)
    coaches = [_row(p.id, p.name, per_coach.get(p.id, Figures()), limits, person=p)
               for p in persons if p.is_active or p.id in per_coach]
    by_id = {row.key: row for row in coaches}
    groups: dict[int, list[Row]] = {}
    for row in coaches:
        if row.person.level == Level.MANAGER and row.person.manager_id in by_id:
            groups.setdefault(row.person.manager_id, []).append(row)
    leaders = [_group(leader_id, by_id[leader_id].label, rows, limits,
                      person=by_id[leader_id].person)
               for leader_id, rows in sorted(groups.items(),
                                             key=lambda item: by_id[item[0]].label)]
    levels = []
    for level in COACH_LEVELS:
        rows = [row for row in coaches if row.person.level == level]
        if rows:
            levels.append(_group(level, Level(level).label, rows, limits))
    total = _group("all", "Everyone", coaches, limits)
    return Rollup(period, limits, coaches, leaders, levels, total, trend)


def _sum(rows: list[Row]) -> Figures:
    total = Figures()
    for row in rows:
        total.add(row.figures)
    return total
