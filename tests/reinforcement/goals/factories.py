"""Goals, actuals and gap reviews for tests, straight into the tables: they flush, never commit.

Dates are relative to today (UTC, every test person's time zone) unless given, because the
pages and the API work out figures for "today".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User
from reinforcement.checkins.models import ActionItem
from reinforcement.goals.models import (
    ActualSource,
    GapReview,
    Goal,
    Metric,
    MetricActual,
    RootCause,
)
from reinforcement.goals.services import monday_of


def today() -> date:
    return utcnow().date()


def this_monday() -> date:
    return monday_of(today())


def metric(key: str = "proposals_sent") -> Metric:
    """One of the six metrics the migration installs."""
    return db.session.scalar(select(Metric).where(Metric.key == key))


def goal(person: User, *, key: str = "proposals_sent", target: float = 120,
         starts_on: date | None = None, weeks: int = 12, agreed: bool = True,
         coach: User | None = None) -> Goal:
    """A goal that started 4 weeks ago (by default) and runs ``weeks`` weeks."""
    starts_on = starts_on or this_monday() - timedelta(weeks=4)
    now = utcnow()
    created = Goal(person_id=person.id, metric_id=metric(key).id, starts_on=starts_on,
                   ends_on=starts_on + timedelta(weeks=weeks, days=-1), target=target,
                   proposed_by_id=(coach or person.manager or person).id, proposed_at=now,
                   coach_agreed_at=now, coachee_agreed_at=now if agreed else None)
    db.session.add(created)
    db.session.flush()
    return created


def actual(person: User, monday: date, value: float, *, key: str = "proposals_sent",
           by: User | None = None) -> MetricActual:
    created = MetricActual(person_id=person.id, metric_id=metric(key).id, period_start=monday,
                           value=value, source=ActualSource.CHECK_IN,
                           entered_by_id=(by or person).id, updated_at=utcnow())
    db.session.add(created)
    db.session.flush()
    return created


def behind(person: User, **fields) -> Goal:
    """A goal well behind: 1 proposal recorded in its first week against 10 a week."""
    created = goal(person, **fields)
    actual(person, created.starts_on, 1, key=fields.get("key", "proposals_sent"))
    return created


def review(goal_: Goal, coach: User, *, cause: RootCause = RootCause.SKILLS,
           days_ago: int = 2, gap: float = 39.0, notes: str = "") -> GapReview:
    """A gap review recorded ``days_ago`` days ago, with its action item owned by the person."""
    at = utcnow() - timedelta(days=days_ago)
    item = ActionItem(title="Role-play the pricing talk", owner_id=goal_.person_id,
                      due_on=today() + timedelta(days=7), coach_id=coach.id,
                      coachee_id=goal_.person_id, created_by_id=coach.id, created_at=at)
    db.session.add(item)
    db.session.flush()
    created = GapReview(goal_id=goal_.id, coach_id=coach.id, root_cause=cause, notes=notes,
                        gap_at_review=gap, action_item_id=item.id, created_at=at)
    db.session.add(created)
    db.session.flush()
    return created


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
