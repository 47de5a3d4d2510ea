"""Taking an assessment: start or resume, save answers as you go, submit once, grade.

An attempt draws its questions when it starts and stores them with the order of their
choices, so leaving and resuming shows the same paper. The time limit is the server's: an
answer after the deadline is refused and the attempt is submitted with what was saved.
Submitting is a conditional update (in progress -> submitted), so two submits racing grade
once and both answer with the same result.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from assessments import grading
from assessments.models import (
    Assessment,
    AssessmentStatus,
    Attempt,
    AttemptItem,
    AttemptStatus,
    FeedbackPolicy,
    Question,
)
from assessments.quiz.authoring import pool_ids
from courses.models import Enrollment, EnrollmentStatus
from courses.services import player
from courses.unlocking import lock_reasons_for
from lms.db import begin_writing
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.people.models import User

# A request sent just before the deadline may arrive just after it.
GRACE = timedelta(seconds=10)
_random = random.SystemRandom()


class AttemptClosedError(CadenceError):
    """The attempt is submitted (or its time is up): it takes no more answers."""


class AnswersError(ValidationError):
    """Some answers do not fit their questions; ``by_item`` says which and why."""

    def __init__(self, by_item: dict[int, str]):
        first = next(iter(by_item.values()))
        super().__init__(f"Some answers could not be saved: {first}", field="answers")
        self.by_item = by_item


@dataclass(frozen=True)
class Started:
    attempt: Attempt
    resumed: bool  # an attempt already in progress was returned


# --- reading ----------------------------------------------------------------------------------

def in_progress(person: User, assessment: Assessment) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.assessment_id == assessment.id, Attempt.user_id == person.id,
        Attempt.status == AttemptStatus.IN_PROGRESS))


def _used(person: User, assessment: Assessment) -> tuple[int, int]:
    """How many attempts ``person`` made, and the highest number used: one query."""
    used, last = db.session.execute(select(func.count(Attempt.id), func.max(Attempt.number))
                                    .where(Attempt.assessment_id == assessment.id,
                                           Attempt.user_id == person.id)).one()
    return used or 0, last or 0


def items_of(attempt: Attempt) -> list[AttemptItem]:
    """The attempt's items with their questions, in order: one query."""
    return list(db.session.scalars(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
        .options(joinedload(AttemptItem.question)).order_by(AttemptItem.position)))


def expired(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + GRACE


def seconds_left(attempt: Attempt, now: datetime) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(int((attempt.deadline_at - now).total_seconds()), 0)


def has_passed(person_id: int, assessment_id: int) -> bool:
    return db.session.scalar(select(Attempt.id).where(
        Attempt.assessment_id == assessment_id, Attempt.user_id == person_id,
        Attempt.passed.is_(True)).limit(1)) is not None


def shows_answers(attempt: Attempt) -> bool:
    """Whether the feedback policy lets the learner see right answers for ``attempt``."""
    if attempt.status != AttemptStatus.SUBMITTED:
        return False
    policy = attempt.assessment.feedback_policy
    if policy == FeedbackPolicy.AFTER_ATTEMPT:
        return True
    if policy == FeedbackPolicy.AFTER_PASSING:
        return bool(attempt.passed) or has_passed(attempt.user_id, attempt.assessment_id)
    return False


# --- starting ---------------------------------------------------------------------------------

def attempts_left(person: User, assessment: Assessment) -> int | None:
    """How many more attempts ``person`` may start (None: as many as they like)."""
    if assessment.attempt_limit is None:
        return None
    return max(assessment.attempt_limit - _used(person, assessment)[0], 0)


def _check_may_start(person: User, assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.PUBLISHED:
        raise ValidationError("This assessment is not open for attempts.")
    enrolled = db.session.scalar(select(Enrollment.id).where(
        Enrollment.course_id == assessment.course_id, Enrollment.user_id == person.id,
        Enrollment.status != EnrollmentStatus.WITHDRAWN))
    if enrolled is None:
        raise ValidationError(f"Enrol in “{assessment.course.title}” to take its assessment.")
    reasons = lock_reasons_for(assessment.course, person)
    if reasons:
        raise player.CourseLockedError(reasons[0].message)


def _draw(assessment: Assessment) -> list[Question]:
    ids = list(db.session.scalars(pool_ids(assessment.course_id, assessment.sources)))
    wanted = assessment.question_count
    if len(ids) < wanted:
        raise ValidationError(f"“{assessment.title}” draws {wanted} questions but its banks "
                              f"hold {len(ids)} now; ask an admin to add questions.")
    chosen = _random.sample(ids, wanted)
    found = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(chosen)))}
    return [found[question_id] for question_id in chosen]


def _choice_order(assessment: Assessment, question: Question) -> list[str]:
    if not grading.kind(question.type).has_choices:
        return []
    keys = grading.choice_keys(question.spec)
    if assessment.shuffle_choices:
        _random.shuffle(keys)
    return keys


def start_attempt(person: User, assessment: Assessment, *, now: datetime) -> Started:
    """Start a new attempt, or return the one in progress (resume)."""
    _check_may_start(person, assessment)
    current = in_progress(person, assessment)
    if current is not None:
        if not expired(current, now):
            return Started(current, resumed=True)
        submit(current, now=now)  # its time ran out while the learner was away
    used, last = _used(person, assessment)
    limit = assessment.attempt_limit
    if limit is not None and used >= limit:
        raise ValidationError(f"You have used all {limit} attempt{'s' if limit != 1 else ''} "
                              f"at “{assessment.title}”.", field="attempt_limit")
    questions = _draw(assessment)
    minutes = assessment.time_limit_minutes
    attempt = Attempt(assessment=assessment, user=person, number=last + 1, started_at=now,
                      deadline_at=now + timedelta(minutes=minutes) if minutes else None)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
            # One statement for the paper, however many questions it holds.
            db.session.execute(insert(AttemptItem), [
                {"attempt_id": attempt.id, "question_id": q.id, "position": position,
                 "choice_order": _choice_order(assessment, q)}
                for position, q in enumerate(questions, start=1)])
        db.session.expire(attempt, ["items"])
    except IntegrityError:
        # Another request started the same number first: that attempt is the one to take.
        winner = db.session.scalar(select(Attempt).where(
            Attempt.assessment_id == assessment.id, Attempt.user_id == person.id,
            Attempt.number == last + 1))
        return Started(winner, resumed=True)
    return Started(attempt, resumed=False)


# --- answering --------------------------------------------------------------------------------

def _check_open(attempt: Attempt, now: datetime) -> None:
    if attempt.status == AttemptStatus.SUBMITTED:
        raise AttemptClosedError("This attempt is already submitted.")
    if expired(attempt, now):
        raise AttemptClosedError("Time is up: the attempt takes no more answers.")


def _blank(response: Any) -> bool:
    return response is None or response == "" or response == []


def save_answers(attempt: Attempt, answers: dict[int, Any], *, now: datetime) -> None:
    """Save several answers at once; all are checked before any is written."""
    _check_open(attempt, now)
    items = {item.id: item for item in items_of(attempt)}
    unknown = [item_id for item_id in answers if item_id not in items]
    if unknown:
        raise ValidationError("That question is not part of this attempt.", field="item")
    clean: dict[int, Any] = {}
    errors: dict[int, str] = {}
    for item_id, response in answers.items():
        question = items[item_id].question
        if _blank(response):
            clean[item_id] = None
            continue
        try:
            clean[item_id] = grading.check_response(question.type, question.spec, response)
        except grading.ResponseError as error:
            errors[item_id] = str(error)
    if errors:
        raise AnswersError(errors)
    for item_id, response in clean.items():
        item = items[item_id]
        if item.response != response:
            item.response = response
            item.answered_at = now if response is not None else None
    db.session.flush()


def save_answer(attempt: Attempt, item: AttemptItem, response: Any, *,
                now: datetime) -> AttemptItem:
    """Save the answer to one question of an open attempt."""
    if item.attempt_id != attempt.id:
        raise ValidationError("That question is not part of this attempt.", field="item")
    try:
        save_answers(attempt, {item.id: response}, now=now)
    except AnswersError as error:
        raise ValidationError(error.by_item[item.id], field="response") from None
    return item


# --- submitting and grading -------------------------------------------------------------------

def close_if_expired(attempt: Attempt, *, now: datetime) -> bool:
    """Submit an attempt whose time ran out, with the answers it saved; True if it did."""
    if attempt.status == AttemptStatus.IN_PROGRESS and expired(attempt, now):
        begin_writing(db.session)  # found by a page (a GET) that then writes
        submit(attempt, now=now)
        return True
    return False


def submit(attempt: Attempt, *, now: datetime) -> Attempt:
    """Submit and grade; submitting again answers with the same result."""
    if attempt.status == AttemptStatus.SUBMITTED:
        return attempt
    timed_out = expired(attempt, now)
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id,
                              Attempt.status == AttemptStatus.IN_PROGRESS)
        .values(status=AttemptStatus.SUBMITTED, submitted_at=now, timed_out=timed_out)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.refresh(attempt)  # another request submitted it: its grade stands
        return attempt
    # The object learns what the database already holds, without writing it again.
    for name, value in (("status", AttemptStatus.SUBMITTED), ("submitted_at", now),
                        ("timed_out", timed_out)):
        set_committed_value(attempt, name, value)
    grade_attempt(attempt, now=now)
    if attempt.passed:
        record_step(attempt)
    return attempt


def grade_item(item: AttemptItem) -> bool:
    """Grade one item against its question's current key; True when the grade changed."""
    question = item.question
    result = grading.grade(question.type, question.spec, item.response)
    points = round(result.fraction * question.points, 4)
    unchanged = (item.points_awarded is not None and abs(item.points_awarded - points) < 1e-9
                 and item.is_correct == result.correct)
    if unchanged:
        return False
    item.points_awarded, item.is_correct = points, result.correct
    return True


def total(attempt: Attempt, score: float, maximum: float, *, now: datetime) -> None:
    """Store an attempt's score, percentage and pass from its items' points."""
    pass_mark = attempt.assessment.pass_mark
    attempt.score = round(score, 4)
    attempt.max_score = round(maximum, 4)
    attempt.percent = round(100 * score / maximum, 2) if maximum else 0.0
    attempt.passed = attempt.percent + 1e-9 >= pass_mark
    attempt.graded_at = now


def grade_attempt(attempt: Attempt, *, now: datetime) -> None:
    """Grade every item (one UPDATE batch whatever their number) and total the attempt."""
    items = items_of(attempt)
    for item in items:
        grade_item(item)
    total(attempt, sum(item.points_awarded for item in items),
          sum(item.question.points for item in items), now=now)
    db.session.flush()


def record_step(attempt: Attempt) -> bool:
    """A pass completes the course step the assessment belongs to; True when it did."""
    assessment = attempt.assessment
    if not attempt.passed or not assessment.lesson_key:
        return False
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == assessment.course_id, Enrollment.user_id == attempt.user_id,
        Enrollment.status != EnrollmentStatus.WITHDRAWN))
    if enrollment is None:
        return False
    return player.complete_step(enrollment, assessment.lesson_key, by=attempt.user)
