"""Regrading: after an admin fixes a question's key, submitted attempts are graded again.

Every submitted answer of the assessment (or of the question, in every assessment that drew
it) is graded against the current key; only answers whose grade changes are written, then
the attempts they belong to are totalled again. A learner who now passes has the course step
recorded (and may complete the course); a learner who now fails keeps a step and a course
already completed: a regrade never takes a completion back. A constant number of queries
whatever the number of attempts, plus the step for each learner who newly passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from assessments.models import Assessment, Attempt, AttemptItem, AttemptStatus, Question
from assessments.quiz.attempts import grade_item, record_step, total
from lms.audit import services as audit
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User


@dataclass(frozen=True)
class RegradeResult:
    answers_changed: int
    attempts_changed: int
    now_passing: int
    now_failing: int
    steps_completed: int

    @property
    def summary(self) -> str:
        if not self.answers_changed:
            return "No grade changed."
        return (f"{self.answers_changed} answer(s) in {self.attempts_changed} attempt(s) "
                f"regraded: {self.now_passing} now pass, {self.now_failing} now fail.")


def _items(target: Assessment | Question) -> list[AttemptItem]:
    stmt = (select(AttemptItem).join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.status == AttemptStatus.SUBMITTED)
            .options(joinedload(AttemptItem.question)))
    if isinstance(target, Assessment):
        stmt = stmt.where(Attempt.assessment_id == target.id)
    else:
        stmt = stmt.where(AttemptItem.question_id == target.id)
    return list(db.session.scalars(stmt))


def _attempts(attempt_ids: set[int]) -> list[Attempt]:
    """The attempts with every item and question, in three queries whatever their number."""
    return list(db.session.scalars(
        select(Attempt).where(Attempt.id.in_(attempt_ids))
        .options(joinedload(Attempt.assessment),
                 selectinload(Attempt.items).joinedload(AttemptItem.question))))


def regrade(target: Assessment | Question, *, by: User) -> RegradeResult:
    """Grade again every submitted answer of ``target`` against its current key."""
    now = utcnow()
    changed_attempts: set[int] = set()
    answers = 0
    for item in _items(target):
        if grade_item(item):
            answers += 1
            changed_attempts.add(item.attempt_id)
    db.session.flush()
    passing = failing = steps = 0
    for attempt in _attempts(changed_attempts) if changed_attempts else []:
        before = attempt.passed
        total(attempt, sum(i.points_awarded or 0.0 for i in attempt.items),
              sum(i.question.points for i in attempt.items), now=now)
        if attempt.passed and not before:
            passing += 1
            steps += record_step(attempt)
        elif before and not attempt.passed:
            failing += 1
    db.session.flush()
    result = RegradeResult(answers, len(changed_attempts), passing, failing, steps)
    name = "assessment" if isinstance(target, Assessment) else "question"
    audit.record(by, f"{name}.regrade", target, summary=result.summary[:255], changes={
        "answers_changed": [None, answers], "attempts_changed": [None, len(changed_attempts)],
        "now_passing": [None, passing], "now_failing": [None, failing]})
    return result

