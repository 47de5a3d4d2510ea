"""marshmallow schemas for programs and their waves in the REST API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused.
The rules (dates, wave numbers, published courses, status moves) live in
``courses.live.programs``, not here: these schemas only check shapes.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from courses.live.models import ProgramStatus, SessionStatus
from lms.api import ApiSchema, PageArgsSchema, list_schema
from lms.people.models import LEVEL_VALUES
from lms.web.text import single_line

NAME = [validate.Length(min=1, max=200), single_line]
STATUSES = [status.value for status in ProgramStatus]


class _Strict(ApiSchema):
    class Meta:
        unknown = ma.RAISE


# --- out -------------------------------------------------------------------------------------

class ProgramSchema(ApiSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    goal = ma.fields.String()
    owner_id = ma.fields.Integer(allow_none=True)
    owner_name = ma.fields.String(allow_none=True)
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


ProgramListSchema = list_schema(ProgramSchema, "ProgramList")


class WaveCourseSchema(ApiSchema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    title = ma.fields.String()


class LevelProgressSchema(ApiSchema):
    enrolled = ma.fields.Integer(metadata={"description": "People enrolled in its courses."})
    completed = ma.fields.Integer(metadata={"description": "People done with every course."})


class WaveProgressSchema(ApiSchema):
    by_level = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)),
                              values=ma.fields.Nested(LevelProgressSchema))
    waiting_on_manager = ma.fields.Integer(metadata={
        "description": "People of the wave's audience whose manager has not completed the "
                       "previous wave yet."})


class ProgramSessionSchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    time_zone = ma.fields.String()
    status = ma.fields.String(validate=validate.OneOf([s.value for s in SessionStatus]))
    wave_id = ma.fields.Integer(allow_none=True)
    course_id = ma.fields.Integer(allow_none=True)


class WaveSchema(ApiSchema):
    id = ma.fields.Integer()
    program_id = ma.fields.Integer()
    number = ma.fields.Integer()
    name = ma.fields.String()
    audience = ma.fields.List(ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)))
    opens_on = ma.fields.Date()
    requires_manager_previous = ma.fields.Boolean()
    courses = ma.fields.List(ma.fields.Nested(WaveCourseSchema))


class WaveDetailSchema(WaveSchema):
    sessions = ma.fields.List(ma.fields.Nested(ProgramSessionSchema))
    progress = ma.fields.Nested(WaveProgressSchema, metadata={
        "description": "Progress of the caller's part of the organisation (everyone for "
                       "admins)."})


class ProgramDetailSchema(ProgramSchema):
    waves = ma.fields.List(ma.fields.Nested(WaveDetailSchema))
    sessions = ma.fields.List(ma.fields.Nested(ProgramSessionSchema), metadata={
        "description": "Every session of the program you may see, with or without a wave."})


# --- in --------------------------------------------------------------------------------------

class ProgramQuerySchema(PageArgsSchema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class ProgramCreateSchema(_Strict):
    name = ma.fields.String(required=True, validate=NAME)
    goal = ma.fields.String(load_default="", validate=validate.Length(max=2000))
    owner_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)


class ProgramUpdateSchema(ProgramCreateSchema):
    """Every field optional: only what is sent changes."""

    name = ma.fields.String(validate=NAME)
    goal = ma.fields.String(validate=validate.Length(max=2000))
    owner_id = ma.fields.Integer(allow_none=True, strict=True)
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()


class ProgramStatusCreateSchema(_Strict):
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))


class WaveCreateSchema(_Strict):
    number = ma.fields.Integer(required=True, validate=validate.Range(min=1))
    name = ma.fields.String(required=True, validate=NAME)
    opens_on = ma.fields.Date(required=True)
    audience = ma.fields.List(ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)),
                              load_default=lambda: ["leader", "manager"])
    course_ids = ma.fields.List(ma.fields.Integer(strict=True), load_default=list)
    requires_manager_previous = ma.fields.Boolean(load_default=False)


class WaveUpdateSchema(WaveCreateSchema):
    """Every field optional: only what is sent changes (``course_ids`` replaces the list)."""

    number = ma.fields.Integer(validate=validate.Range(min=1))
    name = ma.fields.String(validate=NAME)
    opens_on = ma.fields.Date()
    audience = ma.fields.List(ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)))
    course_ids = ma.fields.List(ma.fields.Integer(strict=True))
    requires_manager_previous = ma.fields.Boolean()
