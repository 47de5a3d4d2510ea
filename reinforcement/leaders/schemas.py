"""marshmallow schemas for rhythm adherence, leader reviews and champions councils in the API.

``<Noun>Schema`` goes out, ``<Noun>CreateSchema`` comes in; unknown fields are refused. The
rules (who may review whom, months that have begun, required feedback) live in the
services: these schemas only check shapes.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from lms.api import ApiSchema, PageArgsSchema, QueryArgsSchema, StrictSchema, list_schema
from reinforcement.leaders.adherence import PERIOD_KINDS
from reinforcement.leaders.models import ReviewDecision

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="Give a month as YYYY-MM.")
PERCENT = {"description": "Rounded percentage; null when nothing counted."}



# --- adherence ---------------------------------------------------------------------------------

class AdherenceQuerySchema(QueryArgsSchema):
    class Meta:
        unknown = ma.RAISE

    person_id = ma.fields.Integer(load_default=None, metadata={
        "description": "Whose subtree (default: yours; admins: everyone)."})
    period = ma.fields.String(load_default="month", validate=validate.OneOf(PERIOD_KINDS))
    start = ma.fields.String(load_default=None, validate=MONTH, metadata={
        "description": "A month in the period, YYYY-MM (default: this month)."})


class FiguresSchema(ApiSchema):
    check_ins = ma.fields.Integer(metadata={"description": "Check-ins due in the period."})
    held = ma.fields.Integer()
    held_on_time = ma.fields.Integer(metadata={
        "description": "Held within 24 hours of the scheduled time."})
    held_on_time_pct = ma.fields.Integer(allow_none=True, metadata=PERCENT)
    agenda_ahead = ma.fields.Integer(metadata={
        "description": "Agenda marked prepared before the scheduled time."})
    agenda_ahead_pct = ma.fields.Integer(allow_none=True, metadata=PERCENT)
    actions = ma.fields.Integer(metadata={"description": "Action items due in the period."})
    actions_done = ma.fields.Integer()
    actions_done_pct = ma.fields.Integer(allow_none=True, metadata=PERCENT)
    late_actions = ma.fields.Integer(metadata={
        "description": "Items open past their due date or done after it."})
    median_days_overdue = ma.fields.Float(allow_none=True, metadata={
        "description": "Median days overdue of the late items."})
    gap_reviews = ma.fields.Integer()
    gap_reviews_evaluated = ma.fields.Integer()
    gap_reviews_evaluated_pct = ma.fields.Integer(allow_none=True, metadata=PERCENT)


class AdherenceRowSchema(ApiSchema):
    key = ma.fields.String(metadata={"description": "The person's id, or the level."})
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    level = ma.fields.String(allow_none=True)
    coaches = ma.fields.Integer(metadata={"description": "Coaches summed in this row."})
    expected = ma.fields.Integer(metadata={
        "description": "Of them, those expected to coach: with direct reports, or who held a "
                       "check-in."})
    coaching = ma.fields.Integer(metadata={
        "description": "Of those expected, how many held at least one check-in in the period; "
                       "the others count against the row."})
    figures = ma.fields.Nested(FiguresSchema)
    needs_help = ma.fields.List(ma.fields.String(), metadata={
        "description": "Figures below their thresholds; empty when on rhythm."})


class TrendStepSchema(ApiSchema):
    start = ma.fields.Date()
    end = ma.fields.Date(metadata={"description": "Last day of the step."})
    figures = ma.fields.Nested(FiguresSchema)


class PeriodSchema(ApiSchema):
    kind = ma.fields.String()
    start = ma.fields.Date()
    end = ma.fields.Date(metadata={"description": "Last day of the period."})
    label = ma.fields.String()


class AdherenceSchema(ApiSchema):
    period = ma.fields.Nested(PeriodSchema)
    thresholds = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    coaches = ma.fields.List(ma.fields.Nested(AdherenceRowSchema))
    leaders = ma.fields.List(ma.fields.Nested(AdherenceRowSchema), metadata={
        "description": "Each leader's managers (people at manager level reporting to them)."})
    levels = ma.fields.List(ma.fields.Nested(AdherenceRowSchema))
    total = ma.fields.Nested(AdherenceRowSchema)
    trend = ma.fields.List(ma.fields.Nested(TrendStepSchema))


# --- leader reviews ----------------------------------------------------------------------------

class LeaderReviewSchema(ApiSchema):
    id = ma.fields.Integer()
    leader_id = ma.fields.Integer()
    leader = ma.fields.String(metadata={"description": "The leader's name."})
    manager_id = ma.fields.Integer()
    manager = ma.fields.String(metadata={"description": "The manager's name."})
    period_start = ma.fields.Date()
    period_end = ma.fields.Date(metadata={"description": "Last day of the month."})
    decision = ma.fields.String(validate=validate.OneOf([d.value for d in ReviewDecision]))
    feedback = ma.fields.String()
    note = ma.fields.String()
    observation_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    acknowledged_at = ma.fields.DateTime(allow_none=True)


LeaderReviewListSchema = list_schema(LeaderReviewSchema, "LeaderReviewList")


class LeaderReviewCreateSchema(StrictSchema):
    manager_id = ma.fields.Integer(required=True, strict=True)
    period_start = ma.fields.Date(required=True, metadata={
        "description": "The first day of the month reviewed."})
    decision = ma.fields.String(required=True, validate=validate.OneOf(
        [d.value for d in ReviewDecision]))
    feedback = ma.fields.String(load_default="", metadata={
        "description": "Required with `feedback`."})
    note = ma.fields.String(load_default="", metadata={
        "description": "With `confirmed`: why you confirm; required for a month in which the "
                       "manager held no check-in."})
    observation_id = ma.fields.Integer(load_default=None, allow_none=True, strict=True,
                                       metadata={"description": "Your shared coaching "
                                                 "scorecard of the manager."})


class LeaderReviewQuerySchema(PageArgsSchema):
    role = ma.fields.String(load_default="all", validate=validate.OneOf(
        ("all", "given", "received")), metadata={
        "description": "`given` by you, `received` about your coaching, or `all` you see."})
    month = ma.fields.String(load_default=None, validate=MONTH)
    manager_id = ma.fields.Integer(load_default=None)


# --- councils ----------------------------------------------------------------------------------















