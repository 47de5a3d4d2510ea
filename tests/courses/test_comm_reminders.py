"""Reminder "communication_due": leaders who have not written before a session hear of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from courses.live import comm_delivery, programs
from courses.live import communications as comms
from courses.live import services as live
from courses.live.models import LiveSession
from lms.extensions import db
from lms.notify.models import Notification
from lms.reminders.models import ReminderSent, ReminderSetting
from lms.reminders.rules import RULES, thresholds
from lms.reminders.sweep import candidates, sweep
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")

# 10:00 UTC, a local morning for everyone below (all in UTC), in the future so sessions
# around it can still be registered for.
NOW = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)
PARTS = {"what_you_learn": "Coaching.", "why_it_matters": "Ramp.",
         "how_work_changes": "Weekly 1:1s.", "expected_results": "Win rate."}


def make_session(org, *, days: float, title: str = "Coaching kick-off") -> LiveSession:
    starts = NOW + timedelta(days=days)
    return live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2)), by=org.admin)


def write(author, **about):
    return comms.schedule_communication(comms.CommunicationData(
        subject="Before the training", **PARTS, **about), by=author, now=NOW)


def found(now=NOW) -> set[tuple]:
    rule = RULES["communication_due"]
    return {(row.subject_id, row.recipient_id, row.stage)
            for row in candidates(rule, thresholds()[rule.key], now, ["UTC"])}


def test_leaders_above_registrants_are_due_once_fourteen_days_remain(org):
    soon = make_session(org, days=10)
    later = make_session(org, days=20, title="Later")
    live.register(org.rep_a1a, soon, by=org.admin)
    live.register(org.rep_a1a, later, by=org.admin)
    # leader_a and the executive above them; not the manager, not leader_b
    assert found() == {(soon.id, org.leader_a.id, "due"), (soon.id, org.exec.id, "due")}


def test_escalated_to_the_leaders_manager_once_long_due(org):
    close = make_session(org, days=5)  # due for 9 days: past the default 7
    live.register(org.manager_b1, close, by=org.admin)
    assert found() == {(close.id, org.leader_b.id, "due"), (close.id, org.exec.id, "due"),
                       (close.id, org.exec.id, "escalated")}


def test_writing_about_the_session_its_wave_or_its_program_stops_it(org):
    program = programs.create_program(programs.ProgramData(
        name="Rollout", starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31)), by=org.admin)
    wave = programs.add_wave(program, programs.WaveData(number=1, name="First",
                                                        opens_on=date(2031, 3, 1)),
                             by=org.admin)
    first = make_session(org, days=10)
    second = make_session(org, days=12, title="Second")
    for session in (first, second):
        programs.link_session(program, session, wave, by=org.admin)
        live.register(org.rep_a1a, session, by=org.admin)
    write(org.leader_a, session=second)  # about another session: does not count
    leader_a_due = {(s, r) for s, r, stage in found() if r == org.leader_a.id}
    assert leader_a_due == {(first.id, org.leader_a.id)}
    write(org.exec, wave=wave)
    write(org.leader_a, program=program)
    assert found() == set()


def test_a_cancelled_communication_does_not_count_but_a_scheduled_one_does(org):
    soon = make_session(org, days=10)
    live.register(org.rep_a1a, soon, by=org.admin)
    cancelled = write(org.leader_a, session=soon)
    comms.cancel_communication(cancelled, by=org.leader_a)
    assert (soon.id, org.leader_a.id, "due") in found()
    write(org.leader_a, session=soon)
    assert (soon.id, org.leader_a.id, "due") not in found()


def test_nothing_for_cancelled_sessions_waitlists_cancelled_registrations_or_past(org):
    cancelled = make_session(org, days=10)
    live.register(org.rep_a1a, cancelled, by=org.admin)
    live.cancel_session(cancelled, by=org.admin)
    full = make_session(org, days=10, title="Full")
    full.capacity = 1
    live.register(org.rep_b1a, full, by=org.admin)
    live.register(org.rep_a1a, full, by=org.admin)  # waitlisted
    gone = make_session(org, days=10, title="Gone")
    live.cancel_registration(live.register(org.rep_a2a, gone, by=org.admin), by=org.admin)
    assert {(s, r) for s, r, _stage in found()} == {(full.id, org.leader_b.id),
                                                    (full.id, org.exec.id)}
    assert found(NOW + timedelta(days=11)) == set()  # the session has started


def test_an_inactive_leader_is_skipped_and_their_manager_not_escalated(org):
    close = make_session(org, days=5)
    live.register(org.rep_a1a, close, by=org.admin)
    org.leader_a.is_active = False
    db.session.flush()
    assert found() == {(close.id, org.exec.id, "due")}


def test_thresholds_come_from_the_admin_setting(org):
    session = make_session(org, days=20)
    live.register(org.rep_a1a, session, by=org.admin)
    assert found() == set()
    db.session.add(ReminderSetting(rule="communication_due", enabled=True, days_before=21,
                                   escalate_after_days=7))
    db.session.flush()
    assert (session.id, org.leader_a.id, "due") in found()


def test_the_sweep_sends_each_reminder_once_with_a_link_to_compose(org):
    soon = make_session(org, days=10)
    live.register(org.rep_a1a, soon, by=org.admin)
    assert sweep(NOW)["communication_due"] == 2
    assert sweep(NOW + timedelta(minutes=5))["communication_due"] == 0
    note = db.session.scalar(select(Notification).where(
        Notification.recipient_id == org.leader_a.id,
        Notification.kind == "reminder.communication_due"))
    assert note.subject == "Write to your managers about “Coaching kick-off”"
    assert note.link == f"/courses/communications/new?session={soon.id}"
    assert db.session.scalar(select(func.count()).select_from(ReminderSent).where(
        ReminderSent.rule == "communication_due")) == 2


def test_once_written_the_sweep_says_nothing(org):
    soon = make_session(org, days=10)
    live.register(org.rep_a1a, soon, by=org.admin)
    comm_delivery.send_communication(write(org.leader_a, session=soon), now=NOW)
    write(org.exec, session=soon)
    assert sweep(NOW)["communication_due"] == 0


def test_the_sweep_costs_the_same_queries_for_two_or_ten_leaders(org, count_queries):
    def cost(leaders: int) -> int:
        session = make_session(org, days=5, title=f"Session for {leaders}")
        for _ in range(leaders):
            leader = factories.person(level="leader", manager=org.exec)
            manager = factories.person(level="manager", manager=leader)
            live.register(factories.person(manager=manager), session, by=org.admin)
        db.session.flush()
        with count_queries() as counter:
            sent = sweep(NOW + timedelta(minutes=leaders))["communication_due"]
        assert sent >= leaders
        return counter.count
    sweep(NOW - timedelta(days=30))  # the sweep's own bookkeeping row exists from now on
    assert cost(2) == cost(10)
