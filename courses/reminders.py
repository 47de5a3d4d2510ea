"""Course reminders: due soon, overdue, and the manager's copy once long overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, Select, func, literal, select, union_all
from sqlalchemy.orm import aliased

from courses.models import Course, CourseStatus, CourseVersion, Enrollment, EnrollmentStatus
from lms.notify.preferences import register_kind
from lms.people.models import User
from lms.reminders.rules import DUE, ESCALATED, OVERDUE, Message, Rule, Thresholds, register

SUBJECT = "enrollment"
register_kind("reminder.course_due", "Reminder: a course of yours is due soon", bulk=True)
register_kind("reminder.course_overdue", "Reminder: a course of yours is overdue", bulk=True)


def _branch(stage: str, recipient, *conditions) -> Select:
    learner = aliased(User, name="learner")
    version = aliased(CourseVersion, name="version")
    recipient_column = learner.id if recipient == "learner" else learner.manager_id
    return (
        select(literal(SUBJECT).label("subject_type"), Enrollment.id.label("subject_id"),
               recipient_column.label("recipient_id"), literal(stage).label("stage"),
               Course.id.label("course_id"), Course.slug.label("slug"),
               func.coalesce(version.title, Course.slug).label("title"))
        .join(Course, Course.id == Enrollment.course_id)
        .outerjoin(version, version.id == Course.current_version_id)
        .join(learner, learner.id == Enrollment.user_id)
        # A withdrawn or completed enrolment, an archived course or a deactivated learner is
        # never chased, not even through their manager.
        .where(Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.due_at.is_not(None),
               Course.status != CourseStatus.ARCHIVED, learner.is_active,
               recipient_column.is_not(None), *conditions)
    )


def course_candidates(now: datetime, limits: Thresholds) -> Select:
    """Active enrolments due soon, overdue, and long overdue (to the manager): one SELECT."""
    due_at = Enrollment.due_at
    return union_all(
        _branch(DUE, "learner", due_at > now, due_at <= now + timedelta(days=limits.days_before)),
        _branch(OVERDUE, "learner", due_at <= now),
        _branch(ESCALATED, "manager", due_at <= now - timedelta(days=limits.escalate_after_days)),
    ).subquery("course_reminder").select()


def course_message(row: Row, limits: Thresholds) -> Message:
    """Say the same thing to everyone at one stage of one course, so they go as one batch."""
    title, link = row.title, f"/courses/{row.slug}"
    if row.stage == DUE:
        return Message("reminder.course_due", f"“{title}” is due soon",
                       f"“{title}” is due within {limits.days_before} days. Your progress is "
                       "saved: pick up where you left off.", link)
    if row.stage == OVERDUE:
        return Message("reminder.course_overdue", f"“{title}” is overdue",
                       f"The due date of “{title}” has passed. Please finish it as soon as "
                       "you can.", link)
    return Message("reminder.escalated", f"Your team is overdue on “{title}”",
                   f"At least one of your reports is {limits.escalate_after_days} or more days "
                   f"past the due date of “{title}”. The course's progress page shows who.",
                   f"/courses/progress/course?course={row.course_id}&state=overdue")


register(Rule(key="course_due", label="Course due and overdue", candidates=course_candidates,
              message=course_message, days_before=3, escalate_after_days=7,
              description="Learners hear before the due date and once it has passed; their "
                          "manager gets a copy once it is long overdue."))
