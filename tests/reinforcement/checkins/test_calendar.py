"""Check-ins and action items in the calendar: the .ics download and the personal feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.calendar import services as feeds_service
from lms.calendar.feeds import events_for
from lms.db import utcnow
from lms.extensions import db
from reinforcement.checkins import services as checkins
from reinforcement.checkins.calendar import action_item_uid, check_in_uid
from reinforcement.checkins.models import CheckInStatus
from tests.ical_support import parse
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.usefixtures("ctx")


def events(calendar_bytes: bytes) -> list:
    return list(parse(calendar_bytes).walk("VEVENT"))


def mine(person) -> dict:
    return {event.uid: event for event in events_for(person, utcnow())}


def test_the_ics_download_is_written_in_the_viewers_zone_and_titled_for_them(client, login,
                                                                               org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=3, minutes=45,
                             agenda=("Pipeline review",))
    org.rep_a1a.time_zone = "America/New_York"
    db.session.commit()
    login(org.rep_a1a)
    response = client.get(f"/reinforcement/check-ins/{check_in.id}/check-in.ics")
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = events(response.data)
    assert str(event["UID"]) == check_in_uid(check_in.id)
    assert check_in_uid(check_in.id) == f"check-in-{check_in.id}@cadence.test"
    assert str(event["SUMMARY"]) == "Check-in with Dana Reyes"
    assert event.decoded("DTSTART") == check_in.scheduled_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=45)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert "Pipeline review" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_coach_sees_the_coachee_in_the_title_and_the_same_uid(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=3)
    db.session.commit()
    login(org.manager_a1)
    (event,) = events(client.get(f"/reinforcement/check-ins/{check_in.id}/check-in.ics").data)
    assert str(event["SUMMARY"]) == "Check-in with Rita Rep"
    assert str(event["UID"]) == check_in_uid(check_in.id)


def test_coach_and_coachee_both_have_the_check_in_in_their_feed(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=3)
    uid = check_in_uid(check_in.id)
    assert uid in mine(org.manager_a1) and uid in mine(org.rep_a1a)
    assert uid not in mine(org.rep_a1b) and uid not in mine(org.leader_a)


def test_a_cancelled_check_in_stays_in_the_feed_as_cancelled_with_a_new_sequence(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=3)
    checkins.cancel_check_in(check_in, by=org.manager_a1)
    event = mine(org.rep_a1a)[check_in_uid(check_in.id)]
    assert event.cancelled and event.sequence == 1


def test_a_moved_check_in_is_cancelled_and_its_replacement_is_a_new_event(org):
    old = make.check_in(org.manager_a1, org.rep_a1a, days=3)
    moved = checkins.reschedule_check_in(old, old.scheduled_at + timedelta(days=2),
                                         by=org.manager_a1)
    feed = mine(org.manager_a1)
    assert feed[check_in_uid(old.id)].cancelled and feed[check_in_uid(old.id)].sequence == 1
    new = feed[check_in_uid(moved.id)]
    assert not new.cancelled and new.start == moved.scheduled_at


def test_old_check_ins_leave_the_feed(org):
    old = make.check_in(org.manager_a1, org.rep_a1a, days=-45, status=CheckInStatus.HELD)
    recent = make.check_in(org.manager_a1, org.rep_a1a, days=-5, status=CheckInStatus.HELD)
    feed = mine(org.rep_a1a)
    assert check_in_uid(old.id) not in feed and check_in_uid(recent.id) in feed


def test_open_action_items_are_all_day_events_for_their_owner_done_ones_cancelled(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-1, status=CheckInStatus.HELD)
    due = date.today() + timedelta(days=4)
    open_item = make.action_item(check_in, org.rep_a1a, due_on=due, title="Send proposal")
    done_item = make.action_item(check_in, org.rep_a1a, due_on=due, title="Done", done=True)
    coach_item = make.action_item(check_in, org.manager_a1, due_on=due, title="Coach's own")
    feed = mine(org.rep_a1a)
    event = feed[action_item_uid(open_item.id)]
    assert event.start == due and event.summary == "Due: Send proposal" and not event.cancelled
    assert feed[action_item_uid(done_item.id)].cancelled
    assert action_item_uid(coach_item.id) not in feed
    assert action_item_uid(coach_item.id) in mine(org.manager_a1)


def test_the_private_feed_carries_check_ins_and_action_items(client, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=3)
    item = make.action_item(check_in, org.rep_a1a, due_on=date.today() + timedelta(days=5))
    _token, secret = feeds_service.create_feed(org.rep_a1a)
    db.session.commit()
    response = client.get(f"/calendar/{secret}.ics")
    uids = {str(event["UID"]) for event in events(response.data)}
    assert {check_in_uid(check_in.id), action_item_uid(item.id)} <= uids
