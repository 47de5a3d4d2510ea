"""marshmallow schemas for assessments, attempts and results in the REST API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused. An
attempt item carries its question's public part only (the choices in the order drawn) until
the attempt is submitted and the feedback policy lets the learner see the right answers.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from assessments.models import AssessmentStatus, AttemptStatus, FeedbackPolicy, QuestionType
from lms.api import ApiSchema, PageArgsSchema, PageMetaSchema, list_schema


class _Strict(ApiSchema):
    class Meta:
        unknown = ma.RAISE


# --- out -------------------------------------------------------------------------------------

class AssessmentSourceSchema(ApiSchema):
    bank_id = ma.fields.Integer(allow_none=True)
    tag = ma.fields.String()


class AttemptSummarySchema(ApiSchema):
    id = ma.fields.Integer()
    number = ma.fields.Integer()
    status = ma.fields.String(validate=validate.OneOf([s.value for s in AttemptStatus]))
    started_at = ma.fields.DateTime()
    submitted_at = ma.fields.DateTime(allow_none=True)
    percent = ma.fields.Float(allow_none=True)
    passed = ma.fields.Boolean(allow_none=True)


class AssessmentSchema(ApiSchema):
    id = ma.fields.Integer()
    course_id = ma.fields.Integer()
    lesson_key = ma.fields.String(allow_none=True, metadata={
        "description": "The course step this assessment completes, if any."})
    title = ma.fields.String()
    instructions = ma.fields.String(metadata={"description": "Markdown."})
    status = ma.fields.String(validate=validate.OneOf([s.value for s in AssessmentStatus]))
    question_count = ma.fields.Integer()
    pass_mark = ma.fields.Integer(metadata={"description": "Percent of the points."})
    attempt_limit = ma.fields.Integer(allow_none=True, metadata={"description": "Null: no limit."})
    time_limit_minutes = ma.fields.Integer(allow_none=True)
    feedback_policy = ma.fields.String(
        validate=validate.OneOf([p.value for p in FeedbackPolicy]))
    shuffle_choices = ma.fields.Boolean()
    sources = ma.fields.List(ma.fields.Nested(AssessmentSourceSchema), metadata={
        "description": "Admins only: the banks and tags questions are drawn from."})


AssessmentListSchema = list_schema(AssessmentSchema, "AssessmentList")


class AssessmentDetailSchema(AssessmentSchema):
    my_attempts = ma.fields.List(ma.fields.Nested(AttemptSummarySchema))


class AttemptChoiceSchema(ApiSchema):
    key = ma.fields.String()
    text = ma.fields.String()


class AttemptItemSchema(ApiSchema):
    id = ma.fields.Integer()
    position = ma.fields.Integer()
    type = ma.fields.String(validate=validate.OneOf([t.value for t in QuestionType]))
    prompt_html = ma.fields.String(metadata={"description": "Sanitised HTML."})
    points = ma.fields.Float()
    choices = ma.fields.List(ma.fields.Nested(AttemptChoiceSchema), metadata={
        "description": "In the order drawn; none for text and number questions."})
    response = ma.fields.Raw(allow_none=True, metadata={
        "description": "Your answer: a choice key, a list of keys, true/false, text or a "
                       "number; null while unanswered."})
    answered_at = ma.fields.DateTime(allow_none=True)
    # After submission, when the feedback policy allows it:
    is_correct = ma.fields.Boolean(allow_none=True)
    points_awarded = ma.fields.Float(allow_none=True)
    correct_answer = ma.fields.String()
    explanation_html = ma.fields.String()


class AttemptSchema(AttemptSummarySchema):
    assessment_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    deadline_at = ma.fields.DateTime(allow_none=True)
    seconds_left = ma.fields.Integer(allow_none=True, metadata={
        "description": "Until the server stops taking answers; null without a time limit."})
    timed_out = ma.fields.Boolean()
    score = ma.fields.Float(allow_none=True)
    max_score = ma.fields.Float(allow_none=True)
    feedback = ma.fields.Boolean(metadata={
        "description": "True when the items carry right answers and explanations."})
    items = ma.fields.List(ma.fields.Nested(AttemptItemSchema))


class AssessmentScoreSchema(ApiSchema):
    user_id = ma.fields.Integer()
    name = ma.fields.String()
    email = ma.fields.String()
    level = ma.fields.String()
    manager_name = ma.fields.String(allow_none=True)
    attempts = ma.fields.Integer(metadata={"description": "Submitted attempts."})
    best_percent = ma.fields.Float(allow_none=True)
    passed = ma.fields.Boolean()
    last_submitted_at = ma.fields.DateTime(allow_none=True)
    in_progress = ma.fields.Boolean()


class AssessmentScoreListSchema(ApiSchema):
    items = ma.fields.List(ma.fields.Nested(AssessmentScoreSchema))
    meta = ma.fields.Nested(PageMetaSchema)


class AssessmentRegradeSchema(ApiSchema):
    answers_changed = ma.fields.Integer()
    attempts_changed = ma.fields.Integer()
    now_passing = ma.fields.Integer()
    now_failing = ma.fields.Integer()
    steps_completed = ma.fields.Integer()


# --- in --------------------------------------------------------------------------------------

class AssessmentQuerySchema(PageArgsSchema):
    course_id = ma.fields.Integer(load_default=None)


class AttemptAnswerCreateSchema(_Strict):
    response = ma.fields.Raw(required=True, allow_none=True, metadata={
        "description": "A choice key (single), a list of keys (multiple), true or false, "
                       "text (short text) or a number; null clears the answer."})
