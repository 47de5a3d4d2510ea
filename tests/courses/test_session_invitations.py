"""Registration, change and cancellation emails of live sessions carry an iTIP invitation.

Each email is read as a mail client reads it (Python's ``email`` package) and its
invitation with icalendar and vobject (``tests.ical_support``).
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from courses.live import services as live
from courses.live.ics import invite, session_uid
from courses.live.models import RegistrationStatus
from lms.calendar.feeds import events_for
from lms.db import utcnow
from lms.notify.models import Channel
from lms.notify.preferences import save_preferences
from tests import factories
from tests.ical_support import invitation_in, mails_to, parse

pytestmark = pytest.mark.usefixtures("ctx")


def _session(org, *, capacity=30, **fields):
    starts = utcnow().replace(microsecond=0) + timedelta(days=6)
    data = live.SessionData(title="Pricing lab", starts_at=starts, capacity=capacity,
                            ends_at=starts + timedelta(hours=2), location="Room 4, Lyon",
                            **fields)
    return live.create_session(data, by=org.admin)


def _data(session, **changes):
    fields = {"title": session.title, "starts_at": session.starts_at,
              "ends_at": session.ends_at, "capacity": session.capacity,
              "location": session.location}
    fields.update(changes)
    return live.SessionData(**fields)


def _event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_registering_emails_a_request_with_the_feeds_uid(org):
    org.rep_a1a.time_zone = "Europe/Paris"
    fran = factories.person(level="manager", is_facilitator=True, name="Fran Facilitator")
    session = _session(org, facilitator=fran)
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    (mail,) = mails_to(org.rep_a1a)
    calendar = invitation_in(mail, org.rep_a1a.email)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _event(calendar)
    assert event["ORGANIZER"].params["CN"] == "Fran Facilitator via Cadence"
    assert str(event["ORGANIZER"]) == "mailto:cadence@localhost"  # MAIL_SENDER
    assert str(event["UID"]) == session_uid(session.id)
    assert str(event["LOCATION"]) == "Room 4, Lyon"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART").astimezone(UTC) == session.starts_at
    assert event.decoded("DTEND").astimezone(UTC) == session.ends_at
    feed = {e.uid: e for e in events_for(org.rep_a1a, utcnow())}
    assert feed[session_uid(session.id)].sequence == int(event["SEQUENCE"])


def test_a_manager_registering_someone_sends_them_the_invitation(org):
    session = _session(org)
    live.register(org.rep_a1a, session, by=org.manager_a1)
    (mail,) = mails_to(org.rep_a1a)
    assert str(invitation_in(mail, org.rep_a1a.email)["METHOD"]) == "REQUEST"
    assert mails_to(org.manager_a1) == []


def test_a_change_sends_a_request_with_a_higher_sequence_and_a_new_last_modified(org):
    session = _session(org)
    registration = live.register(org.rep_a1a, session, by=org.rep_a1a)
    # The change comes an hour after the registration: the invitation sent back then.
    an_hour_ago = utcnow() - timedelta(hours=1)
    session.updated_at = registration.registered_at = registration.changed_at = an_hour_ago
    first = _event(parse(invite(registration)))
    later = session.starts_at + timedelta(days=1)
    live.update_session(session, _data(session, starts_at=later,
                                       ends_at=later + timedelta(hours=2),
                                       location="Room 9"), by=org.admin)
    changed = invitation_in(mails_to(org.rep_a1a)[-1], org.rep_a1a.email)
    assert str(changed["METHOD"]) == "REQUEST"
    event = _event(changed)
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) > int(first["SEQUENCE"])
    assert event.decoded("LAST-MODIFIED") > first.decoded("LAST-MODIFIED")
    assert event.decoded("DTSTART").astimezone(UTC) == later
    assert str(event["LOCATION"]) == "Room 9"


def test_cancelling_the_session_sends_cancel_to_the_registered_not_the_waiting(org):
    session = _session(org, capacity=1)
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    live.register(org.rep_a1b, session, by=org.rep_a1b)  # waitlisted: no invitation
    assert mails_to(org.rep_a1b) == []
    before = _event(invitation_in(mails_to(org.rep_a1a)[0], org.rep_a1a.email))
    live.cancel_session(session, by=org.admin)
    cancel = invitation_in(mails_to(org.rep_a1a)[-1], org.rep_a1a.email)
    assert str(cancel["METHOD"]) == "CANCEL"
    event = _event(cancel)
    assert str(event["UID"]) == str(before["UID"])
    assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])
    for mail in mails_to(org.rep_a1b):  # told, as before, but nothing to cancel
        assert not [p for p in mail.walk() if p.get_content_type() == "text/calendar"]


def test_cancelling_a_registration_sends_cancel_and_the_promoted_person_a_request(org):
    session = _session(org, capacity=1)
    mine = live.register(org.rep_a1a, session, by=org.rep_a1a)
    waiting = live.register(org.rep_a1b, session, by=org.rep_a1b)
    an_hour_ago = utcnow().replace(microsecond=0) - timedelta(hours=1)
    session.updated_at = waiting.registered_at = waiting.changed_at = an_hour_ago
    registered = _event(invitation_in(mails_to(org.rep_a1a)[0], org.rep_a1a.email))
    promoted = live.cancel_registration(mine, by=org.rep_a1a)
    assert promoted.status == RegistrationStatus.REGISTERED
    cancel = invitation_in(mails_to(org.rep_a1a)[-1], org.rep_a1a.email)
    assert str(cancel["METHOD"]) == "CANCEL"
    assert int(_event(cancel)["SEQUENCE"]) > int(registered["SEQUENCE"])
    feed = {e.uid: e for e in events_for(org.rep_a1a, utcnow())}
    assert feed[session_uid(session.id)].cancelled
    assert feed[session_uid(session.id)].sequence == int(_event(cancel)["SEQUENCE"])
    (seat,) = mails_to(org.rep_a1b)
    seat = invitation_in(seat, org.rep_a1b.email)
    assert str(seat["METHOD"]) == "REQUEST"
    assert _event(seat).decoded("LAST-MODIFIED") > an_hour_ago  # the promotion is a change

    live.register(org.rep_a1a, session, by=org.rep_a1a)  # back, on the waitlist now
    live.cancel_registration(promoted, by=org.rep_a1b)
    again = invitation_in(mails_to(org.rep_a1a)[-1], org.rep_a1a.email)
    assert str(again["METHOD"]) == "REQUEST"
    assert int(_event(again)["SEQUENCE"]) > int(_event(cancel)["SEQUENCE"])


def test_invitations_follow_the_persons_preferences(org):
    save_preferences(org.rep_a1a, {"session.registered": Channel.IN_APP,
                                   "session.changed": Channel.IN_APP},
                     digest_hour=8, weekly_team_digest=False)
    session = _session(org)
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    live.cancel_session(session, by=org.admin)
    assert mails_to(org.rep_a1a) == []
