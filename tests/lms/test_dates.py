"""The date styles: one text per context, on the viewer's clock, near dates in words."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup

from lms.web import dates

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# Fixed "now": Tuesday 8 December 2026, 10:00 in Berlin.
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def test_absolute_styles_read_as_people_write_them():
    moment = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
    assert dates.format_date(moment, BERLIN) == "Tue 8 Dec 2026"
    assert dates.format_datetime(moment, BERLIN) == "Tue 8 Dec 2026, 14:00"
    assert dates.format_time(moment, BERLIN) == "14:00"
    assert dates.format_day(moment, BERLIN) == "8 Dec"
    assert dates.format_month(moment, BERLIN) == "December 2026"
    assert dates.full(moment, BERLIN) == "Tue 8 Dec 2026, 14:00 CET"


def test_the_same_wall_clock_hour_on_both_sides_of_a_dst_change():
    # Berlin leaves summer time on Sunday 25 October 2026: 14:00 is 12:00 UTC before, 13:00 after.
    before = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    after = datetime(2026, 10, 26, 13, 0, tzinfo=UTC)
    assert dates.format_datetime(before, BERLIN) == "Sat 24 Oct 2026, 14:00"
    assert dates.format_datetime(after, BERLIN) == "Mon 26 Oct 2026, 14:00"
    assert dates.full(before, BERLIN).endswith("CEST")
    assert dates.full(after, BERLIN).endswith("CET")


def test_a_moment_near_midnight_falls_on_the_viewers_day():
    late = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
    assert dates.format_date(late, BERLIN) == "Wed 9 Dec 2026"
    assert dates.format_date(late, NEW_YORK) == "Tue 8 Dec 2026"
    assert dates.format_date(late, dates.UTC_ZONE) == "Tue 8 Dec 2026"


def test_a_plain_date_is_never_shifted_by_the_zone():
    day = date(2026, 12, 8)
    assert dates.format_date(day, NEW_YORK) == dates.format_date(day, BERLIN) == "Tue 8 Dec 2026"


def test_naive_datetimes_are_taken_as_utc():
    assert dates.format_time(datetime(2026, 12, 8, 13, 0), BERLIN) == "14:00"


@pytest.mark.parametrize(("moment", "text"), [
    (datetime(2026, 12, 8, 13, 0, tzinfo=UTC), "today 14:00"),
    (datetime(2026, 12, 8, 22, 59, tzinfo=UTC), "today 23:59"),      # last minute of today
    (datetime(2026, 12, 8, 23, 0, tzinfo=UTC), "tomorrow 00:00"),    # first minute of tomorrow
    (datetime(2026, 12, 9, 8, 30, tzinfo=UTC), "tomorrow 09:30"),
    (datetime(2026, 12, 7, 15, 0, tzinfo=UTC), "yesterday 16:00"),
    (datetime(2026, 12, 7, 22, 59, tzinfo=UTC), "yesterday 23:59"),
    (datetime(2026, 12, 6, 22, 59, tzinfo=UTC), "2 days ago"),
    (datetime(2026, 12, 11, 9, 0, tzinfo=UTC), "in 3 days"),
    (datetime(2026, 12, 14, 22, 59, tzinfo=UTC), "in 6 days"),      # the last near day
    (datetime(2026, 12, 14, 23, 0, tzinfo=UTC), "Tue 15 Dec 2026, 00:00"),  # then absolute
    (datetime(2026, 12, 2, 9, 0, tzinfo=UTC), "6 days ago"),
    (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "Tue 1 Dec 2026, 10:00"),
])
def test_relative_words_at_their_boundaries(moment, text):
    assert dates.format_relative(moment, BERLIN, NOW) == text


def test_relative_days_count_on_the_viewers_calendar_not_utcs():
    # 01:00 UTC on the 9th is still the 8th in New York (20:00), but the 9th in Berlin.
    moment = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)
    now = datetime(2026, 12, 8, 20, 0, tzinfo=UTC)
    assert dates.format_relative(moment, NEW_YORK, now) == "today 20:00"
    assert dates.format_relative(moment, BERLIN, now) == "tomorrow 02:00"


def test_relative_dates_have_no_time():
    assert dates.format_relative(date(2026, 12, 9), BERLIN, NOW) == "tomorrow"
    assert dates.format_relative(date(2026, 12, 8), BERLIN, NOW) == "today"
    assert dates.format_relative(date(2026, 12, 5), BERLIN, NOW) == "3 days ago"
    assert dates.format_relative(date(2026, 12, 20), BERLIN, NOW) == "Sun 20 Dec 2026"


def test_unknown_or_empty_zone_names_mean_utc():
    assert dates.zone_named("Not/AZone").key == "UTC"
    assert dates.zone_named("").key == "UTC"
    assert dates.zone_named("Europe/Berlin") == BERLIN


def test_a_persons_zone_is_their_profiles_and_utc_for_a_visitor_or_an_unknown_zone():
    from flask_login import AnonymousUserMixin

    from lms.web.templating import person_zone

    assert person_zone(SimpleNamespace(time_zone="Europe/Berlin")) == BERLIN
    assert person_zone(SimpleNamespace(time_zone="Not/AZone")).key == "UTC"
    assert person_zone(AnonymousUserMixin()).key == "UTC"
    assert person_zone(None).key == "UTC"


def test_relative_filter_keeps_the_full_date_in_a_time_element(app):
    from lms.web.templating import relative
    moment = datetime(2026, 12, 9, 8, 30, tzinfo=UTC)
    with app.test_request_context():
        html = relative(moment, now=NOW)
    assert isinstance(html, Markup)
    assert html == ('<time datetime="2026-12-09T08:30+00:00" '
                    'title="Wed 9 Dec 2026, 08:30 UTC">tomorrow 08:30</time>')


def test_a_span_keeps_the_zone_and_names_the_end_day_only_when_it_differs():
    start = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
    assert dates.format_span(start, start.replace(hour=14, minute=30), BERLIN) == (
        "Tue 8 Dec 2026, 14:00–15:30 CET")
    # 22:00–00:30 UTC ends on the next day in Berlin and on the same day in New York.
    late, past_midnight = start.replace(hour=22), datetime(2026, 12, 9, 0, 30, tzinfo=UTC)
    assert dates.format_span(late, past_midnight, BERLIN) == (
        "Tue 8 Dec 2026, 23:00–Wed 9 Dec 2026, 01:30 CET")
    assert dates.format_span(late, past_midnight, NEW_YORK) == (
        "Tue 8 Dec 2026, 17:00–19:30 EST")
