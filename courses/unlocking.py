"""Manager-first unlocking: prerequisites and program waves evaluated in SQL for whole teams.

A course may require that the learner, the learner's manager, or the manager's manager
(the learner's leader) completed another course, or that the leader attended one of its
live sessions. A course in a wave of an active program is also closed to the wave's
audience until the wave opens (``courses.live.programs.closed_waves``). Nothing is stored
about locks: whether a course is open follows from completions, attendance and dates, so it
opens the moment the last one lands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, and_, case, exists, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.functions import FunctionElement

from courses.live.models import (
    Attendance,
    AttendanceStatus,
    LiveSession,
    Program,
    ProgramStatus,
    ProgramWave,
    Registration,
    RegistrationStatus,
    SessionStatus,
    wave_courses,
)
from courses.live.programs import ClosedWave, closed_waves, in_wave_audience, manager_unfinished
from courses.models import Course, Enrollment, Prerequisite, PrerequisiteKind
from lms.extensions import db
from lms.people.models import User
from lms.web.dates import format_date

# Whose completion (or attendance) a prerequisite waits for: 0 the learner, 1 their manager,
# 2 their leader.
DISTANCE = {PrerequisiteKind.OWN_COMPLETION: 0, PrerequisiteKind.MANAGER_COMPLETION: 1,
            PrerequisiteKind.LEADER_COMPLETION: 2, PrerequisiteKind.LEADER_ATTENDED: 2}


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
        if kind == PrerequisiteKind.LEADER_ATTENDED:
            act, acts = "attend a live session of", "attends a live session of"
        else:
            act, acts = "complete", "completes"
        if self.pending_name is None:
            return (f"Locked: it needs your {role} to {act} “{self.required_title}”, "
                    f"and you have no {role} in Cadence yet.")
        return f"Locked until your {role}, {self.pending_name}, {acts} “{self.required_title}”."

    @property
    def waiting(self) -> str:
        """The reason in a few words, naming the person it waits for (Waiting for Maya
        Karimi to finish “Coaching the Coach”)."""
        kind = self.prerequisite.kind
        if kind == PrerequisiteKind.OWN_COMPLETION:
            return f"Finish “{self.required_title}” first."
        if self.pending_name is None:
            return self.message
        act = ("attend a live session of" if kind == PrerequisiteKind.LEADER_ATTENDED
               else "finish")
        return f"Waiting for {self.pending_name} to {act} “{self.required_title}”."


@dataclass(frozen=True)
class WaveLock:
    """A wave of an active program that has not opened for the learner yet."""

    closed: ClosedWave

    @property
    def pending_name(self) -> str | None:
        return self.closed.manager_name

    @property
    def message(self) -> str:
        closed = self.closed
        wave = f"wave {closed.number} of “{closed.program_name}”"
        previous = f"your manager, {closed.manager_name}, completes wave {closed.number - 1}"
        if closed.opens_on is None:
            return f"Opens when {previous} of “{closed.program_name}”."
        day = format_date(closed.opens_on)
        if closed.waiting:
            return f"Opens on {day} ({wave}), once {previous}."
        return f"Opens on {day} ({wave})."

    @property
    def waiting(self) -> str:
        """The reason in a few words, naming the manager when the wave waits for them."""
        closed = self.closed
        if closed.waiting and closed.manager_name and closed.opens_on is None:
            return (f"Waiting for {closed.manager_name} to finish wave {closed.number - 1} "
                    f"of “{closed.program_name}”.")
        return self.message


Lock = LockReason | WaveLock
CHUNK = 5_000  # people per query when marking a report's locked rows


def waits_above(locks: list[Lock]) -> bool:
    """Say whether ``locks`` wait on someone above the learner (manager-first unlocking)."""
    return any(lock.closed.waiting if isinstance(lock, WaveLock)
               else DISTANCE[lock.prerequisite.kind] > 0 for lock in locks)


def _completed(course_id, person_id) -> exists:
    # Its own alias: the outer query may join enrollments too, and must not correlate.
    done = aliased(Enrollment)
    return exists().where(done.course_id == course_id, done.user_id == person_id,
                          done.completed_at.is_not(None))


# --- attendance in SQL ---------------------------------------------------------------------

class minutes_between(FunctionElement):  # noqa: N801  (an SQL function, named like one)
    """Whole minutes from the first timestamp to the second, as ``LiveSession.minutes``."""

    type = Integer()
    name = "minutes_between"
    inherit_cache = True


@compiles(minutes_between)
def _minutes_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return (f"(CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"
            " / 60)")


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element, compiler, **kw) -> str:  # PostgreSQL only
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 60) AS INTEGER)"


def counts_as_attended_sql(attendance, session):
    """SQL twin of ``courses.live.services.counts_as_attended`` (threshold of the length)."""
    length = minutes_between(session.starts_at, session.ends_at)
    needed = session.attended_threshold * case((length < 1, 1), else_=length)
    return or_(
        and_(attendance.status == AttendanceStatus.ATTENDED,
             attendance.minutes_present.is_(None)),
        and_(attendance.status.in_((AttendanceStatus.ATTENDED, AttendanceStatus.LEFT_EARLY)),
             attendance.minutes_present * 100 >= needed))


def attended_session_of(course_id, person_id) -> exists:
    """EXISTS: ``person_id`` attended (past the threshold) a live session of ``course_id``."""
    registration, attendance = aliased(Registration), aliased(Attendance)
    session = aliased(LiveSession)
    return exists().where(
        registration.user_id == person_id,
        registration.status == RegistrationStatus.REGISTERED,
        attendance.registration_id == registration.id,
        session.id == registration.session_id, session.course_id == course_id,
        session.status != SessionStatus.CANCELLED,
        counts_as_attended_sql(attendance, session))


def _met(prerequisite: Prerequisite, person, manager, leader):
    """SQL: ``prerequisite`` holds for the person (``person``/``manager``/``leader``: aliases)."""
    required = prerequisite.required_course_id
    kind = PrerequisiteKind(prerequisite.kind)
    if kind == PrerequisiteKind.OWN_COMPLETION:
        return _completed(required, person.id)
    if kind == PrerequisiteKind.MANAGER_COMPLETION:
        return and_(manager.id.is_not(None), _completed(required, manager.id))
    if kind == PrerequisiteKind.LEADER_ATTENDED:
        return and_(leader.id.is_not(None), attended_session_of(required, leader.id))
    return and_(leader.id.is_not(None), _completed(required, leader.id))


def lock_reasons(course: Course, people: list[User]) -> dict[int, list[Lock]]:
    """Return, for each person, what still keeps ``course`` locked.

    Prerequisites cost one query for everyone (plus one for the titles), waves one more.
    """
    result: dict[int, list[Lock]] = {person.id: [] for person in people}
    if not people:
        return result
    prerequisites = list(course.prerequisites)
    if prerequisites:
        _prerequisite_reasons(prerequisites, result)
    for closed in closed_waves([course.id], result):
        result[closed.person_id].append(WaveLock(closed))
    return result


def _prerequisite_reasons(prerequisites: list[Prerequisite],
                          result: dict[int, list[Lock]]) -> None:
    manager = aliased(User)
    leader = aliased(User)
    columns = [case((_met(prerequisite, User, manager, leader), True), else_=False)
               .label(f"met_{index}") for index, prerequisite in enumerate(prerequisites)]
    stmt = (select(User.id, manager.name, leader.name, *columns)
            .outerjoin(manager, manager.id == User.manager_id)
            .outerjoin(leader, leader.id == manager.manager_id)
            .where(User.id.in_(list(result))))
    titles = _titles({p.required_course_id for p in prerequisites})
    for person_id, manager_name, leader_name, *met in db.session.execute(stmt):
        for prerequisite, ok in zip(prerequisites, met, strict=True):
            if ok:
                continue
            pending = (None, manager_name, leader_name)[DISTANCE[prerequisite.kind]]
            result[person_id].append(
                LockReason(prerequisite, pending, titles[prerequisite.required_course_id]))


def _titles(course_ids: set[int]) -> dict[int, str]:
    courses = db.session.scalars(select(Course).where(Course.id.in_(course_ids)))
    return {course.id: course.title for course in courses}


def locked_pairs(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of the ``(person id, course id)`` pairs whose course is locked for the person.

    Whether, not why: a report marks many people in many courses in two queries, one for
    every prerequisite of every course and one for the waves.
    """
    pairs = set(pairs)
    people, course_ids = sorted({p for p, _c in pairs}), {c for _p, c in pairs}
    locked: set[tuple[int, int]] = set()
    for start in range(0, len(people), CHUNK):  # within every database's bound parameters
        locked |= _locked(people[start:start + CHUNK], course_ids)
    return locked & pairs


def _locked(person_ids: list[int], course_ids: set[int]) -> set[tuple[int, int]]:
    manager, leader = aliased(User), aliased(User)
    required, kind = Prerequisite.required_course_id, Prerequisite.kind
    met = or_(
        and_(kind == PrerequisiteKind.OWN_COMPLETION, _completed(required, User.id)),
        and_(kind == PrerequisiteKind.MANAGER_COMPLETION, manager.id.is_not(None),
             _completed(required, manager.id)),
        and_(kind == PrerequisiteKind.LEADER_COMPLETION, leader.id.is_not(None),
             _completed(required, leader.id)),
        and_(kind == PrerequisiteKind.LEADER_ATTENDED, leader.id.is_not(None),
             attended_session_of(required, leader.id)))
    unmet = db.session.execute(
        select(User.id, Prerequisite.course_id).distinct()
        .join(Prerequisite, Prerequisite.course_id.in_(course_ids))
        .outerjoin(manager, manager.id == User.manager_id)
        .outerjoin(leader, leader.id == manager.manager_id)
        .where(User.id.in_(person_ids), ~met))
    locked = {(person_id, course_id) for person_id, course_id in unmet}
    return locked | {(w.person_id, w.course_id) for w in closed_waves(course_ids, person_ids)}


def lock_reasons_for(course: Course, person: User) -> list[Lock]:
    """What keeps ``course`` locked for ``person`` (empty when it is open)."""
    return lock_reasons(course, [person])[person.id]


def lock_reasons_by_course(person: User, courses: list[Course]) -> dict[int, list[Lock]]:
    """What keeps each of ``courses`` locked for ``person``, in a constant number of queries.

    ``unlocking.lock_reasons`` answers one course for many people; a learner's own list is
    the other way round, many courses for one person, so the people involved are known
    up front (the learner, their manager and leader) and one query finds their completions.
    """
    reasons: dict[int, list[Lock]] = {course.id: [] for course in courses}
    prerequisites = db.session.scalars(
        select(Prerequisite).where(Prerequisite.course_id.in_(reasons))
        .options(joinedload(Prerequisite.required_course).joinedload(Course.current_version),
                 joinedload(Prerequisite.required_course).joinedload(Course.draft_version))
        .order_by(Prerequisite.id)).all() if reasons else []
    if prerequisites:
        _reasons_for_one(person, prerequisites, reasons)
    for closed in closed_waves(reasons, [person.id]):
        reasons[closed.course_id].append(WaveLock(closed))
    return reasons


def _reasons_for_one(person: User, prerequisites: list[Prerequisite],
                     reasons: dict[int, list[Lock]]) -> None:
    manager = db.session.get(User, person.manager_id) if person.manager_id else None
    leader = db.session.get(User, manager.manager_id) if manager and manager.manager_id else None
    chain = (person, manager, leader)
    required = {p.required_course_id for p in prerequisites}
    done = {tuple(row) for row in db.session.execute(
        select(Enrollment.course_id, Enrollment.user_id).where(
            Enrollment.user_id.in_([p.id for p in chain if p is not None]),
            Enrollment.course_id.in_(required), Enrollment.completed_at.is_not(None)))}
    if leader is not None and any(p.kind == PrerequisiteKind.LEADER_ATTENDED
                                  for p in prerequisites):
        done |= {(course_id, "attended") for course_id in db.session.scalars(
            select(Course.id).where(Course.id.in_(required),
                                    attended_session_of(Course.id, leader.id)))}
    for prerequisite in prerequisites:
        needed = chain[DISTANCE[prerequisite.kind]]
        mark = ("attended" if prerequisite.kind == PrerequisiteKind.LEADER_ATTENDED
                else needed.id if needed is not None else None)
        if needed is None or (prerequisite.required_course_id, mark) not in done:
            pending = None if needed is None or needed is person else needed.name
            reasons[prerequisite.course_id].append(
                LockReason(prerequisite, pending, prerequisite.required_course.title))


def _open_enrolments(stmt, report):
    """Limit a (report, Course) query to active people with an unfinished enrolment."""
    return (stmt.join(Enrollment, Enrollment.user_id == report.id)
            .join(Course, Course.id == Enrollment.course_id)
            .where(Enrollment.completed_at.is_(None), Enrollment.withdrawn_at.is_(None),
                   report.is_active.is_(True)))


def _wave_dependents(report, manager_ids) -> tuple:
    """The (report, Course) query of wave courses whose wave waits for the report's manager,
    and the previous wave's course table (to say which completed course matters)."""
    wave, chosen = aliased(ProgramWave), wave_courses.alias("waiting_course")
    stmt = (_open_enrolments(select(report, Course), report)
            .join(chosen, chosen.c.course_id == Course.id)
            .join(wave, wave.id == chosen.c.wave_id)
            .join(Program, Program.id == wave.program_id)
            .where(Program.status == ProgramStatus.ACTIVE,
                   wave.requires_manager_previous.is_(True),
                   in_wave_audience(wave, report.level), report.manager_id.in_(manager_ids)))
    return stmt, wave


def waiting_on(person: User) -> list[tuple[User, Course]]:
    """Reports enrolled in a course that waits for ``person``: to complete another course,
    to attend a live session, or to complete the previous wave of a program."""
    report = aliased(User)
    below = aliased(User)
    kinds = Prerequisite.kind
    manager_rule = and_(kinds == PrerequisiteKind.MANAGER_COMPLETION,
                        report.manager_id == person.id,
                        ~_completed(Prerequisite.required_course_id, person.id))
    leaders = report.manager_id.in_(select(below.id).where(below.manager_id == person.id))
    leader_rule = and_(kinds == PrerequisiteKind.LEADER_COMPLETION, leaders,
                       ~_completed(Prerequisite.required_course_id, person.id))
    attended_rule = and_(kinds == PrerequisiteKind.LEADER_ATTENDED, leaders,
                         ~attended_session_of(Prerequisite.required_course_id, person.id))
    stmt = (_open_enrolments(select(report, Course), report)
            .join(Prerequisite, Prerequisite.course_id == Course.id)
            .where(manager_rule | leader_rule | attended_rule).distinct())
    waves, wave = _wave_dependents(report, [person.id])
    waves = waves.where(manager_unfinished(wave.number - 1, wave.program_id, person.id))
    found = {(row[0].id, row[1].id): (row[0], row[1]) for query in (stmt, waves.distinct())
             for row in db.session.execute(query)}
    return sorted(found.values(), key=lambda pair: (pair[0].name, pair[1].id))


def dependents_of(course: Course) -> dict[int, str]:
    """Courses whose learners wait on someone above them about ``course``, and for what:
    ``"complete"`` it (a prerequisite, or a course of the previous wave of an active
    program) or ``"attend"`` one of its live sessions."""
    found = {course_id: ("attend" if kind == PrerequisiteKind.LEADER_ATTENDED else "complete")
             for course_id, kind in db.session.execute(
                 select(Prerequisite.course_id, Prerequisite.kind).where(
                     Prerequisite.required_course_id == course.id,
                     Prerequisite.kind != PrerequisiteKind.OWN_COMPLETION)
                 # "leader_attended" sorts first: "complete" wins when a course needs both.
                 .order_by(Prerequisite.kind))}
    wave, previous = aliased(ProgramWave), aliased(ProgramWave)
    later, earlier = wave_courses.alias("later_course"), wave_courses.alias("earlier_course")
    found.update(dict.fromkeys(db.session.scalars(
        select(later.c.course_id)
        .join(wave, wave.id == later.c.wave_id)
        .join(Program, Program.id == wave.program_id)
        .join(previous, and_(previous.program_id == wave.program_id,
                             previous.number == wave.number - 1))
        .join(earlier, and_(earlier.c.wave_id == previous.id,
                            earlier.c.course_id == course.id))
        .where(Program.status == ProgramStatus.ACTIVE,
               wave.requires_manager_previous.is_(True))), "complete"))
    return found


def waiting_learners(completer: User, completed: Course) -> list[tuple[User, Course]]:
    """People whose courses depended on ``completer`` completing ``completed`` and are open now.

    Called after the completion is flushed.
    """
    return waiting_learners_many([completer], completed)


def waiting_learners_many(completers: list[User], completed: Course, *,
                          attended: bool = False) -> list[tuple[User, Course]]:
    """People whose courses waited on one of ``completers`` and are open now.

    ``attended``: the completers attended a live session of ``completed`` (rather than
    completed it). Two queries find the candidates for any number of completers, then one
    batch per dependent course (a handful, whatever the team size) checks every other rule.
    """
    ids = [person.id for person in completers]
    report, below = aliased(User), aliased(User)
    second = report.manager_id.in_(select(below.id).where(below.manager_id.in_(ids)))
    if attended:
        rule = and_(Prerequisite.kind == PrerequisiteKind.LEADER_ATTENDED, second)
    else:
        rule = or_(and_(Prerequisite.kind == PrerequisiteKind.MANAGER_COMPLETION,
                        report.manager_id.in_(ids)),
                   and_(Prerequisite.kind == PrerequisiteKind.LEADER_COMPLETION, second))
    queries = [_open_enrolments(select(report, Course), report)
               .join(Prerequisite, Prerequisite.course_id == Course.id)
               .where(Prerequisite.required_course_id == completed.id, rule).distinct()]
    if not attended:
        waves, wave = _wave_dependents(report, ids)
        previous, earlier = aliased(ProgramWave), wave_courses.alias("previous_course")
        queries.append(waves.join(previous, and_(previous.program_id == wave.program_id,
                                                 previous.number == wave.number - 1))
                       .join(earlier, and_(earlier.c.wave_id == previous.id,
                                           earlier.c.course_id == completed.id)).distinct())
    by_course: dict[int, tuple[Course, dict[int, User]]] = {}
    for query in queries:
        for person, course in db.session.execute(query):
            by_course.setdefault(course.id, (course, {}))[1][person.id] = person
    opened = []
    for course, people in by_course.values():
        reasons = lock_reasons(course, list(people.values()))
        opened.extend((person, course) for person in people.values() if not reasons[person.id])
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


__all__ = ["Lock", "LockReason", "WaveLock", "attended_session_of", "counts_as_attended_sql",
           "dependents_of", "lock_reasons", "lock_reasons_by_course", "lock_reasons_for",
           "prerequisite_cycle", "waiting_learners", "waiting_learners_many", "waiting_on"]
