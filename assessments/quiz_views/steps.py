"""The assessment step of a course in the player, and an attempt in progress on Home.

Courses may not import assessments, so the player asks ``courses.steps`` what to show for an
assessment lesson and this module answers.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from assessments.models import Assessment, AssessmentStatus, Attempt, AttemptStatus
from courses.models import Course, Enrollment, Lesson, LessonKind
from courses.steps import StepBox, register_step
from lms.db import utcnow
from lms.extensions import db
from lms.home.nextsteps import NextStep, provider
from lms.people.models import User

COMPLETES = "This step completes when you pass the assessment."


def _summary(assessment: Assessment, user_id: int) -> tuple[int, float | None, bool, int | None]:
    """Attempts made, best percentage, passed, and the attempt in progress: one query."""
    rows = db.session.execute(select(Attempt.id, Attempt.status, Attempt.percent, Attempt.passed)
                              .where(Attempt.assessment_id == assessment.id,
                                     Attempt.user_id == user_id)).all()
    scores = [percent for _id, _status, percent, _passed in rows if percent is not None]
    open_id = next((id_ for id_, status, _p, _ok in rows if status == AttemptStatus.IN_PROGRESS),
                   None)
    return len(rows), max(scores) if scores else None, any(ok for *_, ok in rows), open_id


def assessment_step(enrollment: Enrollment | None, lesson: Lesson) -> StepBox:
    course_id = lesson.module.version.course_id
    assessment = db.session.scalar(select(Assessment).where(
        Assessment.course_id == course_id, Assessment.lesson_key == lesson.key))
    if assessment is None and enrollment is None:  # an author's preview: link one
        return StepBox(title=lesson.title, status="No assessment is linked to this step yet.",
                       url=url_for("assessments.quiz_index", course_id=course_id),
                       action="Link an assessment", completes_when=COMPLETES)
    if assessment is None or (enrollment is not None
                              and assessment.status != AssessmentStatus.PUBLISHED):
        return StepBox(title=lesson.title, status="This assessment is not open for attempts.",
                       completes_when=COMPLETES)
    rules = f"{assessment.question_count} questions, pass mark {assessment.pass_mark}%"
    if assessment.time_limit_minutes:
        rules += f", {assessment.time_limit_minutes} minutes"
    if enrollment is None:  # an author's preview
        return StepBox(title=assessment.title, status=rules + ".", completes_when=COMPLETES,
                       url=url_for("assessments.quiz_edit", id=assessment.id),
                       action="Edit the assessment")
    made, best, passed, open_id = _summary(assessment, enrollment.user_id)
    status = rules + "."
    if best is not None:
        status += f" Your best score: {best:g}%."
    if passed:
        action = "See your results"
    elif open_id is not None:
        action = "Resume the assessment"
    elif assessment.attempt_limit is not None and made >= assessment.attempt_limit:
        action, status = "See your results", status + " You have used every attempt."
    else:
        action = "Try again" if made else "Start the assessment"
    return StepBox(title=assessment.title, status=status, done=passed, action=action,
                   url=url_for("assessments.quiz_detail", id=assessment.id),
                   completes_when=COMPLETES)


def _add_quiz_url(course: Course, module_key: str) -> str:
    return url_for("assessments.quiz_step_create", course_id=course.id, key=module_key)


register_step(LessonKind.ASSESSMENT, assessment_step,
              refusal="This step completes when you pass the assessment.",
              label="quiz", adder=_add_quiz_url)


@provider
def attempt_steps(user: User) -> list[NextStep]:
    """An attempt left in progress: finish it before its time runs out."""
    rows = db.session.execute(
        select(Attempt.id, Attempt.deadline_at, Assessment.title)
        .join(Assessment, Assessment.id == Attempt.assessment_id)
        .where(Attempt.user_id == user.id, Attempt.status == AttemptStatus.IN_PROGRESS)
        .order_by(func.coalesce(Attempt.deadline_at, Attempt.started_at)).limit(3)).all()
    now = utcnow()
    steps = []
    for attempt_id, deadline, title in rows:
        if deadline is not None and deadline < now:
            continue
        detail = ("No time limit." if deadline is None else
                  f"{max(int((deadline - now).total_seconds() // 60), 0)} minutes left.")
        steps.append(NextStep(f"Finish “{title}”", detail,
                              url_for("assessments.attempt_detail", id=attempt_id), 15,
                              "Resume"))
    return steps
