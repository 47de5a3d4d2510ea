"""Where a goal stands: the actual to date, the gap to target, on or behind track, the trend.

The actual to date counts the weeks of the goal's period (a week belongs to it when its Monday
falls within the period) up to the day asked about:

- an **activity** goal adds the weeks' values up (proposals sent in the period so far);
- a **proficiency** goal takes the mean of the weeks recorded (the close ratio over the
  period so far, each recorded week counting once). Weeks without a value are left out.

The gap compares the actual with the target *due by then*. An activity target is spread
evenly over the period's weeks, so after 4 of 12 weeks a third of it is due (a lower-is-better
ceiling also allows its share for the week under way); a proficiency target is due in full
from the start. ``gap = due - actual`` when higher is better and
``actual - due`` when lower is better, so a positive gap is always a shortfall: the goal is
**behind**; zero or less is **on track**. Once the period is over the whole target is due and
the goal was **met** or **missed**; a higher-is-better activity goal that reached its whole
target early is **met** at once. With no week recorded yet the status is **no actuals**.

Every function here is a fixed number of queries whatever the number of goals or people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.people.models import User
from lms.web.charts import HEIGHT, HIGH, LOW, PAD_BOTTOM, PAD_TOP, Chart, line_chart
from lms.web.dates import format_date
from reinforcement.goals.models import Goal, Metric, MetricActual, MetricKind
from reinforcement.goals.services import format_value, metric_label, weeks_of


class GoalStatus(StrEnum):
    NO_DATA = "no_data"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MET = "met"
    MISSED = "missed"

    @property
    def label(self) -> str:
        return {"no_data": "No actuals yet", "on_track": "On track", "behind": "Behind",
                "met": "Met", "missed": "Missed"}[self.value]

    @property
    def style(self) -> str:
        """The Bootstrap badge colour."""
        return {"no_data": "secondary", "on_track": "success", "behind": "danger",
                "met": "success", "missed": "danger"}[self.value]


BEHIND = (GoalStatus.BEHIND, GoalStatus.MISSED)


@dataclass(frozen=True)
class Progress:
    goal: Goal
    on: date
    weeks: int  # weeks in the period
    weeks_done: int  # weeks over by ``on``
    recorded: int  # weeks with a value
    actual: float | None
    due: float  # the part of the target due by ``on``
    gap: float | None  # positive: short of what is due
    status: GoalStatus

    @property
    def remaining(self) -> float | None:
        """An activity goal's distance to its whole target (never below 0)."""
        if self.actual is None or self.goal.metric.kind != MetricKind.ACTIVITY:
            return None
        return max(0.0, self.goal.target - self.actual)

    @property
    def is_behind(self) -> bool:
        return self.status in BEHIND

    def shown(self, value: float | None) -> str:
        return format_value(self.goal.metric, value)


def _weeks_done(weeks: list[date], on: date) -> int:
    return sum(1 for monday in weeks if monday + timedelta(days=7) <= on)


def measure(goal: Goal, on: date, total: float | None, mean: float | None,
            recorded: int) -> Progress:
    """Work out one goal's progress from its weeks' sum, mean and count (pure)."""
    metric = goal.metric
    weeks = weeks_of(goal.starts_on, goal.ends_on)
    done = _weeks_done(weeks, on)
    over = on > goal.ends_on
    activity = metric.kind == MetricKind.ACTIVITY
    due = goal.target
    if activity and not over and weeks:
        # A ceiling (lower is better) allows its share for the week under way as well.
        counted = done if metric.higher_is_better else sum(1 for m in weeks if m <= on)
        due = goal.target * counted / len(weeks)
    if not recorded:
        return Progress(goal, on, len(weeks), done, 0, None, due, None, GoalStatus.NO_DATA)
    actual = float(total if activity else mean)
    sign = 1 if metric.higher_is_better else -1
    gap = round(sign * (due - actual), 6)
    if over:
        status = GoalStatus.MET if gap <= 0 else GoalStatus.MISSED
    elif activity and metric.higher_is_better and actual >= goal.target:
        status = GoalStatus.MET
    else:
        status = GoalStatus.ON_TRACK if gap <= 0 else GoalStatus.BEHIND
    return Progress(goal, on, len(weeks), done, recorded, actual, due, gap, status)


def progress_of(goals: list[Goal], on: date) -> dict[int, Progress]:
    """Progress of each goal as of ``on`` (goal id -> ``Progress``): one query."""
    if not goals:
        return {}
    actual = MetricActual
    stmt = (select(Goal.id, func.sum(actual.value), func.avg(actual.value), func.count(actual.id))
            .join(actual, and_(actual.person_id == Goal.person_id,
                               actual.metric_id == Goal.metric_id,
                               actual.period_start >= Goal.starts_on,
                               actual.period_start <= Goal.ends_on,
                               actual.period_start <= on))
            .where(Goal.id.in_([goal.id for goal in goals]))
            .group_by(Goal.id))
    figures = {gid: (total, mean, count) for gid, total, mean, count in db.session.execute(stmt)}
    return {goal.id: measure(goal, on, *figures.get(goal.id, (None, None, 0)))
            for goal in goals}


def progress(goal: Goal, on: date) -> Progress:
    return progress_of([goal], on)[goal.id]


# --- trend charts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoalChart:
    """A goal's weekly values as a line, with the weekly target as a dashed line.

    ``lms.web.charts`` places points on a fixed 1-5 axis; values are mapped onto it
    from 0..``top`` and the axis is labelled in the metric's unit.
    """

    chart: Chart
    ticks: list[tuple[float, str]]  # (y, label), top first
    target_y: float
    target_label: str
    summary: str


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 2.5, 5, 10):
        magnitude = 10 ** (len(str(int(value))) - 1)
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(value)


def _y(scaled: float) -> float:
    return round(PAD_TOP + (HEIGHT - PAD_TOP - PAD_BOTTOM) * (HIGH - scaled) / (HIGH - LOW), 1)


def weekly_target(goal: Goal) -> float:
    """What one week should bring: the target spread over the weeks (activity), or itself."""
    if goal.metric.kind != MetricKind.ACTIVITY:
        return goal.target
    weeks = weeks_of(goal.starts_on, goal.ends_on)
    return goal.target / len(weeks) if weeks else goal.target


def goal_chart(goal: Goal, weeks: list[tuple[date, float]]) -> GoalChart:
    """Chart ``(monday, value)`` over the goal's period with its weekly target."""
    metric = goal.metric
    aim = weekly_target(goal)
    top = 100.0 if metric.unit == "percent" else _nice_top(
        max([aim, *(value for _, value in weeks)]) * 1.1)

    def scaled(value: float) -> float:
        return LOW + (HIGH - LOW) * min(max(value, 0.0), top) / top

    mondays = weeks_of(goal.starts_on, goal.ends_on) or [goal.starts_on]
    title = f"{metric_label(metric)}, week by week"
    chart = line_chart(title, [(monday, scaled(value), f"Week of {format_date(monday)}: "
                                f"{format_value(metric, value)}") for monday, value in weeks],
                       start=mondays[0], end=mondays[-1])
    ticks = [(y, format_value(metric, top * (grid - LOW) / (HIGH - LOW)))
             for y, grid in chart.grid]
    target_label = format_value(metric, aim) + (" a week" if metric.kind == MetricKind.ACTIVITY
                                                else "")
    if weeks:
        summary = (f"{title}: {len(weeks)} week{'s' if len(weeks) != 1 else ''} recorded, latest "
                   f"{format_value(metric, weeks[-1][1])} in the week of "
                   f"{format_date(weeks[-1][0])}; target {target_label}")
    else:
        summary = f"{title}: no weeks recorded yet; target {target_label}"
    return GoalChart(chart, ticks, _y(scaled(aim)), target_label, summary)


def weekly_values(goals: list[Goal]) -> dict[int, list[tuple[date, float]]]:
    """Each goal's recorded weeks, oldest first (goal id -> ``[(monday, value)]``): one query."""
    if not goals:
        return {}
    stmt = (select(Goal.id, MetricActual.period_start, MetricActual.value)
            .join(MetricActual, and_(MetricActual.person_id == Goal.person_id,
                                     MetricActual.metric_id == Goal.metric_id,
                                     MetricActual.period_start >= Goal.starts_on,
                                     MetricActual.period_start <= Goal.ends_on))
            .where(Goal.id.in_([goal.id for goal in goals]))
            .order_by(Goal.id, MetricActual.period_start))
    found: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for goal_id, monday, value in db.session.execute(stmt):
        found[goal_id].append((monday, value))
    return found


# --- the team table ------------------------------------------------------------------------------

@dataclass
class TeamRow:
    person: User
    cells: dict[int, Progress] = field(default_factory=dict)  # metric id -> progress


@dataclass
class TeamTable:
    coach: User
    on: date
    metrics: list[Metric]
    rows: list[TeamRow]

    @property
    def behind(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells.values() if cell.is_behind)


def team_table(coach: User, on: date) -> TeamTable:
    """Each of ``coach``'s direct reports x each metric with a goal running on ``on``, with
    the gap: three queries whatever the team's size."""
    people = list(db.session.scalars(
        select(User).where(User.manager_id == coach.id, User.is_active.is_(True))
        .order_by(User.name, User.id)))
    goals = list(db.session.scalars(
        select(Goal).where(Goal.person_id.in_([p.id for p in people]),
                           Goal.starts_on <= on, Goal.ends_on >= on)
        .options(joinedload(Goal.metric)))) if people else []
    figures = progress_of(goals, on)
    rows = {person.id: TeamRow(person) for person in people}
    metrics: dict[int, Metric] = {}
    for goal in goals:
        metrics[goal.metric_id] = goal.metric
        rows[goal.person_id].cells[goal.metric_id] = figures[goal.id]
    ordered = sorted(metrics.values(), key=lambda m: (m.kind, m.name))
    return TeamTable(coach, on, ordered, list(rows.values()))


TEAM_HEADER = ("person", "email", "metric", "starts_on", "ends_on", "target", "due_to_date",
               "actual", "gap", "status", "agreed")


def team_csv_rows(table: TeamTable):
    for row in table.rows:
        for metric in table.metrics:
            cell = row.cells.get(metric.id)
            if cell is None:
                continue
            goal = cell.goal
            yield (row.person.name, row.person.email, metric.key, goal.starts_on, goal.ends_on,
                   goal.target, round(cell.due, 2), cell.actual, cell.gap, cell.status.value,
                   goal.coachee_agreed_at is not None)
