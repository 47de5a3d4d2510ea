"""Check-ins and action items in the calendar: a single check-in's ``.ics`` and the feed.

Both go through the shared iCalendar builder (``lms.calendar.feeds``) so a check-in has one
UID everywhere. A cancelled or moved check-in stays in the feed for a while as a cancelled
event (its ``sequence`` moved on), so calendar apps remove it; the check-in that replaces a
moved one is a new event. Open action items are all-day events on their due date; once done
they turn cancelled for a while, then leave the feed. Private notes never go into an event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms.calendar import feeds
from lms.calendar.feeds import Event, event_provider, render, zone_of
from lms.db import utcnow
from lms.extensions import db
from lms.notify.services import absolute_url, link_to
from lms.people.models import User
from lms.web.templating import person_zone
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus

KEPT = timedelta(days=30)  # past and cancelled entries stay this long
GONE = (CheckInStatus.CANCELLED, CheckInStatus.RESCHEDULED)


def local_time(moment: datetime, person: User, fmt: str = "%a %d %b %Y, %H:%M %Z") -> str:
    """``moment`` as ``person`` reads it on their clock."""
    return moment.astimezone(person_zone(person)).strftime(fmt)


def _host() -> str:
    return current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]


def check_in_uid(check_in_id: int) -> str:
    """The stable UID of a check-in, the same in every feed and download."""
    return f"check-in-{check_in_id}@{_host()}"


def action_item_uid(item_id: int) -> str:
    return f"action-item-{item_id}-due@{_host()}"


def check_in_event(check_in: CheckIn, viewer: User) -> Event:
    """The check-in as ``viewer`` sees it: titled after the other person; agenda, no notes."""
    other = check_in.coachee if viewer.id == check_in.coach_id else check_in.coach
    title = f"Check-in with {other.name}" if viewer.id in (
        check_in.coach_id, check_in.coachee_id) else (
        f"Check-in: {check_in.coach.name} with {check_in.coachee.name}")
    agenda = "\n".join(f"- {item.text}" for item in check_in.agenda)
    description = "\n\n".join(part for part in (
        f"Coaching check-in between {check_in.coach.name} (coach) and "
        f"{check_in.coachee.name}.", f"Agenda:\n{agenda}" if agenda else "") if part)
    return Event(
        uid=check_in_uid(check_in.id), summary=title, start=check_in.scheduled_at,
        end=check_in.scheduled_at + timedelta(minutes=check_in.minutes),
        description=description,
        url=link_to("reinforcement.checkins.check_in_detail", id=check_in.id),
        cancelled=check_in.status in GONE, sequence=check_in.sequence or 0,
        last_modified=check_in.updated_at, busy=True)


def invitation(check_in: CheckIn, person: User) -> str:
    """The ``.ics`` of one check-in, written in ``person``'s time zone."""
    event = check_in_event(check_in, person)
    return render([event], zone=zone_of(person), name=event.summary, stamp=utcnow(),
                  method="PUBLISH")


def invite(check_in: CheckIn, person: User) -> str:
    """The emailed invitation of a check-in for ``person``: REQUEST, or CANCEL once it is
    cancelled or moved (the check-in that replaces a moved one is invited on its own)."""
    return feeds.invitation(check_in_event(check_in, person), person,
                            on_behalf_of=check_in.coach)


@event_provider
def check_in_events(person: User, now: datetime) -> list[Event]:
    """The person's check-ins as coach or coachee; cancelled and moved ones as cancelled."""
    rows = db.session.scalars(
        select(CheckIn)
        .where(or_(CheckIn.coach_id == person.id, CheckIn.coachee_id == person.id),
               CheckIn.scheduled_at >= now - KEPT,
               or_(CheckIn.status.not_in(GONE), CheckIn.updated_at >= now - KEPT))
        .options(joinedload(CheckIn.coach), joinedload(CheckIn.coachee),
                 selectinload(CheckIn.agenda))
        .order_by(CheckIn.scheduled_at, CheckIn.id))
    return [check_in_event(check_in, person) for check_in in rows]


@event_provider
def action_item_events(person: User, now: datetime) -> list[Event]:
    """Due dates of the person's open action items; recently done ones as cancelled."""
    rows = db.session.scalars(
        select(ActionItem)
        .where(ActionItem.owner_id == person.id,
               or_(ActionItem.done_at.is_(None), ActionItem.done_at >= now - KEPT))
        .order_by(ActionItem.due_on, ActionItem.id))
    events = []
    for item in rows:
        changed = item.done_at or item.created_at
        link = (url_for("reinforcement.checkins.check_in_detail", id=item.check_in_id)
                if item.check_in_id else url_for("reinforcement.checkins.week"))
        events.append(Event(
            uid=action_item_uid(item.id), summary=f"Due: {item.title}", start=item.due_on,
            description="An action item from your coaching check-in.",
            url=absolute_url(link), cancelled=item.done_at is not None,
            # Marking it done (or reopening it) moves the sequence on.
            sequence=int(changed.timestamp() // 60) % 2**31, last_modified=changed))
    return events
