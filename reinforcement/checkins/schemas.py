"""marshmallow schemas for check-ins and action items in the REST API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused. The
rules (who coaches whom, times in the future, due dates, who may write what) live in the
services: these schemas only check shapes. ``private_notes`` is in a check-in only when the
caller is its coach; for everyone else the key is absent.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from lms.api import ApiSchema, PageArgsSchema, StrictSchema, list_schema
from lms.web.text import single_line
from reinforcement.checkins.models import CheckInStatus
from reinforcement.checkins.services import MAX_AGENDA_TEXT, MAX_MINUTES, MAX_NOTES, MIN_MINUTES

STATUSES = [status.value for status in CheckInStatus]
MINUTES = validate.Range(min=MIN_MINUTES, max=MAX_MINUTES)
STATUS_CHANGES = [CheckInStatus.HELD.value, CheckInStatus.MISSED.value,
                  CheckInStatus.CANCELLED.value]



class AgendaItemSchema(ApiSchema):
    id = ma.fields.Integer()
    position = ma.fields.Integer()
    text = ma.fields.String()
    author_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()


class ActionItemSchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    owner_id = ma.fields.Integer()
    due_on = ma.fields.Date()
    done_at = ma.fields.DateTime(allow_none=True)
    is_overdue = ma.fields.Boolean(metadata={"description": "Open and past its due date."})
    check_in_id = ma.fields.Integer(allow_none=True)
    coach_id = ma.fields.Integer(allow_none=True)
    coachee_id = ma.fields.Integer(allow_none=True)
    council_meeting_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()


ActionItemListSchema = list_schema(ActionItemSchema, "ActionItemList")


class CheckInSummarySchema(ApiSchema):
    id = ma.fields.Integer()
    coach_id = ma.fields.Integer()
    coach = ma.fields.String(metadata={"description": "The coach's name."})
    coachee_id = ma.fields.Integer()
    coachee = ma.fields.String(metadata={"description": "The coachee's name."})
    scheduled_at = ma.fields.DateTime()
    minutes = ma.fields.Integer()
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    held_at = ma.fields.DateTime(allow_none=True)
    agenda_prepared_at = ma.fields.DateTime(allow_none=True)
    rescheduled_to_id = ma.fields.Integer(allow_none=True)
    plan_team_id = ma.fields.Integer(allow_none=True)


CheckInListSchema = list_schema(CheckInSummarySchema, "CheckInList")


class CheckInSchema(CheckInSummarySchema):
    shared_notes = ma.fields.String()
    private_notes = ma.fields.String(metadata={
        "description": "Only in the coach's own responses; absent for everyone else."})
    agenda = ma.fields.List(ma.fields.Nested(AgendaItemSchema))
    carried_forward = ma.fields.List(ma.fields.Nested(ActionItemSchema), metadata={
        "description": "The pair's action items from earlier check-ins still open when this "
                       "one started."})
    action_items = ma.fields.List(ma.fields.Nested(ActionItemSchema), metadata={
        "description": "Action items created at this check-in."})


class CheckInQuerySchema(PageArgsSchema):
    role = ma.fields.String(load_default="mine", validate=validate.OneOf(
        ["mine", "coach", "coachee", "team"]), metadata={
        "description": "`mine` (coach or coachee), `coach`, `coachee`, or `team`: check-ins "
                       "of people under you that you are not part of (shared part only)."})
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    after = ma.fields.DateTime(metadata={"description": "Scheduled at or after this time."})
    before = ma.fields.DateTime(metadata={"description": "Scheduled before this time."})


class CheckInCreateSchema(StrictSchema):
    coachee_id = ma.fields.Integer(required=True, strict=True)
    scheduled_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "With its offset, e.g. `2031-03-04T09:00:00+01:00`."})
    minutes = ma.fields.Integer(load_default=30, validate=MINUTES)
    coach_id = ma.fields.Integer(strict=True, metadata={
        "description": "Admins only: schedule on behalf of this coach (default: you)."})


class CheckInUpdateSchema(StrictSchema):
    """Either a status change, or a new time (which moves it: a new check-in replaces it)."""

    OPENAPI_RULES = {"oneOf": [
        {"required": ["status"], "not": {"anyOf": [{"required": ["scheduled_at"]},
                                                   {"required": ["minutes"]}]},
         "anyOf": [{"not": {"required": ["held_at"]}},
                   {"properties": {"status": {"enum": [CheckInStatus.HELD.value]}}}]},
        {"required": ["scheduled_at"], "not": {"anyOf": [{"required": ["status"]},
                                                         {"required": ["held_at"]}]}},
    ]}

    status = ma.fields.String(validate=validate.OneOf(STATUS_CHANGES))
    held_at = ma.fields.AwareDateTime(metadata={"description": "With `status: held`; "
                                                               "default now."})
    scheduled_at = ma.fields.AwareDateTime()
    minutes = ma.fields.Integer(validate=MINUTES)

    @ma.validates_schema
    def _one_change(self, data, **kwargs):
        if ("status" in data) == ("scheduled_at" in data):
            raise ma.ValidationError("Send either a status or a new scheduled_at.")
        if "held_at" in data and data.get("status") != CheckInStatus.HELD.value:
            raise ma.ValidationError("held_at goes with status held.", "held_at")
        if "minutes" in data and "scheduled_at" not in data:
            raise ma.ValidationError("minutes goes with a new scheduled_at.", "minutes")


class AgendaItemCreateSchema(StrictSchema):
    text = ma.fields.String(required=True, validate=validate.Length(min=1, max=MAX_AGENDA_TEXT))


class NotesSchema(StrictSchema):
    OPENAPI_RULES = {"minProperties": 1}

    shared_notes = ma.fields.String(validate=validate.Length(max=MAX_NOTES))
    private_notes = ma.fields.String(validate=validate.Length(max=MAX_NOTES), metadata={
        "description": "The coach alone may send these."})

    @ma.validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Send shared_notes, private_notes or both.")


class ActionItemQuerySchema(PageArgsSchema):
    whose = ma.fields.String(load_default="all", validate=validate.OneOf(
        ["mine", "coachees", "all"]), metadata={
        "description": "`mine` (you own them), `coachees` (of pairs you coach, owned by the "
                       "coachee), or `all` you may see."})
    state = ma.fields.String(load_default="open", validate=validate.OneOf(
        ["open", "done", "overdue", "all"]))


class ActionItemCreateSchema(StrictSchema):
    check_in_id = ma.fields.Integer(required=True, strict=True)
    title = ma.fields.String(required=True,
                             validate=[validate.Length(min=1, max=300), single_line])
    owner_id = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "The coach or the coachee of the check-in."})
    due_on = ma.fields.Date(required=True)


class ActionItemUpdateSchema(StrictSchema):
    done = ma.fields.Boolean(required=True, metadata={
        "description": "`true` marks it done, `false` reopens it."})
