"""Reminders "checkin_agenda" and "action_item_overdue": who hears, once, in one query."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.notify.models import Notification
from lms.people.models import Level
from lms.reminders.models import ReminderSent, ReminderSetting
from lms.reminders.rules import RULES, thresholds
from lms.reminders.sweep import candidates, sweep
from reinforcement.checkins.models import CheckInStatus
from tests import factories
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

NOW = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)  # 10:00 UTC: a morning for everyone below
TODAY = NOW.date()
AGENDA, ACTION = "checkin_agenda", "action_item_overdue"


def found(key: str, now: datetime = NOW) -> set[tuple]:
    rule = RULES[key]
    return {(row.subject_id, row.recipient_id, row.stage)
            for row in candidates(rule, thresholds()[key], now, ["UTC"])}


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def setting(key: str, **values) -> None:
    db.session.add(ReminderSetting(rule=key, enabled=True, **{
        "days_before": 1, "escalate_after_days": 7, **values}))
    db.session.flush()


# --- agenda not prepared ---------------------------------------------------------------------

def test_the_coach_of_an_unprepared_check_in_within_a_day_is_due(org):
    tomorrow = make.check_in(org.manager_a1, org.rep_a1a, at=at(20))
    make.check_in(org.manager_a1, org.rep_a1b, at=at(20), prepared=True, agenda=("Ready",))
    make.check_in(org.manager_a1, org.rep_a1b, at=at(30))  # beyond one day
    make.check_in(org.manager_a1, org.rep_a1b, at=at(-2))  # already started
    make.check_in(org.leader_a, org.manager_a2, at=at(5), status=CheckInStatus.CANCELLED)
    make.check_in(org.leader_a, org.manager_a2, at=at(6), status=CheckInStatus.RESCHEDULED)
    assert found(AGENDA) == {(tomorrow.id, org.manager_a1.id, "due")}


def test_an_inactive_coachee_is_not_prepared_for(org):
    make.check_in(org.manager_a1, org.rep_a1a, at=at(20))
    org.rep_a1a.is_active = False
    db.session.flush()
    assert found(AGENDA) == set()


def test_agenda_days_before_comes_from_the_admin_setting(org):
    later = make.check_in(org.manager_a1, org.rep_a1a, at=at(60))
    assert found(AGENDA) == set()
    setting(AGENDA, days_before=3)
    assert found(AGENDA) == {(later.id, org.manager_a1.id, "due")}


def test_a_coach_with_two_check_ins_tomorrow_hears_once_and_never_again(org):
    first = make.check_in(org.manager_a1, org.rep_a1a, at=at(20))
    second = make.check_in(org.manager_a1, org.rep_a1b, at=at(22))
    assert sweep(NOW)[AGENDA] == 2
    assert sweep(NOW + timedelta(minutes=5))[AGENDA] == 0
    (note,) = db.session.scalars(select(Notification).where(
        Notification.recipient_id == org.manager_a1.id,
        Notification.kind == "reminder.checkin_agenda"))
    assert note.subject == "Prepare the agenda of your next check-in"
    assert note.link == "/reinforcement/"
    logged = set(db.session.scalars(select(ReminderSent.subject_id).where(
        ReminderSent.rule == AGENDA)))
    assert logged == {first.id, second.id}


# --- action items overdue --------------------------------------------------------------------

def test_overdue_items_go_to_their_owner_and_long_overdue_to_the_owners_manager(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, at=at(-24 * 20),
                             status=CheckInStatus.HELD)
    late = make.action_item(check_in, org.rep_a1a, due_on=TODAY - timedelta(days=1))
    very_late = make.action_item(check_in, org.manager_a1, due_on=TODAY - timedelta(days=7))
    make.action_item(check_in, org.rep_a1a, due_on=TODAY)  # due today: not yet overdue
    make.action_item(check_in, org.rep_a1a, due_on=TODAY - timedelta(days=9), done=True)
    assert found(ACTION) == {(late.id, org.rep_a1a.id, "overdue"),
                             (very_late.id, org.manager_a1.id, "overdue"),
                             (very_late.id, org.leader_a.id, "escalated")}


def test_escalation_days_come_from_the_setting_and_gone_owners_are_not_chased(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, at=at(-24 * 20),
                             status=CheckInStatus.HELD)
    late = make.action_item(check_in, org.rep_a1a, due_on=TODAY - timedelta(days=2))
    gone = make.action_item(check_in, org.rep_a1b, due_on=TODAY - timedelta(days=10))
    org.rep_a1b.is_active = False
    setting(ACTION, escalate_after_days=2)
    assert found(ACTION) == {(late.id, org.rep_a1a.id, "overdue"),
                             (late.id, org.manager_a1.id, "escalated")}
    assert gone.id not in {subject for subject, _r, _s in found(ACTION)}


def test_a_switched_off_rule_sends_nothing(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, at=at(-48), status=CheckInStatus.HELD)
    make.action_item(check_in, org.rep_a1a, due_on=TODAY - timedelta(days=3))
    db.session.add(ReminderSetting(rule=ACTION, enabled=False, days_before=0,
                                   escalate_after_days=7))
    db.session.flush()
    assert sweep(NOW)[ACTION] == 0


def test_the_sweep_reminds_each_overdue_item_once(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, at=at(-24 * 20),
                             status=CheckInStatus.HELD)
    make.action_item(check_in, org.rep_a1a, due_on=TODAY - timedelta(days=8))
    assert sweep(NOW)[ACTION] == 2
    assert sweep(NOW + timedelta(hours=1))[ACTION] == 0
    kinds = dict(db.session.execute(select(Notification.recipient_id, Notification.kind)).all())
    assert kinds == {org.rep_a1a.id: "reminder.action_overdue",
                     org.manager_a1.id: "reminder.escalated"}


def test_each_rule_is_one_query_for_two_or_twelve_people(org, count_queries):
    def cost(size: int) -> tuple[int, int]:
        manager = factories.person(level=Level.MANAGER, manager=org.leader_a)
        for _ in range(size):
            rep = factories.person(manager=manager)
            held = make.check_in(manager, rep, at=at(-24 * 10), status=CheckInStatus.HELD)
            make.action_item(held, rep, due_on=date(2031, 2, 1))
            make.check_in(manager, rep, at=at(12))
        counts = []
        for key in (AGENDA, ACTION):
            with count_queries() as counter:
                rows = candidates(RULES[key], thresholds()[key], NOW, ["UTC"])
            assert len(rows) >= size
            counts.append(counter.count)
        return tuple(counts)
    assert cost(2) == cost(12) == (2, 2)  # the thresholds, then the rule's one SELECT
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0
