"""marshmallow schemas for certificates in the REST API (``<Noun>Schema`` goes out)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from courses.certificates.queries import STATUSES
from lms.api import ApiSchema, PageArgsSchema, list_schema


class CertificateSchema(ApiSchema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    user_id = ma.fields.Integer()
    course_id = ma.fields.Integer()
    learner_name = ma.fields.String(metadata={"description": "As it was when issued."})
    course_title = ma.fields.String(metadata={"description": "As it was when issued."})
    issuer = ma.fields.String()
    issued_at = ma.fields.DateTime()
    issued_on = ma.fields.Date(metadata={"description": "In the holder's time zone."})
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    revoked_at = ma.fields.DateTime(allow_none=True)
    revoked_reason = ma.fields.String(metadata={"description": "Empty unless revoked."})
    verify_url = ma.fields.String(metadata={"description": "The public verification page."})
    pdf_url = ma.fields.String(metadata={"description": "This API's PDF download."})


CertificateListSchema = list_schema(CertificateSchema, "CertificateList")


class VerificationSchema(ApiSchema):
    """What anyone may learn from a code: nothing but these fields."""

    code = ma.fields.String()
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    learner_name = ma.fields.String()
    course_title = ma.fields.String()
    issued_on = ma.fields.Date()
    revoked_on = ma.fields.Date(allow_none=True)


class CertificateQuerySchema(PageArgsSchema):
    course_id = ma.fields.Integer(load_default=None)
    user_id = ma.fields.Integer(load_default=None, metadata={
        "description": "One person's certificates (yourself or someone under you)."})
    status = ma.fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    q = ma.fields.String(load_default="", validate=validate.Length(max=100), metadata={
        "description": "Search names, emails, course titles; or an exact code."})
