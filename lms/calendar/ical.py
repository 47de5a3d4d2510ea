"""Build iCalendar (RFC 5545) objects with the ``icalendar`` library.

One builder serves the feed, single-event downloads and the invitations sent by email
(iTIP over email, RFC 5546/6047): the library does the escaping, folding and parameter
quoting, so what we write is what other programs read. Pure: no Flask, no database.

Times are written as local times of the reader's zone (TZID) with a VTIMEZONE built from
that zone's transitions, or in UTC (``Z``) when the zone is None.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Cadence//Cadence LMS//EN"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"


@dataclass(frozen=True)
class Event:
    """One calendar entry. ``start`` is a date for an all-day event.

    ``busy`` events block time (TRANSP:OPAQUE: sessions, check-ins); the others, such as
    due dates, only mark a moment (TRANSP:TRANSPARENT).
    """

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None = None
    description: str = ""
    url: str = ""
    cancelled: bool = False
    sequence: int = 0
    last_modified: datetime | None = None
    location: str = ""
    busy: bool = False


@dataclass(frozen=True)
class Party:
    """An organizer or attendee of an invitation."""

    name: str
    email: str

    def address(self, **params: str) -> icalendar.vCalAddress:
        value = icalendar.vCalAddress(f"mailto:{self.email}")
        if self.name:
            value.params["CN"] = self.name
        value.params.update(params)
        return value


def sort_key(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


# --- time zones ---------------------------------------------------------------------------

def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset()


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end) where ``zone``'s offset changes, to the minute."""
    return list(_transitions(zone, start, end))


@functools.lru_cache(maxsize=256)
def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[datetime, ...]:
    # A day-by-day scan: worth keeping, as every invitation and feed of a zone asks again.
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
    return tuple(found)


def _observance(zone: ZoneInfo, onset: datetime, before: timedelta) -> icalendar.Component:
    # An observance's DTSTART is the wall-clock time just before the change (RFC 5545
    # 3.6.5), i.e. in TZOFFSETFROM; icalendar's own from_tzinfo writes the time after it.
    local = onset.astimezone(zone)
    part = icalendar.TimezoneDaylight() if local.dst() else icalendar.TimezoneStandard()
    part.add("dtstart", (onset + before).replace(tzinfo=None))
    part.add("tzoffsetfrom", before)
    part.add("tzoffsetto", local.utcoffset())
    part.add("tzname", local.tzname() or zone.key)
    return part


def vtimezone(zone: ZoneInfo, events: list[Event]) -> icalendar.Timezone:
    """A VTIMEZONE covering the years of ``events``, one observance per transition."""
    moments = [sort_key(event.start) for event in events] or [datetime.now(UTC)]
    start = datetime(min(moments).year - 1, 1, 1, tzinfo=UTC)
    end = datetime(max(moments).year + 2, 1, 1, tzinfo=UTC)
    timezone = icalendar.Timezone()
    timezone.add("tzid", zone.key)
    timezone.add_component(_observance(zone, start, _offset(zone, start)))
    for onset in transitions(zone, start, end):
        before = _offset(zone, onset - timedelta(minutes=1))
        timezone.add_component(_observance(zone, onset, before))
    return timezone


# --- events and calendars -------------------------------------------------------------------

def _when(value: datetime | date, zone: ZoneInfo | None) -> datetime | date:
    if not isinstance(value, datetime):
        return value
    return value.astimezone(zone or UTC)


def vevent(event: Event, *, zone: ZoneInfo | None, stamp: datetime,
           organizer: Party | None = None, attendee: Party | None = None) -> icalendar.Event:
    """The VEVENT of ``event``; with ``attendee`` it is addressed to that person."""
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", stamp.astimezone(UTC))
    component.add("sequence", event.sequence)
    component.add("dtstart", _when(event.start, zone))
    end = event.end
    if end is None and not isinstance(event.start, datetime):
        end = event.start + timedelta(days=1)
    if end is not None:
        component.add("dtend", _when(end, zone))
    component.add("summary", event.summary)
    for name, value in (("description", event.description), ("location", event.location),
                        ("url", event.url)):
        if value:
            component.add(name, value)
    if event.last_modified is not None:
        component.add("last-modified", event.last_modified.astimezone(UTC))
    if organizer is not None:
        component.add("organizer", organizer.address())
    if attendee is not None:
        component.add("attendee", attendee.address(
            CUTYPE="INDIVIDUAL", ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="FALSE"))
    component.add("transp", "OPAQUE" if event.busy else "TRANSPARENT")
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    return component


def calendar(events: list[Event], *, zone: ZoneInfo | None, stamp: datetime,
             name: str = "", method: str = PUBLISH, organizer: Party | None = None,
             attendee: Party | None = None) -> bytes:
    """A VCALENDAR of ``events`` as RFC 5545 octets (CRLF lines, folded, escaped)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if method == PUBLISH:  # a feed or a download: name it for the calendar app's list
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", zone.key if zone is not None else "UTC")
    timed = [event for event in events if isinstance(event.start, datetime)]
    if zone is not None and timed:
        cal.add_component(vtimezone(zone, timed))
    for event in events:
        cal.add_component(vevent(event, zone=zone, stamp=stamp, organizer=organizer,
                                 attendee=attendee))
    return cal.to_ical()


def invitation(event: Event, *, organizer: Party, attendee: Party, zone: ZoneInfo | None,
               stamp: datetime) -> bytes:
    """An iTIP invitation to one event for one attendee: REQUEST, or CANCEL once cancelled.

    Exactly one VEVENT (what Outlook, Google and Apple calendars expect of an email
    invitation), with the event's stable UID so the entry the feed made is updated.
    """
    method = CANCEL if event.cancelled else REQUEST
    return calendar([event], zone=zone, stamp=stamp, method=method, organizer=organizer,
                    attendee=attendee)


def method_of(text: str | bytes) -> str:
    """The METHOD of a calendar object (PUBLISH when it has none)."""
    return str(icalendar.Calendar.from_ical(text).get("METHOD", PUBLISH)).upper()
