"""The manager's week of check-ins and the coachee's next ones, a few queries whatever the
size of the team."""


from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User
from lms.web.templating import local_date, person_zone
from reinforcement.checkins.actions import overdue_items
from reinforcement.checkins.models import ActionItem, AgendaItem, CheckIn, CheckInStatus
from reinforcement.checkins.services import IN_PROGRESS, PREPARE_AHEAD


@dataclass
class WeekView:
    """A coach's week: its check-ins, agendas to prepare and overdue action items."""

    starts: datetime  # Monday 00:00 where the coach lives
    ends: datetime
    today: date
    this_week: list[CheckIn]
    to_prepare: list[CheckIn]
    overdue: list[ActionItem]
    agenda_counts: dict[int, int]


def week_bounds(person: User, now: datetime) -> tuple[datetime, datetime]:
    """This week, Monday to Monday in ``person``'s time zone, as UTC instants."""
    local = now.astimezone(person_zone(person))
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(),
                              tzinfo=local.tzinfo)
    return monday.astimezone(UTC), (monday + timedelta(days=7)).astimezone(UTC)


def agenda_counts(check_in_ids: list[int]) -> dict[int, int]:
    """How many agenda items each check-in has: one query."""
    if not check_in_ids:
        return {}
    return dict(db.session.execute(
        select(AgendaItem.check_in_id, func.count())
        .where(AgendaItem.check_in_id.in_(check_in_ids)).group_by(AgendaItem.check_in_id)).all())


def week_view(coach: User, *, now: datetime | None = None) -> WeekView:
    """The coach's week in three queries, whatever the size of the team."""
    now = now or utcnow()
    starts, ends = week_bounds(coach, now)
    horizon = now + PREPARE_AHEAD
    unprepared = and_(CheckIn.status == CheckInStatus.SCHEDULED,
                      CheckIn.agenda_prepared_at.is_(None),
                      CheckIn.scheduled_at > now, CheckIn.scheduled_at <= horizon)
    rows = list(db.session.scalars(
        select(CheckIn)
        .where(CheckIn.coach_id == coach.id, CheckIn.status != CheckInStatus.RESCHEDULED,
               or_(and_(CheckIn.scheduled_at >= starts, CheckIn.scheduled_at < ends),
                   unprepared))
        .options(joinedload(CheckIn.coachee))
        .order_by(CheckIn.scheduled_at, CheckIn.id)))
    today = local_date(now, coach)
    return WeekView(
        starts=starts, ends=ends, today=today,
        this_week=[c for c in rows if starts <= c.scheduled_at < ends],
        to_prepare=[c for c in rows if c.status == CheckInStatus.SCHEDULED
                    and c.agenda_prepared_at is None and now < c.scheduled_at <= horizon],
        overdue=overdue_items(coach, today),
        agenda_counts=agenda_counts([c.id for c in rows]))


def upcoming_as_coachee(person: User, *, now: datetime | None = None,
                        limit: int = 10) -> list[CheckIn]:
    """``person``'s next check-ins with their coach(es), soonest first: one query."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(CheckIn)
        .where(CheckIn.coachee_id == person.id, CheckIn.status == CheckInStatus.SCHEDULED,
               CheckIn.scheduled_at >= now - IN_PROGRESS)
        .options(joinedload(CheckIn.coach))
        .order_by(CheckIn.scheduled_at, CheckIn.id).limit(limit)))
