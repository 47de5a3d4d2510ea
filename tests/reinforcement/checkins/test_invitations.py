"""Check-in emails carry an iTIP invitation: scheduled (REQUEST), cancelled (CANCEL), and
moved (a REQUEST for the new check-in, a CANCEL of the old one, one event per email).

Read as a mail client reads them (Python's ``email``), the invitations with icalendar and
vobject (``tests.ical_support``).
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from lms.calendar.feeds import events_for
from lms.db import utcnow
from lms.notify.models import Channel
from lms.notify.preferences import save_preferences
from reinforcement.checkins import services as checkins
from reinforcement.checkins.calendar import check_in_uid, invite
from tests.ical_support import invitation_in, mails_to, parse

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def org(org):
    """The shared organisation, with Rita on New York time."""
    org.rep_a1a.time_zone = "America/New_York"
    return org


def _at(days: float = 3):
    return (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)


def _only_event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_scheduling_a_check_in_emails_the_coachee_a_request(org):
    check_in = checkins.schedule_check_in(org.manager_a1, org.rep_a1a, _at(), 45,
                                          by=org.manager_a1)
    (mail,) = mails_to(org.rep_a1a)
    calendar = invitation_in(mail, org.rep_a1a.email)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _only_event(calendar)
    assert str(event["UID"]) == check_in_uid(check_in.id)
    assert event["ORGANIZER"].params["CN"] == "Dana Reyes via Cadence"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART").astimezone(UTC) == check_in.scheduled_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=45)
    feed = {e.uid: e for e in events_for(org.rep_a1a, utcnow())}
    assert feed[check_in_uid(check_in.id)].sequence == int(event["SEQUENCE"])
    assert mails_to(org.manager_a1) == []


def test_cancelling_sends_a_cancel_with_a_higher_sequence(org):
    check_in = checkins.schedule_check_in(org.manager_a1, org.rep_a1a, _at(), by=org.manager_a1)
    # Cancelled an hour after it was scheduled: the invitation sent back then.
    check_in.updated_at -= timedelta(hours=1)
    first = _only_event(parse(invite(check_in, org.rep_a1a)))
    checkins.cancel_check_in(check_in, by=org.manager_a1)
    calendar = invitation_in(mails_to(org.rep_a1a)[-1], org.rep_a1a.email)
    assert str(calendar["METHOD"]) == "CANCEL"
    event = _only_event(calendar)
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) > int(first["SEQUENCE"])
    assert event.decoded("LAST-MODIFIED") > first.decoded("LAST-MODIFIED")


def test_moving_sends_the_new_time_and_cancels_the_old_one(org):
    old = checkins.schedule_check_in(org.manager_a1, org.rep_a1a, _at(), by=org.manager_a1)
    moved = checkins.reschedule_check_in(old, _at(5), by=org.manager_a1)
    mails = mails_to(org.rep_a1a)[1:]
    assert len(mails) == 2
    by_method = {}
    for mail in mails:
        calendar = invitation_in(mail, org.rep_a1a.email)
        by_method[str(calendar["METHOD"])] = _only_event(calendar)
    assert str(by_method["REQUEST"]["UID"]) == check_in_uid(moved.id)
    assert by_method["REQUEST"].decoded("DTSTART").astimezone(UTC) == moved.scheduled_at
    assert str(by_method["CANCEL"]["UID"]) == check_in_uid(old.id)
    assert int(by_method["CANCEL"]["SEQUENCE"]) == old.sequence == 1
    feed = {e.uid: e for e in events_for(org.rep_a1a, utcnow())}
    assert feed[check_in_uid(old.id)].cancelled and not feed[check_in_uid(moved.id)].cancelled


def test_the_coachee_moving_it_sends_the_coach_the_invitations(org):
    old = checkins.schedule_check_in(org.manager_a1, org.rep_a1a, _at(), by=org.manager_a1)
    checkins.reschedule_check_in(old, _at(4), by=org.rep_a1a)
    methods = sorted(str(invitation_in(mail, org.manager_a1.email)["METHOD"])
                     for mail in mails_to(org.manager_a1))
    assert methods == ["CANCEL", "REQUEST"]


def test_check_in_invitations_follow_the_persons_preferences(org):
    save_preferences(org.rep_a1a, {checkins.SCHEDULED_KIND: Channel.IN_APP,
                                   checkins.CHANGED_KIND: Channel.IN_APP},
                     digest_hour=8, weekly_team_digest=False)
    check_in = checkins.schedule_check_in(org.manager_a1, org.rep_a1a, _at(), by=org.manager_a1)
    moved = checkins.reschedule_check_in(check_in, _at(4), by=org.manager_a1)
    checkins.cancel_check_in(moved, by=org.manager_a1)
    assert mails_to(org.rep_a1a) == []
