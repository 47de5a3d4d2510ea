"""marshmallow schemas for pre-training communications in the REST API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused. The
rules (four required parts, who may be written to, send dates) live in the services.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from courses.live.communications import MAX_PART, MAX_QUESTION
from courses.live.models import CommunicationStatus
from lms.api import ApiSchema, PageArgsSchema, list_schema
from lms.people.models import LEVEL_VALUES
from lms.web.text import single_line

PART = validate.Length(max=MAX_PART)
ROLES = ("written", "received")


class _Strict(ApiSchema):
    class Meta:
        unknown = ma.RAISE


# --- out -------------------------------------------------------------------------------------

class ReceiptSchema(ApiSchema):
    user_id = ma.fields.Integer()
    name = ma.fields.String()
    level = ma.fields.String()
    delivered_at = ma.fields.DateTime()
    opened_at = ma.fields.DateTime(allow_none=True)
    acknowledged_at = ma.fields.DateTime(allow_none=True)
    question = ma.fields.String()


class TrackingSchema(ApiSchema):
    recipients = ma.fields.Integer()
    opened = ma.fields.Integer()
    acknowledged = ma.fields.Integer()


class CommunicationSchema(ApiSchema):
    id = ma.fields.Integer()
    subject = ma.fields.String()
    status = ma.fields.String(validate=validate.OneOf([s.value for s in CommunicationStatus]))
    author_id = ma.fields.Integer(allow_none=True)
    author_name = ma.fields.String(allow_none=True)
    session_id = ma.fields.Integer(allow_none=True)
    wave_id = ma.fields.Integer(allow_none=True)
    program_id = ma.fields.Integer(allow_none=True)
    about = ma.fields.String(metadata={"description": "The session, wave or program, in words."})
    levels = ma.fields.List(ma.fields.String())
    audience_root_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "Whose subtree it goes to; null: the author's."})
    send_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    role = ma.fields.String(validate=validate.OneOf(("author", "recipient", "reader")),
                            metadata={"description": "You wrote it, received it, or read it "
                                                     "as a leader above its author."})
    tracking = ma.fields.Nested(TrackingSchema, allow_none=True, metadata={
        "description": "For the author and admins: how many received, opened, acknowledged."})
    mine = ma.fields.Nested(ReceiptSchema, allow_none=True, metadata={
        "description": "For a recipient: your own receipt."})


class CommunicationDetailSchema(CommunicationSchema):
    what_you_learn = ma.fields.String()
    why_it_matters = ma.fields.String()
    how_work_changes = ma.fields.String()
    expected_results = ma.fields.String()
    recipients = ma.fields.List(ma.fields.Nested(ReceiptSchema), allow_none=True, metadata={
        "description": "For the author and admins: every recipient and what they did."})


CommunicationListSchema = list_schema(CommunicationSchema, "CommunicationList")


# --- in --------------------------------------------------------------------------------------

class CommunicationQuerySchema(PageArgsSchema):
    role = ma.fields.String(load_default=None, validate=validate.OneOf(ROLES), metadata={
        "description": "Only what you wrote, or only what you received (default: both)."})


class CommunicationCreateSchema(_Strict):
    subject = ma.fields.String(required=True,
                               validate=[validate.Length(min=1, max=200), single_line])
    what_you_learn = ma.fields.String(required=True, validate=PART)
    why_it_matters = ma.fields.String(required=True, validate=PART)
    how_work_changes = ma.fields.String(required=True, validate=PART)
    expected_results = ma.fields.String(required=True, validate=PART)
    session_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    wave_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    program_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    levels = ma.fields.List(ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)),
                            load_default=lambda: ["manager"])
    audience_root_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    send_at = ma.fields.AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": "Default: 14 days before the session (or the wave's or program's "
                       "start), or now if that has passed. Never in the past."})
    send_now = ma.fields.Boolean(load_default=False, metadata={
        "description": "Send at once instead of scheduling."})


class CommunicationUpdateSchema(CommunicationCreateSchema):
    """Every field optional: only what is sent changes (while still scheduled)."""

    subject = ma.fields.String(validate=[validate.Length(min=1, max=200), single_line])
    what_you_learn = ma.fields.String(validate=PART)
    why_it_matters = ma.fields.String(validate=PART)
    how_work_changes = ma.fields.String(validate=PART)
    expected_results = ma.fields.String(validate=PART)
    session_id = ma.fields.Integer(allow_none=True, strict=True)
    wave_id = ma.fields.Integer(allow_none=True, strict=True)
    program_id = ma.fields.Integer(allow_none=True, strict=True)
    levels = ma.fields.List(ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)))
    audience_root_id = ma.fields.Integer(allow_none=True, strict=True)
    send_at = ma.fields.AwareDateTime(allow_none=True)


class AcknowledgeCreateSchema(_Strict):
    question = ma.fields.String(load_default="", validate=validate.Length(max=MAX_QUESTION))
