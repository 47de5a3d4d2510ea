"""Rhythm adherence, leader reviews and champions councils in the REST API.

The rules are the services' (``reinforcement.adherence``, ``reviews``, ``councils``); these
views load, authorize, call them and commit once. Lists are scoped in SQL with ``visible``.
Check-ins appear only as counts here: no note of any kind leaves through these endpoints.
"""

from __future__ import annotations

from datetime import timedelta

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from assessments.models import Observation
from lms.api import one_transaction, page_of, token_required
from lms.authz import can_see, load_visible, require, visible
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User
from reinforcement import READ, WRITE
from reinforcement.leaders import reviews
from reinforcement.leaders.adherence import Figures, Row, parse_period, rollup
from reinforcement.leaders.models import LeaderReview, ReviewDecision
from reinforcement.leaders.schemas import (
    AdherenceQuerySchema,
    AdherenceSchema,
    LeaderReviewCreateSchema,
    LeaderReviewListSchema,
    LeaderReviewQuerySchema,
    LeaderReviewSchema,
)

adherence_blp = Blueprint("adherence_api", __name__, url_prefix="/api/v1/adherence",
                          description="Coaching rhythm adherence")
reviews_blp = Blueprint("leader_reviews_api", __name__, url_prefix="/api/v1/leader-reviews",
                        description="Leader confirmation and feedback on managers' coaching")
BLUEPRINTS = (adherence_blp, reviews_blp)


# --- adherence ---------------------------------------------------------------------------------

def _figures(f: Figures) -> dict:
    return {"check_ins": f.check_ins, "held": f.held, "held_on_time": f.held_on_time,
            "held_on_time_pct": f.held_share, "agenda_ahead": f.agenda_ahead,
            "agenda_ahead_pct": f.agenda_share, "actions": f.actions,
            "actions_done": f.actions_done, "actions_done_pct": f.actions_share,
            "late_actions": f.late_actions, "median_days_overdue": f.median_overdue,
            "gap_reviews": f.gap_reviews, "gap_reviews_evaluated": f.gap_evaluated,
            "gap_reviews_evaluated_pct": f.gap_share}


def _row(row: Row) -> dict:
    person = row.person
    return {"key": str(row.key), "name": row.label, "email": person.email if person else None,
            "level": person.level if person else (row.key if row.key != "all" else None),
            "coaches": row.coaches, "expected": row.expected, "coaching": row.coaching,
            "figures": _figures(row.figures), "needs_help": row.flags}


@adherence_blp.route("/")
@token_required(READ)
@adherence_blp.arguments(AdherenceQuerySchema, location="query", unknown=ma.RAISE)
@adherence_blp.response(200, AdherenceSchema)
@adherence_blp.alt_response(404, response="NOT_FOUND", description="No one you can see has "
                            "that `person_id`.")
def adherence(args):
    """Coaching rhythm per coach, per leader and per level, with the trend, for a period."""
    user = g.api_user
    require(user, "adherence.report")
    root = load_visible(User, args["person_id"], user) if args["person_id"] else (
        None if user.is_admin else user)
    period = parse_period(args["period"], args["start"], utcnow().date())
    report = rollup(root, period)
    return {"period": {"kind": period.kind, "start": period.start, "end": period.last_day,
                       "label": period.label},
            "thresholds": report.thresholds,
            "coaches": [_row(row) for row in report.coaches],
            "leaders": [_row(row) for row in report.leaders],
            "levels": [_row(row) for row in report.levels], "total": _row(report.total),
            "trend": [{"start": step.start, "end": step.end - timedelta(days=1),
                       "figures": _figures(step.figures)} for step in report.trend]}


# --- leader reviews ----------------------------------------------------------------------------

def _review_out(review: LeaderReview) -> dict:
    return {"id": review.id, "leader_id": review.leader_id, "leader": review.leader.name,
            "manager_id": review.manager_id, "manager": review.manager.name,
            "period_start": review.period_start, "period_end": review.period_end,
            "decision": review.decision, "feedback": review.feedback, "note": review.note,
            "observation_id": review.observation_id, "created_at": review.created_at,
            "updated_at": review.updated_at, "acknowledged_at": review.acknowledged_at}


@reviews_blp.route("/")
@token_required(READ)
@reviews_blp.arguments(LeaderReviewQuerySchema, location="query", unknown=ma.RAISE)
@reviews_blp.response(200, LeaderReviewListSchema)
def review_index(args):
    """Reviews you may see: yours as leader, about your coaching, and of managers under you."""
    user = g.api_user
    stmt = (visible(select(LeaderReview), user)
            .options(joinedload(LeaderReview.leader), joinedload(LeaderReview.manager))
            .order_by(LeaderReview.period_start.desc(), LeaderReview.id.desc()))
    if args["role"] == "given":
        stmt = stmt.where(LeaderReview.leader_id == user.id)
    elif args["role"] == "received":
        stmt = stmt.where(LeaderReview.manager_id == user.id)
    if args["month"]:
        stmt = stmt.where(LeaderReview.period_start == parse_period(
            "month", args["month"], utcnow().date()).start)
    if args["manager_id"] is not None:
        stmt = stmt.where(LeaderReview.manager_id == args["manager_id"])
    page = page_of(stmt, args)
    page["items"] = [_review_out(review) for review in page["items"]]
    return page


def _manager(manager_id: int) -> User:
    manager = db.session.get(User, manager_id)
    if manager is None or not can_see(g.api_user, manager) or manager.id == g.api_user.id:
        raise ValidationError("No manager under you has that id.", field="manager_id")
    return manager


def _observation(observation_id: int | None) -> Observation | None:
    if observation_id is None:
        return None
    observation = db.session.get(Observation, observation_id)
    if observation is None or not can_see(g.api_user, observation):
        raise ValidationError("No scorecard you can see has that id.", field="observation_id")
    return observation


@reviews_blp.route("/", methods=["POST"])
@token_required(WRITE)
@reviews_blp.arguments(LeaderReviewCreateSchema)
@reviews_blp.response(201, LeaderReviewSchema)
def review_create(payload):
    """Confirm a manager's reinforcement for a month, or send feedback on their coaching."""
    require(g.api_user, "review.decide")
    manager = _manager(payload["manager_id"])
    observation = _observation(payload["observation_id"])
    with one_transaction():
        if payload["decision"] == ReviewDecision.CONFIRMED:
            review = reviews.confirm_reinforcement(manager, payload["period_start"],
                                                   by=g.api_user, observation=observation,
                                                   note=payload["note"])
        else:
            review = reviews.send_feedback(manager, payload["period_start"],
                                           payload["feedback"], by=g.api_user,
                                           observation=observation)
    return _review_out(review)


@reviews_blp.route("/<int:review_id>")
@token_required(READ)
@reviews_blp.response(200, LeaderReviewSchema)
def review_detail(review_id):
    """One review."""
    return _review_out(load_visible(LeaderReview, review_id, g.api_user))


@reviews_blp.route("/<int:review_id>/acknowledge", methods=["POST"])
@token_required(WRITE)
@reviews_blp.response(200, LeaderReviewSchema)
def review_acknowledge(review_id):
    """Acknowledge feedback on your coaching (the manager, once)."""
    review = load_visible(LeaderReview, review_id, g.api_user)
    require(g.api_user, "review.acknowledge", review)
    with one_transaction():
        reviews.acknowledge_feedback(review, by=g.api_user)
    return _review_out(review)


# --- councils ----------------------------------------------------------------------------------









