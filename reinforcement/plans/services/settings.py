"""Plan settings and who coaches whom: create, change, activate or archive a plan; pairings.

Services flush, never commit; every change is audited. Refusals raise ``ValidationError``
with the form field they concern, before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select

from courses.live.models import Program, ProgramStatus
from lms.audit.services import pending_changes, record
from lms.errors import ValidationError
from lms.extensions import db
from lms.people import tree
from lms.people.models import User
from reinforcement.plans.models import Cadence, PlanPairing, PlanStatus, PlanTeam, ReinforcementPlan
from reinforcement.plans.services.cadence import change_cadence
from reinforcement.plans.services.teams import lines
from reinforcement.resources.models import Resource

MAX_FOCUS = 5  # the few high-impact activities: more is no focus at all
MAX_AGENDA_LINES = 15
MIN_MINUTES, MAX_MINUTES = 5, 240
MAX_WEEKS = 52

# Where each status may go next; an archived plan may be brought back.
TRANSITIONS: dict[str, set[str]] = {
    PlanStatus.DRAFT: {PlanStatus.ACTIVE, PlanStatus.ARCHIVED},
    PlanStatus.ACTIVE: {PlanStatus.ARCHIVED},
    PlanStatus.ARCHIVED: {PlanStatus.ACTIVE},
}


@dataclass
class PlanData:
    title: str
    weeks: int = 12
    cadence: str = Cadence.WEEKLY
    check_in_minutes: int = 30
    focus_activities: str = ""  # one per line
    agenda_template: str = ""  # one per line
    resource_ids: Sequence[int] = field(default_factory=list)


def _check_lines(text: str, *, most: int, longest: int, field_name: str, what: str) -> None:
    found = lines(text)
    if len(found) > most:
        raise ValidationError(what.format(most=most, count=len(found)), field=field_name)
    too_long = next((line for line in found if len(line) > longest), None)
    if too_long is not None:
        raise ValidationError(f"Keep each line under {longest} characters: "
                              f"“{too_long[:40]}…”.", field=field_name)


def _resources(ids: Sequence[int]) -> list[Resource]:
    wanted = sorted(set(ids))
    found = list(db.session.scalars(select(Resource).where(
        Resource.id.in_(wanted), Resource.is_archived.is_(False)))) if wanted else []
    if len(found) != len(wanted):
        raise ValidationError("One of the resources is unknown or archived.",
                              field="resources")
    return found


def _check_plan(data: PlanData) -> list[Resource]:
    if not data.title.strip() or len(data.title.strip()) > 200:
        raise ValidationError("Give the plan a title (up to 200 characters).", field="title")
    if not 1 <= data.weeks <= MAX_WEEKS:
        raise ValidationError(f"A plan lasts from 1 to {MAX_WEEKS} weeks.", field="weeks")
    if data.cadence not in {c.value for c in Cadence}:
        raise ValidationError("Choose every week or every two weeks.", field="cadence")
    if not MIN_MINUTES <= data.check_in_minutes <= MAX_MINUTES:
        raise ValidationError(f"A check-in lasts from {MIN_MINUTES} to {MAX_MINUTES} "
                              "minutes.", field="check_in_minutes")
    _check_lines(data.focus_activities, most=MAX_FOCUS, longest=200,
                 field_name="focus_activities",
                 what="Focus on the few high-impact activities: at most {most}, one per "
                      "line (there are {count}).")
    _check_lines(data.agenda_template, most=MAX_AGENDA_LINES, longest=500,
                 field_name="agenda_template",
                 what="An agenda template has at most {most} items (there are {count}).")
    return _resources(data.resource_ids)


def _apply(plan: ReinforcementPlan, data: PlanData, resources: list[Resource]) -> None:
    plan.title = data.title.strip()
    plan.weeks = data.weeks
    plan.check_in_minutes = data.check_in_minutes
    plan.focus_activities = "\n".join(lines(data.focus_activities))
    plan.agenda_template = "\n".join(lines(data.agenda_template))
    plan.resources = resources


def create_plan(program: Program, data: PlanData, *, by: User) -> ReinforcementPlan:
    """Add a draft plan to ``program``."""
    resources = _check_plan(data)
    if program.status == ProgramStatus.CANCELLED:
        raise ValidationError("This program is cancelled; it gets no reinforcement plan.",
                              field="program")
    plan = ReinforcementPlan(program=program, status=PlanStatus.DRAFT,
                             cadence=Cadence(data.cadence))
    _apply(plan, data, resources)
    db.session.add(plan)
    record(by, "plan.create", plan, summary=f"{program.name}: {plan.title}")
    return plan


def has_teams(plan: ReinforcementPlan) -> bool:
    return db.session.scalar(select(exists().where(PlanTeam.plan_id == plan.id))) or False


def update_plan(plan: ReinforcementPlan, data: PlanData, *, by: User,
                now: datetime | None = None) -> None:
    """Change a plan's settings; a new cadence reschedules started teams' future check-ins."""
    resources = _check_plan(data)
    if plan.status == PlanStatus.ARCHIVED:
        raise ValidationError("This plan is archived; bring it back before changing it.")
    started = has_teams(plan)
    if started and data.weeks != plan.weeks:
        raise ValidationError("The plan has started for some teams, so its length can no "
                              "longer change.", field="weeks")
    before = sorted(r.id for r in plan.resources)
    _apply(plan, data, resources)
    changes = pending_changes(plan)
    if before != sorted(r.id for r in resources):
        changes["resources"] = [before, sorted(r.id for r in resources)]
    if data.cadence != plan.cadence and not started:
        changes["cadence"] = [str(plan.cadence), data.cadence]
        plan.cadence = Cadence(data.cadence)
    record(by, "plan.update", plan, summary=plan.title, changes=changes)
    if data.cadence != plan.cadence:
        change_cadence(plan, data.cadence, by=by, now=now)


def set_status(plan: ReinforcementPlan, status: str, *, by: User) -> None:
    """Activate (teams may start it) or archive (no new starts, no changes) a plan."""
    if status not in TRANSITIONS[plan.status]:
        raise ValidationError(f"A {plan.status} plan cannot become {status}.", field="status")
    old = plan.status
    plan.status = PlanStatus(status)
    record(by, "plan.status", plan, summary=f"{plan.title}: {old} -> {status}",
           changes={"status": [str(old), str(status)]})


# --- who coaches whom --------------------------------------------------------------------------

def set_pairing(plan: ReinforcementPlan, coach: User, coachee: User, *,
                by: User) -> PlanPairing:
    """In this plan, ``coach`` coaches ``coachee`` (instead of the coachee's own manager)."""
    if plan.status == PlanStatus.ARCHIVED:
        raise ValidationError("This plan is archived.")
    if coach.id == coachee.id:
        raise ValidationError("Nobody coaches themselves.", field="coachee")
    if not (coach.is_active and coachee.is_active):
        raise ValidationError("Both people must have active accounts.", field="coachee")
    if not tree.is_in_subtree(coach.id, coachee.id):
        raise ValidationError(f"{coachee.name} is not under {coach.name}; a coach only "
                              "coaches people in their part of the organisation.",
                              field="coachee")
    pairing = db.session.scalar(select(PlanPairing).where(
        PlanPairing.plan_id == plan.id, PlanPairing.coachee_id == coachee.id))
    if pairing is None:
        pairing = PlanPairing(plan=plan, coachee=coachee, coach=coach)
        db.session.add(pairing)
    else:
        pairing.coach = coach
    record(by, "plan.pairing", pairing, summary=f"{plan.title}: {coach.name} coaches "
           f"{coachee.name}", changes={"coach_id": coach.id, "coachee_id": coachee.id})
    return pairing


def remove_pairing(pairing: PlanPairing, *, by: User) -> None:
    """Back to the default: the coachee's own manager coaches them."""
    record(by, "plan.pairing_remove", pairing, summary=f"{pairing.plan.title}: "
           f"{pairing.coach.name} no longer coaches {pairing.coachee.name}", changes={})
    pairing.plan.pairings.remove(pairing)
    db.session.flush()
