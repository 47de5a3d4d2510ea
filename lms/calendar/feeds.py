"""The registry of calendar event providers, and the feed and downloads built from it.

Feature packages register ``@event_provider`` functions returning a person's events; the
feed and single-event downloads both go through ``render``, which uses the shared builder
(``lms.calendar.ical``) that email invitations use too (``invitation``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app

from lms.calendar import ical
from lms.calendar.ical import PRODID, Event, Party, calendar, sort_key, transitions
from lms.db import utcnow
from lms.people.models import User
from lms.web.templating import person_zone

__all__ = ["PRODID", "Event", "Party", "event_provider", "events_for", "invitation",
           "render", "transitions", "zone_of"]

EventProvider = Callable[[User, datetime], Iterable[Event]]
EVENT_PROVIDERS: list[EventProvider] = []


def event_provider(fn: EventProvider) -> EventProvider:
    """Register ``fn(person, now)`` as a source of the person's calendar events."""
    EVENT_PROVIDERS.append(fn)
    return fn


def events_for(person: User, now: datetime) -> list[Event]:
    """Every event of ``person`` from every registered provider, in start order."""
    events = [event for provider in EVENT_PROVIDERS for event in provider(person, now)]
    return sorted(events, key=lambda e: (sort_key(e.start), e.uid))


def zone_of(person: User) -> ZoneInfo | None:
    """The person's zone, or None for UTC (and unknown zones), written with ``Z``."""
    zone = person_zone(person)
    return None if zone.key in ("UTC", "Etc/UTC") else zone


def render(events: list[Event], *, zone: ZoneInfo | None, name: str,
           stamp: datetime, method: str = "PUBLISH") -> str:
    """A VCALENDAR of ``events`` as RFC 5545 text, for a feed or a download."""
    return calendar(events, zone=zone, stamp=stamp, name=name, method=method).decode()


def organizer(on_behalf_of: User | None) -> Party:
    """The organizer of an emailed invitation: the app's sender address, named after the
    person behind the event.

    Not the person's own address: a calendar app that answers an invitation writes to its
    organizer, and those answers belong to no one's inbox (Cadence keeps registrations).
    """
    name, address = parseaddr(current_app.config["MAIL_SENDER"])
    name = name or "Cadence"
    return Party(f"{on_behalf_of.name} via {name}" if on_behalf_of else name, address)


def invitation(event: Event, person: User, *, on_behalf_of: User | None = None) -> str:
    """The iTIP invitation of ``event`` for ``person`` (REQUEST, or CANCEL once cancelled),
    written in their time zone, to attach to their email."""
    return ical.invitation(event, organizer=organizer(on_behalf_of),
                           attendee=Party(person.name, person.email), zone=zone_of(person),
                           stamp=utcnow()).decode()
