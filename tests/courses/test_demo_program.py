"""The demo rollout: a program in progress with sessions, attendance and communications."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courses.live import coverage, reports
from courses.live import services as live
from courses.live.models import (
    Communication,
    CommunicationRecipient,
    LiveSession,
    Program,
    ProgramStatus,
)
from courses.models import Course
from courses.unlocking import lock_reasons_for
from lms.db import utcnow
from lms.demo import load_demo
from lms.extensions import db
from lms.people.models import Level


@pytest.fixture
def loaded(session, ctx):
    people = load_demo()
    program = session.scalar(select(Program))
    sessions = list(session.scalars(select(LiveSession).order_by(LiveSession.starts_at)))
    return people, program, sessions


def test_an_active_manager_first_program_owned_by_the_executive(loaded):
    people, program, _sessions = loaded
    assert program.status == ProgramStatus.ACTIVE
    assert program.owner.level == Level.EXECUTIVE
    assert [(w.number, w.audience, w.requires_manager_previous) for w in program.waves] == [
        (1, ",manager,leader,", False), (2, ",rep,", True)]
    assert [c.slug for c in program.waves[1].courses] == ["discovery-conversations"]


def test_two_sessions_are_over_with_attendance_and_two_are_ahead(loaded):
    _people, program, sessions = loaded
    now = utcnow()
    past = [s for s in sessions if s.ends_at < now]
    ahead = [s for s in sessions if s.starts_at > now]
    assert len(past) == 2 and len(ahead) == 2
    assert all(s.program_id == program.id for s in sessions)
    for session in past:
        marked = [attendance for _registration, attendance in live.roster(session)]
        assert marked and all(attendance is not None for attendance in marked)


def test_a_leader_and_the_executive_left_after_the_opening(loaded):
    _people, program, _sessions = loaded
    report = reports.program_report(program, None)
    assert sorted(row.level for row in report.left_after_opening) == ["executive", "leader"]
    assert report.total.levels["manager"].absent == 1
    assert report.total.levels["manager"].excused == 1


def test_communications_were_sent_one_in_time_and_some_acknowledged(loaded):
    _people, program, sessions = loaded
    sent = list(db.session.scalars(select(Communication).order_by(Communication.sent_at)))
    assert [c.status for c in sent] == ["sent", "sent"]
    assert all(c.author.level == Level.LEADER for c in sent)
    acknowledged = db.session.scalar(select(func.count()).select_from(CommunicationRecipient)
                                     .where(CommunicationRecipient.acknowledged_at.is_not(None)))
    assert acknowledged == 4
    assert db.session.scalar(select(func.count()).select_from(CommunicationRecipient)
                             .where(CommunicationRecipient.question != "")) == 1
    report = coverage.program_coverage(program, None, 14)
    managers = report.total.levels["manager"]
    # East's managers heard 16 days ahead, Central's 8 days ahead, West has not been written to.
    assert (managers.in_time, managers.received) == (4, 8)
    west_leader = next(
        p for p in _people if p.email == "leader3@cadence.example")
    assert len(report.unheard) == 4
    assert {m.leader_name for m in report.unheard} == {west_leader.name}


def test_the_confirmed_session_is_the_one_every_leader_confirmed(loaded):
    _people, _program, sessions = loaded
    east, central = sessions[0], sessions[1]
    assert live.confirmation_state(east).is_confirmed
    assert not live.confirmation_state(central).is_confirmed


def test_reps_wait_on_wave_two_until_their_manager_is_done(loaded):
    people, _program, _sessions = loaded
    rep_course = db.session.scalar(select(Course).where(Course.slug == "discovery-conversations"))
    locked = [p for p in people if p.level == Level.REP and lock_reasons_for(rep_course, p)]
    assert locked and any("wave 1" in reason.message
                          for reason in lock_reasons_for(rep_course, locked[0]))
