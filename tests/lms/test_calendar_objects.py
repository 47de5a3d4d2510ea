"""Every calendar object comes from the icalendar library and reads the same in two parsers.

Feeds, single-event downloads (sessions, check-ins, due dates) go through one builder; an
object that is icalendar's own serialization re-serializes to itself byte for byte, which
no hand-written writer did (it ordered and folded properties its own way).
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import icalendar

from courses.calendar import due_uid
from courses.live import services as live
from courses.live.ics import session_uid
from courses.services import enrolment
from lms.calendar.services import create_feed
from lms.db import utcnow
from lms.extensions import db
from reinforcement.checkins.calendar import check_in_uid
from tests import factories
from tests.ical_support import parse
from tests.reinforcement.checkins import factories as make

ROOT = Path(__file__).resolve().parents[2]


def _session(org, **fields):
    starts = utcnow().replace(microsecond=0) + timedelta(days=5)
    data = live.SessionData(title=fields.pop("title", "Pricing lab"), starts_at=starts,
                            ends_at=starts + timedelta(hours=2), **fields)
    return live.create_session(data, by=org.admin)


def _own_serialization(data: bytes) -> icalendar.Calendar:
    parsed = parse(data)
    assert parsed.to_ical() == data
    return parsed


def test_icalendar_is_a_main_dependency_and_a_second_parser_is_pinned_for_tests():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "icalendar==7.3.0" in project["dependencies"]
    assert any(pin.startswith("vobject==") for pin in project["optional-dependencies"]["test"])


def _calendar_of_a_rep(org, zone: str):
    """A rep in ``zone`` with a due course, a session seat, a check-in and a feed (committed)."""
    org.rep_a1a.time_zone = zone
    course = factories.course(title="Discovery")
    taken = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a, notify_person=False)
    taken.due_at = (utcnow() + timedelta(days=9)).replace(microsecond=0)
    session = _session(org, location="Room 4, Berlin office")
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=3)
    _token, secret = create_feed(org.rep_a1a)
    db.session.commit()
    return taken, session, check_in, secret


def test_feed_and_every_download_are_the_builders_output(app, client, login, org):
    taken, session, check_in, secret = _calendar_of_a_rep(org, "Europe/Berlin")

    feed = _own_serialization(app.test_client().get(f"/calendar/{secret}.ics").data)
    uids = {str(event["UID"]) for event in feed.walk("VEVENT")}
    assert {due_uid(taken.id), session_uid(session.id), check_in_uid(check_in.id)} <= uids
    login(org.rep_a1a)
    for path in (f"/courses/sessions/{session.id}/invite.ics",
                 f"/reinforcement/check-ins/{check_in.id}/check-in.ics",
                 f"/calendar/events/{due_uid(taken.id)}.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert len(_own_serialization(response.data).walk("VEVENT")) == 1


def test_sessions_and_check_ins_block_time_with_their_place_and_due_dates_do_not(org):
    taken, session, check_in, secret = _calendar_of_a_rep(org, "America/New_York")

    from flask import current_app
    data = current_app.test_client().get(f"/calendar/{secret}.ics").data
    events = {str(event["UID"]): event for event in parse(data).walk("VEVENT")}
    assert str(events[session_uid(session.id)]["TRANSP"]) == "OPAQUE"
    assert str(events[session_uid(session.id)]["LOCATION"]) == "Room 4, Berlin office"
    assert str(events[check_in_uid(check_in.id)]["TRANSP"]) == "OPAQUE"
    assert str(events[due_uid(taken.id)]["TRANSP"]) == "TRANSPARENT"
