"""marshmallow schemas for reinforcement plans and resources in the REST API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused.
The rules (lengths, the five focus activities, who may coach whom, dates) are the
services' in ``reinforcement.plans`` and ``reinforcement.resources``: these only check shapes.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from lms.api import ApiSchema, PageArgsSchema, StrictSchema, list_schema
from lms.web.text import single_line
from reinforcement.plans.models import Cadence, PlanStatus
from reinforcement.plans.services.settings import MAX_MINUTES, MAX_WEEKS, MIN_MINUTES

TITLE = [validate.Length(min=1, max=200), single_line]
CADENCES = [c.value for c in Cadence]
STATUSES = [s.value for s in PlanStatus]
LINE = ma.fields.String(validate=validate.Length(min=1, max=500))
# The services enforce these too; here they are in the OpenAPI document for clients.
WEEKS = validate.Range(min=1, max=MAX_WEEKS)
MINUTES = validate.Range(min=MIN_MINUTES, max=MAX_MINUTES)



# --- plans out -------------------------------------------------------------------------------

class PlanResourceSchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()


class PlanSchema(ApiSchema):
    id = ma.fields.Integer(dump_only=True)
    program_id = ma.fields.Integer()
    program_name = ma.fields.String()
    title = ma.fields.String()
    weeks = ma.fields.Integer()
    cadence = ma.fields.String(validate=validate.OneOf(CADENCES))
    check_in_minutes = ma.fields.Integer()
    focus_activities = ma.fields.List(ma.fields.String())
    agenda_template = ma.fields.List(ma.fields.String())
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    resources = ma.fields.List(ma.fields.Nested(PlanResourceSchema))
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


PlanListSchema = list_schema(PlanSchema, "PlanList")


class PlanTeamSchema(ApiSchema):
    id = ma.fields.Integer()
    coach_id = ma.fields.Integer()
    coach_name = ma.fields.String()
    starts_on = ma.fields.Date()
    local_time = ma.fields.String(metadata={"description": "HH:MM in the coach's time zone."})
    coachees = ma.fields.Integer()
    scheduled = ma.fields.Integer()
    held = ma.fields.Integer()
    missed = ma.fields.Integer()
    cancelled = ma.fields.Integer()
    next_at = ma.fields.DateTime(allow_none=True)


class PairingSchema(ApiSchema):
    id = ma.fields.Integer()
    coach_id = ma.fields.Integer()
    coachee_id = ma.fields.Integer()


class PlanDetailSchema(PlanSchema):
    teams = ma.fields.List(ma.fields.Nested(PlanTeamSchema), metadata={
        "description": "Teams the plan runs for (admins: all; others: coaches in their "
                       "subtree) with their check-ins counted by status."})
    pairings = ma.fields.List(ma.fields.Nested(PairingSchema), metadata={
        "description": "Exceptions to who coaches whom (admins only; empty for others)."})


class CadenceChangeSchema(ApiSchema):
    teams = ma.fields.Integer()
    moved = ma.fields.Integer()
    added = ma.fields.Integer()
    removed = ma.fields.Integer()
    plan = ma.fields.Nested(PlanSchema)


# --- plans in --------------------------------------------------------------------------------

class PlanQuerySchema(PageArgsSchema):
    program_id = ma.fields.Integer(load_default=None)
    status = ma.fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class PlanCreateSchema(StrictSchema):
    program_id = ma.fields.Integer(required=True, strict=True)
    title = ma.fields.String(required=True, validate=TITLE)
    weeks = ma.fields.Integer(load_default=12, validate=WEEKS)
    cadence = ma.fields.String(load_default="weekly", validate=validate.OneOf(CADENCES))
    check_in_minutes = ma.fields.Integer(load_default=30, validate=MINUTES)
    focus_activities = ma.fields.List(LINE, load_default=list, metadata={
        "description": "The few high-impact activities the coaching focuses on (at most 5)."})
    agenda_template = ma.fields.List(LINE, load_default=list, metadata={
        "description": "Agenda items every check-in of the plan starts with."})
    resource_ids = ma.fields.List(ma.fields.Integer(strict=True), load_default=list)


class PlanUpdateSchema(StrictSchema):
    """Every field optional: only what is sent changes. A new ``cadence`` reschedules the
    future check-ins of started teams; ``status`` activates or archives the plan."""

    title = ma.fields.String(validate=TITLE)
    weeks = ma.fields.Integer(validate=WEEKS)
    cadence = ma.fields.String(validate=validate.OneOf(CADENCES))
    check_in_minutes = ma.fields.Integer(validate=MINUTES)
    focus_activities = ma.fields.List(LINE)
    agenda_template = ma.fields.List(LINE)
    resource_ids = ma.fields.List(ma.fields.Integer(strict=True))
    status = ma.fields.String(validate=validate.OneOf(STATUSES))


class PlanStartCreateSchema(StrictSchema):
    coach_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True, metadata={
        "description": "Whose team (admins); you by default."})
    starts_on = ma.fields.Date(required=True, metadata={"description": "The first check-in."})
    local_time = ma.fields.String(required=True, validate=validate.Regexp(
        r"^\d{1,2}:\d{2}$", error="Give the time of day as HH:MM."), metadata={
        "description": "HH:MM in the coach's time zone."})


class CadenceCreateSchema(StrictSchema):
    cadence = ma.fields.String(required=True, validate=validate.OneOf(CADENCES))


# --- resources -------------------------------------------------------------------------------

















