"""Course reminders: due soon, overdue, the manager's copy; never for finished or gone people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from courses.models import Enrollment, EnrollmentStatus
from lms.extensions import db
from lms.notify.models import Notification
from lms.people.models import Level
from lms.reminders.models import ReminderSent, ReminderSetting
from lms.reminders.rules import RULES, thresholds
from lms.reminders.sweep import candidates, sweep
from tests import factories

NOW = datetime(2024, 6, 4, 10, 0, tzinfo=UTC)  # 10:00 in UTC: everyone below is in UTC
UTC_ONLY = ["UTC"]


@pytest.fixture
def course(ctx):
    return factories.course(title="Discovery calls")


@pytest.fixture
def team(session):
    manager = factories.person(level=Level.MANAGER, name="Mona Manager", password=None)
    return manager, [factories.person(manager=manager, password=None) for _ in range(3)]


def enrol(person, course, *, due_in_days: float | None, status=EnrollmentStatus.ACTIVE):
    due_at = None if due_in_days is None else NOW + timedelta(days=due_in_days)
    enrollment = Enrollment(course=course, user=person, due_at=due_at, status=status)
    db.session.add(enrollment)
    db.session.flush()
    return enrollment


def found(now=NOW) -> set[tuple]:
    rule = RULES["course_due"]
    return {(row.subject_id, row.recipient_id, row.stage)
            for row in candidates(rule, thresholds()[rule.key], now, UTC_ONLY)}


def test_learner_due_within_days_before_gets_the_due_stage(course, team):
    manager, (soon, later, _) = team
    near = enrol(soon, course, due_in_days=2)
    enrol(later, course, due_in_days=5)  # beyond the default 3 days
    assert found() == {(near.id, soon.id, "due")}


def test_overdue_learner_is_reminded_and_manager_copied_only_after_escalation_days(course, team):
    manager, (late, very_late, _) = team
    one_day = enrol(late, course, due_in_days=-1)
    ten_days = enrol(very_late, course, due_in_days=-10)
    assert found() == {(one_day.id, late.id, "overdue"), (ten_days.id, very_late.id, "overdue"),
                       (ten_days.id, manager.id, "escalated")}


@pytest.mark.parametrize("status", [EnrollmentStatus.COMPLETED, EnrollmentStatus.WITHDRAWN])
def test_completed_or_withdrawn_enrolments_are_never_reminded(course, team, status):
    _, (person, _, _) = team
    enrol(person, course, due_in_days=-30, status=status)
    enrol(team[1][1], course, due_in_days=None)  # no due date: nothing to chase
    assert found() == set()


def test_deactivated_people_are_never_reminded_nor_escalated(course, team):
    manager, (gone, learner, _) = team
    enrol(gone, course, due_in_days=-10)
    gone.is_active = False
    late = enrol(learner, course, due_in_days=-10)
    manager.is_active = False  # an inactive manager gets no copy either
    db.session.flush()
    assert found() == {(late.id, learner.id, "overdue")}


def test_thresholds_come_from_the_admin_setting(course, team):
    manager, (person, _, _) = team
    enrollment = enrol(person, course, due_in_days=-2)
    assert (enrollment.id, manager.id, "escalated") not in found()
    db.session.add(ReminderSetting(rule="course_due", days_before=3, escalate_after_days=1))
    db.session.flush()
    assert (enrollment.id, manager.id, "escalated") in found()


def test_disabled_rule_sends_nothing(ctx, course, team):
    enrol(team[1][0], course, due_in_days=-2)
    db.session.add(ReminderSetting(rule="course_due", enabled=False))
    db.session.flush()
    assert sweep(NOW)["course_due"] == 0


def test_sweep_notifies_with_course_kinds_and_second_run_sends_nothing(ctx, course, team):
    manager, (soon, late, very_late) = team
    enrol(soon, course, due_in_days=1)
    enrol(late, course, due_in_days=-1)
    enrol(very_late, course, due_in_days=-8)
    assert sweep(NOW)["course_due"] == 4
    kinds = dict(db.session.execute(
        select(Notification.recipient_id, Notification.kind)
        .where(Notification.kind.like("reminder.%"))).all())
    assert kinds == {soon.id: "reminder.course_due", late.id: "reminder.course_overdue",
                     very_late.id: "reminder.course_overdue", manager.id: "reminder.escalated"}
    subject = db.session.scalar(select(Notification.subject)
                                .where(Notification.recipient_id == manager.id))
    assert "Discovery calls" in subject
    assert sweep(NOW)["course_due"] == 0
    assert sweep(NOW + timedelta(hours=3))["course_due"] == 0
    count = select(func.count()).select_from(Notification).where(
        Notification.kind.like("reminder.%"))
    assert db.session.scalar(count) == 4
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 4


def test_due_then_overdue_then_escalated_each_once(ctx, course, team):
    manager, (person, _, _) = team
    enrol(person, course, due_in_days=2)
    stages = []
    for day in range(0, 12):
        sweep(NOW + timedelta(days=day))
        stages = db.session.scalars(select(ReminderSent.stage).order_by(ReminderSent.id)).all()
    assert stages == ["due", "overdue", "escalated"]


def test_archived_course_is_not_chased(ctx, course, team):
    enrol(team[1][0], course, due_in_days=-1)
    course.archive()
    db.session.flush()
    assert found() == set()


def _sweep_queries(count_queries, course, people: int) -> int:
    manager = factories.person(level=Level.MANAGER, password=None)
    for _ in range(people):
        enrol(factories.person(manager=manager, password=None), course, due_in_days=-9)
    with count_queries() as counter:
        sent = sweep(NOW)
    # Each enrolment is overdue and escalated; the manager's copies for one course are one
    # notification (a batch says the same thing once to each person).
    assert sent["course_due"] == 2 * people
    return counter.count


def test_sweep_query_count_does_not_grow_with_enrolments(ctx, course, count_queries):
    sweep(NOW)  # the first sweep ever also creates its "last sweep" record
    few = _sweep_queries(count_queries, course, 10)
    course.archive()  # its enrolments are out of the second count
    other = factories.course(title="Second course")
    many = _sweep_queries(count_queries, other, 200)
    assert few == many


def test_candidates_are_one_query_per_rule(ctx, course, team, count_queries):
    for person in team[1]:
        enrol(person, course, due_in_days=-10)
    limits = thresholds()
    with count_queries() as counter:
        rows = candidates(RULES["course_due"], limits["course_due"], NOW, UTC_ONLY)
    assert len(rows) == 6 and counter.count == 1  # 3 overdue, 3 copies to the manager
