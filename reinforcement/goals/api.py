"""Metrics, goals, actuals (one week at a time or a CRM file) and gap reviews in the REST API.

The rules are the services' (``reinforcement.goals``, ``.actuals``, ``.gaps``); these views
load, authorize, call them and commit once. Lists are scoped in SQL with ``visible``; figures
are worked out for "today" where the token's owner lives.
"""

from __future__ import annotations

import marshmallow as ma
from flask import g, jsonify, request
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.api import ErrorSchema, one_transaction, page_of, referenced, token_required
from lms.authz import can_see, load_visible, require, visible
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User
from lms.web.templating import local_date
from reinforcement import READ, WRITE
from reinforcement.checkins.models import CheckIn
from reinforcement.goals import actuals, gaps
from reinforcement.goals import services as goals
from reinforcement.goals.models import GapReview, Goal, Metric, MetricActual
from reinforcement.goals.progress import Progress, progress, progress_of
from reinforcement.goals.schemas import (
    ActualImportResultSchema,
    ActualListSchema,
    ActualPutSchema,
    ActualQuerySchema,
    ActualSchema,
    GapReviewCreateSchema,
    GapReviewEvaluateSchema,
    GapReviewListSchema,
    GapReviewQuerySchema,
    GapReviewSchema,
    GoalCreateSchema,
    GoalListSchema,
    GoalQuerySchema,
    GoalSchema,
    GoalUpdateSchema,
    MetricListSchema,
    MetricQuerySchema,
)

metrics_blp = Blueprint("metrics_api", __name__, url_prefix="/api/v1/metrics",
                        description="The metrics catalogue")
goals_blp = Blueprint("goals_api", __name__, url_prefix="/api/v1/goals",
                      description="Activity and proficiency goals, with the gap to target")
actuals_blp = Blueprint("actuals_api", __name__, url_prefix="/api/v1/actuals",
                        description="Weekly actuals, one at a time or a CRM export")
gap_reviews_blp = Blueprint("gap_reviews_api", __name__, url_prefix="/api/v1/gap-reviews",
                            description="Gap reviews: root cause, corrective action, "
                                        "evaluation")
BLUEPRINTS = (metrics_blp, goals_blp, actuals_blp, gap_reviews_blp)


def _today():
    return local_date(utcnow(), g.api_user)


def _metric(payload: dict) -> Metric:
    if payload.get("metric") is not None:
        metric = db.session.scalar(select(Metric).where(Metric.key == payload["metric"].lower()))
        field = "metric"
    else:
        metric, field = db.session.get(Metric, payload["metric_id"]), "metric_id"
    if metric is None or not can_see(g.api_user, metric):
        raise ValidationError("No metric has that key or id.", field=field)
    return metric


def _person(person_id: int) -> User:
    person = db.session.get(User, person_id)
    if person is None or not can_see(g.api_user, person):
        raise ValidationError("No one you can see has that id.", field="person_id")
    return person


def _check_in(check_in_id: int | None) -> CheckIn | None:
    if check_in_id is None:
        return None
    check_in = db.session.get(CheckIn, check_in_id)
    if check_in is None:
        raise ValidationError("No check-in of yours has that id.", field="check_in_id")
    return check_in


# --- metrics ---------------------------------------------------------------------------------

@metrics_blp.route("/")
@token_required(READ)
@metrics_blp.arguments(MetricQuerySchema, location="query", unknown=ma.RAISE)
@metrics_blp.response(200, MetricListSchema)
def metric_index(args):
    """The metrics goals and actuals use; admins may ask for archived ones too."""
    stmt = visible(select(Metric), g.api_user).order_by(Metric.kind, Metric.name, Metric.id)
    if not args["archived"]:
        stmt = stmt.where(Metric.is_archived.is_(False))
    return page_of(stmt, args)


# --- goals -----------------------------------------------------------------------------------

def _progress_out(where: Progress) -> dict:
    return {"on": where.on, "weeks": where.weeks, "weeks_done": where.weeks_done,
            "recorded": where.recorded, "actual": where.actual, "due": where.due,
            "gap": where.gap, "remaining": where.remaining, "status": where.status.value}


def _goal_out(goal: Goal, where: Progress) -> dict:
    return {"id": goal.id, "person_id": goal.person_id, "metric_id": goal.metric_id,
            "metric": goal.metric.key, "kind": goal.metric.kind, "starts_on": goal.starts_on,
            "ends_on": goal.ends_on, "target": goal.target, "proposed_by_id": goal.proposed_by_id,
            "proposed_at": goal.proposed_at, "coach_agreed_at": goal.coach_agreed_at,
            "coachee_agreed_at": goal.coachee_agreed_at, "agreed": goals.is_agreed(goal),
            "progress": _progress_out(where)}


@goals_blp.route("/")
@token_required(READ)
@goals_blp.arguments(GoalQuerySchema, location="query", unknown=ma.RAISE)
@goals_blp.response(200, GoalListSchema)
def goal_index(args):
    """Goals you may see (yours and those of people under you), each with its gap today."""
    stmt = (visible(select(Goal), g.api_user).options(joinedload(Goal.metric))
            .order_by(Goal.starts_on.desc(), Goal.id))
    if args["person_id"] is not None:
        stmt = stmt.where(Goal.person_id == args["person_id"])
    if args["metric"] is not None:
        stmt = stmt.where(Goal.metric.has(Metric.key == args["metric"].lower()))
    if args["active_on"] is not None:
        stmt = stmt.where(Goal.starts_on <= args["active_on"], Goal.ends_on >= args["active_on"])
    page = page_of(stmt, args)
    figures = progress_of(page["items"], _today())
    page["items"] = [_goal_out(goal, figures[goal.id]) for goal in page["items"]]
    return page


@goals_blp.route("/", methods=["POST"])
@token_required(WRITE)
@goals_blp.arguments(GoalCreateSchema)
@goals_blp.response(201, GoalSchema)
def goal_create(payload):
    """Propose a goal for someone you coach; your agreement is recorded, theirs awaited."""
    person = _person(payload["person_id"])
    metric = _metric(payload)
    require(g.api_user, "goal.propose", person)
    with one_transaction():
        goal = goals.propose_goal(person, metric, starts_on=payload["starts_on"],
                                  ends_on=payload["ends_on"], target=payload["target"],
                                  by=g.api_user)
    return _goal_out(goal, progress(goal, _today()))


@goals_blp.route("/<int:goal_id>")
@token_required(READ)
@goals_blp.response(200, GoalSchema)
def goal_detail(goal_id):
    """One goal with its actual to date, the gap and the status."""
    goal = load_visible(Goal, goal_id, g.api_user)
    return _goal_out(goal, progress(goal, _today()))


@goals_blp.route("/<int:goal_id>", methods=["PATCH"])
@token_required(WRITE)
@goals_blp.arguments(GoalUpdateSchema)
@goals_blp.response(200, GoalSchema)
def goal_update(payload, goal_id):
    """Change the target or the period (coaches): the person must agree again."""
    goal = load_visible(Goal, goal_id, g.api_user)
    require(g.api_user, "goal.propose", goal)
    with one_transaction():
        goals.update_goal(goal, by=g.api_user, **payload)
    return _goal_out(goal, progress(goal, _today()))


@goals_blp.route("/<int:goal_id>/agree", methods=["POST"])
@token_required(WRITE)
@goals_blp.response(200, GoalSchema)
def goal_agree(goal_id):
    """Agree to your own goal (its current version)."""
    goal = load_visible(Goal, goal_id, g.api_user)
    require(g.api_user, "goal.agree", goal)
    with one_transaction():
        goals.agree_goal(goal, by=g.api_user)
    return _goal_out(goal, progress(goal, _today()))


# --- actuals ---------------------------------------------------------------------------------

def _actual_out(actual: MetricActual, changed: bool | None = None) -> dict:
    out = {"id": actual.id, "person_id": actual.person_id, "metric_id": actual.metric_id,
           "metric": actual.metric.key, "period_start": actual.period_start,
           "value": actual.value, "source": actual.source, "check_in_id": actual.check_in_id,
           "entered_by_id": actual.entered_by_id, "updated_at": actual.updated_at}
    if changed is not None:
        out["changed"] = changed
    return out


@actuals_blp.route("/")
@token_required(READ)
@actuals_blp.arguments(ActualQuerySchema, location="query", unknown=ma.RAISE)
@actuals_blp.response(200, ActualListSchema)
def actual_index(args):
    """Weekly actuals you may see (yours and those of people under you), newest week first."""
    stmt = (visible(select(MetricActual), g.api_user).options(joinedload(MetricActual.metric))
            .order_by(MetricActual.period_start.desc(), MetricActual.id))
    if args["person_id"] is not None:
        stmt = stmt.where(MetricActual.person_id == args["person_id"])
    if args["metric"] is not None:
        stmt = stmt.where(MetricActual.metric.has(Metric.key == args["metric"].lower()))
    if args["since"] is not None:
        stmt = stmt.where(MetricActual.period_start >= args["since"])
    if args["until"] is not None:
        stmt = stmt.where(MetricActual.period_start <= args["until"])
    page = page_of(stmt, args)
    page["items"] = [_actual_out(actual) for actual in page["items"]]
    return page


@actuals_blp.route("/", methods=["PUT"])
@token_required(WRITE)
@actuals_blp.arguments(ActualPutSchema)
@actuals_blp.response(200, ActualSchema)
def actual_put(payload):
    """Set one person's value for one metric and week (the week's Monday); the same call
    again changes nothing."""
    person = _person(payload["person_id"])
    metric = _metric(payload)
    require(g.api_user, "actual.enter", person)
    check_in = _check_in(payload["check_in_id"])
    with one_transaction():
        actual, changed = actuals.enter_actual(person, metric, payload["period_start"],
                                               payload["value"], by=g.api_user,
                                               check_in=check_in, today=_today())
    return _actual_out(actual, changed)


CSV_HELP = ("A CRM export with the header `email,metric,period_start,value`: one row per "
            "person, metric key and week (a Monday, YYYY-MM-DD).")
IMPORT_BODY = {"required": True, "content": {
    "text/csv": {"schema": {"type": "string", "description": CSV_HELP}},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": CSV_HELP}}}},
}}


@actuals_blp.route("/import", methods=["POST"])
@token_required(WRITE)
@actuals_blp.doc(requestBody=IMPORT_BODY)
@actuals_blp.response(200, ActualImportResultSchema)
@actuals_blp.alt_response(422, schema=ErrorSchema, description="The file has problems: "
                          "`errors.file` lists each with its line; nothing was written.")
def actual_import():
    """Import a CRM export: ``email,metric,period_start,value``, as the request body
    (``text/csv``) or a multipart ``file``. The whole file is checked first."""
    require(g.api_user, "actual.import")
    upload = request.files.get("file")
    data = upload.read() if upload is not None else request.get_data()
    if not data.strip():
        raise ValidationError("Send the CSV as the body or as a multipart `file`.",
                              field="file")
    try:
        with one_transaction():
            result = actuals.import_actuals(data, by=g.api_user, today=_today())
    except actuals.ImportRejected as rejected:
        db.session.rollback()
        response = jsonify({"errors": {"file": [f"Line {p.line}: {p.message}"
                                                for p in rejected.problems]}})
        response.status_code = 422
        return response
    return {"created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "people": len(result.people)}


# --- gap reviews -----------------------------------------------------------------------------

def _review_out(review: GapReview) -> dict:
    item = review.action_item
    return {
        "id": review.id, "goal_id": review.goal_id, "person_id": review.goal.person_id,
        "metric": review.goal.metric.key, "check_in_id": review.check_in_id,
        "coach_id": review.coach_id, "root_cause": review.root_cause, "notes": review.notes,
        "gap_at_review": review.gap_at_review, "created_at": review.created_at,
        "action_item": None if item is None else {
            "id": item.id, "title": item.title, "owner_id": item.owner_id,
            "due_on": item.due_on, "done_at": item.done_at},
        "evaluated_at": review.evaluated_at,
        "evaluated_check_in_id": review.evaluated_check_in_id,
        "gap_at_evaluation": review.gap_at_evaluation, "improved": review.improved,
        "evaluation_note": review.evaluation_note}


@gap_reviews_blp.route("/")
@token_required(READ)
@gap_reviews_blp.arguments(GapReviewQuerySchema, location="query", unknown=ma.RAISE)
@gap_reviews_blp.response(200, GapReviewListSchema)
def review_index(args):
    """Gap reviews of goals you may see, newest first."""
    stmt = (visible(select(GapReview), g.api_user)
            .options(joinedload(GapReview.goal).joinedload(Goal.metric),
                     joinedload(GapReview.action_item))
            .order_by(GapReview.created_at.desc(), GapReview.id.desc()))
    if args["goal_id"] is not None:
        stmt = stmt.where(GapReview.goal_id == args["goal_id"])
    if args["person_id"] is not None:
        stmt = stmt.where(GapReview.goal.has(Goal.person_id == args["person_id"]))
    if args["evaluated"] is not None:
        done = GapReview.evaluated_at.is_not(None)
        stmt = stmt.where(done if args["evaluated"] else ~done)
    page = page_of(stmt, args)
    page["items"] = [_review_out(review) for review in page["items"]]
    return page


@gap_reviews_blp.route("/", methods=["POST"])
@token_required(WRITE)
@gap_reviews_blp.arguments(GapReviewCreateSchema)
@gap_reviews_blp.response(201, GapReviewSchema)
def review_create(payload):
    """Record why a goal is behind and a corrective action (an action item of the pair)."""
    goal = referenced(Goal, payload, "goal_id", "No goal you can see has that id.")
    require(g.api_user, "gap.review", goal)
    owner = db.session.get(User, payload["action_owner_id"])
    action = gaps.Action(payload["action_title"], owner, payload["action_due_on"])
    check_in = _check_in(payload["check_in_id"])
    with one_transaction():
        review = gaps.create_gap_review(goal, root_cause=payload["root_cause"],
                                        notes=payload["notes"], action=action, by=g.api_user,
                                        check_in=check_in, today=_today())
    return _review_out(review)


@gap_reviews_blp.route("/<int:review_id>/evaluate", methods=["POST"])
@token_required(WRITE)
@gap_reviews_blp.arguments(GapReviewEvaluateSchema)
@gap_reviews_blp.response(200, GapReviewSchema)
def review_evaluate(payload, review_id):
    """Evaluate a gap review from the actuals recorded since: improved when the gap shrank."""
    review = load_visible(GapReview, review_id, g.api_user)
    require(g.api_user, "gap.review", review)
    check_in = _check_in(payload["check_in_id"])
    with one_transaction():
        gaps.evaluate_gap_review(review, note=payload["note"], by=g.api_user,
                                 check_in=check_in, today=_today())
    return _review_out(review)


@gap_reviews_blp.route("/<int:review_id>")
@token_required(READ)
@gap_reviews_blp.response(200, GapReviewSchema)
def review_detail(review_id):
    """One gap review with its corrective action and evaluation."""
    return _review_out(load_visible(GapReview, review_id, g.api_user))
