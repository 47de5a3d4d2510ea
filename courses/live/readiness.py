"""Program readiness: the figures behind a checklist for a program and for each leader.

For the viewer's part of the organisation (admins: everyone) and for each leader or
executive in it with people in the program: communications written and whether every
upcoming session with their people got one, registrations among the waves' audience,
attendance confirmed at past sessions, completion by wave, and whether leaders stayed for
whole sessions. Per-leader figures come from one recursive CTE pairing each leader with
everyone under them (themselves included), grouped by leader, so the number of queries is
the same for 2 leaders or 200.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from courses.live import reports
from courses.live.coverage import among, concerns
from courses.live.models import (
    Attendance,
    AttendanceConfirmation,
    AttendanceStatus,
    Communication,
    CommunicationStatus,
    ConfirmationStatus,
    LiveSession,
    Program,
    ProgramWave,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from courses.live.programs import program_progress, wave_completions, wave_sizes
from lms.db import utcnow
from lms.extensions import db
from lms.people import tree
from lms.people.models import Level, User

LEADING = (Level.LEADER.value, Level.EXECUTIVE.value)
PLANNED = (CommunicationStatus.SCHEDULED.value, CommunicationStatus.SENT.value)


@dataclass
class WaveCount:
    enrolled: int = 0
    completed: int = 0  # completed every course of the wave


@dataclass
class Figures:
    """The checklist's numbers for the program as a whole or for one leader's subtree."""

    sent: int = 0  # communications about the program, sent
    scheduled: int = 0  # … and still to go out
    upcoming: int = 0  # upcoming sessions with their people registered
    uncovered: list[int] = field(default_factory=list)  # … with no message about them
    audience: int = 0  # active people in a wave's audience
    registered: int = 0  # … registered for a session of the program
    to_confirm: int = 0  # past sessions with their people in them
    unconfirmed: list[int] = field(default_factory=list)
    waves: dict[int, WaveCount] = field(default_factory=dict)
    stayed: int = 0  # leaders' and executives' registrations: the whole session
    left_early: int = 0
    missed: int = 0  # absent or excused

    @property
    def covered(self) -> int:
        return self.upcoming - len(self.uncovered)

    @property
    def confirmed(self) -> int:
        return self.to_confirm - len(self.unconfirmed)


@dataclass
class LeaderReadiness:
    person_id: int
    name: str
    level: str
    figures: Figures = field(default_factory=Figures)


@dataclass(frozen=True)
class SessionInfo:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class StayRow:
    """Leaders and executives registered for one session, and how long they stayed."""

    session_id: int
    title: str
    starts_at: datetime
    registered: int
    stayed: int
    left_early: int
    missed: int
    not_taken: int


@dataclass
class Readiness:
    program_id: int
    now: datetime
    waves: list[ProgramWave]
    sessions: dict[int, SessionInfo]  # held sessions, in date order
    whole: Figures
    leaders: list[LeaderReadiness]
    attendance: reports.Report  # leaders who stayed, per session

    def stay_rows(self) -> list[StayRow]:
        """Per session with leaders or executives registered, in date order."""
        rows = []
        for session in self.attendance.sessions:
            one, two = (session.table.levels[level] for level in LEADING)
            if one.registered + two.registered:
                rows.append(StayRow(
                    session.session_id, session.title, session.starts_at,
                    one.registered + two.registered, one.attended + two.attended,
                    one.left_early + two.left_early,
                    one.absent + one.excused + two.absent + two.excused,
                    one.not_taken + two.not_taken))
        return rows

    def first_upcoming(self) -> SessionInfo | None:
        return next((s for s in self.sessions.values() if s.starts_at > self.now), None)


def _held(program: Program, session=LiveSession):
    return and_(session.program_id == program.id, session.status != SessionStatus.CANCELLED)


def _leader_people(people: Select | None):
    """A CTE of ``(leader_id, person_id)``: each leader or executive in scope and everyone
    under them, themselves included."""
    start = (select(User.id.label("leader_id"), User.id.label("person_id"))
             .where(User.level.in_(LEADING), User.is_active.is_(True),
                    among(User.id, people)))
    pairs = start.cte("leader_people", recursive=True)
    below = select(pairs.c.leader_id, User.id).where(User.manager_id == pairs.c.person_id)
    return pairs.union_all(below)


def _sessions(program: Program) -> dict[int, SessionInfo]:
    rows = db.session.execute(
        select(LiveSession.id, LiveSession.title, LiveSession.starts_at, LiveSession.ends_at)
        .where(_held(program)).order_by(LiveSession.starts_at, LiveSession.id))
    return {row[0]: SessionInfo(*row) for row in rows}


def _seated(program: Program) -> Select:
    """The ids of people holding a seat at a session of the program, for ``IN``."""
    return (select(Registration.user_id)
            .join(LiveSession, LiveSession.id == Registration.session_id)
            .where(Registration.status == RegistrationStatus.REGISTERED, _held(program)))


def _leaders(program: Program, pairs, levels: list[str]) -> dict[int, LeaderReadiness]:
    """Leaders with people in the program (audience or registered), with registration counts."""
    leader, person = aliased(User), aliased(User)
    in_audience = and_(person.is_active.is_(True), person.level.in_(levels))
    registered = person.id.in_(_seated(program))
    rows = db.session.execute(
        select(leader.id, leader.name, leader.level,
               func.sum(case((in_audience, 1), else_=0)),
               func.sum(case((and_(in_audience, registered), 1), else_=0)),
               func.sum(case((registered, 1), else_=0)))
        .select_from(pairs)
        .join(leader, leader.id == pairs.c.leader_id)
        .join(person, person.id == pairs.c.person_id)
        .group_by(leader.id, leader.name, leader.level)
        .order_by(case((leader.level == Level.EXECUTIVE.value, 0), else_=1), leader.name,
                  leader.id))
    found = {}
    for pid, name, level, audience, in_program, anyone in rows:
        if audience or anyone:
            found[pid] = LeaderReadiness(pid, name, level, Figures(
                audience=int(audience), registered=int(in_program or 0)))
    return found


def _per_session(program: Program, pairs, leaders: dict[int, LeaderReadiness],
                 readiness: Readiness) -> None:
    """Per leader and session with their people: a message about it? attendance confirmed?"""
    seated = (select(pairs.c.leader_id, Registration.session_id)
              .join(Registration, Registration.user_id == pairs.c.person_id)
              .join(LiveSession, LiveSession.id == Registration.session_id)
              .where(Registration.status == RegistrationStatus.REGISTERED, _held(program))
              .distinct().subquery("seated"))
    covered = (select(Communication.id)
               .where(Communication.author_id == seated.c.leader_id,
                      Communication.status.in_(PLANNED), concerns(LiveSession)).exists())
    confirmed = (select(AttendanceConfirmation.id)
                 .where(AttendanceConfirmation.session_id == seated.c.session_id,
                        AttendanceConfirmation.leader_id == seated.c.leader_id,
                        AttendanceConfirmation.status == ConfirmationStatus.CONFIRMED)
                 .exists())
    rows = db.session.execute(
        select(seated.c.leader_id, seated.c.session_id, covered, confirmed)
        .join(LiveSession, LiveSession.id == seated.c.session_id)
        .order_by(LiveSession.starts_at, LiveSession.id))
    whole_unconfirmed: dict[int, bool] = {}
    for leader_id, session_id, is_covered, is_confirmed in rows:
        session, figures = readiness.sessions[session_id], leaders[leader_id].figures
        if session.starts_at > readiness.now:
            figures.upcoming += 1
            if not is_covered:
                figures.uncovered.append(session_id)
        elif session.ends_at <= readiness.now:
            figures.to_confirm += 1
            if not is_confirmed:
                figures.unconfirmed.append(session_id)
            whole_unconfirmed[session_id] = (whole_unconfirmed.get(session_id, False)
                                             or not is_confirmed)
    readiness.whole.to_confirm = len(whole_unconfirmed)
    readiness.whole.unconfirmed = [sid for sid, open_ in whole_unconfirmed.items() if open_]


def _whole_upcoming(program: Program, people: Select | None, readiness: Readiness) -> None:
    """Upcoming sessions with people in scope, and whether anyone wrote about each."""
    has_people = (select(Registration.id)
                  .where(Registration.session_id == LiveSession.id,
                         Registration.status == RegistrationStatus.REGISTERED,
                         among(Registration.user_id, people)).exists())
    written = (select(Communication.id)
               .where(Communication.status.in_(PLANNED), concerns(LiveSession)).exists())
    rows = db.session.execute(
        select(LiveSession.id, written)
        .where(_held(program), LiveSession.starts_at > readiness.now, has_people)
        .order_by(LiveSession.starts_at, LiveSession.id))
    for session_id, is_written in rows:
        readiness.whole.upcoming += 1
        if not is_written:
            readiness.whole.uncovered.append(session_id)


def _communications(program: Program, people: Select | None,
                    leaders: dict[int, LeaderReadiness], whole: Figures) -> None:
    """Messages about the program, its waves or sessions, per author in scope."""
    about = or_(Communication.program_id == program.id,
                Communication.session_id.in_(
                    select(LiveSession.id).where(LiveSession.program_id == program.id)),
                Communication.wave_id.in_(
                    select(ProgramWave.id).where(ProgramWave.program_id == program.id)))
    rows = db.session.execute(
        select(Communication.author_id, Communication.status, func.count())
        .where(about, Communication.status.in_(PLANNED),
               among(Communication.author_id, people))
        .group_by(Communication.author_id, Communication.status))
    for author_id, status, count in rows:
        targets = [whole] + ([leaders[author_id].figures] if author_id in leaders else [])
        for figures in targets:
            if status == CommunicationStatus.SENT:
                figures.sent += int(count)
            else:
                figures.scheduled += int(count)


def _completion(program: Program, pairs, leaders: dict[int, LeaderReadiness]) -> None:
    """Per leader and wave: people enrolled in its courses, and those who completed all."""
    per_person = wave_completions(program).subquery("per_person")
    sizes = wave_sizes().subquery("sizes")
    rows = db.session.execute(
        select(pairs.c.leader_id, per_person.c.wave_id, func.count(),
               func.sum(case((per_person.c.done >= sizes.c.size, 1), else_=0)))
        .select_from(pairs)
        .join(per_person, per_person.c.user_id == pairs.c.person_id)
        .join(sizes, sizes.c.wave_id == per_person.c.wave_id)
        .group_by(pairs.c.leader_id, per_person.c.wave_id))
    for leader_id, wave_id, enrolled, completed in rows:
        if leader_id in leaders:
            leaders[leader_id].figures.waves[wave_id] = WaveCount(int(enrolled),
                                                                 int(completed or 0))


def _stayed(program: Program, people: Select | None, leaders: dict[int, LeaderReadiness],
            now: datetime) -> None:
    """Each leader's own attendance at the program's sessions that have ended."""
    rows = db.session.execute(
        select(Registration.user_id, Attendance.status, func.count())
        .join(LiveSession, LiveSession.id == Registration.session_id)
        .join(User, User.id == Registration.user_id)
        .join(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.status == RegistrationStatus.REGISTERED, _held(program),
               LiveSession.ends_at <= now, User.level.in_(LEADING), among(User.id, people))
        .group_by(Registration.user_id, Attendance.status))
    for user_id, status, count in rows:
        if user_id in leaders:
            _count_stay(leaders[user_id].figures, status, int(count))


def _count_stay(figures: Figures, status: str | None, count: int) -> None:
    if status == AttendanceStatus.ATTENDED:
        figures.stayed += count
    elif status == AttendanceStatus.LEFT_EARLY:
        figures.left_early += count
    elif status in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
        figures.missed += count


def _whole_registrations(program: Program, people: Select | None, levels: list[str],
                         whole: Figures) -> None:
    row = db.session.execute(
        select(func.count(User.id),
               func.sum(case((User.id.in_(_seated(program)), 1), else_=0)))
        .where(User.is_active.is_(True), User.level.in_(levels), among(User.id, people))
    ).one()
    whole.audience, whole.registered = int(row[0]), int(row[1] or 0)


def _whole_waves(program: Program, viewer: User, whole: Figures) -> None:
    for wave_id, progress in program_progress(program, viewer).items():
        counts = progress.by_level.values()
        whole.waves[wave_id] = WaveCount(sum(c.enrolled for c in counts),
                                         sum(c.completed for c in counts))


def _whole_stay(report: reports.Report, whole: Figures) -> None:
    for level in LEADING:
        row = report.total.levels[level]
        whole.stayed += row.attended
        whole.left_early += row.left_early
        whole.missed += row.absent + row.excused


def audience_levels(waves: Iterable[ProgramWave]) -> list[str]:
    """Every level some wave of the program is for."""
    return sorted({level for wave in waves for level in wave.audience.split(",") if level})


def program_readiness(program: Program, viewer: User, *,
                      now: datetime | None = None) -> Readiness:
    """The checklist figures for ``viewer``'s part of the organisation; constant queries."""
    people = None if viewer.is_admin else tree.subtree_ids(viewer.id)
    waves = list(program.waves)
    levels = audience_levels(waves)
    readiness = Readiness(program.id, now or utcnow(), waves, _sessions(program), Figures(), [],
                          reports.program_report(program, people))
    pairs = _leader_people(people)
    leaders = _leaders(program, pairs, levels)
    _per_session(program, pairs, leaders, readiness)
    _whole_upcoming(program, people, readiness)
    _communications(program, people, leaders, readiness.whole)
    _completion(program, pairs, leaders)
    _stayed(program, people, leaders, readiness.now)
    _whole_registrations(program, people, levels, readiness.whole)
    _whole_waves(program, viewer, readiness.whole)
    _whole_stay(readiness.attendance, readiness.whole)
    readiness.leaders = list(leaders.values())
    return readiness
