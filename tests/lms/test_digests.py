"""Daily and weekly team digests: once per local day or week, at the person's local hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from courses.services import enrolment
from lms.extensions import db
from lms.notify.digests import send_daily_digests, send_weekly_team_digests
from lms.notify.jobs import JOBS, PERIODIC
from lms.notify.models import (
    Channel,
    Notification,
    NotificationPreference,
    NotificationSettings,
    OutboxMessage,
)
from lms.notify.services import notify
from tests import factories

KIND = "test.digest"
# 2025-03-10 is a Monday; New York is on daylight time (UTC-4) since 9 March.
MONDAY = datetime(2025, 3, 10, tzinfo=UTC)


def _digest_person(zone: str = "America/New_York", hour: int = 8):
    person = factories.person(time_zone=zone)
    db.session.add_all([NotificationPreference(user_id=person.id, kind=KIND,
                                               channel=Channel.DIGEST),
                        NotificationSettings(user_id=person.id, digest_hour=hour)])
    db.session.flush()
    return person


def _emails(person, template_word: str = "digest") -> list[OutboxMessage]:
    return [m for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == person.id)
        .order_by(OutboxMessage.id)) if template_word in m.message_id]


def _pending(person) -> int:
    return len(db.session.scalars(select(Notification).where(
        Notification.recipient_id == person.id, Notification.digest_pending.is_(True))).all())


def test_daily_digest_waits_for_the_local_hour_then_lists_everything_once(ctx):
    person = _digest_person()
    notify(person, kind=KIND, subject="First thing")
    notify(person, kind=KIND, subject="Second thing")
    db.session.flush()
    assert _emails(person) == []  # nothing at once

    assert send_daily_digests(MONDAY + timedelta(hours=11, minutes=59)) == 0  # 07:59 local
    assert send_daily_digests(MONDAY + timedelta(hours=12, minutes=1)) == 1  # 08:01 local
    (email,) = _emails(person)
    assert "First thing" in email.body_text and "Second thing" in email.body_text
    assert "First thing" in email.body_html
    assert _pending(person) == 0
    assert db.session.get(NotificationSettings, person.id).last_daily_digest_at is not None

    assert send_daily_digests(MONDAY + timedelta(hours=13)) == 0  # idempotent
    assert len(_emails(person)) == 1


def test_a_later_item_waits_for_the_next_local_day(ctx):
    person = _digest_person()
    notify(person, kind=KIND, subject="Morning")
    send_daily_digests(MONDAY + timedelta(hours=13))
    notify(person, kind=KIND, subject="Afternoon")
    db.session.flush()
    # 23:30 local on Monday is already Tuesday in UTC; still Monday for the person.
    assert send_daily_digests(MONDAY + timedelta(days=1, hours=3, minutes=30)) == 0
    assert send_daily_digests(MONDAY + timedelta(days=1, hours=12, minutes=5)) == 1
    latest = _emails(person)[-1]
    assert "Afternoon" in latest.body_text and "Morning" not in latest.body_text


def test_digest_hour_follows_each_persons_zone(ctx):
    tokyo, new_york = _digest_person("Asia/Tokyo"), _digest_person("America/New_York")
    for person in (tokyo, new_york):
        notify(person, kind=KIND, subject="Hi")
    db.session.flush()
    assert send_daily_digests(MONDAY + timedelta(hours=5)) == 1  # 14:00 Tokyo, 01:00 NY
    assert len(_emails(tokyo)) == 1 and _emails(new_york) == []


def test_nobody_without_pending_items_gets_a_digest(ctx):
    person = _digest_person()
    assert send_daily_digests(MONDAY + timedelta(hours=20)) == 0
    assert _emails(person) == []


def _team(zone: str = "Europe/Berlin"):
    manager = factories.person(level="manager", time_zone=zone, name="Mona Manager")
    reps = [factories.person(manager=manager, name=f"Rep {n}") for n in range(2)]
    db.session.add(NotificationSettings(user_id=manager.id, weekly_team_digest=True,
                                        digest_hour=8))
    db.session.flush()
    return manager, reps


def test_weekly_team_digest_goes_monday_morning_once(ctx):
    manager, reps = _team()
    notify(reps[0], kind=KIND, subject="Unread", email=False)
    course = factories.course()
    late = enrolment.enrol(reps[1], course, by=manager, notify_person=False)
    late.due_at = MONDAY - timedelta(days=3)
    db.session.flush()

    assert send_weekly_team_digests(MONDAY + timedelta(hours=6, minutes=59)) == 0  # 07:59
    assert send_weekly_team_digests(MONDAY + timedelta(hours=7, minutes=1)) == 1
    (email,) = _emails(manager, "team-digest")
    assert "2 people" in email.body_text
    assert "Rep 0: 1" in email.body_text
    assert f"Rep 1: {course.title}" in email.body_text  # the courses section, overdue

    assert send_weekly_team_digests(MONDAY + timedelta(hours=9)) == 0
    assert len(_emails(manager, "team-digest")) == 1


def test_no_team_digest_on_other_days_or_without_opting_in(ctx):
    manager, _reps = _team()
    other = factories.person(level="manager")
    factories.person(manager=other)
    tuesday = MONDAY + timedelta(days=1, hours=10)
    assert send_weekly_team_digests(tuesday) == 0
    assert send_weekly_team_digests(MONDAY + timedelta(hours=10)) == 1
    assert _emails(other, "team-digest") == [] and len(_emails(manager, "team-digest")) == 1


def test_digests_are_registered_periodic_jobs():
    assert JOBS["daily_digests"] is send_daily_digests
    assert JOBS["weekly_team_digests"] is send_weekly_team_digests
    assert {"daily_digests", "weekly_team_digests"} <= set(PERIODIC)
