"""Taking a course: open lessons, complete them, resume, and finish the course.

A live-session lesson is the exception: the learner cannot mark it done. It follows the
attendance taken at the course's live sessions (``sync_live_step``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, delete, func, insert, or_, select
from sqlalchemy.orm import aliased, joinedload

from courses import steps
from courses.certificates.services import issue, issue_many
from courses.live.models import (
    Attendance,
    LiveSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from courses.models import (
    Course,
    CourseVersion,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonKind,
    LessonProgress,
)
from courses.unlocking import (
    attended_session_of,
    counts_as_attended_sql,
    lock_reasons_for,
    waiting_learners,
    waiting_learners_many,
)
from lms.audit import services as audit
from lms.authz import visible
from lms.db import begin_writing, utcnow
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
    if (enrollment.last_lesson_key != lesson.key or enrollment.started_at is None
            or lesson.kind == LessonKind.LIVE):
        begin_writing(db.session)  # opening a lesson is a GET that writes
    enrollment.last_lesson_key = lesson.key
    if enrollment.started_at is None:
        enrollment.started_at = utcnow()
    if lesson.kind == LessonKind.LIVE:
        _catch_up_live_step(enrollment, lesson, by=by)


def _catch_up_live_step(enrollment: Enrollment, lesson: Lesson, *, by: User) -> None:
    """Record the live step of someone whose attendance was taken before they enrolled."""
    if lesson.key in done_keys(enrollment) or not db.session.scalar(
            select(attended_session_of(enrollment.course_id, enrollment.user_id))):
        return
    db.session.add(LessonProgress(enrollment_id=enrollment.id, lesson_key=lesson.key))
    db.session.flush()
    version = enrollment.course.current_version
    if progress_of(enrollment, version).complete and enrollment.completed_at is None:
        finish(enrollment, by=by)


def complete_lesson(enrollment: Enrollment, lesson: Lesson, *, by: User) -> Progress:
    """Mark ``lesson`` done; finish the course when its completion rule holds."""
    _check_may_take(enrollment, by)
    version = enrollment.course.current_version
    if lesson.module.version_id != version.id:
        raise ValidationError("That lesson is not part of the current course.")
    if lesson.kind == LessonKind.LIVE:
        raise ValidationError("This step is done once your attendance at a live session of "
                              "the course is recorded.")
    if steps.is_step(lesson.kind):
        raise ValidationError(steps.refusal(lesson.kind))
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


def complete_step(enrollment: Enrollment, lesson_key: str, *, by: User | None) -> bool:
    """Record a step that completes by itself (a passed assessment), then finish the course
    when its rule holds; never takes a completion back. True when the step was new."""
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        return False
    exists = db.session.scalar(select(LessonProgress.id).where(
        LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_key == lesson_key))
    if exists is None:
        db.session.add(LessonProgress(enrollment_id=enrollment.id, lesson_key=lesson_key))
        enrollment.started_at = enrollment.started_at or utcnow()
        db.session.flush()
    version = enrollment.course.current_version
    if (version is not None and enrollment.completed_at is None
            and progress_of(enrollment, version).complete):
        finish(enrollment, by=by)
    return exists is None


def finish(enrollment: Enrollment, *, by: User | None) -> None:
    """Complete the enrolment and tell the people whose courses this unlocks."""
    enrollment.complete(utcnow())
    db.session.flush()
    course = enrollment.course
    audit.record(by, "enrollment.complete", enrollment,
                 summary=f"{enrollment.user.name} completed {course.title}")
    issue(enrollment, by=by)  # the certificate: once per person and course
    # One batch per opened course: a manager with fifty reps costs no more statements than
    # one with five.
    opened_for: dict[int, tuple[Course, list[User]]] = {}
    for person, opened in waiting_learners(enrollment.user, course):
        opened_for.setdefault(opened.id, (opened, []))[1].append(person)
    for opened, people in opened_for.values():
        notify_many(people, kind="course.unlocked", subject=f"“{opened.title}” is open for you",
                    body=f"{enrollment.user.name} completed “{course.title}”, so you can start.",
                    link=f"/courses/{opened.slug}")


def finish_many(enrollments: list[Enrollment], course: Course, *, by: User | None,
                because: str) -> None:
    """Complete many enrolments of ``course`` at once (one audit entry, one batch of
    notifications per course this opens), whatever their number."""
    if not enrollments:
        return
    now = utcnow()
    for enrollment in enrollments:
        enrollment.complete(now)
    db.session.flush()
    audit.record(by, "enrollment.complete_many", course,
                 summary=f"{len(enrollments)} completed {course.title}: {because}",
                 changes={"completed_user_ids": [None, sorted(e.user_id for e in enrollments)]})
    issue_many(enrollments, course, by=by)
    _tell_opened(waiting_learners_many([e.user for e in enrollments], course),
                 f"Someone you were waiting on completed “{course.title}”, so you can start.")


def _tell_opened(opened: list[tuple[User, Course]], body: str) -> None:
    by_course: dict[int, tuple[Course, list[User]]] = {}
    for person, course in opened:
        by_course.setdefault(course.id, (course, []))[1].append(person)
    for course, people in by_course.values():
        notify_many(people, kind="course.unlocked", subject=f"“{course.title}” is open for you",
                    body=body, link=f"/courses/{course.slug}")


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


# --- the live-session step ----------------------------------------------------------------

@dataclass
class LiveStepResult:
    """Whose live step was recorded or taken back, who completed the course, who opened."""

    done: list[int] = field(default_factory=list)  # user ids
    undone: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    opened: int = 0  # people a leader's attendance unlocked a course for


def course_attendees(session: LiveSession) -> set[int]:
    """Registrants of ``session`` who attended a live session of its course: one query."""
    if session.course_id is None:
        return set()
    return set(db.session.scalars(
        select(Registration.user_id).where(
            Registration.session_id == session.id,
            attended_session_of(session.course_id, Registration.user_id))))


def sync_live_step(session: LiveSession, *, by: User | None,
                   before: set[int] | None = None) -> LiveStepResult:
    """Bring the live-session step of ``session``'s course in line with its attendance.

    A registrant whose attendance at a session of the course counts as attended has the
    course's live lessons done, and their enrolment completes when its rule then holds; one
    whose no longer does has them taken back, unless the course is complete (a completed
    course never reopens). ``before`` (``course_attendees`` taken before the change) lets
    people waiting on a leader's attendance hear their course opened. A constant number of
    statements however many people are registered.
    """
    result = LiveStepResult()
    course = session.course
    if course is None or course.current_version is None:
        return result
    version = course.current_version
    live_keys = [lesson.key for lesson in version.lessons if lesson.kind == LessonKind.LIVE]
    attendees = course_attendees(session)
    if before is not None and attendees - before:
        newcomers = list(db.session.scalars(select(User).where(User.id.in_(attendees - before))))
        opened = waiting_learners_many(newcomers, course, attended=True)
        result.opened = len(opened)
        _tell_opened(opened, f"Your leader attended a live session of “{course.title}”, so "
                             "you can start.")
    if live_keys:
        _record_live_step(session, version, live_keys, attendees, result, by)
    return result


def _record_live_step(session: LiveSession, version: CourseVersion, live_keys: list[str],
                      attendees: set[int], result: LiveStepResult, by: User | None) -> None:
    enrollments = db.session.scalars(
        select(Enrollment).where(
            Enrollment.course_id == version.course_id, Enrollment.withdrawn_at.is_(None),
            Enrollment.user_id.in_(select(Registration.user_id)
                                   .where(Registration.session_id == session.id)))
        .options(joinedload(Enrollment.user))).all()
    if not enrollments:
        return
    required = required_keys(version)
    done: dict[int, set[str]] = {enrollment.id: set() for enrollment in enrollments}
    for enrollment_id, key in db.session.execute(
            select(LessonProgress.enrollment_id, LessonProgress.lesson_key).where(
                LessonProgress.enrollment_id.in_(done),
                LessonProgress.lesson_key.in_(required | set(live_keys)))):
        done[enrollment_id].add(key)
    now, added, dropped, finishing = utcnow(), [], [], []
    for enrollment in enrollments:
        mine = done[enrollment.id]
        if enrollment.user_id in attendees:
            missing = [key for key in live_keys if key not in mine]
            if not missing:
                continue
            added += [{"enrollment_id": enrollment.id, "lesson_key": key, "completed_at": now}
                      for key in missing]
            result.done.append(enrollment.user_id)
            enrollment.started_at = enrollment.started_at or now
            if enrollment.completed_at is None and required <= mine | set(missing):
                finishing.append(enrollment)
        elif enrollment.completed_at is None and mine & set(live_keys):
            dropped.append(enrollment.id)
            result.undone.append(enrollment.user_id)
    if added:
        db.session.execute(insert(LessonProgress), added)
    if dropped:
        db.session.execute(delete(LessonProgress).where(
            LessonProgress.enrollment_id.in_(dropped), LessonProgress.lesson_key.in_(live_keys)))
    if added or dropped:
        audit.record(by, "session.live_step", session,
                     summary=f"Live step of {version.title}: {len(result.done)} done, "
                             f"{len(result.undone)} taken back",
                     changes={"done_user_ids": [None, result.done],
                              "undone_user_ids": [None, result.undone]})
    finish_many(finishing, version.course, by=by, because=f"attended {session.title}")
    result.completed = [enrollment.user_id for enrollment in finishing]


def link_session(course: Course, session: LiveSession, *, by: User) -> LiveStepResult:
    """Make ``session`` one of ``course``'s live sessions; attendance already taken counts."""
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("That session is cancelled.", field="session")
    if session.course_id == course.id:
        raise ValidationError("That session is already one of this course's.", field="session")
    if session.course_id is not None:
        raise ValidationError("That session belongs to another course; remove it there first.",
                              field="session")
    session.course = course
    audit.record(by, "session.course_link", session, summary=f"{course.title}: {session.title}",
                 changes={"course_id": [None, course.id]})
    return sync_live_step(session, by=by)


def unlink_session(course: Course, session: LiveSession, *, by: User) -> None:
    """Take ``session`` out of ``course``; live steps it already recorded stay done."""
    if session.course_id != course.id:
        raise ValidationError("That session is not one of this course's.", field="session")
    session.course = None
    audit.record(by, "session.course_unlink", session,
                 summary=f"{course.title}: {session.title}",
                 changes={"course_id": [course.id, None]})


@dataclass(frozen=True)
class LiveStepSession:
    """One of a course's sessions as a learner sees it from the live-session step."""

    session: LiveSession
    seats_left: int
    registration: str | None  # the learner's registration status, if any
    attendance: Attendance | None
    counts: bool  # the attendance counts as attended (the session's threshold)

    @property
    def upcoming(self) -> bool:
        return self.session.starts_at > utcnow()


def live_sessions_for(course: Course, person: User) -> list[LiveStepSession]:
    """The course's sessions still to come, and those ``person`` registered for: one query."""
    mine, seats = aliased(Registration), aliased(Registration)
    taken = (select(func.count(seats.id))
             .where(seats.session_id == LiveSession.id,
                    seats.status == RegistrationStatus.REGISTERED)
             .correlate(LiveSession).scalar_subquery())
    counts = case((counts_as_attended_sql(Attendance, LiveSession), True), else_=False)
    rows = db.session.execute(
        visible(select(LiveSession, taken, mine.status, Attendance, counts), person)
        .outerjoin(mine, and_(mine.session_id == LiveSession.id, mine.user_id == person.id))
        .outerjoin(Attendance, Attendance.registration_id == mine.id)
        .where(LiveSession.course_id == course.id,
               or_(and_(LiveSession.status == SessionStatus.SCHEDULED,
                        LiveSession.ends_at >= utcnow()),
                   mine.status == RegistrationStatus.REGISTERED))
        .order_by(LiveSession.starts_at, LiveSession.id))
    return [LiveStepSession(session, max(session.capacity - (count or 0), 0),
                            str(status) if status else None, attendance, bool(counted))
            for session, count, status, attendance, counted in rows]
