"""Starting a plan for a coach's team, and the teams a plan runs for.

Starting schedules every check-in with each coachee at once (direct reports by default; the
plan's pairings add or take away people), in a constant number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.audit.services import record
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.preferences import register_kind
from lms.notify.services import notify, notify_many
from lms.people import tree
from lms.people.models import User
from lms.web.dates import format_date, format_time, local
from lms.web.templating import person_zone
from reinforcement.checkins.models import AgendaItem, CheckIn, CheckInStatus
from reinforcement.plans import scheduling
from reinforcement.plans.models import Cadence, PlanPairing, PlanStatus, PlanTeam, ReinforcementPlan

SCHEDULED_KIND = "checkin.scheduled"
register_kind(SCHEDULED_KIND, "Coaching check-ins are scheduled or rescheduled for you")
CHECK_INS_LINK = "/reinforcement/"  # the coaching pages: a person's check-ins


def lines(text: str | None) -> list[str]:
    """The non-empty lines of ``text``, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def coachees_of(plan: ReinforcementPlan, coach: User) -> list[User]:
    """Whom ``coach`` coaches in ``plan``, in one query.

    Their active direct reports, except those the plan pairs with another coach, plus the
    people the plan pairs with them who are still under them.
    """
    paired = and_(PlanPairing.coach_id == coach.id,
                  User.id.in_(tree.subtree_ids(coach.id, include_root=False)))
    return list(db.session.scalars(
        select(User)
        .outerjoin(PlanPairing, and_(PlanPairing.plan_id == plan.id,
                                     PlanPairing.coachee_id == User.id))
        .where(User.is_active.is_(True), User.id != coach.id,
               or_(and_(User.manager_id == coach.id, PlanPairing.id.is_(None)), paired))
        .order_by(User.name, User.id)))


# --- starting a plan for a team ----------------------------------------------------------------

def _clock(text: str):
    try:
        return scheduling.parse_local_time(text)
    except ValueError:
        raise ValidationError("Give the time of day as HH:MM, such as 09:00.",
                              field="local_time") from None


def insert_check_ins(rows: list[dict], agenda: list[str], now: datetime) -> list[int]:
    """Bulk-insert check-ins and their template agenda: two statements for any number."""
    if not rows:
        return []
    created = db.session.execute(insert(CheckIn).returning(CheckIn.id), rows)
    ids = [check_in_id for (check_in_id,) in created]
    items = [{"check_in_id": check_in_id, "author_id": None, "position": position,
              "text": text, "is_discussed": False, "created_at": now}
             for check_in_id in ids for position, text in enumerate(agenda)]
    if items:
        db.session.execute(insert(AgendaItem), items)
    return ids


def check_in_row(team: PlanTeam, plan: ReinforcementPlan, coachee_id: int, at: datetime,
                  now: datetime) -> dict:
    return {"plan_team_id": team.id, "coach_id": team.coach_id, "coachee_id": coachee_id,
            "scheduled_at": at, "minutes": plan.check_in_minutes,
            "status": CheckInStatus.SCHEDULED.value, "shared_notes": "", "private_notes": "",
            "sequence": 0, "created_at": now, "updated_at": now}


def _describe(at: datetime, zone) -> str:
    return f"{format_date(at, zone)} at {format_time(at, zone)} {local(at, zone):%Z}"


def start_plan(plan: ReinforcementPlan, coach: User, *, starts_on: date, local_time: str,
               by: User, now: datetime | None = None) -> PlanTeam:
    """Schedule every check-in of ``plan`` between ``coach`` and each of their coachees.

    The first check-in is on ``starts_on`` at ``local_time`` in the coach's time zone, then
    one every week or two weeks for the plan's length; each starts with the plan's agenda
    template. A constant number of statements however large the team.
    """
    now = now or utcnow()
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError("Activate the plan before starting it for a team.")
    clock = _clock(local_time)
    zone = person_zone(coach)
    if starts_on < now.astimezone(zone).date():
        raise ValidationError("The start date has passed; choose today or a later date.",
                              field="starts_on")
    times = scheduling.check_in_times(starts_on, plan.weeks, plan.cadence, clock, zone)
    if times[0] <= now:
        raise ValidationError(f"The first check-in ({_describe(times[0], zone)}) would be "
                              "in the past; choose a later time or date.", field="local_time")
    people = coachees_of(plan, coach)
    if not people:
        raise ValidationError(f"{coach.name} has nobody to coach in this plan: no active "
                              "direct reports and no pairings.", field="coach")
    team = PlanTeam(plan_id=plan.id, coach_id=coach.id, starts_on=starts_on,
                    local_time=clock.strftime("%H:%M"), started_by_id=by.id)
    try:
        with db.session.begin_nested():
            db.session.add(team)
            db.session.flush()
    except IntegrityError:
        raise ValidationError(f"This plan has already started for {coach.name}'s team.",
                              field="coach") from None
    rows = [check_in_row(team, plan, person.id, at, now) for person in people for at in times]
    insert_check_ins(rows, lines(plan.agenda_template), now)
    record(by, "plan.start", team, summary=f"{plan.title}: {coach.name}'s team, {len(rows)} "
           f"check-ins from {starts_on}",
           changes={"coach_id": coach.id, "starts_on": starts_on.isoformat(),
                    "local_time": team.local_time, "coachee_ids": [p.id for p in people],
                    "check_ins": len(rows)})
    cadence = Cadence(plan.cadence).label.lower()
    notify_many(people, kind=SCHEDULED_KIND,
                subject=f"Your coaching check-ins with {coach.name} are scheduled",
                body=f"{len(times)} check-ins of {plan.check_in_minutes} minutes, {cadence}, "
                     f"for “{plan.title}”. The first is on {_describe(times[0], zone)}.",
                link=CHECK_INS_LINK, now=now)
    if by.id != coach.id:
        notify(coach, kind=SCHEDULED_KIND,
               subject=f"“{plan.title}” has started for your team",
               body=f"{by.name} scheduled {len(rows)} check-ins with {len(people)} people, "
                    f"{cadence}, from {_describe(times[0], zone)}.", link=CHECK_INS_LINK)
    return team


# --- reading ------------------------------------------------------------------------------------

@dataclass
class TeamRow:
    team: PlanTeam
    coachees: int
    scheduled: int
    held: int
    missed: int
    cancelled: int
    next_at: datetime | None


def teams_of(plan: ReinforcementPlan, viewer: User,
             now: datetime | None = None) -> list[TeamRow]:
    """The teams the plan runs for (admins: all; others: coaches in their subtree), with
    their check-ins counted by status; one query."""
    now = now or utcnow()

    def counting(status: CheckInStatus):
        return func.coalesce(func.sum(case((CheckIn.status == status, 1), else_=0)), 0)

    counts = (select(CheckIn.plan_team_id.label("team_id"),
                     func.count(func.distinct(CheckIn.coachee_id)).label("coachees"),
                     counting(CheckInStatus.SCHEDULED).label("scheduled"),
                     counting(CheckInStatus.HELD).label("held"),
                     counting(CheckInStatus.MISSED).label("missed"),
                     counting(CheckInStatus.CANCELLED).label("cancelled"),
                     func.min(case((and_(CheckIn.status == CheckInStatus.SCHEDULED,
                                         CheckIn.scheduled_at > now),
                                    CheckIn.scheduled_at))).label("next_at"))
              .group_by(CheckIn.plan_team_id).subquery())
    stmt = (select(PlanTeam, counts.c.coachees, counts.c.scheduled, counts.c.held,
                   counts.c.missed, counts.c.cancelled, counts.c.next_at)
            .join(User, User.id == PlanTeam.coach_id)
            .outerjoin(counts, counts.c.team_id == PlanTeam.id)
            .options(joinedload(PlanTeam.coach))
            .where(PlanTeam.plan_id == plan.id).order_by(User.name, PlanTeam.id))
    if not viewer.is_admin:
        stmt = stmt.where(PlanTeam.coach_id.in_(tree.subtree_ids(viewer.id)))
    rows = []
    for team, coachees, scheduled, held, missed, cancelled, next_at in db.session.execute(stmt):
        rows.append(TeamRow(team, int(coachees or 0), int(scheduled or 0), int(held or 0),
                            int(missed or 0), int(cancelled or 0), next_at))
    return rows


def team_of(plan: ReinforcementPlan, coach: User) -> PlanTeam | None:
    return db.session.scalar(select(PlanTeam).where(PlanTeam.plan_id == plan.id,
                                                    PlanTeam.coach_id == coach.id))
