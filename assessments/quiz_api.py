"""Assessments, attempts and results in the REST API.

The rules (attempt limit, resume, the time limit, one grading however many submits, the
feedback policy) are the services' in ``assessments.quiz``; these views load, authorize, call
them and commit once. Before an attempt is submitted its items carry the public part of
each question only.
"""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from assessments import grading, quiz
from assessments.models import Assessment, Attempt, AttemptItem, AttemptStatus
from assessments.quiz.results import team_scores
from assessments.quiz_schemas import (
    AssessmentDetailSchema,
    AssessmentListSchema,
    AssessmentQuerySchema,
    AssessmentRegradeSchema,
    AssessmentScoreListSchema,
    AttemptAnswerCreateSchema,
    AttemptItemSchema,
    AttemptSchema,
)
from lms.api import one_transaction, page_of, token_required
from lms.authz import load_visible, require, visible
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db

blp = Blueprint("assessments_api", __name__, url_prefix="/api/v1/assessments",
                description="Assessments: take them (start, answer, submit) and see results")
CLOSED = "Time is up: the attempt was submitted with the answers saved before the deadline."


def _assessment_out(assessment: Assessment) -> dict:
    out = {name: getattr(assessment, name) for name in (
        "id", "course_id", "lesson_key", "title", "instructions", "status", "question_count",
        "pass_mark", "attempt_limit", "time_limit_minutes", "feedback_policy",
        "shuffle_choices")}
    if g.api_user.is_admin:
        out["sources"] = [{"bank_id": s.bank_id, "tag": s.tag} for s in assessment.sources]
    return out


def _item_out(item: AttemptItem, feedback: bool) -> dict:
    question = item.question
    out = {"id": item.id, "position": item.position, "type": question.type,
           "prompt_html": question.prompt_html, "points": question.points,
           "choices": grading.public(question.type, question.spec,
                                     item.choice_order).get("choices", []),
           "response": item.response, "answered_at": item.answered_at}
    if feedback:
        out.update(is_correct=item.is_correct, points_awarded=item.points_awarded,
                   correct_answer=grading.answer_text(question.type, question.spec),
                   explanation_html=question.explanation_html)
    return out


def _attempt_out(attempt: Attempt) -> dict:
    now = utcnow()
    feedback = attempt.status == AttemptStatus.SUBMITTED and (
        g.api_user.is_admin or quiz.shows_answers(attempt))
    owner_or_done = attempt.user_id == g.api_user.id or attempt.status == AttemptStatus.SUBMITTED
    return {**{name: getattr(attempt, name) for name in (
        "id", "assessment_id", "user_id", "number", "status", "started_at", "deadline_at",
        "submitted_at", "timed_out", "score", "max_score", "percent", "passed")},
        "seconds_left": (quiz.seconds_left(attempt, now)
                         if attempt.status == AttemptStatus.IN_PROGRESS else None),
        "feedback": feedback,
        "items": [_item_out(item, feedback) for item in quiz.items_of(attempt)]
        if owner_or_done else []}


def _attempt(attempt_id: int) -> Attempt:
    """The attempt, submitted first if its time ran out (committed: the time is the server's)."""
    attempt = load_visible(Attempt, attempt_id, g.api_user)
    if quiz.close_if_expired(attempt, now=utcnow()):
        db.session.commit()
    return attempt


# --- assessments -----------------------------------------------------------------------------

@blp.route("/")
@token_required("assessments:read")
@blp.arguments(AssessmentQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, AssessmentListSchema)
def index(args):
    """Assessments you may see (drafts for admins only), by title."""
    stmt = visible(select(Assessment), g.api_user).order_by(Assessment.title, Assessment.id)
    if args["course_id"] is not None:
        stmt = stmt.where(Assessment.course_id == args["course_id"])
    page = page_of(stmt, args)
    page["items"] = [_assessment_out(assessment) for assessment in page["items"]]
    return page


@blp.route("/<int:assessment_id>")
@token_required("assessments:read")
@blp.response(200, AssessmentDetailSchema)
def detail(assessment_id):
    """One assessment with your own attempts at it."""
    assessment = load_visible(Assessment, assessment_id, g.api_user)
    mine = db.session.scalars(select(Attempt).where(
        Attempt.assessment_id == assessment.id, Attempt.user_id == g.api_user.id)
        .order_by(Attempt.number))
    return {**_assessment_out(assessment), "my_attempts": list(mine)}


@blp.route("/<int:assessment_id>/attempts", methods=["POST"])
@token_required("assessments:write")
@blp.response(201, AttemptSchema)
@blp.alt_response(200, schema=AttemptSchema, description="An attempt was in progress: "
                  "it is returned to resume.")
def start(assessment_id):
    """Start an attempt, or resume the one in progress (200)."""
    assessment = load_visible(Assessment, assessment_id, g.api_user)
    require(g.api_user, "assessment.take", assessment)
    with one_transaction():
        started = quiz.start_attempt(g.api_user, assessment, now=utcnow())
    return _attempt_out(started.attempt), 200 if started.resumed else 201


@blp.route("/<int:assessment_id>/results")
@token_required("assessments:read")
@blp.response(200, AssessmentScoreListSchema)
def results(assessment_id):
    """Scores of the people you see (your subtree; everyone for admins)."""
    assessment = load_visible(Assessment, assessment_id, g.api_user)
    require(g.api_user, "assessment.results", assessment)
    scores = team_scores(assessment, g.api_user)
    return {"items": scores, "meta": {"page": 1, "per_page": len(scores),
                                      "total": len(scores), "pages": 1}}


@blp.route("/<int:assessment_id>/regrade", methods=["POST"])
@token_required("assessments:write")
@blp.response(200, AssessmentRegradeSchema)
def regrade(assessment_id):
    """Grade every submitted answer again against the current keys (admins)."""
    assessment = load_visible(Assessment, assessment_id, g.api_user)
    require(g.api_user, "assessment.manage", assessment)
    with one_transaction():
        result = quiz.regrade(assessment, by=g.api_user)
    return result


# --- attempts --------------------------------------------------------------------------------

@blp.route("/attempts/<int:attempt_id>")
@token_required("assessments:read")
@blp.response(200, AttemptSchema)
def attempt(attempt_id):
    """An attempt: public questions while open; right answers afterwards per the policy."""
    found = _attempt(attempt_id)
    require(g.api_user, "attempt.view", found)
    return _attempt_out(found)


@blp.route("/attempts/<int:attempt_id>/answers/<int:item_id>", methods=["PUT"])
@token_required("assessments:write")
@blp.arguments(AttemptAnswerCreateSchema)
@blp.response(200, AttemptItemSchema)
def answer(payload, attempt_id, item_id):
    """Save your answer to one question of your open attempt."""
    found = _attempt(attempt_id)
    require(g.api_user, "attempt.answer", found)
    if found.status == AttemptStatus.SUBMITTED:
        raise quiz.AttemptClosedError(CLOSED if found.timed_out
                                      else "This attempt is already submitted.")
    item = db.session.get(AttemptItem, item_id)
    if item is None or item.attempt_id != found.id:
        raise ValidationError("That question is not part of this attempt.", field="item_id")
    with one_transaction():
        quiz.save_answer(found, item, payload["response"], now=utcnow())
    return _item_out(item, False)


@blp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@token_required("assessments:write")
@blp.response(200, AttemptSchema)
def submit(attempt_id):
    """Submit your attempt; submitting again answers with the same result."""
    found = _attempt(attempt_id)
    require(g.api_user, "attempt.answer", found)
    with one_transaction():
        quiz.submit(found, now=utcnow())
    return _attempt_out(found)
