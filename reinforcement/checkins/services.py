"""Coaching check-ins: scheduling, status, the agenda, shared and private notes.

Plans schedule most check-ins in bulk; ``schedule_check_in`` adds a single one between a
coach and someone of their subtree. A check-in moves from scheduled to held, missed,
cancelled or rescheduled (a new check-in replaces it, ``rescheduled_to`` points at it, and
the old one's calendar ``sequence`` moves on so calendar apps drop it). Before the meeting
both sides add agenda items and the coach marks the agenda prepared, once.

Shared notes are the coach's and the coachee's; private notes are the coach's alone. The
audit log records that private notes changed, never what they say.

Services flush, never commit; every change is audited; refusals raise ``ValidationError``
(or ``NotAllowedError``) before anything is written. ``now`` may be given (demo, tests).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from lms.audit.services import record
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.models import Channel
from lms.notify.preferences import channel_for, register_kind
from lms.notify.services import absolute_url, notify, queue_email
from lms.people import tree
from lms.people.models import User
from reinforcement.checkins.calendar import invite, local_time
from reinforcement.checkins.models import AgendaItem, CheckIn, CheckInStatus

CHANGED_KIND = "checkin.changed"
SCHEDULED_KIND = "checkin.scheduled"
register_kind(SCHEDULED_KIND, "Coaching check-ins are scheduled or rescheduled for you")
register_kind(CHANGED_KIND, "A coaching check-in of yours is moved or cancelled")

MIN_MINUTES, MAX_MINUTES = 5, 240
MAX_AGENDA_TEXT = 500
MAX_NOTES = 20_000
OPEN = (CheckInStatus.SCHEDULED, CheckInStatus.MISSED)  # may still be held or moved
GONE = (CheckInStatus.CANCELLED, CheckInStatus.RESCHEDULED)
HIDDEN_TEXT = ["(text)", "(edited)"]  # what the audit log says about notes
PREPARE_AHEAD = timedelta(days=7)  # agendas to prepare: check-ins this close
IN_PROGRESS = timedelta(hours=2)  # a check-in this recently started is still "upcoming"


def check_in_path(check_in: CheckIn) -> str:
    return f"/reinforcement/check-ins/{check_in.id}"


def _other_side(check_in: CheckIn, by: User) -> User:
    return check_in.coachee if by.id == check_in.coach_id else check_in.coach


def _when(check_in: CheckIn, person: User) -> str:
    return local_time(check_in.scheduled_at, person)


def _invite(check_in: CheckIn):
    """Write ``check_in``'s invitation for a person, once an email to them goes out."""
    return lambda person: invite(check_in, person)


# --- checks shared by the use cases -------------------------------------------------------------

def _check_minutes(minutes: int) -> None:
    if not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ValidationError(f"A check-in lasts between {MIN_MINUTES} and {MAX_MINUTES} "
                              "minutes.", field="minutes")


def _check_future(at: datetime, now: datetime) -> None:
    if at.tzinfo is None:
        raise ValidationError("Give the time with its time zone.", field="scheduled_at")
    if at <= now:
        raise ValidationError("Choose a time in the future: this one has passed.",
                              field="scheduled_at")


def _check_coaching(coach: User, coachee: User) -> None:
    if coachee.id == coach.id:
        raise ValidationError("A coach cannot hold a check-in with themselves.",
                              field="coachee")
    if not coach.is_active or not coachee.is_active:
        raise ValidationError("Both people must have active accounts.", field="coachee")
    if not tree.is_in_subtree(coach.id, coachee.id):
        raise ValidationError(f"{coachee.name} is not in {coach.name}'s part of the "
                              "organisation: a coach coaches only people under them.",
                              field="coachee")


def _require_participant(check_in: CheckIn, by: User) -> None:
    if by.id not in (check_in.coach_id, check_in.coachee_id):
        raise NotAllowedError("Only the coach and the coachee take part in a check-in.")


def _require_coach(check_in: CheckIn, by: User) -> None:
    if by.id != check_in.coach_id:
        raise NotAllowedError("Only the coach may do this.")


def _require_status(check_in: CheckIn, allowed: tuple, message: str,
                    field: str = "status") -> None:
    if check_in.status not in allowed:
        raise ValidationError(message, field=field)


def _gone_message(check_in: CheckIn) -> str:
    if check_in.status == CheckInStatus.CANCELLED:
        return "This check-in was cancelled."
    return "This check-in was moved: use the new one."


# --- scheduling and status ---------------------------------------------------------------------

def schedule_check_in(coach: User, coachee: User, at: datetime, minutes: int = 30, *,
                      by: User, now: datetime | None = None) -> CheckIn:
    """Schedule a single check-in; the coachee is told."""
    now = now or utcnow()
    if by.id != coach.id and not by.is_admin:
        raise NotAllowedError("You may only schedule your own check-ins.")
    _check_coaching(coach, coachee)
    _check_future(at, now)
    _check_minutes(minutes)
    at = at.astimezone(UTC)
    check_in = CheckIn(coach_id=coach.id, coachee_id=coachee.id, scheduled_at=at,
                       minutes=minutes, created_at=now, updated_at=now)
    db.session.add(check_in)
    db.session.flush()
    record(by, "check_in.schedule", check_in, summary=f"{coach.name} coaches {coachee.name}",
           changes={"coachee_id": [None, coachee.id], "scheduled_at": [None, at.isoformat()]})
    notify(coachee, kind=SCHEDULED_KIND, subject=f"Check-in with {coach.name}",
           body=f"{coach.name} scheduled a coaching check-in with you on "
                f"{_when(check_in, coachee)}. Add what you want to discuss to its agenda.",
           link=check_in_path(check_in), calendar=_invite(check_in))
    return check_in


def _set_status(check_in: CheckIn, status: CheckInStatus, *, by: User, now: datetime,
                **fields) -> CheckIn:
    before = check_in.status
    check_in.status = status
    for name, value in fields.items():
        setattr(check_in, name, value)
    check_in.updated_at = now
    record(by, f"check_in.{status.value}", check_in,
           summary=f"{check_in.coach.name} with {check_in.coachee.name}",
           changes={"status": [str(before) if before else None, status.value],
                    **{name: [None, value.isoformat() if isinstance(value, datetime) else value]
                       for name, value in fields.items()}})
    return check_in


def mark_held(check_in: CheckIn, *, by: User, held_at: datetime | None = None,
              now: datetime | None = None) -> CheckIn:
    """Record that the check-in took place (at ``held_at``, default now)."""
    now = now or utcnow()
    _require_coach(check_in, by)
    _require_status(check_in, OPEN, "Only a scheduled or missed check-in can be marked held.")
    held_at = held_at or now
    if held_at.tzinfo is None or held_at > now:
        raise ValidationError("A check-in is marked held once it has taken place.",
                              field="held_at")
    return _set_status(check_in, CheckInStatus.HELD, by=by, now=now,
                       held_at=held_at.astimezone(UTC))


def mark_missed(check_in: CheckIn, *, by: User, now: datetime | None = None) -> CheckIn:
    """Record that the check-in did not take place."""
    now = now or utcnow()
    _require_coach(check_in, by)
    _require_status(check_in, (CheckInStatus.SCHEDULED,),
                    "Only a scheduled check-in can be marked missed.")
    if check_in.scheduled_at > now:
        raise ValidationError("The check-in has not started yet: reschedule or cancel it "
                              "instead.", field="status")
    return _set_status(check_in, CheckInStatus.MISSED, by=by, now=now)


def cancel_check_in(check_in: CheckIn, *, by: User, now: datetime | None = None) -> CheckIn:
    """Cancel a check-in that has not happened; the coachee is told."""
    now = now or utcnow()
    _require_coach(check_in, by)
    _require_status(check_in, OPEN, "Only a scheduled or missed check-in can be cancelled.")
    check_in.sequence = (check_in.sequence or 0) + 1
    _set_status(check_in, CheckInStatus.CANCELLED, by=by, now=now)
    notify(check_in.coachee, kind=CHANGED_KIND, subject=f"Check-in with {by.name} cancelled",
           body=f"{by.name} cancelled your check-in of "
                f"{_when(check_in, check_in.coachee)}.",
           link=check_in_path(check_in), calendar=_invite(check_in))
    return check_in


def reschedule_check_in(check_in: CheckIn, at: datetime, *, by: User,
                        minutes: int | None = None, now: datetime | None = None) -> CheckIn:
    """Move a check-in: a new one replaces it, taking its agenda and notes; the other side
    is told. Returns the new check-in."""
    now = now or utcnow()
    _require_participant(check_in, by)
    _require_status(check_in, OPEN, "Only a scheduled or missed check-in can be moved.")
    _check_future(at, now)
    minutes = check_in.minutes if minutes is None else minutes
    _check_minutes(minutes)
    moved = CheckIn(plan_team_id=check_in.plan_team_id, coach_id=check_in.coach_id,
                    coachee_id=check_in.coachee_id, scheduled_at=at.astimezone(UTC),
                    minutes=minutes,
                    agenda_prepared_at=check_in.agenda_prepared_at,
                    shared_notes=check_in.shared_notes, private_notes=check_in.private_notes,
                    created_at=now, updated_at=now)
    db.session.add(moved)
    db.session.flush()
    for item in list(check_in.agenda):
        item.check_in = moved
    check_in.shared_notes = check_in.private_notes = ""
    check_in.sequence = (check_in.sequence or 0) + 1
    _set_status(check_in, CheckInStatus.RESCHEDULED, by=by, now=now,
                rescheduled_to_id=moved.id)
    other = _other_side(check_in, by)
    notify(other, kind=CHANGED_KIND, subject=f"Check-in with {by.name} moved",
           body=f"{by.name} moved your check-in to {_when(moved, other)}.",
           link=check_in_path(moved), calendar=_invite(moved))
    _send_cancellation(check_in, other, moved)
    return moved


def _send_cancellation(old: CheckIn, person: User, moved: CheckIn) -> None:
    """Take the old time out of ``person``'s calendar, by email as they chose for moves.

    The moved check-in is a new event (a new UID, see the module docstring); one email
    invitation holds one event, so the old one's CANCEL travels in an email of its own.
    """
    if not person.is_active or channel_for(person, CHANGED_KIND) != Channel.EMAIL:
        return
    queue_email(person, subject=f"Cancelled: check-in of {_when(old, person)}",
                template="notification", kind=CHANGED_KIND, calendar=_invite(old)(person),
                context={"body": f"This check-in moved to {_when(moved, person)}; this "
                                 "message takes the old time out of your calendar.",
                         "link": absolute_url(check_in_path(moved))})


# --- the agenda ----------------------------------------------------------------------------------

def _check_open_for_agenda(check_in: CheckIn) -> None:
    if check_in.status in GONE:
        raise ValidationError(_gone_message(check_in), field="status")
    _require_status(check_in, (CheckInStatus.SCHEDULED,),
                    "The agenda is closed: the check-in is over. Add action items or notes "
                    "instead.", field="text")


def add_agenda_item(check_in: CheckIn, text: str, *, by: User,
                    now: datetime | None = None) -> AgendaItem:
    """Add a topic to the agenda (coach or coachee, before the check-in is over)."""
    _require_participant(check_in, by)
    _check_open_for_agenda(check_in)
    text = (text or "").strip()
    if not text or len(text) > MAX_AGENDA_TEXT:
        raise ValidationError(f"Write the agenda item in 1 to {MAX_AGENDA_TEXT} characters.",
                              field="text")
    position = db.session.scalar(select(func.coalesce(func.max(AgendaItem.position), -1))
                                 .where(AgendaItem.check_in_id == check_in.id)) + 1
    item = AgendaItem(check_in_id=check_in.id, author_id=by.id, position=position, text=text,
                      created_at=now or utcnow())
    db.session.add(item)
    db.session.flush()
    record(by, "check_in.agenda_add", check_in, summary=text[:200],
           changes={"agenda_item": [None, item.id]})
    db.session.expire(check_in, ["agenda"])
    return item


def remove_agenda_item(item: AgendaItem, *, by: User) -> None:
    """Take an item off the agenda: its author or the coach, before the check-in is over."""
    check_in = item.check_in
    _require_participant(check_in, by)
    if by.id not in (item.author_id, check_in.coach_id):
        raise NotAllowedError("Only the person who added an agenda item, or the coach, may "
                              "remove it.")
    _check_open_for_agenda(check_in)
    record(by, "check_in.agenda_remove", check_in, summary=item.text[:200],
           changes={"agenda_item": [item.id, None]})
    db.session.delete(item)
    db.session.flush()
    db.session.expire(check_in, ["agenda"])


def prepare_agenda(check_in: CheckIn, *, by: User, now: datetime | None = None) -> CheckIn:
    """The coach marks the agenda prepared; the time is recorded once."""
    now = now or utcnow()
    _require_coach(check_in, by)
    _check_open_for_agenda(check_in)
    if check_in.agenda_prepared_at is not None:
        raise ValidationError("The agenda is already marked prepared.", field="agenda")
    if not check_in.agenda:
        raise ValidationError("Add at least one agenda item before marking it prepared.",
                              field="agenda")
    check_in.agenda_prepared_at = now
    check_in.updated_at = now
    record(by, "check_in.agenda_prepared", check_in,
           summary=f"{check_in.coach.name} with {check_in.coachee.name}",
           changes={"agenda_prepared_at": [None, now.isoformat()]})
    return check_in


# --- notes ---------------------------------------------------------------------------------------

def _check_notes_allowed(check_in: CheckIn, text: str, field: str) -> str:
    if check_in.status == CheckInStatus.CANCELLED:
        raise ValidationError("Notes cannot be added to a cancelled check-in.", field=field)
    if check_in.status == CheckInStatus.RESCHEDULED:
        raise ValidationError("This check-in was moved: write the notes on the new one.",
                              field=field)
    text = (text or "").strip()
    if len(text) > MAX_NOTES:
        raise ValidationError(f"Keep notes under {MAX_NOTES:,} characters.", field=field)
    return text


def save_shared_notes(check_in: CheckIn, text: str, *, by: User,
                      now: datetime | None = None) -> CheckIn:
    """Replace the shared notes (coach or coachee; both see them)."""
    _require_participant(check_in, by)
    text = _check_notes_allowed(check_in, text, "shared_notes")
    if text != check_in.shared_notes:
        check_in.shared_notes = text
        check_in.updated_at = now or utcnow()
        record(by, "check_in.shared_notes", check_in, summary="Shared notes edited",
               changes={"shared_notes": HIDDEN_TEXT})
    return check_in


def save_private_notes(check_in: CheckIn, text: str, *, by: User,
                       now: datetime | None = None) -> CheckIn:
    """Replace the coach's private notes: nobody else ever reads them."""
    _require_coach(check_in, by)
    text = _check_notes_allowed(check_in, text, "private_notes")
    if text != check_in.private_notes:
        check_in.private_notes = text
        check_in.updated_at = now or utcnow()
        record(by, "check_in.private_notes", check_in, summary="Private notes edited",
               changes={"private_notes": HIDDEN_TEXT})
    return check_in
