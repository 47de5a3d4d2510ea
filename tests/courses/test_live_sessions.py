"""Live sessions: scheduling refusals, registration with a waitlist, pages and the .ics."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from courses.live import services as live
from courses.live.models import LiveSession, Registration, RegistrationStatus
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.models import Notification
from tests import factories
from tests.ical_support import parse


@pytest.fixture
def facilitator(session):
    return factories.person(level="manager", is_facilitator=True, name="Fran Facilitator")


def data(facilitator=None, *, hours=2, start_in=timedelta(days=7), **fields):
    starts = utcnow().replace(microsecond=0) + start_in
    fields.setdefault("segments", [("Opening by the VP", 15), ("Practice", 60)])
    return live.SessionData(title=fields.pop("title", "Coaching rhythm"), starts_at=starts,
                            ends_at=starts + timedelta(hours=hours), facilitator=facilitator,
                            **fields)


def make(by, facilitator=None, **fields) -> LiveSession:
    return live.create_session(data(facilitator, **fields), by=by)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("fields", "message"), [
    ({"hours": 0}, "The session must end after it starts."),
    ({"capacity": 0}, "Capacity must be at least 1 seat."),
    ({"hours": 1}, "The agenda takes 75 minutes but the session lasts only 60."),
])
def test_bad_sessions_are_refused_and_nothing_written(ctx, org, facilitator, fields, message):
    before = count(LiveSession)
    with pytest.raises(ValidationError, match=message):
        make(org.admin, facilitator, **fields)
    assert count(LiveSession) == before


def test_overlapping_sessions_for_one_facilitator_are_refused(ctx, org, facilitator):
    make(org.admin, facilitator, title="First")
    with pytest.raises(ValidationError, match="already facilitates “First” at that time"):
        make(org.admin, facilitator, title="Second", start_in=timedelta(days=7, hours=1))
    assert count(LiveSession) == 1
    make(org.admin, facilitator, title="Later", start_in=timedelta(days=7, hours=2))


def test_waitlist_promotes_in_registration_order(ctx, org):
    session = make(org.admin, capacity=1)
    first = live.register(org.rep_a1a, session, by=org.rep_a1a)
    second = live.register(org.rep_a1b, session, by=org.rep_a1b)
    second.registered_at = utcnow() - timedelta(minutes=5)  # earlier than the third
    third = live.register(org.rep_a2a, session, by=org.rep_a2a)
    third.registered_at = utcnow()
    assert first.status == RegistrationStatus.REGISTERED
    assert (second.status, third.status) == (RegistrationStatus.WAITLISTED,) * 2
    assert (live.waitlist_position(second), live.waitlist_position(third)) == (1, 2)
    promoted = live.cancel_registration(first, by=org.rep_a1a)
    assert promoted is second and second.status == RegistrationStatus.REGISTERED
    assert third.status == RegistrationStatus.WAITLISTED
    told = db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id == org.rep_a1b.id)).all()
    assert "session.promoted" in told


def test_a_manager_registers_their_team_but_not_another_branch(ctx, org):
    session = make(org.admin)
    registration = live.register(org.rep_a1a, session, by=org.manager_a1)
    assert registration.registered_by_id == org.manager_a1.id
    with pytest.raises(NotAllowedError):
        live.register(org.rep_b1a, session, by=org.manager_a1)
    with pytest.raises(ValidationError, match="already registered"):
        live.register(org.rep_a1a, session, by=org.rep_a1a)


def test_cancelling_a_session_notifies_and_moves_the_sequence(ctx, org):
    session = make(org.admin)
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    live.cancel_session(session, by=org.admin)
    assert session.sequence == 1
    assert db.session.scalar(select(Notification).where(
        Notification.recipient_id == org.rep_a1a.id, Notification.kind == "session.changed"))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.cancel"))


def test_full_session_page_puts_a_person_on_the_waitlist(client, login, org):
    session = make(org.admin, capacity=1)
    live.register(org.rep_a1b, session, by=org.rep_a1b)
    login(org.rep_a1a)
    response = client.post(f"/courses/sessions/{session.id}/register", follow_redirects=True)
    assert response.status_code == 200
    assert "number 1 on the waitlist" in response.get_data(as_text=True)
    assert db.session.scalar(select(Registration.status).where(
        Registration.user_id == org.rep_a1a.id)) == RegistrationStatus.WAITLISTED


def test_admin_creates_a_session_through_the_form(client, login, org, facilitator):
    login(org.admin)
    response = client.post("/courses/sessions/new", data={
        "title": "Opening", "starts_at": "2031-05-01T09:00", "ends_at": "2031-05-01T11:00",
        "time_zone": "Europe/Berlin", "facilitator": facilitator.id, "capacity": 20,
        "attended_threshold": 90, "segments": "15 Opening by the VP\n60 Practice"})
    assert response.status_code == 302
    created = db.session.scalar(select(LiveSession).where(LiveSession.title == "Opening"))
    assert created.starts_at.astimezone(UTC).hour == 7  # 09:00 in Berlin summer time
    assert [s.title for s in created.segments] == ["Opening by the VP", "Practice"]


def test_session_pages_show_times_in_the_viewers_zone(client, login, org):
    session = make(org.admin, title="Zoned")
    org.rep_a1a.time_zone = "Asia/Tokyo"
    db.session.flush()
    login(org.rep_a1a)
    page = client.get("/courses/sessions").get_data(as_text=True)
    tokyo = ZoneInfo("Asia/Tokyo")
    start, end = session.starts_at.astimezone(tokyo), session.ends_at.astimezone(tokyo)
    until = (f"{end:%H:%M}" if start.date() == end.date()  # the end's day when it differs
             else f"{end:%a} {end.day} {end:%b %Y}, {end:%H:%M}")
    assert "Zoned" in page
    assert f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}–{until} JST" in page
    assert "Register" in client.get(f"/courses/sessions/{session.id}").get_data(as_text=True)


def test_ics_download_parses_with_time_zone(client, login, org):
    session = make(org.admin, title="Invite me")
    org.rep_a1a.time_zone = "America/New_York"
    db.session.flush()
    login(org.rep_a1a)
    response = client.get(f"/courses/sessions/{session.id}/invite.ics")
    assert response.mimetype == "text/calendar"
    (event,) = parse(response.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Invite me"
    assert event.decoded("DTSTART") == session.starts_at
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert "Opening by the VP" in str(event["DESCRIPTION"])


def test_registered_sessions_appear_in_the_calendar_feed(ctx, org):
    from lms.calendar.feeds import events_for
    session = make(org.admin, title="In my feed")
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    assert "In my feed" in [event.summary for event in events_for(org.rep_a1a, utcnow())]
    assert "In my feed" not in [event.summary for event in events_for(org.rep_a1b, utcnow())]
