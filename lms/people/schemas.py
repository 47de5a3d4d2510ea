"""marshmallow schemas for people in the API: ``PersonSchema`` out, ``PersonCreateSchema`` in."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from lms.api import ApiSchema, PageArgsSchema, list_schema
from lms.people.models import Level, Role
from lms.web.text import single_line


class PersonSchema(ApiSchema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.Email(dump_only=True)
    name = ma.fields.String(dump_only=True)
    job_title = ma.fields.String(dump_only=True)
    level = ma.fields.String(dump_only=True)
    manager_id = ma.fields.Integer(dump_only=True, allow_none=True)
    roles = ma.fields.List(ma.fields.String(), dump_only=True)
    is_active = ma.fields.Boolean(dump_only=True)
    time_zone = ma.fields.String(dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


PersonListSchema = list_schema(PersonSchema, "PersonList")


class PersonCreateSchema(ApiSchema):
    class Meta:
        unknown = ma.RAISE

    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    name = ma.fields.String(required=True,
                            validate=[validate.Length(min=1, max=120), single_line])
    job_title = ma.fields.String(load_default="",
                                 validate=[validate.Length(max=120), single_line])
    level = ma.fields.String(load_default=Level.REP.value,
                             validate=validate.OneOf([lv.value for lv in Level]))
    manager_id = ma.fields.Integer(load_default=None, allow_none=True)
    roles = ma.fields.List(ma.fields.String(validate=validate.OneOf([r.value for r in Role])),
                           load_default=list)
    time_zone = ma.fields.String(load_default="UTC", validate=validate.Length(max=64))


class PersonUpdateSchema(PersonCreateSchema):
    """Every field optional: only what is sent changes."""

    class Meta:
        unknown = ma.RAISE

    email = ma.fields.Email(validate=validate.Length(max=254))
    name = ma.fields.String(validate=[validate.Length(min=1, max=120), single_line])
    job_title = ma.fields.String(validate=[validate.Length(max=120), single_line])
    level = ma.fields.String(validate=validate.OneOf([lv.value for lv in Level]))
    manager_id = ma.fields.Integer(allow_none=True)
    roles = ma.fields.List(ma.fields.String(validate=validate.OneOf([r.value for r in Role])))
    time_zone = ma.fields.String(validate=validate.Length(max=64))


class PeopleQuerySchema(PageArgsSchema):
    q = ma.fields.String(load_default="")
    level = ma.fields.String(load_default=None, validate=validate.OneOf([lv.value for lv in Level]))


class TreeNodeSchema(ApiSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    job_title = ma.fields.String()
    level = ma.fields.String()
    is_active = ma.fields.Boolean()
    children = ma.fields.List(ma.fields.Nested(lambda: TreeNodeSchema()))
