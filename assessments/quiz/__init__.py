"""Quizzes and exams: authoring, attempts, grading, regrading and results (services).

Services flush, never commit; the view, API handler or CLI command commits once. Times are
passed in (``now``) so tests and jobs decide the clock.
"""

from assessments.quiz.attempts import (
    GRACE,
    AnswersError,
    AttemptClosedError,
    Started,
    attempts_left,
    close_if_expired,
    expired,
    has_passed,
    in_progress,
    items_of,
    save_answer,
    save_answers,
    seconds_left,
    shows_answers,
    start_attempt,
    submit,
)
from assessments.quiz.authoring import (
    AssessmentData,
    SourceData,
    add_quiz_step,
    add_step,
    archive_assessment,
    create_assessment,
    pool_size,
    publish_assessment,
    step_lessons,
    update_assessment,
)
from assessments.quiz.regrade import RegradeResult, regrade

__all__ = [
    "GRACE", "AnswersError", "AssessmentData", "AttemptClosedError", "RegradeResult",
    "SourceData", "Started", "add_quiz_step", "add_step", "archive_assessment",
    "attempts_left", "close_if_expired", "create_assessment", "expired", "has_passed",
    "in_progress", "items_of", "pool_size",
    "publish_assessment", "regrade", "save_answer", "save_answers", "seconds_left",
    "shows_answers", "start_attempt", "step_lessons", "submit", "update_assessment",
]
