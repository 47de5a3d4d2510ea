"""marshmallow schemas for metrics, goals, actuals and gap reviews in the REST API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused. The
rules (units, periods, who coaches whom, when a gap review is allowed) live in the services:
these schemas only check shapes.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from lms.api import ApiSchema, PageArgsSchema, StrictSchema, list_schema
from lms.web.text import single_line
from reinforcement.goals.models import ActualSource, MetricKind, RootCause
from reinforcement.goals.progress import GoalStatus

KEY = validate.Length(min=1, max=64)



# Either the metric's key or its id (the OpenAPI form of ``_metric_named``).
METRIC_NAMED = {"anyOf": [{"required": ["metric"], "properties": {"metric": {"type": "string"}}},
                          {"required": ["metric_id"],
                           "properties": {"metric_id": {"type": "integer"}}}]}


def _metric_named(schema: ma.Schema, data: dict) -> None:
    if data.get("metric") is None and data.get("metric_id") is None:
        raise ma.ValidationError("Give the metric: its key as `metric` or its `metric_id`.",
                                 field_name="metric")


# --- metrics ---------------------------------------------------------------------------------

class MetricSchema(ApiSchema):
    id = ma.fields.Integer()
    key = ma.fields.String(metadata={"description": "The name used in CRM files."})
    name = ma.fields.String()
    kind = ma.fields.String(validate=validate.OneOf([k.value for k in MetricKind]))
    unit = ma.fields.String(metadata={"description": "`count` (a whole number of at least "
                                                     "0), `percent` (0-100) or `currency`."})
    higher_is_better = ma.fields.Boolean()
    is_archived = ma.fields.Boolean()


MetricListSchema = list_schema(MetricSchema, "MetricList")


class MetricQuerySchema(PageArgsSchema):
    archived = ma.fields.Boolean(load_default=False, metadata={
        "description": "Admins: include archived metrics."})


# --- goals -----------------------------------------------------------------------------------

class GoalProgressSchema(ApiSchema):
    on = ma.fields.Date(metadata={"description": "The day the figures are for (today where "
                                                 "you live)."})
    weeks = ma.fields.Integer(metadata={"description": "Weeks (Mondays) in the period."})
    weeks_done = ma.fields.Integer()
    recorded = ma.fields.Integer(metadata={"description": "Weeks with a value."})
    actual = ma.fields.Float(allow_none=True, metadata={
        "description": "Activity: the sum of the weeks so far; proficiency: their mean."})
    due = ma.fields.Float(metadata={
        "description": "The part of the target due by `on` (activity targets are spread "
                       "evenly over the weeks; proficiency targets are due in full)."})
    gap = ma.fields.Float(allow_none=True, metadata={
        "description": "Positive: short of what is due (behind); zero or less: on track."})
    remaining = ma.fields.Float(allow_none=True)
    status = ma.fields.String(validate=validate.OneOf([s.value for s in GoalStatus]))


class GoalSchema(ApiSchema):
    id = ma.fields.Integer()
    person_id = ma.fields.Integer()
    metric_id = ma.fields.Integer()
    metric = ma.fields.String(metadata={"description": "The metric's key."})
    kind = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    target = ma.fields.Float()
    proposed_by_id = ma.fields.Integer(allow_none=True)
    proposed_at = ma.fields.DateTime()
    coach_agreed_at = ma.fields.DateTime(allow_none=True)
    coachee_agreed_at = ma.fields.DateTime(allow_none=True)
    agreed = ma.fields.Boolean(metadata={"description": "Both the coach and the person "
                                                        "agreed to the current version."})
    progress = ma.fields.Nested(GoalProgressSchema)


GoalListSchema = list_schema(GoalSchema, "GoalList")


class GoalCreateSchema(StrictSchema):
    OPENAPI_RULES = METRIC_NAMED

    person_id = ma.fields.Integer(required=True, strict=True)
    metric = ma.fields.String(load_default=None, validate=KEY)
    metric_id = ma.fields.Integer(load_default=None, strict=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    target = ma.fields.Float(required=True, allow_nan=False)

    @ma.validates_schema
    def _has_metric(self, data: dict, **kwargs) -> None:
        _metric_named(self, data)


class GoalUpdateSchema(StrictSchema):
    """Any of the three; a change needs the person's agreement again."""

    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    target = ma.fields.Float(allow_nan=False)


class GoalQuerySchema(PageArgsSchema):
    person_id = ma.fields.Integer(load_default=None)
    metric = ma.fields.String(load_default=None, validate=KEY)
    active_on = ma.fields.Date(load_default=None, metadata={
        "description": "Only goals whose period includes this day."})


# --- actuals ---------------------------------------------------------------------------------

class ActualSchema(ApiSchema):
    id = ma.fields.Integer()
    person_id = ma.fields.Integer()
    metric_id = ma.fields.Integer()
    metric = ma.fields.String()
    period_start = ma.fields.Date(metadata={"description": "The Monday of the week."})
    value = ma.fields.Float()
    source = ma.fields.String(validate=validate.OneOf([s.value for s in ActualSource]))
    check_in_id = ma.fields.Integer(allow_none=True)
    entered_by_id = ma.fields.Integer(allow_none=True)
    updated_at = ma.fields.DateTime()
    changed = ma.fields.Boolean(metadata={"description": "PUT: whether the value changed."})


ActualListSchema = list_schema(ActualSchema, "ActualList")


class ActualPutSchema(StrictSchema):
    OPENAPI_RULES = METRIC_NAMED

    person_id = ma.fields.Integer(required=True, strict=True)
    metric = ma.fields.String(load_default=None, validate=KEY)
    metric_id = ma.fields.Integer(load_default=None, strict=True)
    period_start = ma.fields.Date(required=True, metadata={"description": "A Monday."})
    value = ma.fields.Float(required=True, allow_nan=False)
    check_in_id = ma.fields.Integer(load_default=None, strict=True)

    @ma.validates_schema
    def _has_metric(self, data: dict, **kwargs) -> None:
        _metric_named(self, data)


class ActualQuerySchema(PageArgsSchema):
    person_id = ma.fields.Integer(load_default=None)
    metric = ma.fields.String(load_default=None, validate=KEY)
    since = ma.fields.Date(load_default=None, metadata={"description": "Weeks from this day."})
    until = ma.fields.Date(load_default=None, metadata={"description": "Weeks up to this day."})


class ActualImportResultSchema(ApiSchema):
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    unchanged = ma.fields.Integer()
    people = ma.fields.Integer(metadata={"description": "Different people in the file."})


# --- gap reviews -----------------------------------------------------------------------------

class ActionItemBriefSchema(ApiSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    owner_id = ma.fields.Integer()
    due_on = ma.fields.Date()
    done_at = ma.fields.DateTime(allow_none=True)


class GapReviewSchema(ApiSchema):
    id = ma.fields.Integer()
    goal_id = ma.fields.Integer()
    person_id = ma.fields.Integer()
    metric = ma.fields.String()
    check_in_id = ma.fields.Integer(allow_none=True)
    coach_id = ma.fields.Integer(allow_none=True)
    root_cause = ma.fields.String(validate=validate.OneOf([c.value for c in RootCause]))
    notes = ma.fields.String()
    gap_at_review = ma.fields.Float()
    action_item = ma.fields.Nested(ActionItemBriefSchema, allow_none=True)
    created_at = ma.fields.DateTime()
    evaluated_at = ma.fields.DateTime(allow_none=True)
    evaluated_check_in_id = ma.fields.Integer(allow_none=True)
    gap_at_evaluation = ma.fields.Float(allow_none=True)
    improved = ma.fields.Boolean(allow_none=True, metadata={
        "description": "Whether the gap shrank between the review and its evaluation."})
    evaluation_note = ma.fields.String()


GapReviewListSchema = list_schema(GapReviewSchema, "GapReviewList")


class GapReviewCreateSchema(StrictSchema):
    goal_id = ma.fields.Integer(required=True, strict=True)
    root_cause = ma.fields.String(required=True, validate=validate.OneOf(
        [c.value for c in RootCause]))
    notes = ma.fields.String(load_default="")
    action_title = ma.fields.String(required=True, validate=single_line, metadata={
        "description": "The corrective action; it becomes an action item of the pair."})
    action_owner_id = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "The coach (you) or the person."})
    action_due_on = ma.fields.Date(required=True)
    check_in_id = ma.fields.Integer(load_default=None, strict=True)


class GapReviewEvaluateSchema(StrictSchema):
    note = ma.fields.String(load_default="")
    check_in_id = ma.fields.Integer(load_default=None, strict=True)


class GapReviewQuerySchema(PageArgsSchema):
    goal_id = ma.fields.Integer(load_default=None)
    person_id = ma.fields.Integer(load_default=None)
    evaluated = ma.fields.Boolean(load_default=None, allow_none=True)
