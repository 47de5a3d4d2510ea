"""Changing a plan's cadence: future check-ins are rescheduled, the past never changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, delete, exists, or_, select, update
from sqlalchemy.orm import joinedload

from lms.audit.services import record
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.services import notify_many
from lms.people.models import User
from lms.web.templating import person_zone
from reinforcement.checkins.models import ActionItem, AgendaItem, CheckIn, CheckInStatus
from reinforcement.plans import scheduling
from reinforcement.plans.models import Cadence, PlanStatus, PlanTeam, ReinforcementPlan
from reinforcement.plans.services.teams import (
    CHECK_INS_LINK,
    SCHEDULED_KIND,
    check_in_row,
    insert_check_ins,
    lines,
)

# --- changing the cadence ----------------------------------------------------------------------

@dataclass
class CadenceChange:
    teams: int = 0
    moved: int = 0
    added: int = 0
    removed: int = 0


def _worked_on():
    """SQL: someone has worked on this check-in, or it is no longer simply scheduled."""
    by_person = exists().where(AgendaItem.check_in_id == CheckIn.id,
                               AgendaItem.author_id.is_not(None))
    actions = exists().where(ActionItem.check_in_id == CheckIn.id)
    return or_(CheckIn.status != CheckInStatus.SCHEDULED, CheckIn.shared_notes != "",
               CheckIn.private_notes != "", CheckIn.agenda_prepared_at.is_not(None),
               by_person, actions)


def _future_rows(team_ids: list[int], now: datetime) -> list:
    if not team_ids:
        return []
    return list(db.session.execute(
        select(CheckIn.id, CheckIn.plan_team_id, CheckIn.coachee_id, CheckIn.scheduled_at,
               CheckIn.sequence, case((_worked_on(), False), else_=True).label("free"))
        .where(CheckIn.plan_team_id.in_(team_ids), CheckIn.scheduled_at > now)
        .order_by(CheckIn.scheduled_at, CheckIn.id)))


def _anchor(rows: list) -> datetime:
    """The team's next check-in that nobody has touched (else its next one of any kind)."""
    free = [row.scheduled_at for row in rows if row.free]
    return min(free or [row.scheduled_at for row in rows])


@dataclass
class _Work:
    moves: list[dict] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    inserts: list[dict] = field(default_factory=list)
    coachee_ids: set[int] = field(default_factory=set)


def _reconcile_team(plan: ReinforcementPlan, team: PlanTeam, rows: list, cadence: Cadence,
                    now: datetime, work: _Work) -> None:
    zone = person_zone(team.coach)
    until = scheduling.ends_before(team.starts_on, plan.weeks)
    slots = [at for at in scheduling.future_slots(
        _anchor(rows), until, cadence, scheduling.parse_local_time(team.local_time), zone)
        if at > now]
    tolerance = timedelta(days=scheduling.every_days(cadence)) / 2
    by_coachee: dict[int, list] = {}
    for row in rows:
        by_coachee.setdefault(row.coachee_id, []).append(row)
    for coachee_id, mine in by_coachee.items():
        sequence = {row.id: row.sequence for row in mine}
        result = scheduling.reconcile(
            [scheduling.Existing(row.id, row.scheduled_at, bool(row.free)) for row in mine],
            slots, tolerance=tolerance)
        work.moves += [{"id": i, "scheduled_at": at, "sequence": sequence[i] + 1,
                        "updated_at": now} for i, at in result.moves]
        work.deletes += result.deletes
        work.inserts += [check_in_row(team, plan, coachee_id, at, now)
                         for at in result.inserts]
        if result.changed:
            work.coachee_ids.add(coachee_id)


def _apply_work(plan: ReinforcementPlan, work: _Work, now: datetime) -> None:
    if work.moves:
        db.session.execute(update(CheckIn), work.moves)
    if work.deletes:
        db.session.execute(delete(CheckIn).where(CheckIn.id.in_(work.deletes)),
                           execution_options={"synchronize_session": False})
    insert_check_ins(work.inserts, lines(plan.agenda_template), now)
    # The bulk statements bypass the identity map: forget what it holds of check-ins.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, CheckIn):
            db.session.expire(obj)


def change_cadence(plan: ReinforcementPlan, cadence: str, *, by: User,
                   now: datetime | None = None) -> CadenceChange:
    """Meet on a new cadence from now on; past check-ins and worked-on ones stay as they are.

    For each started team the next untouched check-in keeps its day; from there the slots
    follow the new cadence to the plan's end. Per coachee, a check-in already on a new slot
    stays. Check-ins that are not free (worked on — an agenda item added by a person, notes,
    a prepared agenda, an action item — or no longer scheduled: held, missed, cancelled,
    rescheduled) never change and stand for the remaining slot nearest to them (within half
    the cadence). Other free check-ins move onto the remaining slots, or are deleted when
    there are more of them than slots; missing slots get new check-ins with the agenda
    template. A constant number of statements for the whole plan.
    """
    now = now or utcnow()
    try:
        new = Cadence(cadence)
    except ValueError:
        raise ValidationError("Choose every week or every two weeks.", field="cadence") from None
    if plan.status == PlanStatus.ARCHIVED:
        raise ValidationError("This plan is archived.", field="cadence")
    if new == plan.cadence:
        raise ValidationError(f"The plan already meets {new.label.lower()}.", field="cadence")
    old = Cadence(plan.cadence)
    plan.cadence = new
    teams = list(db.session.scalars(select(PlanTeam).where(PlanTeam.plan_id == plan.id)
                                    .options(joinedload(PlanTeam.coach))))
    rows = _future_rows([team.id for team in teams], now)
    work, change = _Work(), CadenceChange()
    for team in teams:
        mine = [row for row in rows if row.plan_team_id == team.id]
        if mine:
            change.teams += 1
            _reconcile_team(plan, team, mine, new, now, work)
    _apply_work(plan, work, now)
    change.moved, change.added, change.removed = (len(work.moves), len(work.inserts),
                                                  len(work.deletes))
    record(by, "plan.cadence", plan, summary=f"{plan.title}: {old.label} -> {new.label}; "
           f"{change.moved} moved, {change.added} added, {change.removed} removed",
           changes={"cadence": [old.value, new.value], "moved": change.moved,
                    "added": change.added, "removed": change.removed})
    if work.coachee_ids:
        people = list(db.session.scalars(select(User).where(User.id.in_(work.coachee_ids))))
        notify_many(people, kind=SCHEDULED_KIND,
                    subject="Your coaching check-ins are rescheduled",
                    body=f"“{plan.title}” now meets {new.label.lower()}; your past "
                         "check-ins and those already prepared stay as they are.",
                    link=CHECK_INS_LINK, now=now)
    return change
