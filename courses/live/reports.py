"""Attendance by leadership level: for a session, a program or a subtree over a period.

Each report is one GROUP BY over registrations -> people -> attendance (per session, level
and attendance status), plus one query for the leaders and executives who left after the
opening; the query count does not grow with sessions or people. Only registrations that
hold a seat count: cancelled and waitlisted ones are left out. A registration with no
attendance row yet is "not taken" and kept apart, so rates are shares of the attendance
actually recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import aliased

from courses.live.models import (
    Attendance,
    AttendanceStatus,
    LiveSession,
    Program,
    Registration,
    RegistrationStatus,
    SessionSegment,
    SessionStatus,
)
from lms.extensions import db
from lms.people.models import Level, User

LEVEL_ORDER = (Level.EXECUTIVE, Level.LEADER, Level.MANAGER, Level.REP)
COUNTED = ("attended", "left_early", "absent", "excused")


@dataclass
class LevelRow:
    """A row of a table by level: one level's figures, or the total (``all``)."""

    level: str

    @property
    def label(self) -> str:
        return "All levels" if self.level == "all" else Level(self.level).label


class ByLevel:
    """A table by level: ``levels``, one row per level, executives first; and ``total``."""

    levels: dict[str, LevelRow]
    total: LevelRow

    @property
    def rows(self) -> list:
        return [*self.levels.values(), self.total]

    def add(self, level: str, *counts) -> None:
        """Count into ``level``'s row, when the table has one, and into the total."""
        if level in self.levels:
            self.levels[level].add(*counts)
        self.total.add(*counts)


@dataclass
class LevelFigures(LevelRow):
    """Registered people at one level (or ``all``) and what happened to them."""

    registered: int = 0
    attended: int = 0
    left_early: int = 0
    absent: int = 0
    excused: int = 0
    not_taken: int = 0

    @property
    def taken(self) -> int:
        return self.registered - self.not_taken

    def rate(self, status: str) -> float | None:
        """Percent of the recorded attendance with ``status``; None before any is taken."""
        if not self.taken:
            return None
        return round(100 * getattr(self, status) / self.taken, 1)

    def add(self, status: str | None, count: int) -> None:
        self.registered += count
        name = status if status in COUNTED else "not_taken"
        setattr(self, name, getattr(self, name) + count)


@dataclass
class LevelTable(ByLevel):
    """Attendance: one row per level, executives first, and the total."""

    levels: dict[str, LevelFigures] = field(
        default_factory=lambda: {level.value: LevelFigures(level.value) for level in LEVEL_ORDER})
    total: LevelFigures = field(default_factory=lambda: LevelFigures("all"))


@dataclass
class SessionFigures:
    session_id: int
    title: str
    starts_at: datetime
    table: LevelTable = field(default_factory=LevelTable)


@dataclass
class Report:
    total: LevelTable
    sessions: list[SessionFigures]  # in date order
    left_after_opening: list[LeftRow]


@dataclass(frozen=True)
class LeftRow:
    """A leader or executive who left after the session's opening segment."""

    session_id: int
    session_title: str
    starts_at: datetime
    person_id: int
    name: str
    email: str
    level: str
    minutes_present: int | None
    left_after: str | None


def _among(column, people: Select | None) -> ColumnElement[bool]:
    return true() if people is None else column.in_(people)


def _held() -> ColumnElement[bool]:
    return LiveSession.status != SessionStatus.CANCELLED


def _counts(where: ColumnElement[bool], people: Select | None) -> list[SessionFigures]:
    """Per session (date order), level and attendance status: one GROUP BY query."""
    stmt = (
        select(LiveSession.id, LiveSession.title, LiveSession.starts_at, User.level,
               Attendance.status, func.count(Registration.id))
        .select_from(Registration)
        .join(User, User.id == Registration.user_id)
        .join(LiveSession, LiveSession.id == Registration.session_id)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.status == RegistrationStatus.REGISTERED, where,
               _among(Registration.user_id, people))
        .group_by(LiveSession.id, LiveSession.title, LiveSession.starts_at, User.level,
                  Attendance.status)
        .order_by(LiveSession.starts_at, LiveSession.id)
    )
    sessions: dict[int, SessionFigures] = {}
    for sid, title, starts_at, level, status, count in db.session.execute(stmt):
        figures = sessions.setdefault(sid, SessionFigures(sid, title, starts_at))
        figures.table.add(level, status, count)
    return list(sessions.values())


def _left_after_opening(where: ColumnElement[bool], people: Select | None) -> list[LeftRow]:
    """Leaders and executives marked left early at or before the end of the first segment."""
    first = (select(SessionSegment.id, SessionSegment.minutes)
             .where(SessionSegment.session_id == LiveSession.id)
             .order_by(SessionSegment.position, SessionSegment.id).limit(1)
             .correlate(LiveSession))
    first_id = first.with_only_columns(SessionSegment.id).scalar_subquery()
    first_minutes = first.with_only_columns(SessionSegment.minutes).scalar_subquery()
    left_after = aliased(SessionSegment)
    stmt = (
        select(LiveSession.id, LiveSession.title, LiveSession.starts_at, User.id, User.name,
               User.email, User.level, Attendance.minutes_present, left_after.title)
        .select_from(Attendance)
        .join(Registration, Registration.id == Attendance.registration_id)
        .join(User, User.id == Registration.user_id)
        .join(LiveSession, LiveSession.id == Registration.session_id)
        .outerjoin(left_after, left_after.id == Attendance.left_after_segment_id)
        .where(Registration.status == RegistrationStatus.REGISTERED, where,
               _among(Registration.user_id, people),
               Attendance.status == AttendanceStatus.LEFT_EARLY,
               User.level.in_((Level.LEADER.value, Level.EXECUTIVE.value)),
               or_(Attendance.left_after_segment_id == first_id,
                   Attendance.minutes_present <= first_minutes))
        .order_by(LiveSession.starts_at, LiveSession.id, User.name, User.id)
    )
    return [LeftRow(*row) for row in db.session.execute(stmt)]


def _report(where: ColumnElement[bool], people: Select | None) -> Report:
    sessions = _counts(where, people)
    total = LevelTable()
    for figures in sessions:
        for row in figures.table.levels.values():
            for status in (*COUNTED, "not_taken"):
                total.add(row.level, status, getattr(row, status))
    return Report(total, sessions, _left_after_opening(where, people))


def session_report(session: LiveSession, people: Select | None) -> Report:
    """One session; ``people`` is a SELECT of the user ids to count (None: everyone)."""
    return _report(LiveSession.id == session.id, people)


def program_report(program: Program, people: Select | None) -> Report:
    """Every session of a program that was not cancelled, in date order."""
    return _report((LiveSession.program_id == program.id) & _held(), people)


def period_report(start: date, end: date, people: Select | None) -> Report:
    """Sessions (not cancelled) starting from ``start`` to ``end`` inclusive, in UTC days."""
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return _report((LiveSession.starts_at >= since) & (LiveSession.starts_at < until) & _held(),
                   people)


def program_choices() -> list[tuple[int, str, date]]:
    """``(id, name, starts_on)`` of every program, newest first; one query."""
    stmt = select(Program.id, Program.name, Program.starts_on).order_by(
        Program.starts_on.desc(), Program.id.desc())
    return [tuple(row) for row in db.session.execute(stmt)]
