"""Reinforcement plans and resources in the REST API.

The rules are the services' (``reinforcement.plans``, ``reinforcement.resources``); these
views load, authorize, call them and commit once. A refusal is 422
``{"errors": {field: [message]}}`` with nothing written. Lists are scoped in SQL.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from courses.live.models import Program
from lms.api import field_names, one_transaction, page_of, referenced, token_required
from lms.authz import load_visible, require, visible
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User
from reinforcement import READ, WRITE
from reinforcement.plans import services as plans
from reinforcement.plans.models import PlanPairing, ReinforcementPlan
from reinforcement.plans.permissions import may_coach_as
from reinforcement.plans.schemas import (
    CadenceChangeSchema,
    CadenceCreateSchema,
    PlanCreateSchema,
    PlanDetailSchema,
    PlanListSchema,
    PlanQuerySchema,
    PlanStartCreateSchema,
    PlanTeamSchema,
    PlanUpdateSchema,
)

plans_blp = Blueprint("plans_api", __name__, url_prefix="/api/v1/plans",
                      description="Reinforcement plans: the coaching rhythm after a program")
BLUEPRINTS = (plans_blp,)
# Where a service's refusal points, in the API's own field names.
API_FIELDS = {"resources": "resource_ids", "program": "program_id", "coach": "coach_id"}


# --- plans -------------------------------------------------------------------------------------

def _plan_out(plan: ReinforcementPlan) -> dict:
    return {"id": plan.id, "program_id": plan.program_id, "program_name": plan.program.name,
            "title": plan.title, "weeks": plan.weeks, "cadence": plan.cadence,
            "check_in_minutes": plan.check_in_minutes,
            "focus_activities": plans.lines(plan.focus_activities),
            "agenda_template": plans.lines(plan.agenda_template), "status": plan.status,
            "resources": [{"id": r.id, "title": r.title} for r in plan.resources],
            "created_at": plan.created_at, "updated_at": plan.updated_at}


def _team_out(row: plans.TeamRow) -> dict:
    team = row.team
    return {"id": team.id, "coach_id": team.coach_id, "coach_name": team.coach.name,
            "starts_on": team.starts_on, "local_time": team.local_time,
            "coachees": row.coachees, "scheduled": row.scheduled, "held": row.held,
            "missed": row.missed, "cancelled": row.cancelled, "next_at": row.next_at}


def _plan_detail(plan: ReinforcementPlan) -> dict:
    pairings = []
    if g.api_user.is_admin:
        pairings = [{"id": p.id, "coach_id": p.coach_id, "coachee_id": p.coachee_id}
                    for p in db.session.scalars(select(PlanPairing).where(
                        PlanPairing.plan_id == plan.id).order_by(PlanPairing.id))]
    return {**_plan_out(plan), "pairings": pairings,
            "teams": [_team_out(row) for row in plans.teams_of(plan, g.api_user)]}


def _plan_data(payload: dict, plan: ReinforcementPlan | None = None) -> plans.PlanData:
    current: dict = {"weeks": 12, "cadence": "weekly", "check_in_minutes": 30,
                     "focus_activities": [], "agenda_template": [], "resource_ids": []}
    if plan is not None:
        current = {"title": plan.title, "weeks": plan.weeks, "cadence": str(plan.cadence),
                   "check_in_minutes": plan.check_in_minutes,
                   "focus_activities": plans.lines(plan.focus_activities),
                   "agenda_template": plans.lines(plan.agenda_template),
                   "resource_ids": [r.id for r in plan.resources]}
    current.update({k: v for k, v in payload.items() if k not in {"program_id", "status"}})
    return plans.PlanData(
        title=current["title"], weeks=current["weeks"], cadence=current["cadence"],
        check_in_minutes=current["check_in_minutes"],
        focus_activities="\n".join(current["focus_activities"]),
        agenda_template="\n".join(current["agenda_template"]),
        resource_ids=current["resource_ids"])


def _plan(plan_id: int, action: str) -> ReinforcementPlan:
    plan = load_visible(ReinforcementPlan, plan_id, g.api_user)
    require(g.api_user, action, plan)
    return plan


@plans_blp.route("/")
@token_required(READ)
@plans_blp.arguments(PlanQuerySchema, location="query", unknown=ma.RAISE)
@plans_blp.response(200, PlanListSchema)
def plan_index(args):
    """Plans you may see, newest first (managers and above; drafts: admins)."""
    stmt = (visible(select(ReinforcementPlan), g.api_user)
            .options(joinedload(ReinforcementPlan.program),
                     selectinload(ReinforcementPlan.resources))
            .order_by(ReinforcementPlan.created_at.desc(), ReinforcementPlan.id.desc()))
    if args["program_id"] is not None:
        stmt = stmt.where(ReinforcementPlan.program_id == args["program_id"])
    if args["status"] is not None:
        stmt = stmt.where(ReinforcementPlan.status == args["status"])
    page = page_of(stmt, args)
    page["items"] = [_plan_out(plan) for plan in page["items"]]
    return page


@plans_blp.route("/<int:plan_id>")
@token_required(READ)
@plans_blp.response(200, PlanDetailSchema)
def plan_detail(plan_id):
    """One plan with the teams it runs for and their check-ins counted by status."""
    return _plan_detail(_plan(plan_id, "plan.view"))


@plans_blp.route("/", methods=["POST"])
@token_required(WRITE)
@plans_blp.arguments(PlanCreateSchema)
@plans_blp.response(201, PlanDetailSchema)
def plan_create(payload):
    """Add a draft plan to a program (admins)."""
    require(g.api_user, "plan.manage")
    program = referenced(Program, payload, "program_id", "No program has that id.")
    with one_transaction(), field_names(API_FIELDS):
        plan = plans.create_plan(program, _plan_data(payload), by=g.api_user)
    return _plan_detail(plan)


@plans_blp.route("/<int:plan_id>", methods=["PATCH"])
@token_required(WRITE)
@plans_blp.arguments(PlanUpdateSchema)
@plans_blp.response(200, PlanDetailSchema)
def plan_update(payload, plan_id):
    """Change a plan (admins); ``status`` activates or archives it."""
    plan = _plan(plan_id, "plan.manage")
    status = payload.get("status")
    with one_transaction(), field_names(API_FIELDS):
        if status and status != plan.status and plan.status == "archived":
            plans.set_status(plan, status, by=g.api_user)  # bring it back, then change it
            status = None
        if set(payload) - {"status"}:
            plans.update_plan(plan, _plan_data(payload, plan), by=g.api_user)
        if status and status != plan.status:
            plans.set_status(plan, status, by=g.api_user)
    return _plan_detail(plan)


@plans_blp.route("/<int:plan_id>/start", methods=["POST"])
@token_required(WRITE)
@plans_blp.arguments(PlanStartCreateSchema)
@plans_blp.response(201, PlanTeamSchema)
def plan_start(payload, plan_id):
    """Start the plan for a coach's team: every check-in is scheduled (admins for anyone,
    managers and leaders for themselves)."""
    plan = _plan(plan_id, "plan.start")
    coach = g.api_user
    if payload["coach_id"] is not None:
        coach = db.session.get(User, payload["coach_id"])
        if coach is None:
            raise ValidationError("No one has that id.", field="coach_id")
        if not may_coach_as(g.api_user, coach):
            abort(403, description="You may start a plan for your own team only.")
    with one_transaction(), field_names(API_FIELDS):
        team = plans.start_plan(plan, coach, starts_on=payload["starts_on"],
                                local_time=payload["local_time"], by=g.api_user)
    return next(_team_out(row) for row in plans.teams_of(plan, g.api_user)
                if row.team.id == team.id)


@plans_blp.route("/<int:plan_id>/cadence", methods=["POST"])
@token_required(WRITE)
@plans_blp.arguments(CadenceCreateSchema)
@plans_blp.response(200, CadenceChangeSchema)
def plan_cadence(payload, plan_id):
    """Meet on a new cadence: future untouched check-ins are rescheduled (admins)."""
    plan = _plan(plan_id, "plan.manage")
    with one_transaction():
        change = plans.change_cadence(plan, payload["cadence"], by=g.api_user)
    return {"teams": change.teams, "moved": change.moved, "added": change.added,
            "removed": change.removed, "plan": _plan_out(plan)}


# --- resources ---------------------------------------------------------------------------------



















