"""Enrolment: self-enrolment, bulk enrolment by managers and admins, unenrolment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from courses.models import Course, CourseStatus, Enrollment, EnrollmentStatus
from courses.unlocking import lock_reasons, waits_above
from lms.audit import services as audit
from lms.claims import add_once
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.services import notify
from lms.people import tree
from lms.people.models import Level, User

REQUIRED = ("This course is required: it was assigned to you, so you cannot unenrol. "
            "Ask your manager if it should be withdrawn.")


@dataclass
class BulkResult:
    enrolled: int = 0
    already: int = 0
    reactivated: int = 0
    waiting: int = 0  # of those enrolled or back: locked until someone above them acts
    locked: int = 0  # of those enrolled or back: locked for another reason (own prerequisite)


@dataclass(frozen=True)
class EnrolPlan:
    """What enrolling ``people`` in a course will do: the preview and the write share it."""

    new: tuple[User, ...]  # no enrolment yet
    back: tuple[Enrollment, ...]  # withdrawn: enrolled again
    already: tuple[Enrollment, ...]  # active or completed: kept (a due date is updated)
    waiting_ids: frozenset[int]  # new or back, and waiting on their manager or leader
    locked_ids: frozenset[int]  # new or back, and locked for another reason

    @property
    def enrolling(self) -> int:
        return len(self.new) + len(self.back)

    def result(self) -> BulkResult:
        return BulkResult(enrolled=len(self.new), already=len(self.already),
                          reactivated=len(self.back), waiting=len(self.waiting_ids),
                          locked=len(self.locked_ids))


def in_audience(course: Course, person: User) -> bool:
    version = course.current_version
    return version is not None and f",{person.level}," in version.audience


def may_enrol_others(by: User, person: User) -> bool:
    """Admins enrol anyone; managers and leaders enrol people in their own subtree."""
    if by.is_admin:
        return True
    return (Level(by.level).rank >= Level.MANAGER.rank and by.id != person.id
            and tree.is_in_subtree(by.id, person.id))


def _check_open(course: Course) -> None:
    if course.status != CourseStatus.PUBLISHED or course.current_version is None:
        raise ValidationError("Only a published course takes enrolments.")


def enrol(person: User, course: Course, *, by: User, due_at: datetime | None = None,
          notify_person: bool = True) -> Enrollment:
    """Enrol ``person`` (themselves, or someone ``by`` may enrol) in ``course``."""
    _check_open(course)
    if by.id == person.id and not by.is_admin:
        if not course.self_enrol:
            raise NotAllowedError("This course is assigned by your manager or L&D; "
                                  "you cannot enrol yourself.")
        if not in_audience(course, person):
            raise NotAllowedError("This course is not meant for your level.")
    elif by.id != person.id and not may_enrol_others(by, person):
        raise NotAllowedError(f"You may not enrol {person.name}.")
    if not person.is_active:
        raise ValidationError(f"{person.name} is deactivated.")
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == person.id))
    if enrollment is None:
        enrollment = Enrollment(course_id=course.id, user_id=person.id, enrolled_by_id=by.id,
                                due_at=due_at)
        if not add_once(enrollment):  # a racing request enrolled them first
            return db.session.scalar(select(Enrollment).where(
                Enrollment.course_id == course.id, Enrollment.user_id == person.id))
    elif enrollment.status == EnrollmentStatus.WITHDRAWN:
        enrollment.reactivate()
        enrollment.enrolled_by_id = by.id
        enrollment.due_at = due_at
    else:
        if due_at is not None:
            enrollment.due_at = due_at
        return enrollment
    db.session.flush()
    audit.record(by, "enrollment.create", enrollment,
                 summary=f"{person.name} enrolled in {course.title}",
                 changes={"user_id": [None, person.id], "course_id": [None, course.id]})
    if notify_person and by.id != person.id:
        notify(person, kind="course.enrolled", subject=f"You are enrolled in {course.title}",
               body=f"{by.name} enrolled you." + (
                   f" Due {due_at:%Y-%m-%d}." if due_at else ""),
               link=f"/courses/{course.slug}")
    return enrollment


def plan_enrolment(people: list[User], course: Course, *, by: User) -> EnrolPlan:
    """Work out, without writing, what ``enrol_many`` will do for ``people``.

    Refuses an empty list, a closed course and anyone ``by`` may not enrol; inactive people
    are left out. Locks are those the course will show each person once enrolled.
    """
    _check_open(course)
    people = [person for person in dict.fromkeys(people) if person.is_active]
    if not people:
        raise ValidationError("Choose at least one active person to enrol.", field="people")
    refused = [person.name for person in people if not may_enrol_others(by, person)
               and person.id != by.id]
    if refused:
        raise NotAllowedError(f"You may not enrol: {', '.join(refused[:5])}"
                              + (" and others." if len(refused) > 5 else "."))
    existing = {e.user_id: e for e in db.session.scalars(select(Enrollment).where(
        Enrollment.course_id == course.id,
        Enrollment.user_id.in_([person.id for person in people])))}
    already = [e for e in existing.values() if e.status != EnrollmentStatus.WITHDRAWN]
    back = [e for e in existing.values() if e.status == EnrollmentStatus.WITHDRAWN]
    new = [person for person in people if person.id not in existing]
    coming = [*new, *(e.user for e in back)]
    locks = {person_id: found for person_id, found in lock_reasons(course, coming).items()
             if found}
    waiting = frozenset(pid for pid, found in locks.items() if waits_above(found))
    return EnrolPlan(new=tuple(new), back=tuple(back), already=tuple(already),
                     waiting_ids=waiting, locked_ids=frozenset(locks) - waiting)


def enrol_many(people: list[User], course: Course, *, by: User,
               due_at: datetime | None = None) -> BulkResult:
    """Enrol everyone in ``people`` (already limited to what ``by`` may see), as
    ``plan_enrolment`` previews it."""
    plan = plan_enrolment(people, course, by=by)
    for enrollment in plan.already:
        if due_at is not None:
            enrollment.due_at = due_at
    for enrollment in plan.back:
        enrollment.reactivate()
        enrollment.enrolled_by_id, enrollment.due_at = by.id, due_at
    for person in plan.new:
        db.session.add(Enrollment(course=course, user=person, enrolled_by_id=by.id,
                                  due_at=due_at))
    for person in [*plan.new, *(e.user for e in plan.back)]:
        if person.id != by.id:
            notify(person, kind="course.enrolled",
                   subject=f"You are enrolled in {course.title}",
                   body=f"{by.name} enrolled you." + (
                       f" Due {due_at:%Y-%m-%d}." if due_at else ""),
                   link=f"/courses/{course.slug}")
    db.session.flush()
    result = plan.result()
    audit.record(by, "enrollment.bulk", course,
                 summary=f"Bulk enrolment in {course.title}: {result.enrolled} new, "
                         f"{result.reactivated} back, {result.already} already enrolled",
                 changes={"people": [None, len(people)]})
    return result


def unenrol(enrollment: Enrollment, *, by: User) -> Enrollment:
    """Withdraw an enrolment; its progress and history stay."""
    if by.id != enrollment.user_id and not may_enrol_others(by, enrollment.user):
        raise NotAllowedError(f"You may not unenrol {enrollment.user.name}.")
    if by.id == enrollment.user_id and enrollment.is_required and not by.is_admin:
        raise NotAllowedError(REQUIRED)
    enrollment.withdraw(utcnow())
    audit.record(by, "enrollment.withdraw", enrollment,
                 summary=f"{enrollment.user.name} unenrolled from {enrollment.course.title}")
    return enrollment
