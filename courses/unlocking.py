"""Manager-first unlocking: prerequisites evaluated in SQL for whole teams at once.

A course may require that the learner, the learner's manager, or the manager's manager
(the learner's leader) completed another course. Nothing is stored about locks: whether a
course is open follows from completions, so it opens the moment the last one lands.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, select
from sqlalchemy.orm import aliased, joinedload

from courses.models import Course, Enrollment, Prerequisite, PrerequisiteKind
from lms.extensions import db
from lms.people.models import User


@dataclass(frozen=True)
class LockReason:
    """One unmet prerequisite, with who must act (None when it is the learner)."""

    prerequisite: Prerequisite
    pending_name: str | None
    required_title: str

    @property
    def message(self) -> str:
        kind = self.prerequisite.kind
        if kind == PrerequisiteKind.OWN_COMPLETION:
            return f"Locked until you complete “{self.required_title}”."
        role = "manager" if kind == PrerequisiteKind.MANAGER_COMPLETION else "leader"
        if self.pending_name is None:
            return (f"Locked: it needs your {role} to complete “{self.required_title}”, "
                    f"and you have no {role} in Cadence yet.")
        return (f"Locked until your {role}, {self.pending_name}, completes "
                f"“{self.required_title}”.")


def _completed(course_id, person_id) -> exists:
    # Its own alias: the outer query may join enrollments too, and must not correlate.
    done = aliased(Enrollment)
    return exists().where(done.course_id == course_id, done.user_id == person_id,
                          done.completed_at.is_not(None))


def lock_reasons(course: Course, people: list[User]) -> dict[int, list[LockReason]]:
    """Return, for each person, what still keeps ``course`` locked; one query for everyone."""
    prerequisites = list(course.prerequisites)
    result: dict[int, list[LockReason]] = {person.id: [] for person in people}
    if not prerequisites or not people:
        return result
    manager = aliased(User)
    leader = aliased(User)
    columns = []
    for index, prerequisite in enumerate(prerequisites):
        if prerequisite.kind == PrerequisiteKind.OWN_COMPLETION:
            met = _completed(prerequisite.required_course_id, User.id)
        elif prerequisite.kind == PrerequisiteKind.MANAGER_COMPLETION:
            met = and_(manager.id.is_not(None),
                       _completed(prerequisite.required_course_id, manager.id))
        else:
            met = and_(leader.id.is_not(None),
                       _completed(prerequisite.required_course_id, leader.id))
        columns.append(case((met, True), else_=False).label(f"met_{index}"))
    stmt = (select(User.id, manager.name, leader.name, *columns)
            .outerjoin(manager, manager.id == User.manager_id)
            .outerjoin(leader, leader.id == manager.manager_id)
            .where(User.id.in_([person.id for person in people])))
    titles = _titles({p.required_course_id for p in prerequisites})
    for person_id, manager_name, leader_name, *met in db.session.execute(stmt):
        for prerequisite, ok in zip(prerequisites, met, strict=True):
            if ok:
                continue
            pending = {PrerequisiteKind.MANAGER_COMPLETION: manager_name,
                       PrerequisiteKind.LEADER_COMPLETION: leader_name}.get(prerequisite.kind)
            result[person_id].append(
                LockReason(prerequisite, pending, titles[prerequisite.required_course_id]))
    return result


def _titles(course_ids: set[int]) -> dict[int, str]:
    courses = db.session.scalars(select(Course).where(Course.id.in_(course_ids)))
    return {course.id: course.title for course in courses}


def lock_reasons_for(course: Course, person: User) -> list[LockReason]:
    """What keeps ``course`` locked for ``person`` (empty when it is open)."""
    return lock_reasons(course, [person])[person.id]


def lock_reasons_by_course(person: User, courses: list[Course]) -> dict[int, list[LockReason]]:
    """What keeps each of ``courses`` locked for ``person``, in a constant number of queries.

    ``unlocking.lock_reasons`` answers one course for many people; a learner's own list is
    the other way round, many courses for one person, so the people involved are known
    up front (the learner, their manager and leader) and one query finds their completions.
    """
    reasons: dict[int, list[LockReason]] = {course.id: [] for course in courses}
    prerequisites = db.session.scalars(
        select(Prerequisite).where(Prerequisite.course_id.in_(reasons))
        .options(joinedload(Prerequisite.required_course).joinedload(Course.current_version),
                 joinedload(Prerequisite.required_course).joinedload(Course.draft_version))
        .order_by(Prerequisite.id)).all()
    if not prerequisites:
        return reasons
    manager = db.session.get(User, person.manager_id) if person.manager_id else None
    leader = db.session.get(User, manager.manager_id) if manager and manager.manager_id else None
    who = {PrerequisiteKind.OWN_COMPLETION: person, PrerequisiteKind.MANAGER_COMPLETION: manager,
           PrerequisiteKind.LEADER_COMPLETION: leader}
    completed = {tuple(row) for row in db.session.execute(
        select(Enrollment.course_id, Enrollment.user_id).where(
            Enrollment.user_id.in_([p.id for p in who.values() if p is not None]),
            Enrollment.course_id.in_({p.required_course_id for p in prerequisites}),
            Enrollment.completed_at.is_not(None)))}
    for prerequisite in prerequisites:
        needed = who[PrerequisiteKind(prerequisite.kind)]
        if needed is None or (prerequisite.required_course_id, needed.id) not in completed:
            pending = None if needed is None or needed is person else needed.name
            reasons[prerequisite.course_id].append(
                LockReason(prerequisite, pending, prerequisite.required_course.title))
    return reasons


def waiting_on(person: User) -> list[tuple[User, Course]]:
    """Reports enrolled in a course that waits for ``person`` to complete another course."""
    report = aliased(User)
    below = aliased(User)
    manager_rule = and_(Prerequisite.kind == PrerequisiteKind.MANAGER_COMPLETION,
                        report.manager_id == person.id)
    leader_rule = and_(Prerequisite.kind == PrerequisiteKind.LEADER_COMPLETION,
                       report.manager_id.in_(select(below.id)
                                             .where(below.manager_id == person.id)))
    stmt = (
        select(report, Course)
        .join(Enrollment, Enrollment.user_id == report.id)
        .join(Course, Course.id == Enrollment.course_id)
        .join(Prerequisite, Prerequisite.course_id == Course.id)
        .where(Enrollment.completed_at.is_(None), Enrollment.withdrawn_at.is_(None),
               report.is_active.is_(True), manager_rule | leader_rule,
               ~_completed(Prerequisite.required_course_id, person.id))
        .order_by(report.name, Course.id)
        .distinct()
    )
    return [(row[0], row[1]) for row in db.session.execute(stmt)]


def waiting_learners(completer: User, completed: Course) -> list[tuple[User, Course]]:
    """People whose courses depended on ``completer`` completing ``completed`` and are open now.

    Called after the completion is flushed: one query finds the candidates, then one query
    per dependent course (a handful, whatever the team size) checks every other rule.
    """
    report = aliased(User)
    below = aliased(User)
    direct = and_(Prerequisite.kind == PrerequisiteKind.MANAGER_COMPLETION,
                  report.manager_id == completer.id)
    second = and_(Prerequisite.kind == PrerequisiteKind.LEADER_COMPLETION,
                  report.manager_id.in_(select(below.id).where(below.manager_id == completer.id)))
    stmt = (
        select(report, Course)
        .join(Enrollment, Enrollment.user_id == report.id)
        .join(Course, Course.id == Enrollment.course_id)
        .join(Prerequisite, Prerequisite.course_id == Course.id)
        .where(Prerequisite.required_course_id == completed.id, direct | second,
               Enrollment.completed_at.is_(None), Enrollment.withdrawn_at.is_(None),
               report.is_active.is_(True))
        .distinct()
    )
    by_course: dict[int, tuple[Course, list[User]]] = {}
    for person, course in db.session.execute(stmt):
        by_course.setdefault(course.id, (course, []))[1].append(person)
    opened = []
    for course, people in by_course.values():
        reasons = lock_reasons(course, people)
        opened.extend((person, course) for person in people if not reasons[person.id])
    return opened


def prerequisite_cycle(course: Course, required: Course) -> bool:
    """Say whether requiring ``required`` for ``course`` would close a loop of prerequisites."""
    if course.id == required.id:
        return True
    edges: dict[int, set[int]] = {}
    for source, target in db.session.execute(
            select(Prerequisite.course_id, Prerequisite.required_course_id)):
        edges.setdefault(source, set()).add(target)
    stack, seen = [required.id], set()
    while stack:
        node = stack.pop()
        if node == course.id:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False


__all__ = ["LockReason", "lock_reasons", "lock_reasons_for", "waiting_on",
           "waiting_learners", "prerequisite_cycle"]
