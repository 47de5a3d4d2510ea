"""Metrics and goals: what is measured, and the targets a coach and a coachee agree on.

The metrics catalogue holds activity metrics (things done: proposals sent, new contacts,
meetings) and proficiency metrics (how well: close ratio, average sale value, proposal ratio);
six come with the installation and admins add or archive more. A metric's unit decides which
values it takes: a ``count`` is a whole number of at least 0, a ``percent`` lies between 0 and
100, a ``currency`` amount is at least 0.

A goal sets a target for one person, metric and period. A coach — someone above the person,
at manager level or higher — proposes it, which records the coach's agreement; the person then
agrees, which records theirs. Changing the target or the period later is a new proposal: the
coach who changes it agrees again by doing so and the person must agree again. Two goals of
one person on one metric may not overlap in time.

Periods are counted in weeks: actuals are recorded per week (``period_start`` is the week's
Monday) and a week belongs to a goal when its Monday falls within the goal's period, so a
period must contain at least one Monday.

Services flush, never commit; every change is audited; refusals raise ``ValidationError``
(or ``NotAllowedError``) before anything is written. ``now`` may be given (demo, tests).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from lms.audit.services import record
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.preferences import register_kind
from lms.notify.services import notify
from lms.people.models import User
from lms.web.dates import format_date
from reinforcement.goals.models import Goal, Metric, MetricKind
from reinforcement.goals.permissions import is_coach_of

PROPOSED_KIND = "goal.proposed"
register_kind(PROPOSED_KIND, "Your coach proposes a goal for you, or changes one")

UNITS = ("count", "percent", "currency")
UNIT_LABELS = {"count": "Count", "percent": "Percent (0-100)", "currency": "Amount"}
UNIT_SYMBOLS = {"count": "", "percent": "%", "currency": "amount"}
_NAME_DETAIL = re.compile(r"^(?P<name>.*\S)\s*\((?P<detail>[^()]+)\)$")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MAX_PERIOD_DAYS = 371  # a year, give or take the weeks at its edges
MAX_VALUE = 1e12
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


# --- weeks and values --------------------------------------------------------------------------

def monday_of(day: date) -> date:
    """The Monday of ``day``'s week (weeks run Monday to Sunday, as ISO 8601 has them)."""
    return day - timedelta(days=day.weekday())


def weeks_of(starts_on: date, ends_on: date) -> list[date]:
    """The Mondays within ``starts_on``..``ends_on``: the weeks that count toward a goal."""
    first = monday_of(starts_on)
    if first < starts_on:
        first += timedelta(days=7)
    return [first + timedelta(days=7 * n) for n in range(max(0, (ends_on - first).days // 7 + 1))]


def parse_number(text: str) -> float | None:
    """Read ``12``, ``12.5``, ``12,5`` or ``25%``; ``None`` when it is not a number."""
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
    if not _NUMBER.match(text):
        return None
    return float(text.replace(",", "."))


def value_problem(metric: Metric, value: float) -> str | None:
    """Say why ``value`` does not fit ``metric``'s unit ("cannot be negative"), or ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "must be a number"
    if metric.unit == "percent":
        return None if 0 <= value <= 100 else "is a percentage: between 0 and 100"
    if value < 0:
        return "cannot be negative"
    if value > MAX_VALUE:
        return "is too large"
    if metric.unit == "count" and value != int(value):
        return "is a count: a whole number"
    return None


def check_value(metric: Metric, value: float, *, field: str, what: str = "value") -> float:
    """Return ``value`` as a float, or refuse it when it does not fit ``metric``'s unit."""
    problem = value_problem(metric, value)
    if problem:
        raise ValidationError(f"The {what} of {metric.name} {problem}.", field=field)
    return float(value)


def format_value(metric: Metric, value: float | None) -> str:
    """``12``, ``25.5%`` or ``12,500``: a value as people read it in ``metric``'s unit."""
    if value is None:
        return "–"
    if metric.unit == "percent":
        return f"{value:.1f}".removesuffix(".0") + "%"
    if metric.unit == "currency":
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".removesuffix(".00")
    return f"{value:.1f}".removesuffix(".0")


def metric_label(metric: Metric) -> str:
    """``Proposal ratio · proposals per meeting, %``: the name, then what it counts and its unit.

    The one short label of a metric wherever it is named (choices, lists, charts, tables); a
    detail the name carries in brackets moves behind the dot, and a plain count has no unit.
    """
    match = _NAME_DETAIL.match(metric.name)
    name, detail = (match["name"], match["detail"]) if match else (metric.name, "")
    qualifiers = ", ".join(part for part in (detail, UNIT_SYMBOLS.get(metric.unit, "")) if part)
    return f"{name} · {qualifiers}" if qualifiers else name


# --- the metrics catalogue ---------------------------------------------------------------------

def _require_admin(by: User) -> None:
    if not by.is_admin:
        raise NotAllowedError("Only admins manage the metrics catalogue.")


def create_metric(*, key: str, name: str, kind: str, unit: str, higher_is_better: bool = True,
                  by: User) -> Metric:
    """Add a metric to the catalogue (admins)."""
    _require_admin(by)
    key, name = (key or "").strip().lower(), (name or "").strip()
    if not KEY_PATTERN.match(key):
        raise ValidationError("The key is 2 to 64 lower-case letters, digits or underscores, "
                              "starting with a letter (e.g. demos_given).", field="key")
    if db.session.scalar(select(Metric.id).where(func.lower(Metric.key) == key)) is not None:
        raise ValidationError(f"A metric with the key {key} exists already.", field="key")
    if not name or len(name) > 200:
        raise ValidationError("Give the metric a name (at most 200 characters).", field="name")
    if kind not in {k.value for k in MetricKind}:
        raise ValidationError("A metric is an activity or a proficiency metric.", field="kind")
    if unit not in UNITS:
        raise ValidationError("The unit is a count, a percent or a currency amount.",
                              field="unit")
    metric = Metric(key=key, name=name, kind=MetricKind(kind), unit=unit,
                    higher_is_better=bool(higher_is_better), is_archived=False)
    db.session.add(metric)
    db.session.flush()
    record(by, "metric.create", metric, summary=name,
           changes={"key": [None, key], "kind": [None, kind], "unit": [None, unit],
                    "higher_is_better": [None, bool(higher_is_better)]})
    return metric


def set_metric_archived(metric: Metric, archived: bool, *, by: User) -> Metric:
    """Archive a metric (no new goals or actuals; history stays) or bring it back."""
    _require_admin(by)
    if metric.is_archived == archived:
        raise ValidationError("This metric is already archived." if archived else
                              "This metric is not archived.", field="is_archived")
    metric.is_archived = archived
    record(by, "metric.archive" if archived else "metric.restore", metric, summary=metric.name,
           changes={"is_archived": [not archived, archived]})
    return metric


# --- goals -------------------------------------------------------------------------------------

def _check_period(starts_on: date, ends_on: date) -> None:
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValidationError("Give the date as a date (YYYY-MM-DD).", field=name)
    if ends_on < starts_on:
        raise ValidationError("The period cannot end before it starts.", field="ends_on")
    if (ends_on - starts_on).days > MAX_PERIOD_DAYS:
        raise ValidationError("A goal covers at most a year; set one goal per period.",
                              field="ends_on")
    if not weeks_of(starts_on, ends_on):
        raise ValidationError("Actuals are recorded per week from Monday: the period must "
                              "include at least one Monday.", field="ends_on")


def _check_no_overlap(person_id: int, metric: Metric, starts_on: date, ends_on: date,
                      goal_id: int | None = None) -> None:
    stmt = select(Goal.starts_on, Goal.ends_on).where(
        Goal.person_id == person_id, Goal.metric_id == metric.id,
        Goal.starts_on <= ends_on, Goal.ends_on >= starts_on)
    if goal_id is not None:
        stmt = stmt.where(Goal.id != goal_id)
    clash = db.session.execute(stmt.limit(1)).first()
    if clash is not None:
        raise ValidationError(
            f"There is already a {metric.name} goal for {format_date(clash[0])} – "
            f"{format_date(clash[1])}, which overlaps this period: change that one instead.",
            field="starts_on")


def _require_coach(person: User, by: User) -> None:
    if person.id == by.id:
        raise NotAllowedError("Your coach proposes your goals; you agree to them.")
    if not is_coach_of(by, person):
        raise NotAllowedError(f"Only a coach above {person.name} (a manager or higher) "
                              "proposes their goals.")


def _tell(person: User, goal: Goal, by: User, *, changed: bool) -> None:
    metric = goal.metric
    notify(person, kind=PROPOSED_KIND,
           subject=f"{by.name} {'changed' if changed else 'proposes'} your {metric.name} goal",
           body=f"Target {format_value(metric, goal.target)} for {format_date(goal.starts_on)} – "
                f"{format_date(goal.ends_on)}. Open your goals to agree to it.",
           link=f"/reinforcement/people/{person.id}/goals")


def propose_goal(person: User, metric: Metric, *, starts_on: date, ends_on: date,
                 target: float, by: User, now: datetime | None = None,
                 tell: bool = True) -> Goal:
    """Propose a goal for ``person``; the coach's agreement is recorded, theirs awaited.

    ``tell`` notifies the person (the demo loads history without telling anyone).
    """
    now = now or utcnow()
    _require_coach(person, by)
    if not person.is_active:
        raise ValidationError(f"{person.name}'s account is deactivated.", field="person")
    if metric is None or metric.is_archived:
        raise ValidationError("Choose a metric from the catalogue (archived ones take no new "
                              "goals).", field="metric")
    _check_period(starts_on, ends_on)
    target = check_value(metric, target, field="target", what="target")
    _check_no_overlap(person.id, metric, starts_on, ends_on)
    goal = Goal(person_id=person.id, metric_id=metric.id, starts_on=starts_on, ends_on=ends_on,
                target=target, proposed_by_id=by.id, proposed_at=now, coach_agreed_at=now,
                coachee_agreed_at=None)
    db.session.add(goal)
    db.session.flush()
    record(by, "goal.propose", goal, summary=f"{metric.name} for {person.name}",
           changes={"person_id": [None, person.id], "metric_id": [None, metric.id],
                    "starts_on": [None, starts_on.isoformat()],
                    "ends_on": [None, ends_on.isoformat()], "target": [None, target]})
    if tell:
        _tell(person, goal, by, changed=False)
    return goal


def update_goal(goal: Goal, *, by: User, target: float | None = None,
                starts_on: date | None = None, ends_on: date | None = None,
                now: datetime | None = None) -> Goal:
    """Change a goal's target or period: a new proposal the person must agree to again."""
    now = now or utcnow()
    person = db.session.get(User, goal.person_id)
    _require_coach(person, by)
    starts_on = goal.starts_on if starts_on is None else starts_on
    ends_on = goal.ends_on if ends_on is None else ends_on
    target = goal.target if target is None else target
    _check_period(starts_on, ends_on)
    target = check_value(goal.metric, target, field="target", what="target")
    _check_no_overlap(goal.person_id, goal.metric, starts_on, ends_on, goal.id)
    changes = {name: [str(old) if isinstance(old, date) else old,
                      str(new) if isinstance(new, date) else new]
               for name, old, new in (("target", goal.target, target),
                                      ("starts_on", goal.starts_on, starts_on),
                                      ("ends_on", goal.ends_on, ends_on)) if old != new}
    if not changes:
        raise ValidationError("Nothing changed: the target and the period are as they were.",
                              field="target")
    goal.target, goal.starts_on, goal.ends_on = target, starts_on, ends_on
    goal.proposed_by_id, goal.proposed_at = by.id, now
    changes["coach_agreed_at"] = [_iso(goal.coach_agreed_at), now.isoformat()]
    changes["coachee_agreed_at"] = [_iso(goal.coachee_agreed_at), None]
    goal.coach_agreed_at, goal.coachee_agreed_at = now, None
    record(by, "goal.update", goal, summary=f"{goal.metric.name} for {person.name}",
           changes=changes)
    _tell(person, goal, by, changed=True)
    return goal


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def agree_goal(goal: Goal, *, by: User, now: datetime | None = None) -> Goal:
    """The person agrees to the goal their coach proposed."""
    if goal.person_id != by.id:
        raise NotAllowedError("Only the person the goal is for agrees to it.")
    if goal.coachee_agreed_at is not None:
        raise ValidationError("You have already agreed to this goal.", field="goal")
    now = now or utcnow()
    if not goal.agree(now):  # a racing request agreed first
        raise ValidationError("You have already agreed to this goal.", field="goal")
    record(by, "goal.agree", goal, summary=f"{goal.metric.name} agreed",
           changes={"coachee_agreed_at": [None, now.isoformat()]})
    return goal


def is_agreed(goal: Goal) -> bool:
    return goal.coach_agreed_at is not None and goal.coachee_agreed_at is not None


def metric_choices(*, include: int | None = None) -> list[Metric]:
    """Active metrics, activity first then proficiency, by name; one query."""
    stmt = select(Metric).where(Metric.is_archived.is_(False))
    if include is not None:
        stmt = select(Metric).where((Metric.is_archived.is_(False)) | (Metric.id == include))
    return list(db.session.scalars(stmt.order_by(Metric.kind, Metric.name)))
