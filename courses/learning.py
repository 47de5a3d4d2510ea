"""A learner's own courses at a glance: "My learning" on Home and the API's list of them.

Progress, due dates, where to resume and what keeps a course locked, for every enrolment at
once in a constant number of queries, however many courses the person takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from courses.models import (
    Course,
    CourseModule,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonProgress,
)
from courses.services.player import Progress
from courses.unlocking import Lock, lock_reasons_by_course
from lms.db import utcnow
from lms.extensions import db
from lms.home.panels import Panel
from lms.people.models import User


def lessons_of(version_ids: set[int]) -> dict[int, list[Lesson]]:
    """Each version's lessons in course order, in one query."""
    lessons: dict[int, list[Lesson]] = {version_id: [] for version_id in version_ids}
    if not version_ids:
        return lessons
    stmt = (select(Lesson, CourseModule.version_id).join(CourseModule)
            .where(CourseModule.version_id.in_(version_ids))
            .order_by(CourseModule.position, CourseModule.id, Lesson.position, Lesson.id))
    for lesson, version_id in db.session.execute(stmt):
        lessons[version_id].append(lesson)
    return lessons


def done_of(enrollment_ids: list[int]) -> dict[int, set[str]]:
    """The lesson keys each enrolment completed, in one query."""
    done: dict[int, set[str]] = {enrollment_id: set() for enrollment_id in enrollment_ids}
    if enrollment_ids:
        for enrollment_id, key in db.session.execute(
                select(LessonProgress.enrollment_id, LessonProgress.lesson_key)
                .where(LessonProgress.enrollment_id.in_(enrollment_ids))):
            done[enrollment_id].add(key)
    return done


def progress_from(lessons: list[Lesson], done: set[str]) -> Progress:
    return Progress(frozenset(done),
                    frozenset(lesson.key for lesson in lessons if lesson.is_required))


def resume_key(enrollment: Enrollment, lessons: list[Lesson], done: set[str]) -> str | None:
    """Mirror ``player.resume_lesson`` on data already loaded for the whole page."""
    keys = [lesson.key for lesson in lessons]
    if not keys:
        return None
    if enrollment.last_lesson_key in keys:
        return enrollment.last_lesson_key
    return next((key for key in keys if key not in done), keys[0])


@dataclass(frozen=True)
class Learning:
    """One course a person is taking, as "My learning" shows it."""

    enrollment: Enrollment
    progress: Progress
    locks: list[Lock]
    resume_key: str | None

    @property
    def course(self) -> Course:
        return self.enrollment.course

    @property
    def overdue(self) -> bool:
        due_at = self.enrollment.due_at
        return due_at is not None and due_at < utcnow()


def my_learning(user: User) -> list[Learning]:
    """Every active enrolment of ``user``: due first (soonest first), then the rest."""
    rows = list(db.session.scalars(
        select(Enrollment).join(Course, Course.id == Enrollment.course_id)
        .options(contains_eager(Enrollment.course).joinedload(Course.current_version))
        .where(Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.ACTIVE,
               Course.current_version_id.is_not(None))
        .order_by(Enrollment.due_at.is_(None), Enrollment.due_at,
                  Enrollment.started_at.is_(None), Enrollment.enrolled_at.desc(),
                  Enrollment.id)))
    lessons = lessons_of({enrollment.course.current_version_id for enrollment in rows})
    done = done_of([enrollment.id for enrollment in rows])
    locks = lock_reasons_by_course(user, [enrollment.course for enrollment in rows])
    found = []
    for enrollment in rows:
        mine = lessons[enrollment.course.current_version_id]
        found.append(Learning(enrollment, progress_from(mine, done[enrollment.id]),
                              locks[enrollment.course_id],
                              resume_key(enrollment, mine, done[enrollment.id])))
    return found


def learning_panel(user: User) -> Panel:
    """Home's "My learning": every course the person is taking (registered by courses)."""
    return Panel("courses/_my_learning.html", {"learning": my_learning(user)})
