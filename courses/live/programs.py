"""Programs and their waves: the rollout plan, the manager-first rule and progress by level.

Services flush, never commit; every change is audited. Refusals raise ``ValidationError``
with the form field they concern.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from courses.live.models import LiveSession, Program, ProgramStatus, ProgramWave, wave_courses
from courses.models import Course, CourseStatus, Enrollment, EnrollmentStatus
from lms.audit.services import pending_changes, record
from lms.errors import ValidationError
from lms.extensions import db
from lms.people import tree
from lms.people.models import LEVEL_VALUES, Level, User

# Where each status may go next; completed and cancelled programs are final.
TRANSITIONS: dict[str, set[str]] = {
    ProgramStatus.DRAFT: {ProgramStatus.ACTIVE, ProgramStatus.CANCELLED},
    ProgramStatus.ACTIVE: {ProgramStatus.COMPLETED, ProgramStatus.CANCELLED},
    ProgramStatus.COMPLETED: set(),
    ProgramStatus.CANCELLED: set(),
}


@dataclass
class ProgramData:
    name: str
    starts_on: date
    ends_on: date
    goal: str = ""
    owner: User | None = None


@dataclass
class WaveData:
    number: int
    name: str
    opens_on: date
    audience: Sequence[str] = (Level.LEADER, Level.MANAGER)
    course_ids: Sequence[int] = field(default_factory=list)
    requires_manager_previous: bool = False


def _check_program(data: ProgramData) -> None:
    if not data.name.strip():
        raise ValidationError("Give the program a name.", field="name")
    if data.ends_on <= data.starts_on:
        raise ValidationError("The program must end after it starts.", field="ends_on")


def _apply_program(program: Program, data: ProgramData) -> None:
    program.name = data.name.strip()
    program.goal = data.goal.strip()
    program.owner = data.owner
    program.starts_on = data.starts_on
    program.ends_on = data.ends_on


def create_program(data: ProgramData, *, by: User) -> Program:
    _check_program(data)
    program = Program(status=ProgramStatus.DRAFT)
    _apply_program(program, data)
    db.session.add(program)
    record(by, "program.create", program, summary=program.name)
    return program


def update_program(program: Program, data: ProgramData, *, by: User) -> None:
    _check_program(data)
    outside = [w.number for w in program.waves
               if not data.starts_on <= w.opens_on <= data.ends_on]
    if outside:
        raise ValidationError("Wave " + ", ".join(map(str, outside)) + " would open outside "
                              "the program's dates; move it first.", field="ends_on")
    _apply_program(program, data)
    changes = pending_changes(program)
    record(by, "program.update", program, summary=program.name, changes=changes)


def set_status(program: Program, status: str, *, by: User) -> None:
    if status not in TRANSITIONS.get(program.status, set()):
        raise ValidationError(f"A {program.status} program cannot become {status}.",
                              field="status")
    old = program.status
    program.status = ProgramStatus(status)
    record(by, "program.status", program, summary=f"{old} -> {status}",
           changes={"status": [str(old), str(status)]})


def _published_courses(course_ids: Iterable[int]) -> list[Course]:
    ids = sorted(set(course_ids))
    found = list(db.session.scalars(select(Course).where(
        Course.id.in_(ids), Course.status == CourseStatus.PUBLISHED).order_by(Course.id)))
    if len(found) != len(ids):
        raise ValidationError("Choose published courses only; one of them is unknown or not "
                              "published.", field="courses")
    return found


def _check_wave(program: Program, data: WaveData, wave: ProgramWave | None) -> list[Course]:
    if not data.name.strip():
        raise ValidationError("Give the wave a name.", field="name")
    if data.number < 1:
        raise ValidationError("Wave numbers start at 1.", field="number")
    if any(w.number == data.number and w is not wave for w in program.waves):
        raise ValidationError(f"The program already has a wave {data.number}.", field="number")
    if not data.audience or any(level not in LEVEL_VALUES for level in data.audience):
        raise ValidationError("Choose the levels the wave is for.", field="audience")
    if not program.starts_on <= data.opens_on <= program.ends_on:
        raise ValidationError("The wave must open within the program's dates "
                              f"({program.starts_on} to {program.ends_on}).", field="opens_on")
    if data.requires_manager_previous and data.number == 1:
        raise ValidationError("Wave 1 has no previous wave for managers to complete.",
                              field="requires_manager_previous")
    return _published_courses(data.course_ids)


def _apply_wave(wave: ProgramWave, data: WaveData, courses: list[Course]) -> None:
    wave.number = data.number
    wave.name = data.name.strip()
    wave.opens_on = data.opens_on
    # Stored in level order so the same choice always reads the same.
    wave.audience = "," + ",".join(v for v in LEVEL_VALUES if v in data.audience) + ","
    wave.requires_manager_previous = data.requires_manager_previous
    wave.courses = courses


def add_wave(program: Program, data: WaveData, *, by: User) -> ProgramWave:
    courses = _check_wave(program, data, None)
    wave = ProgramWave()
    _apply_wave(wave, data, courses)
    program.waves.append(wave)
    record(by, "program.wave_add", wave, summary=f"{program.name}: wave {wave.number}")
    return wave


def update_wave(wave: ProgramWave, data: WaveData, *, by: User) -> None:
    courses = _check_wave(wave.program, data, wave)
    before = [c.id for c in wave.courses]
    _apply_wave(wave, data, courses)
    changes = pending_changes(wave)
    if before != [c.id for c in courses]:
        changes["courses"] = [before, [c.id for c in courses]]
    record(by, "program.wave_update", wave, summary=f"{wave.program.name}: wave {wave.number}",
           changes=changes)


def delete_wave(wave: ProgramWave, *, by: User) -> None:
    program = wave.program
    record(by, "program.wave_delete", wave, summary=f"{program.name}: wave {wave.number}",
           changes={})
    program.waves.remove(wave)
    db.session.flush()


def default_waves(program: Program, courses_for_wave1: Sequence[Course],
                  courses_for_wave2: Sequence[Course], *, by: User) -> list[ProgramWave]:
    """The manager-first shape: leaders and managers first, then reps once their manager is done."""
    first = add_wave(program, WaveData(
        number=1, name="Leaders and managers", opens_on=program.starts_on,
        audience=(Level.LEADER, Level.MANAGER),
        course_ids=[c.id for c in courses_for_wave1]), by=by)
    second = add_wave(program, WaveData(
        number=2, name="Reps", opens_on=program.starts_on, audience=(Level.REP,),
        course_ids=[c.id for c in courses_for_wave2], requires_manager_previous=True), by=by)
    return [first, second]


# --- the manager-first rule ------------------------------------------------------------------

def manager_unfinished(previous_number, program_id, manager_id):
    """EXISTS: a course of the previous wave that ``manager_id`` has not completed.

    The arguments are SQL expressions of the enclosing query (it is correlated to them).
    """
    previous = aliased(ProgramWave)
    # Explicit correlation: the manager column belongs to the outermost query, two levels up.
    completed = (select(Enrollment.id)
                 .where(Enrollment.user_id == manager_id,
                        Enrollment.course_id == wave_courses.c.course_id,
                        Enrollment.completed_at.is_not(None))
                 .correlate_except(Enrollment))
    return (select(wave_courses.c.course_id)
            .join(previous, previous.id == wave_courses.c.wave_id)
            .where(previous.program_id == program_id, previous.number == previous_number,
                   ~completed.exists())
            .correlate_except(wave_courses, previous)
            .exists())


def wave_open_for(wave: ProgramWave, people: Iterable[User],
                  today: date | None = None) -> dict[int, bool]:
    """Say, per person id, whether ``wave`` is open to them; one query for any number.

    A wave is closed to everyone before ``opens_on``. With ``requires_manager_previous`` it
    opens for a person only once their own manager has completed every course of the
    previous wave; someone with no manager has nobody to wait on.
    """
    ids = [p.id for p in people]
    today = today or date.today()
    if today < wave.opens_on:
        return dict.fromkeys(ids, False)
    if not wave.requires_manager_previous:
        return dict.fromkeys(ids, True)
    waiting = and_(User.manager_id.is_not(None),
                   manager_unfinished(wave.number - 1, wave.program_id, User.manager_id))
    rows = db.session.execute(select(User.id, case((waiting, False), else_=True))
                              .where(User.id.in_(ids)))
    return {person_id: bool(is_open) for person_id, is_open in rows}


def in_wave_audience(wave, level):
    """SQL: ``level`` (a column) is one of the levels ``wave`` (a mapped alias) is for."""
    return wave.audience.contains(literal(",") + level + literal(","))


@dataclass(frozen=True)
class ClosedWave:
    """A wave of an active program that keeps one of its courses closed to one person."""

    course_id: int
    person_id: int
    program_name: str
    number: int
    opens_on: date | None  # set while the wave opens at a later date
    waiting: bool  # the person's own manager has not completed the previous wave
    manager_name: str | None


def closed_waves(course_ids: Iterable[int], person_ids: Iterable[int],
                 today: date | None = None) -> list[ClosedWave]:
    """Every (course, person) pair a wave keeps closed, the rule of ``wave_open_for``.

    Only waves of active programs count, and only for people in the wave's audience. One
    query for any number of courses and people.
    """
    course_ids, person_ids = sorted(set(course_ids)), sorted(set(person_ids))
    if not course_ids or not person_ids:
        return []
    today = today or date.today()
    chosen = wave_courses.alias("closing_course")
    manager = aliased(User)
    not_yet = ProgramWave.opens_on > today
    waiting = and_(ProgramWave.requires_manager_previous.is_(True),
                   User.manager_id.is_not(None),
                   manager_unfinished(ProgramWave.number - 1, ProgramWave.program_id,
                                      User.manager_id))
    rows = db.session.execute(
        select(chosen.c.course_id, User.id, Program.name, ProgramWave.number,
               ProgramWave.opens_on, case((not_yet, True), else_=False),
               case((waiting, True), else_=False), manager.name)
        .select_from(chosen)
        .join(ProgramWave, ProgramWave.id == chosen.c.wave_id)
        .join(Program, Program.id == ProgramWave.program_id)
        .join(User, in_wave_audience(ProgramWave, User.level))
        .outerjoin(manager, manager.id == User.manager_id)
        .where(chosen.c.course_id.in_(course_ids), User.id.in_(person_ids),
               Program.status == ProgramStatus.ACTIVE, or_(not_yet, waiting))
        .order_by(Program.starts_on, Program.id, ProgramWave.number))
    return [ClosedWave(course_id, person_id, name, number, opens_on if later else None,
                       bool(is_waiting), manager_name if is_waiting else None)
            for (course_id, person_id, name, number, opens_on, later, is_waiting,
                 manager_name) in rows]


# --- progress for a viewer's subtree ---------------------------------------------------------

@dataclass
class LevelCount:
    enrolled: int = 0
    completed: int = 0


@dataclass
class WaveProgress:
    by_level: dict[str, LevelCount] = field(default_factory=dict)
    waiting_on_manager: int = 0


def _people_of(viewer: User):
    """Everyone for admins, else the viewer's subtree (as an ``IN`` clause)."""
    if viewer.is_admin:
        return None
    return tree.subtree_ids(viewer.id)


def wave_completions(program: Program, *columns) -> Select:
    """Per wave of ``program`` and active person enrolled in its courses (not withdrawn):
    ``wave_id``, ``user_id``, ``columns`` and ``done``, how many of those courses they
    completed; they completed the wave when ``done`` reaches ``wave_sizes()``'s ``size``."""
    return (
        select(wave_courses.c.wave_id, User.id.label("user_id"), *columns,
               func.count(Enrollment.completed_at).label("done"))
        .join(ProgramWave, ProgramWave.id == wave_courses.c.wave_id)
        .join(Enrollment, Enrollment.course_id == wave_courses.c.course_id)
        .join(User, User.id == Enrollment.user_id)
        .where(ProgramWave.program_id == program.id, User.is_active.is_(True),
               Enrollment.status != EnrollmentStatus.WITHDRAWN)
        .group_by(wave_courses.c.wave_id, User.id, *columns))


def wave_sizes() -> Select:
    """Per wave: ``size``, how many courses it has."""
    return select(wave_courses.c.wave_id, func.count().label("size")).group_by(
        wave_courses.c.wave_id)


def program_progress(program: Program, viewer: User) -> dict[int, WaveProgress]:
    """Per wave: people enrolled in / done with its courses per level, and reps still waiting.

    Two aggregate queries whatever the number of people or waves. A person has completed a
    wave when they completed each of its courses.
    """
    people = _people_of(viewer)
    progress = {wave.id: WaveProgress() for wave in program.waves}

    per_person = wave_completions(program, User.level)
    if people is not None:
        per_person = per_person.where(User.id.in_(people))
    per_person = per_person.subquery()
    sizes = wave_sizes().subquery()
    rows = db.session.execute(
        select(per_person.c.wave_id, per_person.c.level, func.count(),
               func.sum(case((per_person.c.done >= sizes.c.size, 1), else_=0)))
        .join(sizes, sizes.c.wave_id == per_person.c.wave_id)
        .group_by(per_person.c.wave_id, per_person.c.level))
    for wave_id, level, enrolled, completed in rows:
        progress[wave_id].by_level[level] = LevelCount(int(enrolled), int(completed or 0))

    if any(w.requires_manager_previous for w in program.waves):
        in_audience = in_wave_audience(ProgramWave, User.level)
        waiting = (
            select(ProgramWave.id, func.count(User.id))
            .join(User, in_audience)
            .where(ProgramWave.program_id == program.id,
                   ProgramWave.requires_manager_previous.is_(True),
                   User.is_active.is_(True), User.manager_id.is_not(None),
                   manager_unfinished(ProgramWave.number - 1, program.id, User.manager_id))
            .group_by(ProgramWave.id))
        if people is not None:
            waiting = waiting.where(User.id.in_(people))
        for wave_id, count in db.session.execute(waiting):
            progress[wave_id].waiting_on_manager = int(count)
    return progress



def link_session(program: Program, session: LiveSession, wave: ProgramWave | None, *,
                 by: User) -> None:
    """Make ``session`` part of ``program`` (and of one of its waves, when given)."""
    if wave is not None and wave.program_id != program.id:
        raise ValidationError("That wave belongs to another program.", field="wave")
    session.program_id = program.id
    session.wave_id = wave.id if wave is not None else None
    record(by, "program.session_link", session, summary=f"{program.name}: {session.title}")


def unlink_session(program: Program, session: LiveSession, *, by: User) -> None:
    if session.program_id != program.id:
        raise ValidationError("That session is not part of this program.")
    session.program_id = None
    session.wave_id = None
    record(by, "program.session_unlink", session, summary=f"{program.name}: {session.title}")
