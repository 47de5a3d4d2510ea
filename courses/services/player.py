"""Taking a course: open lessons, complete them, resume, and finish the course."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from courses.models import (
    Course,
    CourseVersion,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonProgress,
)
from courses.unlocking import lock_reasons_for, waiting_learners
from lms.audit import services as audit
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.services import notify_many
from lms.people.models import User


class CourseLockedError(NotAllowedError):
    """The course's prerequisites are not met yet."""


@dataclass(frozen=True)
class Progress:
    done: frozenset[str]
    required: frozenset[str]

    @property
    def required_done(self) -> int:
        return len(self.required & self.done)

    @property
    def percent(self) -> int:
        return round(100 * self.required_done / len(self.required)) if self.required else 100

    @property
    def complete(self) -> bool:
        """The completion rule: every required lesson of the current version is done."""
        return self.required <= self.done


def required_keys(version: CourseVersion) -> frozenset[str]:
    return frozenset(lesson.key for lesson in version.lessons if lesson.is_required)


def done_keys(enrollment: Enrollment) -> frozenset[str]:
    return frozenset(db.session.scalars(select(LessonProgress.lesson_key).where(
        LessonProgress.enrollment_id == enrollment.id)))


def progress_of(enrollment: Enrollment, version: CourseVersion) -> Progress:
    return Progress(done_keys(enrollment), required_keys(version))


def _check_may_take(enrollment: Enrollment, by: User) -> None:
    if enrollment.user_id != by.id:
        raise NotAllowedError("Only the learner can take their own course.")
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise NotAllowedError("You are not enrolled in this course.")
    reasons = lock_reasons_for(enrollment.course, by)
    if reasons:
        raise CourseLockedError(reasons[0].message)


def open_lesson(enrollment: Enrollment, lesson: Lesson, *, by: User) -> None:
    """Record where the learner is, so they resume there."""
    _check_may_take(enrollment, by)
    enrollment.last_lesson_key = lesson.key
    if enrollment.started_at is None:
        enrollment.started_at = utcnow()


def complete_lesson(enrollment: Enrollment, lesson: Lesson, *, by: User) -> Progress:
    """Mark ``lesson`` done; finish the course when its completion rule holds."""
    _check_may_take(enrollment, by)
    version = enrollment.course.current_version
    if lesson.module.version_id != version.id:
        raise ValidationError("That lesson is not part of the current course.")
    if enrollment.started_at is None:
        enrollment.started_at = utcnow()
    enrollment.last_lesson_key = lesson.key
    exists = db.session.scalar(select(LessonProgress.id).where(
        LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_key == lesson.key))
    if exists is None:
        db.session.add(LessonProgress(enrollment_id=enrollment.id, lesson_key=lesson.key))
        db.session.flush()
    progress = progress_of(enrollment, version)
    if progress.complete and enrollment.completed_at is None:
        finish(enrollment, by=by)
    return progress


def finish(enrollment: Enrollment, *, by: User | None) -> None:
    """Complete the enrolment and tell the people whose courses this unlocks."""
    enrollment.complete(utcnow())
    db.session.flush()
    course = enrollment.course
    audit.record(by, "enrollment.complete", enrollment,
                 summary=f"{enrollment.user.name} completed {course.title}")
    # One batch per opened course: a manager with fifty reps costs no more statements than
    # one with five.
    opened_for: dict[int, tuple[Course, list[User]]] = {}
    for person, opened in waiting_learners(enrollment.user, course):
        opened_for.setdefault(opened.id, (opened, []))[1].append(person)
    for opened, people in opened_for.values():
        notify_many(people, kind="course.unlocked", subject=f"“{opened.title}” is open for you",
                    body=f"{enrollment.user.name} completed “{course.title}”, so you can start.",
                    link=f"/courses/{opened.slug}")


def recheck_completions(course: Course, *, by: User | None) -> int:
    """After a publish, complete active enrolments that now meet the rule (e.g. a lesson
    they had not done was removed). Returns how many completed."""
    required = required_keys(course.current_version)
    if not required:
        return 0
    done = (select(LessonProgress.enrollment_id)
            .where(LessonProgress.lesson_key.in_(required))
            .group_by(LessonProgress.enrollment_id)
            .having(func.count(func.distinct(LessonProgress.lesson_key)) == len(required)))
    enrollments = db.session.scalars(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.ACTIVE,
        Enrollment.completed_at.is_(None), Enrollment.id.in_(done))).all()
    for enrollment in enrollments:
        finish(enrollment, by=by)
    return len(enrollments)


def resume_lesson(enrollment: Enrollment, version: CourseVersion) -> Lesson | None:
    """The lesson to open: the last one seen if it still exists, else the first not done."""
    lessons = version.lessons
    if not lessons:
        return None
    if enrollment.last_lesson_key:
        for lesson in lessons:
            if lesson.key == enrollment.last_lesson_key:
                return lesson
    done = done_keys(enrollment)
    return next((lesson for lesson in lessons if lesson.key not in done), lessons[0])
