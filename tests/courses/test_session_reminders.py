"""The reminder the day before a live session: who hears it, what it says, and only once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from courses.live import services as live
from courses.live.models import LiveSession
from lms.extensions import db
from lms.notify.models import Notification
from lms.reminders.models import ReminderSent, ReminderSetting
from lms.reminders.rules import RULES, thresholds
from lms.reminders.sweep import candidates, sweep
from tests import factories

NOW = datetime(2030, 6, 4, 9, 0, tzinfo=UTC)  # 11:00 in Berlin, a morning everywhere below
ZONES = ["Europe/Berlin", "UTC"]
RULE = "session_tomorrow"


def schedule(org, *, starts=NOW + timedelta(hours=23), title="Coaching workshop",
             **fields) -> LiveSession:
    fields.setdefault("location", "Room 4")
    return live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2), **fields),
        by=org.admin)


def found(now=NOW) -> set[tuple]:
    rule = RULES[RULE]
    return {(row.subject_id, row.recipient_id)
            for row in candidates(rule, thresholds()[RULE], now, ZONES)}


def reminders() -> dict[int, str]:
    return dict(db.session.execute(select(Notification.recipient_id, Notification.subject)
                                   .where(Notification.kind == "reminder.session_tomorrow"))
                .all())


def test_registrants_hear_the_day_before_in_their_own_time(ctx, org):
    berlin = factories.person(name="Bea Berlin", time_zone="Europe/Berlin")
    session = schedule(org)
    for person in (org.rep_a1a, berlin):
        live.register(person, session, by=person)
    assert sweep(NOW)[RULE] == 2
    assert reminders() == {
        org.rep_a1a.id: "Coaching workshop is tomorrow at 08:00 UTC in Room 4",
        berlin.id: "Coaching workshop is tomorrow at 10:00 CEST in Room 4"}
    link, body = db.session.execute(select(Notification.link, Notification.body).where(
        Notification.recipient_id == berlin.id,
        Notification.kind == "reminder.session_tomorrow")).one()
    assert link == f"/courses/sessions/{session.id}" and "Room 4" in body


def test_only_registered_people_of_scheduled_sessions_within_a_day(ctx, org):
    soon = schedule(org, capacity=1)
    later = schedule(org, title="Next week", starts=NOW + timedelta(days=6))
    cancelled = schedule(org, title="Called off", starts=NOW + timedelta(hours=5))
    seat = live.register(org.rep_a1a, soon, by=org.rep_a1a)
    live.register(org.rep_a1b, soon, by=org.rep_a1b)  # waitlisted: no seat, no reminder
    live.register(org.rep_a2a, later, by=org.rep_a2a)
    gone = live.register(org.rep_b1a, soon, by=org.rep_b1a)
    live.cancel_registration(gone, by=org.rep_b1a)
    live.register(org.manager_a1, cancelled, by=org.manager_a1)
    live.cancel_session(cancelled, by=org.admin)
    assert found() == {(soon.id, org.rep_a1a.id)}
    assert seat.status == "registered"
    assert found(soon.starts_at + timedelta(minutes=1)) == set()  # once it has started


def test_sending_twice_sends_nothing_new(ctx, org):
    session = schedule(org)
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    assert sweep(NOW)[RULE] == 1
    assert sweep(NOW)[RULE] == 0
    assert sweep(NOW + timedelta(hours=3))[RULE] == 0
    assert db.session.scalar(select(func.count()).select_from(ReminderSent).where(
        ReminderSent.rule == RULE)) == 1
    assert len(reminders()) == 1


def test_a_session_moved_to_another_day_is_announced_again(ctx, org):
    session = schedule(org)
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    assert sweep(NOW)[RULE] == 1
    moved = session.starts_at + timedelta(days=7)
    live.update_session(session, live.SessionData(
        title=session.title, starts_at=moved, ends_at=moved + timedelta(hours=2),
        location="Room 4"), by=org.admin)
    assert sweep(NOW)[RULE] == 0  # not within a day any more
    assert sweep(NOW + timedelta(days=7))[RULE] == 1


def test_online_session_gives_its_link_and_a_same_day_one_says_today(ctx, org):
    session = schedule(org, starts=NOW + timedelta(hours=6), location="",
                       meeting_url="https://meet.example.com/coaching")
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    sweep(NOW)
    assert reminders() == {org.rep_a1a.id: "Coaching workshop is today at 15:00 UTC at "
                                           "https://meet.example.com/coaching"}


def test_threshold_comes_from_the_admin_setting(ctx, org):
    session = schedule(org, starts=NOW + timedelta(days=2, hours=3))
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    assert found() == set()
    db.session.add(ReminderSetting(rule=RULE, days_before=3, escalate_after_days=0))
    db.session.flush()
    assert found() == {(session.id, org.rep_a1a.id)}
    sweep(NOW)
    assert reminders()[org.rep_a1a.id].startswith("Coaching workshop is on Thursday 6 June at")


def test_candidates_are_one_query_and_the_sweep_does_not_grow(ctx, org, count_queries):
    sweep(NOW)  # the first sweep ever also records when it ran
    counts = []
    for size, hours in ((3, 20), (30, 22)):
        session = schedule(org, title=f"Workshop {size}", starts=NOW + timedelta(hours=hours),
                           capacity=50)
        for _ in range(size):
            person = factories.person(manager=org.manager_a1, password=None)
            live.register(person, session, by=person)
        limits = thresholds()[RULE]
        db.session.flush()
        with count_queries() as one:
            rows = candidates(RULES[RULE], limits, NOW, ZONES)
        assert len(rows) == size and one.count == 1
        with count_queries() as counter:
            assert sweep(NOW)[RULE] == size
        counts.append(counter.count)
    assert counts[0] == counts[1]
