"""The shapes of champions councils in the REST API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from lms.api import ApiSchema, list_schema


class MemberSchema(ApiSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()



class CouncilSchema(ApiSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    purpose = ma.fields.String()
    chair_id = ma.fields.Integer(allow_none=True)
    every_weeks = ma.fields.Integer()
    members = ma.fields.List(ma.fields.Nested(MemberSchema))
    created_at = ma.fields.DateTime()



CouncilListSchema = list_schema(CouncilSchema, "CouncilList")



class AttendeeSchema(ApiSchema):
    user_id = ma.fields.Integer()
    present = ma.fields.Boolean()



class CouncilMeetingSchema(ApiSchema):
    id = ma.fields.Integer()
    council_id = ma.fields.Integer()
    scheduled_at = ma.fields.DateTime()
    minutes = ma.fields.Integer()
    agenda = ma.fields.String()
    works = ma.fields.String(metadata={"description": "Coaching practices that work."})
    does_not_work = ma.fields.String()
    notes = ma.fields.String()
    held_at = ma.fields.DateTime(allow_none=True)
    is_cancelled = ma.fields.Boolean()
    attendance = ma.fields.List(ma.fields.Nested(AttendeeSchema))



CouncilMeetingListSchema = list_schema(CouncilMeetingSchema, "CouncilMeetingList")



class CouncilActionSchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    owner_id = ma.fields.Integer()
    due_on = ma.fields.Date()
    done_at = ma.fields.DateTime(allow_none=True)
    council_meeting_id = ma.fields.Integer()
    status = ma.fields.String(validate=validate.OneOf(("open", "overdue", "done")))



CouncilActionListSchema = list_schema(CouncilActionSchema, "CouncilActionList")

