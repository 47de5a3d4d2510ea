"""Live sessions in the calendar: the single-session download, the feed and invitations.

All go through the shared iCalendar builder so a session has one UID everywhere. Its
SEQUENCE is the session's own (moved on by every change and the cancellation) plus the
person's registration's (moved on when they register, cancel or are promoted), so both
kinds of change reach calendar apps, and the download, the feed and the emailed invitation
of one person always agree.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from courses.live.models import LiveSession, Registration, RegistrationStatus, SessionStatus
from lms.calendar import feeds
from lms.calendar.feeds import Event, event_provider, render, zone_of
from lms.db import utcnow
from lms.extensions import db
from lms.notify.services import link_to
from lms.people.models import User

CANCELLED_KEPT = timedelta(days=30)


def session_uid(session_id: int) -> str:
    host = current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]
    return f"live-session-{session_id}@{host}"


def _changed_at(session: LiveSession, registration: Registration | None) -> datetime:
    moments = [session.updated_at]
    if registration is not None:
        moments += [registration.registered_at, registration.changed_at]
    return max(moment for moment in moments if moment is not None)


def session_event(session: LiveSession, registration: Registration | None = None) -> Event:
    """The session as the person of ``registration`` sees it (cancelled once they are out)."""
    where = session.location or session.meeting_url
    agenda = "\n".join(f"- {segment.title} ({segment.minutes} min)"
                       for segment in session.segments)
    description = "\n\n".join(part for part in (
        session.description, f"Where: {where}" if where else "",
        f"Agenda:\n{agenda}" if agenda else "") if part)
    left = registration is not None and registration.status != RegistrationStatus.REGISTERED
    return Event(
        uid=session_uid(session.id), summary=session.title, start=session.starts_at,
        end=session.ends_at, description=description,
        url=link_to("courses.session_detail", id=session.id),
        cancelled=session.status == SessionStatus.CANCELLED or left,
        sequence=session.sequence + (registration.sequence if registration else 0),
        last_modified=_changed_at(session, registration), location=where, busy=True)


def _registration(session: LiveSession, person: User) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.session_id == session.id, Registration.user_id == person.id))


def invitation(session: LiveSession, person: User) -> str:
    """The ``.ics`` download of one session, written in the person's time zone."""
    event = session_event(session, _registration(session, person))
    if event.cancelled and session.status != SessionStatus.CANCELLED:
        # Someone not (or no longer) registered asks for it: the session as it stands,
        # with a SEQUENCE no lower than the one their feed may have shown.
        event = replace(event, cancelled=False)
    return render([event], zone=zone_of(person), name=session.title, stamp=utcnow(),
                  method="PUBLISH")


def invite(registration: Registration) -> str:
    """The emailed invitation of a registered person: REQUEST, or CANCEL once the session
    or their registration is cancelled."""
    session = registration.session
    return feeds.invitation(session_event(session, registration), registration.user,
                            on_behalf_of=session.facilitator)


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
    return [session_event(registration.session, registration) for registration in rows]
