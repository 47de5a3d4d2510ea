"""Assessment and attempt rules for the one permission layer (registered into ``lms.authz``).

An assessment exists for everyone signed in once published (managers look at what their
reps take), a draft only for admins. An attempt exists for its owner, the managers up the
owner's chain and admins; only the owner answers and submits it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from assessments.models import Assessment, AssessmentStatus, Attempt
from courses.models import Course, CourseStatus, Enrollment, EnrollmentStatus
from lms.authz import in_subtree, rule, scope, visibility
from lms.extensions import db
from lms.people.models import Level, User

SEEN = (AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)


@visibility(Assessment)
def _assessment_visible(user: User, assessment: Assessment) -> bool:
    return user.is_admin or (assessment.status in SEEN
                             and assessment.course.current_version_id is not None)


@scope(Assessment)
def _assessment_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    published = select(Course.id).where(Course.current_version_id.is_not(None))
    return stmt.where(Assessment.status.in_(SEEN), Assessment.course_id.in_(published))


@visibility(Attempt)
def _attempt_visible(user: User, attempt: Attempt) -> bool:
    return user.is_admin or attempt.user_id == user.id or in_subtree(user, attempt.user)


@scope(Attempt)
def _attempt_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    from lms.people.tree import subtree_ids
    return stmt.where(Attempt.user_id.in_(subtree_ids(user.id)))


@rule("assessment.view")
def _view(user: User, _assessment: Assessment) -> bool:
    return True  # visibility already decided: published for everyone, drafts for admins


@rule("assessment.manage")
def _manage(user: User, _assessment: Any) -> bool:
    return user.is_admin


def is_enrolled(user: User, course_id: int) -> bool:
    """Say whether ``user`` holds an enrolment (active or completed) in the course."""
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.course_id == course_id, Enrollment.user_id == user.id,
        Enrollment.status != EnrollmentStatus.WITHDRAWN)) is not None


@rule("assessment.take")
def _take(user: User, assessment: Assessment | None) -> bool:
    """Enrolled learners of the course take a published assessment of a published course."""
    return (assessment is not None and assessment.status == AssessmentStatus.PUBLISHED
            and assessment.course.status == CourseStatus.PUBLISHED
            and is_enrolled(user, assessment.course_id))


@rule("assessment.results")
def _results(user: User, _assessment: Any) -> bool:
    """Scores of people: managers and leaders for their subtree, admins for everyone."""
    return user.is_admin or Level(user.level).rank >= Level.MANAGER.rank


@rule("attempt.view")
def _view_attempt(user: User, _attempt: Attempt) -> bool:
    return True  # visibility already decided: the owner, their chain above, admins


@rule("attempt.answer")
def _answer(user: User, attempt: Attempt) -> bool:
    """Only the person taking it answers and submits an attempt, not even an admin."""
    return attempt is not None and attempt.user_id == user.id
