"""Calendar feeds: the RFC 5545 writer, private tokens and course due dates as events."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from courses.calendar import due_uid
from courses.services import enrolment
from lms.calendar import feeds
from lms.calendar.services import create_feed, revoke_feed
from lms.db import utcnow
from lms.extensions import db
from tests import factories
from tests.ical_support import assert_wellformed, parse

STAMP = datetime(2025, 3, 1, 12, tzinfo=UTC)


# --- the builder ------------------------------------------------------------------------------

def test_text_with_commas_semicolons_backslashes_and_newlines_round_trips():
    summary = "a,b;c\\d\ne"
    text = feeds.render([feeds.Event(uid="e@x", summary=summary, start=STAMP)], zone=None,
                        name="T", stamp=STAMP)
    assert "SUMMARY:a\\,b\\;c\\\\d\\ne\r\n" in text
    (event,) = parse(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    summary = "é" * 100
    text = feeds.render([feeds.Event(uid="e@x", summary=summary, start=STAMP)], zone=None,
                        name="T", stamp=STAMP)
    assert_wellformed(text)
    assert "\r\n " in text
    (event,) = parse(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary


def test_written_calendar_parses_with_zones_and_round_trips_text():
    zone = ZoneInfo("Europe/Paris")
    start = datetime(2025, 7, 1, 15, 30, tzinfo=UTC)  # 17:30 in Paris (summer time)
    events = [feeds.Event(uid="x-1@cadence.test", summary="Due: Pricing, part 2; \\ hard",
                          start=start, description="Line one\nLine two " + "long " * 30),
              feeds.Event(uid="x-2@cadence.test", summary="All day", start=date(2025, 12, 1))]
    text = feeds.render(events, zone=zone, name="Test", stamp=STAMP)
    assert "DTSTART;TZID=Europe/Paris:20250701T173000" in text
    parsed = parse(text)
    (tz,) = parsed.walk("VTIMEZONE")
    assert {sub.name for sub in tz.subcomponents} >= {"STANDARD", "DAYLIGHT"}
    first, second = parsed.walk("VEVENT")
    assert first.decoded("DTSTART").astimezone(UTC) == start
    assert str(first["SUMMARY"]) == "Due: Pricing, part 2; \\ hard"
    assert str(first["DESCRIPTION"]).startswith("Line one\nLine two long")
    assert second.decoded("DTSTART") == date(2025, 12, 1)


def test_vtimezone_observances_start_at_the_wall_clock_time_before_the_change():
    zone = ZoneInfo("Europe/Paris")
    text = feeds.render([feeds.Event(uid="e@x", summary="S", start=STAMP)], zone=zone,
                        name="T", stamp=STAMP)
    # Summer time begins at 02:00 winter time on 30 March 2025 (01:00 UTC), RFC 5545 3.6.5.
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\n" in text
    calendar = vobject.readOne(text)
    assert calendar.vevent.dtstart.value.utcoffset() == timedelta(hours=1)
    summer = datetime(2025, 3, 30, 1, 30, tzinfo=UTC)  # 03:30 summer time
    text = feeds.render([feeds.Event(uid="e@x", summary="S", start=summer)], zone=zone,
                        name="T", stamp=STAMP)
    assert "DTSTART;TZID=Europe/Paris:20250330T033000" in text
    assert vobject.readOne(text).vevent.dtstart.value.astimezone(UTC) == summer
    (event,) = parse(text).walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == summer


def test_vtimezone_transitions_match_the_zone():
    onsets = feeds.transitions(ZoneInfo("Europe/Paris"), datetime(2025, 1, 1, tzinfo=UTC),
                               datetime(2026, 1, 1, tzinfo=UTC))
    assert onsets == [datetime(2025, 3, 30, 1, tzinfo=UTC), datetime(2025, 10, 26, 1, tzinfo=UTC)]


def test_utc_people_get_utc_times_and_no_vtimezone():
    text = feeds.render([feeds.Event(uid="u@x", summary="S", start=STAMP)], zone=None,
                        name="T", stamp=STAMP)
    assert "DTSTART:20250301T120000Z" in text and "VTIMEZONE" not in text


# --- feeds over HTTP --------------------------------------------------------------------------

@pytest.fixture
def learner(session):
    return factories.person(time_zone="America/New_York")


def _enrolled(person, days: int = 7):
    course = factories.course(title="Objection handling")
    taken = enrolment.enrol(person, course, by=person, notify_person=False)
    taken.due_at = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    db.session.flush()
    return taken


def _feed(app, secret: str):
    return app.test_client().get(f"/calendar/{secret}.ics")


def _events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    return {str(e["UID"]): e for e in parse(response.get_data(as_text=True)).walk("VEVENT")}


def test_feed_page_shows_the_address_once_and_it_serves_the_due_dates(app, client, login,
                                                                       learner):
    taken = _enrolled(learner)
    login(learner)
    page = client.post("/calendar/feed").get_data(as_text=True)
    url = re.search(r'id="feed-url">([^<]+)<', page).group(1)
    assert url.startswith("https://cadence.test/calendar/")
    assert 'id="feed-url"' not in client.get("/calendar").get_data(as_text=True)

    events = _events(_feed(app, url.rsplit("/", 1)[1].removesuffix(".ics")))
    event = events[due_uid(taken.id)]
    assert str(event["SUMMARY"]) == "Due: Objection handling"
    assert event.decoded("DTSTART").astimezone(UTC) == taken.due_at
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_uids_are_stable_across_fetches(app, learner):
    taken = _enrolled(learner)
    _token, secret = create_feed(learner)
    db.session.commit()
    first, second = _events(_feed(app, secret)), _events(_feed(app, secret))
    assert set(first) == set(second) == {f"enrollment-{taken.id}-due@cadence.test"}


def test_wrong_token_is_404(app, learner):
    create_feed(learner)
    db.session.commit()
    assert _feed(app, "not-a-real-token").status_code == 404


def test_revoked_and_rotated_tokens_are_404(app, learner):
    _token, old = create_feed(learner)
    _token, new = create_feed(learner)  # rotating revokes the old address
    db.session.commit()
    assert _feed(app, old).status_code == 404 and _feed(app, new).status_code == 200
    revoke_feed(learner)
    db.session.commit()
    assert _feed(app, new).status_code == 404


def test_revoke_button_ends_the_feed(app, client, login, learner):
    _token, secret = create_feed(learner)
    db.session.commit()
    login(learner)
    assert client.post("/calendar/feed/revoke").status_code == 302
    assert _feed(app, secret).status_code == 404


def test_a_deactivated_persons_feed_is_404(app, learner):
    _token, secret = create_feed(learner)
    learner.is_active = False
    db.session.commit()
    assert _feed(app, secret).status_code == 404


def test_unenrolling_sends_a_cancelled_event_for_30_days(app, learner):
    taken = _enrolled(learner)
    _token, secret = create_feed(learner)
    db.session.commit()
    before = _events(_feed(app, secret))[due_uid(taken.id)]
    enrolment.unenrol(taken, by=learner)
    taken.withdrawn_at = utcnow() + timedelta(minutes=5)  # a later change than the enrolment
    db.session.commit()
    after = _events(_feed(app, secret))[due_uid(taken.id)]
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    taken.withdrawn_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert due_uid(taken.id) not in _events(_feed(app, secret))


def test_single_event_download_reuses_the_writer(client, login, learner):
    taken = _enrolled(learner)
    login(learner)
    response = client.get(f"/calendar/events/{due_uid(taken.id)}.ics")
    events = _events(response)
    assert list(events) == [due_uid(taken.id)]


def test_someone_elses_event_cannot_be_downloaded(client, login, learner):
    taken = _enrolled(factories.person())
    login(learner)
    assert client.get(f"/calendar/events/{due_uid(taken.id)}.ics").status_code == 404


def test_calendar_page_lists_upcoming_due_dates_with_downloads(client, login, learner):
    taken = _enrolled(learner)
    login(learner)
    page = client.get("/calendar").get_data(as_text=True)
    assert "Due: Objection handling" in page
    assert f"/calendar/events/{due_uid(taken.id)}.ics" in page
