"""A small RFC 5545 (iCalendar) writer and the registry of event providers.

Feature packages register ``@event_provider`` functions returning a person's events;
the feed and single-event downloads both go through ``render``. Times are written as
local times of the person's zone (TZID) with a VTIMEZONE built from that zone's
transitions, or in UTC (``Z``) when the zone is UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lms.people.models import User

PRODID = "-//Cadence//Cadence LMS//EN"


@dataclass(frozen=True)
class Event:
    """One calendar entry. ``start`` is a date for an all-day event."""

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None = None
    description: str = ""
    url: str = ""
    cancelled: bool = False
    sequence: int = 0
    last_modified: datetime | None = None


EventProvider = Callable[[User, datetime], Iterable[Event]]
EVENT_PROVIDERS: list[EventProvider] = []


def event_provider(fn: EventProvider) -> EventProvider:
    """Register ``fn(person, now)`` as a source of the person's calendar events."""
    EVENT_PROVIDERS.append(fn)
    return fn


def events_for(person: User, now: datetime) -> list[Event]:
    """Every event of ``person`` from every registered provider, in start order."""
    events = [event for provider in EVENT_PROVIDERS for event in provider(person, now)]
    return sorted(events, key=lambda e: (_sort_key(e.start), e.uid))


def _sort_key(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


# --- content lines ------------------------------------------------------------------------

def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into CRLF-joined pieces of at most 75 octets.

    Continuation lines start with a space, which counts toward their 75 octets; a
    multi-byte UTF-8 character is never split.
    """
    pieces, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, 74
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, value: datetime | date, zone: ZoneInfo | None) -> str:
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"
    if zone is None:
        return f"{name}:{_utc(value)}"
    return f"{name};TZID={zone.key}:{value.astimezone(zone).strftime('%Y%m%dT%H%M%S')}"


def _event_lines(event: Event, zone: ZoneInfo | None, stamp: datetime) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_utc(stamp)}",
             f"SEQUENCE:{event.sequence}", _when("DTSTART", event.start, zone)]
    if event.end is not None:
        lines.append(_when("DTEND", event.end, zone))
    elif not isinstance(event.start, datetime):
        lines.append(_when("DTEND", event.start + timedelta(days=1), zone))
    lines.append(f"SUMMARY:{escape_text(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{_utc(event.last_modified)}")
    lines += ["TRANSP:TRANSPARENT",
              f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}", "END:VEVENT"]
    return lines


# --- time zones -----------------------------------------------------------------------------

def zone_of(person: User) -> ZoneInfo | None:
    """The person's zone, or None for UTC (and unknown zones), written with ``Z``."""
    try:
        zone = ZoneInfo(person.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return None if zone.key in ("UTC", "Etc/UTC") else zone


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset()


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end) where ``zone``'s offset changes, to the minute."""
    found, moment = [], start
    step = timedelta(days=1)
    while moment < end:
        after = moment + step
        if _offset(zone, moment) != _offset(zone, after):
            low, high = moment, after
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == _offset(zone, low):
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        moment = after
    return found


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _observance(zone: ZoneInfo, onset: datetime, before: timedelta) -> list[str]:
    local = onset.astimezone(zone)
    kind = "DAYLIGHT" if local.dst() else "STANDARD"
    return [f"BEGIN:{kind}", f"DTSTART:{(onset + before).strftime('%Y%m%dT%H%M%S')}",
            f"TZOFFSETFROM:{_offset_text(before)}",
            f"TZOFFSETTO:{_offset_text(local.utcoffset())}",
            f"TZNAME:{escape_text(local.tzname() or zone.key)}", f"END:{kind}"]


def vtimezone(zone: ZoneInfo, events: list[Event]) -> list[str]:
    """A VTIMEZONE covering the years of ``events``, one observance per transition."""
    moments = [_sort_key(event.start) for event in events] or [datetime.now(UTC)]
    start = datetime(min(moments).year - 1, 1, 1, tzinfo=UTC)
    end = datetime(max(moments).year + 2, 1, 1, tzinfo=UTC)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    lines += _observance(zone, start, _offset(zone, start))
    for onset in transitions(zone, start, end):
        lines += _observance(zone, onset, _offset(zone, onset - timedelta(minutes=1)))
    return lines + ["END:VTIMEZONE"]


def render(events: list[Event], *, zone: ZoneInfo | None, name: str,
           stamp: datetime, method: str = "PUBLISH") -> str:
    """Write a VCALENDAR with ``events`` as RFC 5545 text (CRLF lines, folded, escaped)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             f"METHOD:{method}", f"X-WR-CALNAME:{escape_text(name)}"]
    timed = [event for event in events if isinstance(event.start, datetime)]
    if zone is not None:
        lines.append(f"X-WR-TIMEZONE:{zone.key}")
        if timed:
            lines += vtimezone(zone, timed)
    else:
        lines.append("X-WR-TIMEZONE:UTC")
    for event in events:
        lines += _event_lines(event, zone, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
