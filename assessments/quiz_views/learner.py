"""Taking an assessment: its page, start or resume, the attempt (every question on one page,
answers saved as they go), submit, the result per the feedback policy, and "my attempts".

Before an attempt is submitted the page holds each question's prompt and the public part of
its key (``grading.public``) only: never which answer is right, nor the explanation.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from assessments import bp, grading, quiz
from assessments.models import Assessment, Attempt, AttemptItem, AttemptStatus, QuestionType
from assessments.quiz.results import my_attempts
from assessments.quiz_forms import FEEDBACK_LABELS
from courses.certificates.services import certificate_of
from courses.models import Enrollment, EnrollmentStatus
from lms.authz import can, permission_required, require
from lms.db import utcnow
from lms.errors import CadenceError
from lms.extensions import db
from lms.web.args import wants_json
from lms.web.forms import PostForm
from lms.web.markdown import render_markdown

CLOSED = "Time is up: your attempt was submitted with the answers saved before the deadline."


def _attempts(assessment: Assessment) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.assessment_id == assessment.id, Attempt.user_id == current_user.id)
        .order_by(Attempt.number)))


@bp.get("/<int:id>")
@permission_required("assessment.view", load=Assessment)
def quiz_detail(assessment: Assessment):
    attempts = _attempts(assessment)
    now = utcnow()
    closed = [a for a in attempts if quiz.close_if_expired(a, now=now)]
    if closed:
        db.session.commit()
    limit = assessment.attempt_limit
    return render_template(
        "assessments/quiz/detail.html", assessment=assessment, attempts=attempts,
        open_attempt=next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None),
        used_up=limit is not None and len(attempts) >= limit,
        may_take=can(current_user, "assessment.take", assessment),
        instructions=render_markdown(assessment.instructions or ""),
        feedback=FEEDBACK_LABELS[assessment.feedback_policy], post=PostForm())


@bp.post("/<int:id>/start")
@permission_required("assessment.take", load=Assessment)
def quiz_start(assessment: Assessment):
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        started = quiz.start_attempt(current_user, assessment, now=utcnow())
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("assessments.quiz_detail", id=assessment.id))
    db.session.commit()
    if started.resumed:
        flash("You have an attempt in progress: carry on where you left.", "info")
    return redirect(url_for("assessments.attempt_detail", id=started.attempt.id))


# --- the attempt ------------------------------------------------------------------------------

def chosen(item: AttemptItem) -> list[str]:
    """The answer as the form shows it: the keys or the text the learner gave."""
    response = item.response
    if response is None:
        return []
    if isinstance(response, bool):
        return ["true" if response else "false"]
    if isinstance(response, list):
        return [str(key) for key in response]
    if isinstance(response, float):
        return [f"{response:.15g}"]  # as typed: 1234567, not 1.23457e+06
    return [str(response)]


def answer_text(item: AttemptItem) -> str:
    """The learner's answer as words: choice texts, True/False, or what they typed."""
    question = item.question
    given = chosen(item)
    if not given:
        return "No answer"
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        texts = {c["key"]: c["text"] for c in question.spec.get("choices", [])}
        return "; ".join(texts.get(key, key) for key in given)
    if question.type == QuestionType.TRUE_FALSE:
        return "True" if item.response else "False"
    return given[0]


def _shown(items: list[AttemptItem]) -> list[tuple[AttemptItem, dict]]:
    """Each item with the only part of its question's key the browser may see."""
    return [(item, grading.public(item.question.type, item.question.spec, item.choice_order))
            for item in items]


def _take_page(attempt: Attempt, items: list[AttemptItem], errors: dict[int, str] | None = None,
               given: dict[int, list[str]] | None = None):
    now = utcnow()
    return render_template(
        "assessments/quiz/attempt.html", attempt=attempt, assessment=attempt.assessment,
        shown=_shown(items), errors=errors or {},
        given=given or {item.id: chosen(item) for item in items},
        answered=sum(1 for item in items if item.response is not None),
        seconds_left=quiz.seconds_left(attempt, now), post=PostForm()), 422 if errors else 200


def _next_moves(attempt: Attempt) -> dict:
    """What the learner may do from their result: the course this pass completed and its
    certificate, or another try while attempts remain (an attempt in progress: resume it)."""
    assessment = attempt.assessment
    if attempt.user_id != current_user.id:
        return {}
    completed = db.session.scalar(select(Enrollment.completed_at).where(
        Enrollment.course_id == assessment.course_id, Enrollment.user_id == attempt.user_id,
        Enrollment.status != EnrollmentStatus.WITHDRAWN))
    if attempt.passed:
        return {"course_complete": completed is not None,
                "certificate": (certificate_of(attempt.user_id, assessment.course_id)
                                if completed is not None else None)}
    if quiz.has_passed(attempt.user_id, assessment.id):
        return {}
    open_attempt, left = (quiz.in_progress(current_user, assessment),
                          quiz.attempts_left(current_user, assessment))
    may_retry = (open_attempt is None and left != 0
                 and can(current_user, "assessment.take", assessment))
    return {"open_attempt": open_attempt, "may_retry": may_retry, "left": left,
            "used_up": left == 0}


def _result_page(attempt: Attempt):
    items = quiz.items_of(attempt)
    full = current_user.is_admin or quiz.shows_answers(attempt)
    feedback = [(item, answer_text(item),
                 grading.answer_text(item.question.type, item.question.spec))
                for item in items] if full else []
    return render_template("assessments/quiz/result.html", attempt=attempt,
                           assessment=attempt.assessment, feedback=feedback,
                           owner=attempt.user_id == current_user.id, post=PostForm(),
                           moves=_next_moves(attempt))


@bp.get("/attempts/<int:id>")
@permission_required("attempt.view", load=Attempt)
def attempt_detail(attempt: Attempt):
    if quiz.close_if_expired(attempt, now=utcnow()):
        db.session.commit()
        if attempt.user_id == current_user.id:
            flash(CLOSED, "warning")
    if attempt.status == AttemptStatus.SUBMITTED:
        return _result_page(attempt)
    if attempt.user_id != current_user.id:
        return render_template("assessments/quiz/in_progress.html", attempt=attempt,
                               assessment=attempt.assessment)
    return _take_page(attempt, quiz.items_of(attempt))


def _form_answers(items: list[AttemptItem]) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for item in items:
        name = f"item-{item.id}"
        if item.question.type == QuestionType.MULTIPLE:
            answers[item.id] = request.form.getlist(name)
        else:
            answers[item.id] = (request.form.get(name) or "").strip() or None
    return answers


def _closed_response(attempt: Attempt):
    """The answer to a save or submit that reached an attempt no longer open."""
    if wants_json():
        return {"errors": {"request": [CLOSED]}, "submitted": True,
                "result_url": url_for("assessments.attempt_detail", id=attempt.id)}, 409
    flash(CLOSED, "warning")
    return redirect(url_for("assessments.attempt_detail", id=attempt.id))


@bp.post("/attempts/<int:id>")
@permission_required("attempt.answer", load=Attempt)
def attempt_save(attempt: Attempt):
    if not PostForm().validate_on_submit():
        abort(400)
    if attempt.status == AttemptStatus.SUBMITTED:  # a second submit: the same result
        return redirect(url_for("assessments.attempt_detail", id=attempt.id))
    now = utcnow()
    if quiz.close_if_expired(attempt, now=now):
        db.session.commit()
        return _closed_response(attempt)
    items = quiz.items_of(attempt)
    answers = _form_answers(items)
    try:
        quiz.save_answers(attempt, answers, now=now)
    except quiz.AnswersError as error:
        db.session.rollback()
        given = {item_id: (v if isinstance(v, list) else [v] if v else [])
                 for item_id, v in answers.items()}
        return _take_page(attempt, quiz.items_of(attempt), error.by_item, given)
    if request.form.get("action") == "submit":
        quiz.submit(attempt, now=now)
        db.session.commit()
        return redirect(url_for("assessments.attempt_detail", id=attempt.id))
    db.session.commit()
    flash("Your answers are saved.", "success")
    return redirect(url_for("assessments.attempt_detail", id=attempt.id, _anchor="submit"))


@bp.post("/attempts/<int:id>/items/<int:item_id>")
@permission_required("attempt.answer", load=Attempt)
def attempt_answer(attempt: Attempt, item_id: int):
    """Save one answer (the page's script saves each answer as it changes)."""
    if not PostForm().validate_on_submit():
        abort(400)
    item = db.session.get(AttemptItem, item_id)
    if item is None or item.attempt_id != attempt.id:
        abort(404)
    now = utcnow()
    if quiz.close_if_expired(attempt, now=now):
        db.session.commit()
        return _closed_response(attempt)
    name = f"item-{item.id}"
    response = (request.form.getlist(name) if item.question.type == QuestionType.MULTIPLE
                else (request.form.get(name) or "").strip() or None)
    try:
        quiz.save_answer(attempt, item, response, now=now)
    except quiz.AttemptClosedError:
        db.session.rollback()
        return _closed_response(attempt)
    except CadenceError as error:
        db.session.rollback()
        if wants_json():
            return {"errors": {error.field or "request": [error.message]}}, 422
        flash(error.message, "danger")
        return redirect(url_for("assessments.attempt_detail", id=attempt.id))
    db.session.commit()
    if wants_json():
        return {"item": item.id, "saved": True, "answered": item.response is not None,
                "seconds_left": quiz.seconds_left(attempt, now)}
    return redirect(url_for("assessments.attempt_detail", id=attempt.id,
                            _anchor=f"question-{item.position}"))


@bp.get("/mine")
@login_required
def quiz_mine():
    require(current_user, "account.use")
    return render_template("assessments/quiz/mine.html", attempts=my_attempts(current_user))
