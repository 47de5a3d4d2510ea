"""marshmallow schemas: the question bank exchange document, and banks in the REST API.

The exchange document (``BankDocumentSchema``) is what export writes and import reads. The
API schemas follow the project's rule: ``<Noun>Schema`` out, ``<Noun>CreateSchema`` in,
unknown fields refused. Shapes only: the rules (points, tags, answer keys) are the services'.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from assessments.models import QuestionType
from lms.api import ApiSchema, PageArgsSchema, QueryArgsSchema, list_schema
from lms.web.text import single_line

FORMAT = "cadence.question-bank"
FORMAT_VERSION = 1
TYPES = [t.value for t in QuestionType]
TITLE = [validate.Length(min=1, max=200), single_line]
SPEC_HELP = (
    "The answer key, by type (choices are {\"key\": \"a\", \"text\": \"...\"}): "
    "single {\"choices\": [...], \"correct\": [\"b\"]}; "
    "multiple {\"choices\": [...], \"correct\": [\"a\", \"c\"], \"partial_credit\": false}; "
    "true_false {\"correct\": true}; "
    "short_text {\"accepted\": [\"SPIN\"], \"case_sensitive\": false, "
    "\"collapse_whitespace\": true}; numeric {\"value\": 12.5, \"tolerance\": 0.5}. "
    "Choices sent without a key keep the key of the choice with the same text, or get a "
    "new one.")
WRITTEN = validate.Regexp(r"^\s*\S", error="Write the question.")  # not blank


class _Strict(ApiSchema):
    class Meta:
        unknown = ma.RAISE


# --- the exchange document -------------------------------------------------------------------

class QuestionDocumentSchema(_Strict):
    type = ma.fields.String(required=True, validate=validate.OneOf(TYPES))
    prompt = ma.fields.String(required=True, validate=WRITTEN, metadata={
        "description": "Markdown; it also identifies the question within its bank."})
    points = ma.fields.Float(load_default=1.0, allow_nan=False)
    tags = ma.fields.List(ma.fields.String(), load_default=list)
    explanation = ma.fields.String(load_default="")
    archived = ma.fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "Left out: a new question is active, an existing one keeps its state."})
    spec = ma.fields.Dict(keys=ma.fields.String(), required=True,
                          metadata={"description": SPEC_HELP})


class BankDocumentSchema(_Strict):
    """One question bank: details and every question in order, keys included."""

    format = ma.fields.String(required=True, validate=validate.Equal(
        FORMAT, error=f"This is not a Cadence question bank (expected “{FORMAT}”)."))
    format_version = ma.fields.Integer(required=True, strict=True, validate=validate.Equal(
        FORMAT_VERSION, error=f"Only version {FORMAT_VERSION} documents can be imported."))
    title = ma.fields.String(required=True, validate=TITLE)
    description = ma.fields.String(load_default="")
    questions = ma.fields.List(ma.fields.Nested(QuestionDocumentSchema), required=True)


# --- out -------------------------------------------------------------------------------------

class BankSchema(ApiSchema):
    id = ma.fields.Integer()
    course_id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    questions_active = ma.fields.Integer(metadata={"description": "Questions drawn from."})
    questions_archived = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class QuestionSchema(ApiSchema):
    id = ma.fields.Integer()
    bank_id = ma.fields.Integer()
    position = ma.fields.Integer()
    type = ma.fields.String(validate=validate.OneOf(TYPES))
    prompt = ma.fields.String(metadata={"description": "Markdown as written."})
    prompt_html = ma.fields.String(metadata={"description": "Rendered and sanitised."})
    explanation = ma.fields.String()
    explanation_html = ma.fields.String()
    points = ma.fields.Float()
    tags = ma.fields.List(ma.fields.String())
    spec = ma.fields.Dict(metadata={"description": SPEC_HELP})
    key_version = ma.fields.Integer(metadata={
        "description": "Raised each time the answer key changes."})
    archived = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class BankDetailSchema(BankSchema):
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema))


BankListSchema = list_schema(BankSchema, "BankList")


class ImportResultSchema(ApiSchema):
    bank = ma.fields.Nested(BankSchema)
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    unchanged = ma.fields.Integer()


# --- in --------------------------------------------------------------------------------------

class BankQuerySchema(PageArgsSchema):
    course_id = ma.fields.Integer(load_default=None)
    q = ma.fields.String(load_default="", validate=validate.Length(max=200))


class BankCreateSchema(_Strict):
    course_id = ma.fields.Integer(required=True, strict=True)
    title = ma.fields.String(required=True, validate=TITLE)
    description = ma.fields.String(load_default="")


class BankUpdateSchema(_Strict):
    title = ma.fields.String(validate=TITLE)
    description = ma.fields.String()


class QuestionCreateSchema(_Strict):
    type = ma.fields.String(required=True, validate=validate.OneOf(TYPES))
    prompt = ma.fields.String(required=True, validate=WRITTEN)
    spec = ma.fields.Dict(keys=ma.fields.String(), required=True,
                          metadata={"description": SPEC_HELP})
    points = ma.fields.Float(load_default=1.0, allow_nan=False)
    tags = ma.fields.List(ma.fields.String(), load_default=list)
    explanation = ma.fields.String(load_default="")
    archived = ma.fields.Boolean(load_default=False)


class QuestionUpdateSchema(_Strict):
    type = ma.fields.String(validate=validate.OneOf(TYPES))
    prompt = ma.fields.String()
    spec = ma.fields.Dict(keys=ma.fields.String(), metadata={"description": SPEC_HELP})
    points = ma.fields.Float(allow_nan=False)
    tags = ma.fields.List(ma.fields.String())
    explanation = ma.fields.String()
    archived = ma.fields.Boolean()
    position = ma.fields.Integer(strict=True, validate=validate.Range(min=0), metadata={
        "description": "Move the question to this place in its bank (0 is first)."})


class BankImportQuerySchema(QueryArgsSchema):
    course_id = ma.fields.Integer(required=True, metadata={
        "description": "The course the new bank belongs to."})
