"""Progress figures for the progress pages: aggregate SQL, a fixed number of queries.

Progress is the number of *required* lessons of the course's *current* version that an
enrolment has done, counted in SQL per row; completion figures are GROUP BY counts. Whom a
figure covers is passed in as a SELECT of person ids (a team, a subtree) or ``None`` for the
whole organisation, so the tree and permissions stay with the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import aliased

from courses.models import (
    Course,
    CourseModule,
    CourseVersion,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonProgress,
)
from lms.extensions import db
from lms.people import tree
from lms.people.models import LEVEL_VALUES, Level, User


class State(StrEnum):
    """Where a learner stands in a course, as the progress pages filter and show it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"  # a filter only: an active enrolment past its due date
    WITHDRAWN = "withdrawn"
    # Shown, not filtered on: not started because the course is still locked for them
    # (``unlocking``), e.g. waiting for their manager. Set with ``mark_locked``.
    LOCKED = "locked"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ProgressRow:
    """One person in one course (course fields are None for someone enrolled in nothing)."""

    person_id: int
    name: str
    email: str
    level: str
    manager_name: str | None
    enrollment_id: int | None
    course_id: int | None
    course_slug: str | None
    course_title: str | None
    status: str | None
    started_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    done: int
    required: int
    now: datetime = field(repr=False, compare=False)
    locked: bool = False

    @property
    def state(self) -> State | None:
        if self.enrollment_id is None:
            return None
        if self.status == EnrollmentStatus.WITHDRAWN:
            return State.WITHDRAWN
        if self.completed_at is not None:
            return State.COMPLETED
        if self.started_at is not None or self.done:
            return State.IN_PROGRESS
        return State.LOCKED if self.locked else State.NOT_STARTED

    @property
    def percent(self) -> int:
        # A completion stands even when a later version adds lessons the learner never saw.
        if self.completed_at is not None or not self.required:
            return 100 if self.enrollment_id is not None else 0
        return min(100, round(100 * self.done / self.required))

    @property
    def overdue(self) -> bool:
        return (self.state in (State.NOT_STARTED, State.LOCKED, State.IN_PROGRESS)
                and self.due_at is not None and self.due_at < self.now)

    @property
    def days_overdue(self) -> int:
        return (self.now - self.due_at).days if self.overdue else 0


@dataclass(frozen=True)
class LevelFigures:
    """Enrolment and completion of one course at one leadership level."""

    level: str
    enrolled: int
    completed: int
    overdue: int

    @property
    def rate(self) -> int:
        """Completion rate, in whole percent."""
        return round(100 * self.completed / self.enrolled) if self.enrolled else 0

    @property
    def label(self) -> str:
        return Level(self.level).label if self.level in LEVEL_VALUES else "All levels"


@dataclass
class CourseFigures:
    """One course's completion by level, highest level first, with a total."""

    course_id: int
    slug: str
    title: str
    levels: list[LevelFigures] = field(default_factory=list)

    @property
    def total(self) -> LevelFigures:
        return LevelFigures("all", sum(f.enrolled for f in self.levels),
                            sum(f.completed for f in self.levels),
                            sum(f.overdue for f in self.levels))


# --- whom a figure covers ----------------------------------------------------------------------

def reports_of(person_id: int, *, whole_subtree: bool = False) -> Select:
    """Ids of ``person_id``'s direct reports, or of everyone under them."""
    if whole_subtree:
        return tree.subtree_ids(person_id, include_root=False)
    return select(User.id).where(User.manager_id == person_id)


def _among(column, people: Select | None):
    return true() if people is None else column.in_(people)


# --- building blocks ---------------------------------------------------------------------------

def _required_counts():
    """``(course_id, required)``: required lessons in each course's current version."""
    return (select(Course.id.label("course_id"), func.count(Lesson.id).label("required"))
            .join(CourseModule, CourseModule.version_id == Course.current_version_id)
            .join(Lesson, Lesson.module_id == CourseModule.id)
            .where(Lesson.is_required.is_(True))
            .group_by(Course.id)
            .subquery("required_counts"))


def _done_count(enrollment, course):
    """Required lessons of the current version that ``enrollment`` has done (correlated)."""
    return (select(func.count(LessonProgress.id))
            .join(Lesson, Lesson.key == LessonProgress.lesson_key)
            .join(CourseModule, CourseModule.id == Lesson.module_id)
            .where(LessonProgress.enrollment_id == enrollment.id,
                   CourseModule.version_id == course.current_version_id,
                   Lesson.is_required.is_(True))
            .correlate(enrollment, course)
            .scalar_subquery())


def _has_progress(enrollment):
    return exists().where(LessonProgress.enrollment_id == enrollment.id)


def state_filter(state: State, now: datetime):
    """The SQL condition for enrolments in ``state`` (``overdue``: active and past due)."""
    active = and_(Enrollment.status != EnrollmentStatus.WITHDRAWN,
                  Enrollment.completed_at.is_(None))
    started = or_(Enrollment.started_at.is_not(None), _has_progress(Enrollment))
    return {
        State.NOT_STARTED: and_(active, ~started),
        State.IN_PROGRESS: and_(active, started),
        State.COMPLETED: and_(Enrollment.status != EnrollmentStatus.WITHDRAWN,
                              Enrollment.completed_at.is_not(None)),
        State.OVERDUE: and_(active, Enrollment.due_at < now),
        State.WITHDRAWN: Enrollment.status == EnrollmentStatus.WITHDRAWN,
    }[State(state)]


def _rows(stmt_where, *, enrollment_on, now: datetime, order_by) -> list[ProgressRow]:
    """Load progress rows, one per person and course, in one query."""
    manager = aliased(User)
    required = _required_counts()
    stmt = (
        select(User.id, User.name, User.email, User.level, manager.name,
               Enrollment.id, Course.id, Course.slug, CourseVersion.title, Enrollment.status,
               Enrollment.started_at, Enrollment.due_at, Enrollment.completed_at,
               _done_count(Enrollment, Course), func.coalesce(required.c.required, 0))
        .select_from(User)
        .outerjoin(manager, manager.id == User.manager_id)
        .outerjoin(Enrollment, and_(Enrollment.user_id == User.id, enrollment_on))
        .outerjoin(Course, Course.id == Enrollment.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(required, required.c.course_id == Course.id)
        .where(*stmt_where)
        .order_by(*order_by)
    )
    return [ProgressRow(*row, now=now) for row in db.session.execute(stmt)]


# --- team progress -----------------------------------------------------------------------------

def team_rows(people: Select | list[int], *, now: datetime,
              course_id: int | None = None) -> list[ProgressRow]:
    """Each person x each course they are enrolled in (withdrawals left out); one query.

    People enrolled in nothing (or not in ``course_id``) get one row without a course.
    """
    on = Enrollment.status != EnrollmentStatus.WITHDRAWN
    if course_id is not None:
        on = and_(on, Enrollment.course_id == course_id)
    return _rows([User.id.in_(people), User.is_active.is_(True)], enrollment_on=on, now=now,
                 order_by=[User.name, User.id, CourseVersion.title, Course.id])


def people_page(people: Select, *, per_page: int, page: int | None = None):
    """A page of the active people in ``people``, by name (two queries)."""
    stmt = (select(User).where(User.id.in_(people), User.is_active.is_(True))
            .order_by(User.name, User.id))
    return db.paginate(stmt, page=page, per_page=per_page, max_per_page=per_page,
                       error_out=False)


# --- enrolment lists (course report, overdue people) -------------------------------------------

def enrollments(people: Select | None, *, now: datetime, course_id: int | None = None,
                state: State | None = None, level: str | None = None,
                search: str = "") -> Select:
    """A SELECT of enrolment ids matching the filters, ordered for display."""
    stmt = (select(Enrollment.id)
            .join(User, User.id == Enrollment.user_id)
            .where(User.is_active.is_(True), _among(Enrollment.user_id, people)))
    if course_id is not None:
        stmt = stmt.where(Enrollment.course_id == course_id)
    if state is not None:
        stmt = stmt.where(state_filter(state, now))
    else:
        stmt = stmt.where(Enrollment.status != EnrollmentStatus.WITHDRAWN)
    if level:
        stmt = stmt.where(User.level == level)
    if search:
        # autoescape: a "%" or "_" typed in the search matches itself, not everything.
        stmt = stmt.where(or_(User.name.icontains(search, autoescape=True),
                              User.email.contains(search.lower(), autoescape=True)))
    return stmt.order_by(*_enrollment_order(state))


def _enrollment_order(state: State | None) -> list:
    if state == State.OVERDUE:  # longest overdue first
        return [Enrollment.due_at, User.name, Enrollment.id]
    return [User.name, User.id, Enrollment.course_id]


def enrollment_page(ids: Select, *, per_page: int, page: int | None = None):
    """A page of enrolment ids (two queries); load its rows with ``enrollment_rows``."""
    return db.paginate(ids, page=page, per_page=per_page, max_per_page=per_page,
                       error_out=False)


def enrollment_rows(ids: Select | list[int], *, now: datetime,
                    state: State | None = None) -> list[ProgressRow]:
    """Progress rows for the enrolments ``ids`` (a list keeps its order; a SELECT from
    ``enrollments`` gets the order of its ``state``); one query."""
    rows = _rows([Enrollment.id.in_(ids)], enrollment_on=true(), now=now,
                 order_by=_enrollment_order(state))
    if isinstance(ids, list):
        position = {enrollment_id: index for index, enrollment_id in enumerate(ids)}
        rows.sort(key=lambda row: position[row.enrollment_id])
    return rows


def mark_locked(rows: list[ProgressRow], locked: set[tuple[int, int]]) -> list[ProgressRow]:
    """The rows, those whose (person, course) is in ``locked`` marked locked."""
    return [replace(row, locked=True) if (row.person_id, row.course_id) in locked else row
            for row in rows]


def overdue_ids(people: Select | None, *, now: datetime, course_id: int | None = None,
                ) -> Select:
    """Active enrolments past their due date, longest overdue first."""
    return enrollments(people, now=now, course_id=course_id, state=State.OVERDUE)


# --- completion by level -----------------------------------------------------------------------

def completion_by_level(people: Select | None, *, now: datetime,
                        course_id: int | None = None) -> list[CourseFigures]:
    """Per course and level: enrolled, completed, overdue; one GROUP BY query."""
    overdue = and_(Enrollment.completed_at.is_(None), Enrollment.due_at.is_not(None),
                   Enrollment.due_at < now)
    stmt = (
        select(Course.id, Course.slug, CourseVersion.title, User.level,
               func.count(Enrollment.id), func.count(Enrollment.completed_at),
               func.coalesce(func.sum(case((overdue, 1), else_=0)), 0))
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .join(Course, Course.id == Enrollment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Enrollment.status != EnrollmentStatus.WITHDRAWN, User.is_active.is_(True),
               _among(Enrollment.user_id, people))
        .group_by(Course.id, Course.slug, CourseVersion.title, User.level)
    )
    if course_id is not None:
        stmt = stmt.where(Enrollment.course_id == course_id)
    courses: dict[int, CourseFigures] = {}
    for cid, slug, title, level, enrolled, completed, late in db.session.execute(stmt):
        figures = courses.setdefault(cid, CourseFigures(cid, slug, title))
        figures.levels.append(LevelFigures(level, enrolled, completed, int(late)))
    rank = {level.value: level.rank for level in Level}
    for figures in courses.values():
        figures.levels.sort(key=lambda f: -rank.get(f.level, 0))
    return sorted(courses.values(), key=lambda f: (f.title.lower(), f.course_id))


def course_choices(scoped: Select) -> list[tuple[int, str]]:
    """``(id, title)`` of the published or archived courses among ``scoped`` (a SELECT of
    course ids the viewer may see), by title; one query."""
    stmt = (select(Course.id, CourseVersion.title)
            .join(CourseVersion, CourseVersion.id == Course.current_version_id)
            .where(Course.id.in_(scoped))
            .order_by(CourseVersion.title, Course.id))
    return [(cid, title) for cid, title in db.session.execute(stmt)]
