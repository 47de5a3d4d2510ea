"""marshmallow schemas for rubrics, observations and surveys in the REST API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused. The
rules (five descriptors, scores 1-5, who may observe whom, required answers) live in the
services: these schemas only check shapes.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from assessments.models import ObservationKind, ObservationStatus, SurveyQuestionKind
from assessments.scorecards import MAX_CRITERIA
from lms.api import ApiSchema, PageArgsSchema, list_schema
from lms.web.text import single_line

TITLE = [validate.Length(min=1, max=200), single_line]
CRITERIA = validate.Length(min=1, max=MAX_CRITERIA)


class _Strict(ApiSchema):
    class Meta:
        unknown = ma.RAISE


# --- rubrics ---------------------------------------------------------------------------------

class CriterionSchema(ApiSchema):
    id = ma.fields.Integer()
    position = ma.fields.Integer()
    title = ma.fields.String()
    descriptors = ma.fields.List(ma.fields.String(), metadata={
        "description": "Five texts: what a score of 1, 2, 3, 4 and 5 looks like."})


class RubricSchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    subject_level = ma.fields.String(metadata={"description": "`rep` or `manager`."})
    is_archived = ma.fields.Boolean()
    criteria = ma.fields.List(ma.fields.Nested(CriterionSchema))


RubricListSchema = list_schema(RubricSchema, "RubricList")


class CriterionCreateSchema(_Strict):
    title = ma.fields.String(required=True, validate=TITLE)
    descriptors = ma.fields.List(ma.fields.String(validate=validate.Length(max=500)),
                                 required=True, validate=validate.Length(
                                     equal=5, error="Give exactly five descriptors, one for "
                                                    "each score."), metadata={
                                     "description": "One for each score, 1 to 5."})


class RubricCreateSchema(_Strict):
    title = ma.fields.String(required=True, validate=TITLE)
    description = ma.fields.String(load_default="")
    subject_level = ma.fields.String(load_default="rep")
    criteria = ma.fields.List(ma.fields.Nested(CriterionCreateSchema), required=True,
                              validate=CRITERIA)


class RubricUpdateSchema(RubricCreateSchema):
    """Every field optional; ``criteria`` replaces the criteria (refused once used)."""

    title = ma.fields.String(validate=TITLE)
    description = ma.fields.String()
    subject_level = ma.fields.String()
    criteria = ma.fields.List(ma.fields.Nested(CriterionCreateSchema), validate=CRITERIA)
    is_archived = ma.fields.Boolean()


class RubricQuerySchema(PageArgsSchema):
    archived = ma.fields.Boolean(load_default=False, metadata={
        "description": "Admins: include archived rubrics."})


# --- observations ----------------------------------------------------------------------------

class ScoreSchema(ApiSchema):
    criterion_id = ma.fields.Integer()
    criterion = ma.fields.String()
    score = ma.fields.Integer()
    descriptor = ma.fields.String(metadata={"description": "What this score means."})
    comment = ma.fields.String()


class ObservationSchema(ApiSchema):
    id = ma.fields.Integer()
    rubric_id = ma.fields.Integer()
    rubric = ma.fields.String()
    observer_id = ma.fields.Integer(allow_none=True)
    subject_id = ma.fields.Integer()
    kind = ma.fields.String(validate=validate.OneOf([k.value for k in ObservationKind]))
    observed_on = ma.fields.Date()
    context = ma.fields.String()
    comments = ma.fields.String()
    status = ma.fields.String(validate=validate.OneOf([s.value for s in ObservationStatus]))
    average = ma.fields.Float()
    created_at = ma.fields.DateTime()
    shared_at = ma.fields.DateTime(allow_none=True)
    scores = ma.fields.List(ma.fields.Nested(ScoreSchema))


ObservationListSchema = list_schema(ObservationSchema, "ObservationList")


class ScoreCreateSchema(_Strict):
    criterion_id = ma.fields.Integer(required=True, strict=True)
    score = ma.fields.Integer(required=True, strict=True)
    comment = ma.fields.String(load_default="")


class ObservationCreateSchema(_Strict):
    rubric_id = ma.fields.Integer(required=True, strict=True)
    subject_id = ma.fields.Integer(required=True, strict=True)
    kind = ma.fields.String(required=True)
    observed_on = ma.fields.Date(required=True)
    context = ma.fields.String(load_default="")
    comments = ma.fields.String(load_default="")
    scores = ma.fields.List(ma.fields.Nested(ScoreCreateSchema), required=True)
    share = ma.fields.Boolean(load_default=False, metadata={
        "description": "Share at once (the observed person is told); otherwise a draft."})


class ObservationQuerySchema(PageArgsSchema):
    subject_id = ma.fields.Integer(load_default=None)
    status = ma.fields.String(load_default=None, validate=validate.OneOf(
        [s.value for s in ObservationStatus]))


# --- surveys ---------------------------------------------------------------------------------

class SurveyQuestionSchema(ApiSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String(validate=validate.OneOf([k.value for k in SurveyQuestionKind]))
    prompt = ma.fields.String()
    is_required = ma.fields.Boolean()


class SurveySectionSchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    questions = ma.fields.List(ma.fields.Nested(SurveyQuestionSchema))


class SurveySchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    audience = ma.fields.List(ma.fields.String())
    is_archived = ma.fields.Boolean()
    may_take = ma.fields.Boolean(metadata={"description": "Open and meant for your level."})


class SurveyDetailSchema(SurveySchema):
    sections = ma.fields.List(ma.fields.Nested(SurveySectionSchema))


SurveyListSchema = list_schema(SurveySchema, "SurveyList")


class AnswerCreateSchema(_Strict):
    question_id = ma.fields.Integer(required=True, strict=True)
    likert = ma.fields.Integer(load_default=None, allow_none=True, strict=True)
    text = ma.fields.String(load_default="")


class ResponseCreateSchema(_Strict):
    answers = ma.fields.List(ma.fields.Nested(AnswerCreateSchema), required=True)


class SectionScoreSchema(ApiSchema):
    section_id = ma.fields.Integer()
    title = ma.fields.String()
    score = ma.fields.Float()


class ResponseSchema(ApiSchema):
    id = ma.fields.Integer()
    survey_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    submitted_at = ma.fields.DateTime()
    score = ma.fields.Float(metadata={"description": "Mean of the Likert answers, 1-5."})
    sections = ma.fields.List(ma.fields.Nested(SectionScoreSchema))


ResponseListSchema = list_schema(ResponseSchema, "SurveyResponseList")
