"""Check-in slots and rescheduling: pure date arithmetic, daylight-saving changes included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from lms.web.dates import zone_named
from reinforcement.plans import scheduling
from reinforcement.plans.scheduling import Existing, reconcile

BERLIN = ZoneInfo("Europe/Berlin")  # summer time 2030-03-31 .. 2030-10-27
NEW_YORK = ZoneInfo("America/New_York")  # daylight time 2030-03-10 .. 2030-11-03
NINE = time(9, 0)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local_clock(times, zone) -> set[str]:
    return {at.astimezone(zone).strftime("%H:%M") for at in times}


# --- the slots of a plan ----------------------------------------------------------------------

def test_weekly_plan_meets_once_a_week_from_the_start_date():
    times = scheduling.check_in_times(date(2030, 1, 7), 12, "weekly", NINE, "UTC")

    assert len(times) == 12
    assert times[0] == utc(2030, 1, 7, 9, 0)
    assert times[-1] == utc(2030, 3, 25, 9, 0)
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {timedelta(days=7)}


def test_biweekly_plan_meets_half_as_often_within_the_same_weeks():
    times = scheduling.check_in_times(date(2030, 1, 7), 12, "biweekly", NINE, "UTC")

    assert len(times) == 6
    assert times[-1] == utc(2030, 3, 18, 9, 0)
    assert scheduling.check_in_times(date(2030, 1, 7), 1, "biweekly", NINE, "UTC") == [
        utc(2030, 1, 7, 9, 0)]


def test_nine_oclock_stays_nine_oclock_when_summer_time_starts():
    times = scheduling.check_in_times(date(2030, 3, 18), 4, "weekly", NINE, BERLIN)

    # 09:00 CET is 08:00 UTC; after 31 March, 09:00 CEST is 07:00 UTC.
    assert times == [utc(2030, 3, 18, 8), utc(2030, 3, 25, 8), utc(2030, 4, 1, 7),
                     utc(2030, 4, 8, 7)]
    assert local_clock(times, BERLIN) == {"09:00"}


def test_nine_oclock_stays_nine_oclock_when_daylight_time_ends():
    times = scheduling.check_in_times(date(2030, 10, 28), 2, "weekly", NINE, NEW_YORK)

    assert times == [utc(2030, 10, 28, 13), utc(2030, 11, 4, 14)]
    assert local_clock(times, NEW_YORK) == {"09:00"}


def test_a_time_skipped_by_the_clocks_lands_after_the_change():
    [at] = scheduling.check_in_times(date(2030, 3, 10), 1, "weekly", time(2, 30), NEW_YORK)

    assert at == utc(2030, 3, 10, 7, 30)
    assert at.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:30 EDT"


def test_a_repeated_time_is_its_first_occurrence():
    [at] = scheduling.check_in_times(date(2030, 11, 3), 1, "weekly", time(1, 30), NEW_YORK)

    assert at == utc(2030, 11, 3, 5, 30)  # 01:30 EDT, not 01:30 EST an hour later


def test_a_zone_name_nobody_knows_falls_back_to_utc():
    assert zone_named("Mars/Olympus_Mons") == ZoneInfo("UTC")
    assert zone_named("") == ZoneInfo("UTC")
    assert scheduling.check_in_times(date(2030, 1, 7), 1, "weekly", NINE,
                                     "Nowhere/City") == [utc(2030, 1, 7, 9)]


@pytest.mark.parametrize("text", ["", "9", "25:00", "09:60", "nine", "09:00:00", "-1:00"])
def test_times_of_day_other_than_hh_mm_are_refused(text):
    with pytest.raises(ValueError):
        scheduling.parse_local_time(text)


def test_times_of_day_are_read_with_one_or_two_digit_hours():
    assert scheduling.parse_local_time("09:30") == time(9, 30)
    assert scheduling.parse_local_time(" 7:05 ") == time(7, 5)
    assert scheduling.parse_local_time("23:59") == time(23, 59)


def test_an_unknown_cadence_or_no_weeks_is_an_error():
    with pytest.raises(ValueError):
        scheduling.every_days("monthly")
    with pytest.raises(ValueError):
        scheduling.check_in_times(date(2030, 1, 7), 0, "weekly", NINE, "UTC")


# --- a new cadence from the next check-in -----------------------------------------------------

def test_new_slots_start_on_the_next_check_ins_day_and_stop_at_the_plans_end():
    end = scheduling.ends_before(date(2030, 1, 7), 8)  # 2030-03-04
    slots = scheduling.future_slots(utc(2030, 2, 4, 9), end, "biweekly", NINE, "UTC")

    assert end == date(2030, 3, 4)
    assert slots == [utc(2030, 2, 4, 9), utc(2030, 2, 18, 9)]


def test_new_slots_keep_local_time_across_summer_time():
    next_at = utc(2030, 3, 25, 8)  # Monday 09:00 CET
    slots = scheduling.future_slots(next_at, date(2030, 4, 15), "weekly", NINE, BERLIN)

    assert slots == [utc(2030, 3, 25, 8), utc(2030, 4, 1, 7), utc(2030, 4, 8, 7)]


def test_the_next_check_in_day_is_read_in_the_coachs_zone():
    # 23:30 UTC on Sunday is already Monday in Berlin: the new rhythm keeps Monday.
    slots = scheduling.future_slots(utc(2030, 1, 13, 23, 30), date(2030, 1, 22), "weekly",
                                    time(0, 30), BERLIN)

    assert slots == [utc(2030, 1, 13, 23, 30), utc(2030, 1, 20, 23, 30)]


# --- fitting existing check-ins to the new slots ----------------------------------------------

W = [utc(2030, 2, 4, 9) + timedelta(weeks=n) for n in range(4)]  # four Mondays
WEEK = timedelta(days=7)


def test_weekly_to_biweekly_keeps_every_other_check_in_and_deletes_the_rest():
    existing = [Existing(n + 1, at, True) for n, at in enumerate(W)]

    result = reconcile(existing, [W[0], W[2]], tolerance=WEEK)

    assert sorted(result.keep) == [1, 3]
    assert result.deletes == [2, 4]
    assert result.moves == [] and result.inserts == []
    assert result.changed


def test_biweekly_to_weekly_adds_the_weeks_between():
    existing = [Existing(1, W[0], True), Existing(3, W[2], True)]

    result = reconcile(existing, W, tolerance=WEEK / 2)

    assert sorted(result.keep) == [1, 3]
    assert result.inserts == [W[1], W[3]]
    assert result.moves == [] and result.deletes == []


def test_free_check_ins_off_the_new_slots_move_to_the_nearest_one():
    tuesdays = [at + timedelta(days=1) for at in W[:2]]
    existing = [Existing(7, W[0], True), Existing(8, W[1], True)]

    result = reconcile(existing, tuesdays, tolerance=WEEK / 2)

    assert result.moves == [(7, tuesdays[0]), (8, tuesdays[1])]
    assert result.keep == [] and result.deletes == [] and result.inserts == []


def test_a_worked_on_check_in_stays_and_stands_for_the_nearest_slot():
    prepared_on_wednesday = W[1] + timedelta(days=2)
    existing = [Existing(1, W[0], True), Existing(2, prepared_on_wednesday, False),
                Existing(4, W[3], True)]

    result = reconcile(existing, W, tolerance=WEEK / 2)

    # The prepared one keeps its Wednesday and takes the place of Monday W[1] (2 days off);
    # nothing is added next to it, only W[2] is missing.
    assert sorted(result.keep) == [1, 2, 4]
    assert result.inserts == [W[2]]
    assert result.moves == [] and result.deletes == []


def test_a_cancelled_check_in_is_not_scheduled_again():
    existing = [Existing(1, W[0], False), Existing(2, W[2], True)]

    result = reconcile(existing, [W[0], W[2]], tolerance=WEEK)

    assert sorted(result.keep) == [1, 2]
    assert not result.changed


def test_a_fixed_check_in_far_from_every_slot_takes_none():
    existing = [Existing(1, W[0] + timedelta(days=5), False)]

    result = reconcile(existing, [W[0], W[2]], tolerance=timedelta(days=3, hours=12))

    assert result.keep == [1]
    assert result.inserts == [W[0], W[2]]


def test_a_moved_check_in_goes_to_the_nearest_slot_and_the_gaps_are_filled():
    existing = [Existing(1, W[0], True), Existing(2, W[2] + timedelta(days=1), True)]

    result = reconcile(existing, W, tolerance=WEEK / 2)

    assert result.keep == [1] and result.moves == [(2, W[2])]
    assert result.inserts == [W[1], W[3]]


def test_more_free_check_ins_than_slots_are_deleted():
    existing = [Existing(n, W[0] + timedelta(hours=n), True) for n in range(1, 4)]

    result = reconcile(existing, [W[0]], tolerance=WEEK / 2)

    assert result.moves == [(1, W[0])]
    assert result.deletes == [2, 3] and result.inserts == []
