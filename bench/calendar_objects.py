"""Calendar object benchmark; prints figures, asserts nothing.

    python -m bench.calendar_objects
    python -m bench.calendar_objects --events 300 --repeat 20

Times the shared iCalendar builder (``lms.calendar.ical``, the icalendar library) without a
database: (a) a feed of ``--events`` timed events in Europe/Paris with its VTIMEZONE, (b) one
emailed invitation, the first of a zone (its transitions computed) and the next ones (the
transitions cached), and (c) reading the feed back with icalendar. Medians over ``--repeat``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from lms.calendar import ical

ZONE = ZoneInfo("Europe/Paris")
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def events(count: int) -> list[ical.Event]:
    return [ical.Event(uid=f"check-in-{n}@bench.example", summary=f"Check-in with Rep {n}",
                       start=START + timedelta(days=n), end=START + timedelta(days=n, hours=1),
                       description="Agenda:\n- Pipeline review\n- Next steps, and why",
                       location="Room 4, Lyon", sequence=n % 3, busy=True,
                       last_modified=START) for n in range(count)]


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    feed_events = events(args.events)
    organizer = ical.Party("Dana Reyes via Cadence", "cadence@bench.example")
    attendee = ical.Party("Rita Rep", "rita@bench.example")

    def invite():
        return ical.invitation(feed_events[0], organizer=organizer, attendee=attendee,
                               zone=ZONE, stamp=START)

    ical._transitions.cache_clear()
    began = time.perf_counter()
    invite()
    cold = (time.perf_counter() - began) * 1000
    warm = median_ms(invite, args.repeat)
    feed = ical.calendar(feed_events, zone=ZONE, stamp=START, name="Bench")
    built = median_ms(lambda: ical.calendar(feed_events, zone=ZONE, stamp=START,
                                            name="Bench"), args.repeat)
    read = median_ms(lambda: icalendar.Calendar.from_ical(feed), args.repeat)
    print(f"feed of {args.events} events: {built:.1f} ms to build "
          f"({len(feed) / 1024:.0f} KiB), {read:.1f} ms to read back with icalendar")
    print(f"one invitation: {cold:.1f} ms for a zone's first, {warm:.2f} ms after "
          f"(median of {args.repeat})")


if __name__ == "__main__":
    main()
