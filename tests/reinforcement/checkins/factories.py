"""Check-ins and action items for tests, built with the models: they flush, never commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User
from reinforcement.checkins.models import ActionItem, AgendaItem, CheckIn, CheckInStatus

PRIVATE = "PRIVATE-NOTE-do-not-leak"  # searched for in every page and response


def check_in(coach: User, coachee: User, *, at: datetime | None = None, days: float = 2,
             status: CheckInStatus = CheckInStatus.SCHEDULED, minutes: int = 30,
             shared: str = "", private: str = "", prepared: bool = False,
             agenda: tuple[str, ...] = (), plan_team_id: int | None = None) -> CheckIn:
    """A check-in ``days`` from now (or ``at``), straight into the table."""
    at = at or (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
    created = CheckIn(coach_id=coach.id, coachee_id=coachee.id, scheduled_at=at,
                      minutes=minutes, status=status, shared_notes=shared,
                      private_notes=private, plan_team_id=plan_team_id,
                      agenda_prepared_at=at - timedelta(days=1) if prepared else None,
                      held_at=at if status == CheckInStatus.HELD else None)
    db.session.add(created)
    db.session.flush()
    for position, text in enumerate(agenda):
        db.session.add(AgendaItem(check_in_id=created.id, author_id=coach.id,
                                  position=position, text=text))
    db.session.flush()
    return created


def action_item(check_in: CheckIn | None, owner: User, *, due_on: date, title: str = "Call back",
                done: bool = False, coach: User | None = None,
                coachee: User | None = None, created_at: datetime | None = None) -> ActionItem:
    """An action item of a check-in's pair (or of ``coach``/``coachee`` without one)."""
    item = ActionItem(
        title=title, owner_id=owner.id, due_on=due_on,
        check_in_id=check_in.id if check_in else None,
        coach_id=check_in.coach_id if check_in else (coach.id if coach else None),
        coachee_id=check_in.coachee_id if check_in else (coachee.id if coachee else None),
        done_at=utcnow() if done else None, created_at=created_at or utcnow())
    db.session.add(item)
    db.session.flush()
    return item
