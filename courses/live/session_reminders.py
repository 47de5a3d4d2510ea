"""The reminder before a live session: registrants hear the day before, in their own time.

One rule of the ``lms.reminders`` framework: one set-based query finds every registrant of a
scheduled session starting within ``days_before`` days; the sweep sends each reminder once.
The stage carries the session's iCalendar sequence, so a session moved to another day is
announced again before its new date.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, Select, String, cast, literal, select

from courses.live.models import LiveSession, Registration, RegistrationStatus, SessionStatus
from lms.notify.preferences import register_kind
from lms.reminders.rules import DUE, Message, Rule, Thresholds, register
from lms.web.templating import person_zone

SUBJECT = "live_session"
KIND = "reminder.session_tomorrow"
register_kind(KIND, "Reminder: a live session you registered for is tomorrow", bulk=True)


def session_candidates(now: datetime, limits: Thresholds) -> Select:
    """Registrants of scheduled sessions starting within ``days_before`` days: one SELECT."""
    return (
        select(literal(SUBJECT).label("subject_type"), LiveSession.id.label("subject_id"),
               Registration.user_id.label("recipient_id"),
               (literal(f"{DUE}:") + cast(LiveSession.sequence, String)).label("stage"),
               LiveSession.title.label("title"), LiveSession.starts_at.label("starts_at"),
               LiveSession.location.label("location"),
               LiveSession.meeting_url.label("meeting_url"),
               literal(now.isoformat()).label("as_of"))
        .join(Registration, Registration.session_id == LiveSession.id)
        .where(LiveSession.status == SessionStatus.SCHEDULED,
               Registration.status == RegistrationStatus.REGISTERED,
               LiveSession.starts_at > now,
               LiveSession.starts_at <= now + timedelta(days=limits.days_before))
    )


def _day(starts: datetime, as_of: datetime) -> str:
    days = (starts.date() - as_of.date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"on {starts:%A} {starts.day} {starts:%B}"


def session_message(row: Row, limits: Thresholds) -> Message:
    """"<title> is tomorrow at <local time> in <location or link>", in the person's zone."""
    zone = person_zone(row[0])
    starts = row.starts_at.astimezone(zone)
    as_of = datetime.fromisoformat(row.as_of).astimezone(zone)
    where = (f" in {row.location}" if row.location
             else f" at {row.meeting_url}" if row.meeting_url else "")
    when = f"{_day(starts, as_of)} at {starts:%H:%M} {starts:%Z}".rstrip()
    subject = f"{row.title} is {when}{where}"
    body = (f"“{row.title}” starts {when}{where}. The session's page has the agenda and the "
            "calendar invitation; cancel your registration there if you cannot come, so "
            "someone on the waitlist can take your seat.")
    return Message(KIND, subject, body, f"/courses/sessions/{row.subject_id}")


register(Rule(key="session_tomorrow", label="Live session tomorrow",
              candidates=session_candidates, message=session_message, days_before=1,
              escalate_after_days=0,
              description="Registrants of a live session hear the day before it starts, "
                          "with its local time and place."))
