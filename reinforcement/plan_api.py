"""Reinforcement plans and resources in the REST API.

The rules are the services' (``reinforcement.plans``, ``reinforcement.resources``); these
views load, authorize, call them and commit once. A refusal is 422
``{"errors": {field: [message]}}`` with nothing written. Lists are scoped in SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from courses.live.models import Program
from lms.api import one_transaction, page_of, token_required
from lms.authz import can_see, load_visible, require, visible
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User
from lms.web import files
from reinforcement import plans, resources
from reinforcement.models import PlanPairing, ReinforcementPlan, Resource
from reinforcement.plan_permissions import may_coach_as
from reinforcement.plan_schemas import (
    AcknowledgementSchema,
    CadenceChangeSchema,
    CadenceCreateSchema,
    PlanCreateSchema,
    PlanDetailSchema,
    PlanListSchema,
    PlanQuerySchema,
    PlanStartCreateSchema,
    PlanTeamSchema,
    PlanUpdateSchema,
    ResourceCreateSchema,
    ResourceDetailSchema,
    ResourceListSchema,
    ResourceQuerySchema,
    ResourceUpdateSchema,
)

plans_blp = Blueprint("plans_api", __name__, url_prefix="/api/v1/plans",
                      description="Reinforcement plans: the coaching rhythm after a program")
resources_blp = Blueprint("resources_api", __name__, url_prefix="/api/v1/resources",
                          description="Playbooks, job aids and reinforcement guides")
BLUEPRINTS = (plans_blp, resources_blp)
READ, WRITE = "reinforcement:read", "reinforcement:write"
# Where a service's refusal points, in the API's own field names.
API_FIELDS = {"resources": "resource_ids", "program": "program_id", "coach": "coach_id",
              "course": "course_id"}


@contextmanager
def _api_fields() -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        error.field = API_FIELDS.get(error.field, error.field)
        raise


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
    program = db.session.get(Program, payload["program_id"])
    if program is None or not can_see(g.api_user, program):
        raise ValidationError("No program has that id.", field="program_id")
    with one_transaction(), _api_fields():
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
    with one_transaction(), _api_fields():
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
    with one_transaction(), _api_fields():
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

def _resource_out(resource: Resource, status: dict, assigned: set) -> dict:
    return {"id": resource.id, "title": resource.title, "kind": resource.kind,
            "summary": resource.summary, "audience": resources.audience_levels(resource),
            "program_id": resource.program_id, "course_id": resource.course_id,
            "is_archived": resource.is_archived,
            "current_version_number": (resource.current_version.number
                                       if resource.current_version else None),
            "assigned_to_me": resource.id in assigned, "read_status": status[resource.id]}


def _resource_detail(resource: Resource) -> dict:
    user = g.api_user
    out = _resource_out(resource, resources.read_status([resource], user),
                        resources.assigned_ids([resource], user))
    version = resource.current_version
    ack = resources.acknowledgement(resource, user) if version else None
    file = None
    if version is not None and version.file is not None:
        file = {"name": version.file.original_name, "content_type": version.file.content_type,
                "size": version.file.size, "url": f"/api/v1/resources/{resource.id}/file"}
    return {**out, "acknowledged_at": ack.acknowledged_at if ack else None,
            "current_version": None if version is None else {
                "number": version.number, "body_markdown": version.body_markdown,
                "body_html": version.body_html, "file": file,
                "change_note": version.change_note, "created_at": version.created_at}}


def _resource(resource_id: int, action: str) -> Resource:
    resource = load_visible(Resource, resource_id, g.api_user)
    require(g.api_user, action, resource)
    return resource


def _resource_data(payload: dict, resource: Resource | None = None) -> resources.ResourceData:
    current: dict = {"kind": "playbook", "summary": "", "audience": [], "program_id": None,
                     "course_id": None}
    if resource is not None:
        current = {"title": resource.title, "kind": str(resource.kind),
                   "summary": resource.summary,
                   "audience": resources.audience_levels(resource),
                   "program_id": resource.program_id, "course_id": resource.course_id}
    fields = {"title", "kind", "summary", "audience", "program_id", "course_id"}
    current.update({k: v for k, v in payload.items() if k in fields})
    return resources.ResourceData(**current)


@resources_blp.route("/")
@token_required(READ)
@resources_blp.arguments(ResourceQuerySchema, location="query", unknown=ma.RAISE)
@resources_blp.response(200, ResourceListSchema)
def resource_index(args):
    """The resource library you may see, with whether each is assigned to you and read."""
    user = g.api_user
    chosen = resources.LibraryFilter(
        kind=args["kind"], level=args["level"], program_id=args["program_id"],
        mine=args["mine"], archived=args["archived"] and user.is_admin)
    page = page_of(resources.library(user, chosen)
                   .options(joinedload(Resource.current_version)), args)
    status = resources.read_status(page["items"], user)
    assigned = resources.assigned_ids(page["items"], user)
    page["items"] = [_resource_out(r, status, assigned) for r in page["items"]]
    return page


@resources_blp.route("/<int:resource_id>")
@token_required(READ)
@resources_blp.response(200, ResourceDetailSchema)
def resource_detail(resource_id):
    """One resource with its current version (text, or the file's details)."""
    return _resource_detail(_resource(resource_id, "resource.view"))


@resources_blp.route("/<int:resource_id>/file")
@token_required(READ)
@resources_blp.response(200, description="The current version's file, as a download.")
def resource_file(resource_id):
    """Download the current version's file (404 when the resource is a text)."""
    resource = _resource(resource_id, "resource.view")
    version = resource.current_version
    if version is None or version.file is None:
        abort(404, description="The current version of this resource is not a file.")
    return files.send_stored_file(version.file)


@resources_blp.route("/", methods=["POST"])
@token_required(WRITE)
@resources_blp.arguments(ResourceCreateSchema)
@resources_blp.response(201, ResourceDetailSchema)
def resource_create(payload):
    """Add a Markdown resource (admins); files are uploaded in the browser."""
    require(g.api_user, "resource.manage")
    with one_transaction(), _api_fields():
        resource = resources.create_resource(
            _resource_data(payload), resources.VersionData(body_markdown=payload[
                "body_markdown"]), by=g.api_user)
    return _resource_detail(resource)


@resources_blp.route("/<int:resource_id>", methods=["PATCH"])
@token_required(WRITE)
@resources_blp.arguments(ResourceUpdateSchema)
@resources_blp.response(200, ResourceDetailSchema)
def resource_update(payload, resource_id):
    """Change a resource (admins); a new ``body_markdown`` publishes a new version."""
    resource = _resource(resource_id, "resource.manage")
    archived = payload.get("is_archived")
    with one_transaction(), _api_fields():
        if archived is False and resource.is_archived:
            resources.set_archived(resource, False, by=g.api_user)
        if set(payload) & {"title", "kind", "summary", "audience", "program_id", "course_id"}:
            resources.update_resource(resource, _resource_data(payload, resource),
                                      by=g.api_user)
        if "body_markdown" in payload:
            resources.add_version(resource, resources.VersionData(
                body_markdown=payload["body_markdown"],
                change_note=payload.get("change_note", "")), by=g.api_user)
        if archived and not resource.is_archived:
            resources.set_archived(resource, True, by=g.api_user)
    return _resource_detail(resource)


@resources_blp.route("/<int:resource_id>/acknowledge", methods=["POST"])
@token_required(WRITE)
@resources_blp.response(200, AcknowledgementSchema)
def resource_acknowledge(resource_id):
    """Confirm you have read the current version (again after each new version)."""
    resource = _resource(resource_id, "resource.view")
    with one_transaction():
        ack = resources.acknowledge(resource, g.api_user)
    return {"resource_id": resource.id, "version_number": resource.current_version.number,
            "acknowledged_at": ack.acknowledged_at}
