"""Live sessions in the calendar: a single-session invitation and the person's feed.

Both go through the shared iCalendar builder so a session has one UID everywhere and its
``sequence`` (moved on by every change and the cancellation) lets calendar apps update it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from courses.live.models import LiveSession, Registration, RegistrationStatus, SessionStatus
from lms.calendar.feeds import Event, event_provider, render, zone_of
from lms.db import utcnow
from lms.extensions import db
from lms.notify.services import absolute_url
from lms.people.models import User

CANCELLED_KEPT = timedelta(days=30)


def session_uid(session_id: int) -> str:
    host = current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]
    return f"live-session-{session_id}@{host}"


def session_event(session: LiveSession, *, registration_cancelled: bool = False) -> Event:
    where = session.location or session.meeting_url
    agenda = "\n".join(f"- {segment.title} ({segment.minutes} min)"
                       for segment in session.segments)
    description = "\n\n".join(part for part in (
        session.description, f"Where: {where}" if where else "",
        f"Agenda:\n{agenda}" if agenda else "") if part)
    return Event(
        uid=session_uid(session.id), summary=session.title, start=session.starts_at,
        end=session.ends_at, description=description,
        url=absolute_url(url_for("courses.session_detail", id=session.id)),
        cancelled=session.status == SessionStatus.CANCELLED or registration_cancelled,
        sequence=session.sequence, last_modified=session.updated_at,
        location=session.location or session.meeting_url, busy=True)


def invitation(session: LiveSession, person: User) -> str:
    """The ``.ics`` of one session, written in the person's time zone."""
    return render([session_event(session)], zone=zone_of(person), name=session.title,
                  stamp=utcnow(), method="PUBLISH")


@event_provider
def registered_sessions(person: User, now: datetime) -> list[Event]:
    """Sessions the person is registered for; recent cancellations stay as cancelled."""
    rows = db.session.scalars(
        select(Registration)
        .join(LiveSession, LiveSession.id == Registration.session_id)
        .where(Registration.user_id == person.id,
               LiveSession.ends_at >= now - CANCELLED_KEPT,
               or_(Registration.status == RegistrationStatus.REGISTERED,
                   Registration.cancelled_at >= now - CANCELLED_KEPT))
        .options(joinedload(Registration.session).selectinload(LiveSession.segments))
        .order_by(LiveSession.starts_at))
    return [session_event(registration.session, registration_cancelled=(
        registration.status != RegistrationStatus.REGISTERED)) for registration in rows]
