"""The shapes of resources in the REST API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from lms.api import ApiSchema, PageArgsSchema, StrictSchema, list_schema
from lms.people.models import LEVEL_VALUES
from lms.web.text import single_line
from reinforcement.resources.models import ResourceKind

TITLE = [validate.Length(min=1, max=200), single_line]
KINDS = [k.value for k in ResourceKind]



class ResourceFileSchema(ApiSchema):
    name = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    url = ma.fields.String(metadata={"description": "Download address (signed-in browser)."})



class ResourceVersionSchema(ApiSchema):
    number = ma.fields.Integer()
    body_markdown = ma.fields.String()
    body_html = ma.fields.String(metadata={"description": "Sanitised HTML of the text."})
    file = ma.fields.Nested(ResourceFileSchema, allow_none=True)
    change_note = ma.fields.String()
    created_at = ma.fields.DateTime()



class ResourceSchema(ApiSchema):
    id = ma.fields.Integer(dump_only=True)
    title = ma.fields.String()
    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    summary = ma.fields.String()
    audience = ma.fields.List(ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)))
    program_id = ma.fields.Integer(allow_none=True)
    course_id = ma.fields.Integer(allow_none=True)
    is_archived = ma.fields.Boolean()
    current_version_number = ma.fields.Integer(allow_none=True)
    assigned_to_me = ma.fields.Boolean()
    read_status = ma.fields.String(validate=validate.OneOf(["read", "outdated", "unread"]),
                                   metadata={"description": "Yours: the current version "
                                             "read, an older one read, or none."})



ResourceListSchema = list_schema(ResourceSchema, "ResourceList")



class ResourceDetailSchema(ResourceSchema):
    current_version = ma.fields.Nested(ResourceVersionSchema, allow_none=True)
    acknowledged_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When you confirmed reading the current version."})



class AcknowledgementSchema(ApiSchema):
    resource_id = ma.fields.Integer()
    version_number = ma.fields.Integer()
    acknowledged_at = ma.fields.DateTime()



class ResourceQuerySchema(PageArgsSchema):
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(KINDS))
    level = ma.fields.String(load_default=None, validate=validate.OneOf(LEVEL_VALUES))
    program_id = ma.fields.Integer(load_default=None)
    mine = ma.fields.Boolean(load_default=False, metadata={
        "description": "Only the resources assigned to you."})
    archived = ma.fields.Boolean(load_default=False, metadata={
        "description": "Admins: the archived resources instead."})



class ResourceCreateSchema(StrictSchema):
    """Markdown resources only; upload files in the browser."""

    title = ma.fields.String(required=True, validate=TITLE)
    kind = ma.fields.String(load_default="playbook", validate=validate.OneOf(KINDS))
    summary = ma.fields.String(load_default="", validate=validate.Length(max=2000))
    audience = ma.fields.List(ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)),
                              load_default=list)
    program_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    course_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    body_markdown = ma.fields.String(required=True, validate=validate.Length(min=1))



class ResourceUpdateSchema(ResourceCreateSchema):
    """Every field optional. A new ``body_markdown`` publishes a new version and needs a
    ``change_note``; ``is_archived`` archives or restores."""

    title = ma.fields.String(validate=TITLE)
    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    summary = ma.fields.String(validate=validate.Length(max=2000))
    audience = ma.fields.List(ma.fields.String(validate=validate.OneOf(LEVEL_VALUES)))
    program_id = ma.fields.Integer(allow_none=True, strict=True)
    course_id = ma.fields.Integer(allow_none=True, strict=True)
    body_markdown = ma.fields.String(validate=validate.Length(min=1))
    change_note = ma.fields.String(validate=validate.Length(max=300))
    is_archived = ma.fields.Boolean()

