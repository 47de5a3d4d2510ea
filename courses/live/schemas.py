"""marshmallow schemas for live sessions, registrations and attendance in the REST API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused.
The rules (capacity, agenda length, attendance statuses...) live in the services; the simple
bounds among them are repeated here so that the OpenAPI document shows them.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from courses.live.models import AttendanceStatus, RegistrationStatus, SessionStatus
from lms.api import ApiSchema, PageArgsSchema, list_schema
from lms.web.text import single_line

TITLE = [validate.Length(min=1, max=200), single_line]
# The services enforce these too; here they are in the OpenAPI document for clients.
CAPACITY = validate.Range(min=1)
PERCENT = validate.Range(min=1, max=100)


class _Strict(ApiSchema):
    class Meta:
        unknown = ma.RAISE


# --- out -------------------------------------------------------------------------------------

class SegmentSchema(ApiSchema):
    id = ma.fields.Integer()
    position = ma.fields.Integer()
    title = ma.fields.String()
    minutes = ma.fields.Integer()


class SessionSchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    time_zone = ma.fields.String()
    location = ma.fields.String()
    meeting_url = ma.fields.String()
    status = ma.fields.String(validate=validate.OneOf([s.value for s in SessionStatus]))
    capacity = ma.fields.Integer()
    attended_threshold = ma.fields.Integer()
    facilitator_id = ma.fields.Integer(allow_none=True)
    program_id = ma.fields.Integer(allow_none=True)
    course_id = ma.fields.Integer(allow_none=True)
    registered = ma.fields.Integer(metadata={"description": "People holding a seat."})
    waitlisted = ma.fields.Integer()
    seats_left = ma.fields.Integer()


class SessionDetailSchema(SessionSchema):
    agenda = ma.fields.List(ma.fields.Nested(SegmentSchema))
    my_registration = ma.fields.String(allow_none=True, metadata={
        "description": "Your own registration status, if you registered."})


SessionListSchema = list_schema(SessionSchema, "SessionList")


class RegistrationSchema(ApiSchema):
    id = ma.fields.Integer()
    session_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    status = ma.fields.String(validate=validate.OneOf([s.value for s in RegistrationStatus]))
    waitlist_position = ma.fields.Integer(allow_none=True, metadata={
        "description": "1 for the first person waiting; null when not on the waitlist."})
    registered_at = ma.fields.DateTime()
    cancelled_at = ma.fields.DateTime(allow_none=True)
    is_walk_in = ma.fields.Boolean()
    promoted_user_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "After a cancellation: who moved up from the waitlist, if anyone."})


class AttendanceSchema(ApiSchema):
    registration_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    name = ma.fields.String()
    status = ma.fields.String(allow_none=True, metadata={"description": "Null: not taken yet."})
    minutes_present = ma.fields.Integer(allow_none=True)
    left_after_segment_id = ma.fields.Integer(allow_none=True)
    excuse = ma.fields.String()
    counts_as_attended = ma.fields.Boolean()


AttendanceListSchema = list_schema(AttendanceSchema, "AttendanceList")


class AttendanceSavedSchema(ApiSchema):
    saved = ma.fields.Integer(metadata={"description": "Rows written."})


# --- in --------------------------------------------------------------------------------------

class SessionQuerySchema(PageArgsSchema):
    starts_from = ma.fields.AwareDateTime(data_key="from", load_default=None, metadata={
        "description": "Sessions starting at or after this moment (default: now)."})
    starts_to = ma.fields.AwareDateTime(data_key="to", load_default=None, metadata={
        "description": "Sessions starting before this moment."})
    program_id = ma.fields.Integer(load_default=None)


class SegmentCreateSchema(_Strict):
    title = ma.fields.String(required=True, validate=TITLE)
    minutes = ma.fields.Integer(required=True, validate=validate.Range(min=1))


class SessionCreateSchema(_Strict):
    title = ma.fields.String(required=True, validate=TITLE)
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    capacity = ma.fields.Integer(load_default=30, validate=CAPACITY)
    time_zone = ma.fields.String(load_default="UTC", validate=validate.Length(max=64))
    location = ma.fields.String(load_default="", validate=validate.Length(max=300))
    meeting_url = ma.fields.String(load_default="", validate=validate.Length(max=500))
    description = ma.fields.String(load_default="")
    facilitator_id = ma.fields.Integer(load_default=None, allow_none=True)
    attended_threshold = ma.fields.Integer(load_default=90, validate=PERCENT)
    agenda = ma.fields.List(ma.fields.Nested(SegmentCreateSchema), load_default=list)


class SessionUpdateSchema(SessionCreateSchema):
    """Every field optional: only what is sent changes (``agenda`` replaces the agenda)."""

    title = ma.fields.String(validate=TITLE)
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime()
    capacity = ma.fields.Integer(validate=CAPACITY)
    time_zone = ma.fields.String(validate=validate.Length(max=64))
    location = ma.fields.String(validate=validate.Length(max=300))
    meeting_url = ma.fields.String(validate=validate.Length(max=500))
    description = ma.fields.String()
    facilitator_id = ma.fields.Integer(allow_none=True)
    attended_threshold = ma.fields.Integer(validate=PERCENT)
    agenda = ma.fields.List(ma.fields.Nested(SegmentCreateSchema))


class RegistrationCreateSchema(_Strict):
    user_id = ma.fields.Integer(required=True, strict=True)


class AttendanceRowCreateSchema(_Strict):
    registration_id = ma.fields.Integer(required=True, strict=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(
        [status.value for status in AttendanceStatus]))
    minutes_present = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    left_after_segment_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    excuse = ma.fields.String(load_default="", validate=validate.Length(max=300))


class AttendanceCreateSchema(_Strict):
    rows = ma.fields.List(ma.fields.Nested(AttendanceRowCreateSchema), required=True,
                          validate=validate.Length(min=1))
