"""Results: a learner's own attempts and a manager's view of their subtree's scores.

Each list is one query (two for the overview) whatever the number of people or attempts,
scoped in SQL to what the viewer may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from assessments.models import Assessment, Attempt, AttemptStatus
from courses.models import Course, Enrollment, EnrollmentStatus
from lms.authz import visible
from lms.extensions import db
from lms.people.models import User

SCORE_HEADER = ("name", "email", "level", "manager", "attempts", "best_percent", "passed",
                "last_submitted", "in_progress")


def my_attempts(person: User) -> list[Attempt]:
    """Every attempt of ``person``, newest first, with its assessment and course."""
    return list(db.session.scalars(
        select(Attempt).where(Attempt.user_id == person.id)
        .options(joinedload(Attempt.assessment).joinedload(Assessment.course)
                 .joinedload(Course.current_version))
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())))


@dataclass(frozen=True)
class PersonScore:
    user_id: int
    name: str
    email: str
    level: str
    manager_name: str | None
    attempts: int  # submitted
    best_percent: float | None
    passed: bool
    last_submitted_at: datetime | None
    in_progress: bool

    def cells(self) -> list:
        return [self.name, self.email, self.level, self.manager_name or "", self.attempts,
                "" if self.best_percent is None else self.best_percent,
                "yes" if self.passed else "no", self.last_submitted_at,
                "yes" if self.in_progress else "no"]


def _per_person(assessment_id: int):
    submitted = Attempt.status == AttemptStatus.SUBMITTED
    return (select(Attempt.user_id.label("user_id"),
                   func.sum(case((submitted, 1), else_=0)).label("attempts"),
                   func.max(Attempt.percent).label("best"),
                   func.max(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"),
                   func.max(Attempt.submitted_at).label("last"),
                   func.sum(case((submitted, 0), else_=1)).label("open"))
            .where(Attempt.assessment_id == assessment_id)
            .group_by(Attempt.user_id).subquery())


def team_scores(assessment: Assessment, viewer: User) -> list[PersonScore]:
    """Each person the viewer sees who is enrolled in the course or made an attempt."""
    per = _per_person(assessment.id)
    manager = aliased(User)
    enrolled = select(Enrollment.user_id).where(
        Enrollment.course_id == assessment.course_id,
        Enrollment.status != EnrollmentStatus.WITHDRAWN)
    stmt: Select = (
        select(User.id, User.name, User.email, User.level, manager.name, per.c.attempts,
               per.c.best, per.c.passed, per.c.last, per.c.open)
        .outerjoin(per, per.c.user_id == User.id)
        .outerjoin(manager, manager.id == User.manager_id)
        .where(or_(User.id.in_(enrolled), per.c.user_id.is_not(None)))
        .order_by(User.name, User.id))
    return [PersonScore(user_id, name, email, str(level), manager_name, int(attempts or 0),
                        best, bool(passed), last, bool(open_))
            for user_id, name, email, level, manager_name, attempts, best, passed, last, open_
            in db.session.execute(visible(stmt, viewer, User))]


@dataclass(frozen=True)
class Overview:
    assessment: Assessment
    people: int  # who submitted at least once
    passed: int


def overview(viewer: User) -> list[Overview]:
    """The assessments the viewer sees with how many of their people took and passed each."""
    assessments = list(db.session.scalars(visible(
        select(Assessment).options(joinedload(Assessment.course)
                                   .joinedload(Course.current_version))
        .order_by(Assessment.title, Assessment.id), viewer)))
    people = visible(select(User.id), viewer, User)
    per = (select(Attempt.assessment_id.label("assessment_id"),
                  func.max(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"))
           .where(Attempt.status == AttemptStatus.SUBMITTED, Attempt.user_id.in_(people))
           .group_by(Attempt.assessment_id, Attempt.user_id).subquery())
    counts = {assessment_id: (took, passed) for assessment_id, took, passed in db.session.execute(
        select(per.c.assessment_id, func.count(), func.sum(per.c.passed))
        .group_by(per.c.assessment_id))}
    return [Overview(a, *(int(n or 0) for n in counts.get(a.id, (0, 0)))) for a in assessments]
