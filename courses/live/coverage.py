"""Communication coverage by level: did attendees hear about their training in time?

For a session or a program (its sessions that were not cancelled), each level counts the
attendees (registrations holding a seat; for a past session, everyone who was registered),
those who received a pre-training communication concerning the session at least ``days``
days before it started, those who received one at any time, and those who acknowledged one.
A communication concerns a session when it names that session, or names no session and the
session's wave, or names neither and the session's program. Counts are per registration, as
in the attendance reports. Two queries whatever the number of sessions or people: one GROUP
BY per session and level, and one for the managers who never heard about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from courses.live.models import (
    Communication,
    CommunicationRecipient,
    LiveSession,
    Program,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from courses.live.reports import LEVEL_ORDER, ByLevel, LevelRow
from lms.db import UTCDateTime
from lms.extensions import db
from lms.people.models import Level, User

SHARES = ("in_time", "received", "acknowledged")
Sessions = Callable[[type[LiveSession]], ColumnElement[bool]]  # which sessions a report covers


class days_before(FunctionElement):  # noqa: N801  (reads as an SQL function)
    """``moment`` minus ``days`` whole days, computed by the database."""

    type = UTCDateTime()
    name = "days_before"
    inherit_cache = True


@compiles(days_before)
def _days_before(element, compiler, **kw) -> str:
    # PostgreSQL: timestamp minus an interval.
    moment, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({moment} - {days} * INTERVAL '1 day')"


@compiles(days_before, "sqlite")
def _days_before_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps UTC timestamps as text "YYYY-MM-DD HH:MM:SS.ffffff"; strftime answers in
    # milliseconds, padded back to six digits so both sides compare as text.
    moment, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(strftime('%Y-%m-%d %H:%M:%f', {moment}, '-' || {days} || ' days') || '000')"


@dataclass
class CoverageFigures(LevelRow):
    """Attendees at one level (or ``all``) and what reached them."""

    attendees: int = 0
    in_time: int = 0  # received one at least ``days`` days before the session
    received: int = 0  # at any time
    acknowledged: int = 0

    @property
    def never(self) -> int:
        return self.attendees - self.received

    def share(self, name: str) -> float | None:
        """Percent of the attendees counted in ``name``; None without attendees."""
        if not self.attendees:
            return None
        return round(100 * getattr(self, name) / self.attendees, 1)

    def add(self, attendees: int, in_time: int, received: int, acknowledged: int) -> None:
        self.attendees += attendees
        self.in_time += in_time
        self.received += received
        self.acknowledged += acknowledged


@dataclass
class CoverageTable(ByLevel):
    """Coverage: one row per level, executives first, and the total."""

    levels: dict[str, CoverageFigures] = field(default_factory=lambda: {
        level.value: CoverageFigures(level.value) for level in LEVEL_ORDER})
    total: CoverageFigures = field(default_factory=lambda: CoverageFigures("all"))


@dataclass
class SessionCoverage:
    session_id: int
    title: str
    starts_at: datetime
    table: CoverageTable = field(default_factory=CoverageTable)


@dataclass(frozen=True)
class UnheardManager:
    """A manager among the attendees who received nothing about the training."""

    person_id: int
    name: str
    email: str
    leader_name: str | None  # their own manager, the leader who should have written
    sessions: int  # how many of the report's sessions they are registered for
    first_starts_at: datetime


@dataclass
class Coverage:
    days: int
    total: CoverageTable
    sessions: list[SessionCoverage]  # in date order
    unheard: list[UnheardManager]


def concerns(session: type[LiveSession]) -> ColumnElement[bool]:
    """A communication is about ``session``: named, or through its wave, or its program."""
    about = Communication
    return or_(about.session_id == session.id,
               and_(about.session_id.is_(None), about.wave_id == session.wave_id),
               and_(about.session_id.is_(None), about.wave_id.is_(None),
                    about.program_id == session.program_id))


def among(column, people: Select | None) -> ColumnElement[bool]:
    """``column`` is one of ``people`` (a SELECT of user ids); None means everyone."""
    return true() if people is None else column.in_(people)


def _attending(stmt: Select, which: Sessions, people: Select | None) -> Select:
    """Keep the registrations holding a seat at the sessions, of ``people`` when given."""
    stmt = stmt.where(Registration.status == RegistrationStatus.REGISTERED, which(LiveSession))
    if people is None:
        return stmt
    # A join rather than IN: the subtree has no duplicates, and PostgreSQL plans the join
    # well even before it has statistics on the tables.
    scope = people.subquery("scope")
    return stmt.join(scope, scope.c.id == Registration.user_id)


def _reach(days: int):
    """EXISTS for a registration: its person received something about its session in time,
    at all, and acknowledged something (correlated, so one index probe per registration)."""
    def reached(*conditions: ColumnElement[bool]):
        return (select(CommunicationRecipient.id)
                .join(Communication,
                      Communication.id == CommunicationRecipient.communication_id)
                .where(CommunicationRecipient.user_id == Registration.user_id,
                       concerns(LiveSession), *conditions)
                .exists())
    cutoff = days_before(LiveSession.starts_at, literal(days, Integer))
    return (reached(CommunicationRecipient.delivered_at <= cutoff), reached(),
            reached(CommunicationRecipient.acknowledged_at.is_not(None)))


def _counts(which: Sessions, people: Select | None, days: int) -> list[SessionCoverage]:
    """Per session (date order) and level: one GROUP BY query."""
    flags = [case((reached, 1), else_=0).label(name)
             for name, reached in zip(SHARES, _reach(days), strict=True)]
    per_registration = _attending(
        select(LiveSession.id.label("session_id"), LiveSession.title, LiveSession.starts_at,
               User.level, *flags)
        .select_from(Registration)
        .join(User, User.id == Registration.user_id)
        .join(LiveSession, LiveSession.id == Registration.session_id), which, people,
    ).subquery("per_registration")
    row = per_registration.c
    stmt = (select(row.session_id, row.title, row.starts_at, row.level, func.count(),
                   *(func.sum(getattr(row, name)) for name in SHARES))
            .group_by(row.session_id, row.title, row.starts_at, row.level)
            .order_by(row.starts_at, row.session_id))
    sessions: dict[int, SessionCoverage] = {}
    for sid, title, starts_at, level, *counts in db.session.execute(stmt):
        figures = sessions.setdefault(sid, SessionCoverage(sid, title, starts_at))
        figures.table.add(level, *(int(count) for count in counts))
    return list(sessions.values())


def _unheard(which: Sessions, people: Select | None) -> list[UnheardManager]:
    """Managers among the attendees with no communication about any of the sessions."""
    about = aliased(LiveSession)
    # Not correlated: the set of people who heard is built once, whatever the attendees.
    heard = (select(CommunicationRecipient.user_id)
             .join(Communication, Communication.id == CommunicationRecipient.communication_id)
             .join(about, concerns(about))
             .where(which(about)))
    leader = aliased(User)
    stmt = _attending(
        select(User.id, User.name, User.email, leader.name, func.count(Registration.id),
               func.min(LiveSession.starts_at))
        .select_from(Registration)
        .join(User, User.id == Registration.user_id)
        .join(LiveSession, LiveSession.id == Registration.session_id)
        .outerjoin(leader, leader.id == User.manager_id)
        .where(User.level == Level.MANAGER.value, User.id.not_in(heard)), which, people,
    ).group_by(User.id, User.name, User.email, leader.name).order_by(
        leader.name, User.name, User.id)
    return [UnheardManager(pid, name, email, leader_name, int(sessions), first)
            for pid, name, email, leader_name, sessions, first in db.session.execute(stmt)]


def _coverage(which: Sessions, people: Select | None, days: int) -> Coverage:
    sessions = _counts(which, people, days)
    total = CoverageTable()
    for figures in sessions:
        for row in figures.table.levels.values():
            total.add(row.level, row.attendees, row.in_time, row.received, row.acknowledged)
    return Coverage(days, total, sessions, _unheard(which, people))


def session_coverage(session: LiveSession, people: Select | None, days: int) -> Coverage:
    """One session; ``people`` is a SELECT of the user ids to count (None: everyone)."""
    return _coverage(lambda s: s.id == session.id, people, days)


def program_coverage(program: Program, people: Select | None, days: int) -> Coverage:
    """Every session of a program that was not cancelled, in date order."""
    return _coverage(lambda s: and_(s.program_id == program.id,
                                    s.status != SessionStatus.CANCELLED), people, days)
