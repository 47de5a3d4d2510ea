"""Programs, live sessions, seats and pre-training messages for the report tests (attendance,
coverage, readiness): plain functions that flush, never commit."""

from __future__ import annotations

from datetime import timedelta

from courses.live.models import (
    Communication,
    CommunicationRecipient,
    CommunicationStatus,
    LiveSession,
    Program,
    ProgramWave,
    Registration,
    RegistrationStatus,
    SessionSegment,
    SessionStatus,
)
from lms.db import utcnow
from lms.extensions import db

NOW = utcnow().replace(microsecond=0)


def a_program(name: str = "Coaching rhythm") -> Program:
    """A program from 60 days ago to 60 days ahead: leaders and managers first, then reps."""
    program = Program(name=name, starts_on=NOW.date() - timedelta(days=60),
                      ends_on=NOW.date() + timedelta(days=60))
    program.waves = [ProgramWave(number=1, name="Leaders and managers",
                                 audience=",leader,manager,", opens_on=program.starts_on),
                     ProgramWave(number=2, name="Reps", audience=",rep,",
                                 opens_on=program.starts_on)]
    db.session.add(program)
    db.session.flush()
    return program


def a_session(program: Program | None, *, days: int, title: str,
              wave: ProgramWave | None = None,
              status: SessionStatus = SessionStatus.SCHEDULED,
              segments: tuple[tuple[str, int], ...] = ()) -> LiveSession:
    """A two-hour session starting ``days`` from now (before now when negative), with
    ``segments`` as (title, minutes) in order."""
    starts = NOW + timedelta(days=days)
    live = LiveSession(program=program, wave=wave, title=title, starts_at=starts,
                       ends_at=starts + timedelta(hours=2), status=status)
    live.segments = [SessionSegment(position=position, title=name, minutes=minutes)
                     for position, (name, minutes) in enumerate(segments)]
    db.session.add(live)
    db.session.flush()
    return live


def register(live: LiveSession, *people, status=RegistrationStatus.REGISTERED) -> None:
    db.session.add_all(Registration(session=live, user=person, status=status)
                       for person in people)
    db.session.flush()


def message(author, *, session=None, wave=None, program=None,
            status=CommunicationStatus.SENT) -> Communication:
    """A pre-training message about ``session``, ``wave`` or ``program`` (the first given)."""
    if session is not None:
        program = program or session.program
    if wave is not None:
        program = program or wave.program
    sent = Communication(author=author, session=session, wave=wave, program=program,
                         subject="Before the training", what_you_learn="a", why_it_matters="b",
                         how_work_changes="c", expected_results="d", send_at=NOW,
                         status=status)
    db.session.add(sent)
    db.session.flush()
    return sent


def deliver(sent: Communication, person, at, *, acknowledged: bool = False) -> None:
    db.session.add(CommunicationRecipient(
        communication=sent, user=person, delivered_at=at,
        acknowledged_at=at + timedelta(hours=1) if acknowledged else None))
    db.session.flush()


def begin(live: LiveSession) -> LiveSession:
    """Move ``live`` to have started a minute ago, keeping its length: registration is then
    closed and attendance open, so register people first."""
    length = live.ends_at - live.starts_at
    live.starts_at = utcnow().replace(microsecond=0) - timedelta(minutes=1)
    live.ends_at = live.starts_at + length
    db.session.flush()
    return live
