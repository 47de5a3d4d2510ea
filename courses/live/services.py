"""Live sessions: scheduling, registration with a waitlist, attendance and leader confirmation.

Services flush, never commit; every change is audited. Refusals raise ``ValidationError``
(or ``NotAllowedError``) before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, case, func, insert, literal, select, update
from sqlalchemy.orm import joinedload

from courses.live.ics import invite
from courses.live.models import (
    Attendance,
    AttendanceConfirmation,
    AttendanceStatus,
    ConfirmationStatus,
    LiveSession,
    Registration,
    RegistrationStatus,
    SessionSegment,
    SessionStatus,
)
from courses.services import player
from lms.audit.services import pending_changes, record
from lms.claims import add_once
from lms.db import utcnow
from lms.errors import CadenceError, NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.preferences import register_kind
from lms.notify.services import notify, notify_many
from lms.people import tree
from lms.people.models import Level, User

register_kind("session.changed", "A live session you registered for changes or is cancelled")
register_kind("session.registered",
              "You are registered for a live session, or your registration is cancelled")
register_kind("session.promoted", "A seat frees up for you at a live session")
register_kind("session.dispute", "Attendance at a session you facilitate is disputed")

CONFIRMING_LEVELS = (Level.LEADER.value, Level.EXECUTIVE.value)


def _link(session: LiveSession) -> str:
    return f"/courses/sessions/{session.id}"


# --- scheduling ---------------------------------------------------------------------------

@dataclass
class SessionData:
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int = 30
    time_zone: str = "UTC"
    location: str = ""
    meeting_url: str = ""
    description: str = ""
    facilitator: User | None = None
    attended_threshold: int = 90
    segments: list[tuple[str, int]] = field(default_factory=list)  # (title, minutes)


def _check(data: SessionData, session_id: int | None) -> None:
    if not data.title.strip():
        raise ValidationError("Give the session a title.", field="title")
    if data.ends_at <= data.starts_at:
        raise ValidationError("The session must end after it starts.", field="ends_at")
    if data.capacity < 1:
        raise ValidationError("Capacity must be at least 1 seat.", field="capacity")
    if not 1 <= data.attended_threshold <= 100:
        raise ValidationError("The attended threshold is a percentage from 1 to 100.",
                              field="attended_threshold")
    try:
        ZoneInfo(data.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"Unknown time zone “{data.time_zone}”.",
                              field="time_zone") from None
    length = int((data.ends_at - data.starts_at).total_seconds() // 60)
    if any(minutes < 1 for _title, minutes in data.segments):
        raise ValidationError("Each agenda segment lasts at least a minute.", field="segments")
    total = sum(minutes for _title, minutes in data.segments)
    if total > length:
        raise ValidationError(
            f"The agenda takes {total} minutes but the session lasts only {length}.",
            field="segments")
    facilitator = data.facilitator
    if facilitator is None:
        return
    if not (facilitator.is_facilitator or facilitator.is_admin):
        raise ValidationError(f"{facilitator.name} is not a facilitator.", field="facilitator")
    clash = db.session.scalar(
        select(LiveSession).where(
            LiveSession.facilitator_id == facilitator.id,
            LiveSession.status == SessionStatus.SCHEDULED,
            LiveSession.starts_at < data.ends_at, LiveSession.ends_at > data.starts_at,
            LiveSession.id != (session_id or 0)).limit(1))
    if clash is not None:
        raise ValidationError(
            f"{facilitator.name} already facilitates “{clash.title}” at that time.",
            field="facilitator")


def _apply(session: LiveSession, data: SessionData) -> None:
    session.title = data.title.strip()
    session.description = data.description
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.capacity = data.capacity
    session.time_zone = data.time_zone
    session.location, session.meeting_url = data.location, data.meeting_url
    session.facilitator_id = data.facilitator.id if data.facilitator else None
    session.attended_threshold = data.attended_threshold


def _set_segments(session: LiveSession, segments: list[tuple[str, int]]) -> None:
    # Segments that keep their title keep their row, so recorded "left after" survives.
    existing = {segment.title: segment for segment in session.segments}
    kept = []
    for position, (title, minutes) in enumerate(segments):
        segment = existing.pop(title, None) or SessionSegment(title=title)
        segment.position, segment.minutes = position, minutes
        kept.append(segment)
    session.segments = kept


def create_session(data: SessionData, *, by: User) -> LiveSession:
    _check(data, None)
    session = LiveSession()
    _apply(session, data)
    _set_segments(session, data.segments)
    db.session.add(session)
    db.session.flush()
    record(by, "session.create", session, summary=session.title)
    return session


def registrants(session: LiveSession,
                statuses=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED),
                ) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Registration, Registration.user_id == User.id)
        .where(Registration.session_id == session.id, Registration.status.in_(statuses))))


def _tell_registrants(session: LiveSession, *, subject: str, body: str) -> None:
    """Tell everyone registered or waiting; the emails of those with a seat carry the
    updated invitation (or its cancellation)."""
    seats = {registration.user_id: registration for registration in db.session.scalars(
        select(Registration).where(Registration.session_id == session.id,
                                   Registration.status == RegistrationStatus.REGISTERED)
        .options(joinedload(Registration.user)))}
    notify_many(registrants(session), kind="session.changed", subject=subject, body=body,
                link=_link(session), calendar=lambda person: (
                    invite(seats[person.id]) if person.id in seats else ""))


def update_session(session: LiveSession, data: SessionData, *, by: User) -> LiveSession:
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("A cancelled session cannot be changed.")
    _check(data, session.id)
    _apply(session, data)
    changes = pending_changes(session)
    _set_segments(session, data.segments)
    session.touch()
    record(by, "session.update", session, summary=session.title, changes=changes)
    if changes:
        _tell_registrants(session, subject=f"Changed: {session.title}",
                          body="The live session you registered for has changed. The "
                               "attached invitation updates it in your calendar.")
    return session


def cancel_session(session: LiveSession, *, by: User) -> LiveSession:
    session.cancel()  # refuses a second cancellation; moves the iCalendar sequence on
    record(by, "session.cancel", session, summary=session.title)
    _tell_registrants(session, subject=f"Cancelled: {session.title}",
                      body="The live session you registered for is cancelled.")
    return session


# --- registration -------------------------------------------------------------------------

def may_register(by: User, person: User) -> bool:
    """Self, an admin, or a manager (or above) for someone in their subtree."""
    if by.id == person.id or by.is_admin:
        return True
    return Level(by.level).rank >= Level.MANAGER.rank and tree.is_in_subtree(by.id, person.id)


def _seats_taken(session: LiveSession) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.session_id == session.id,
            Registration.status == RegistrationStatus.REGISTERED)) or 0


def _lock(session: LiveSession) -> None:
    # Two people taking the last seat at once: serialise on the session row (PostgreSQL).
    db.session.execute(select(LiveSession.id).where(LiveSession.id == session.id)
                       .with_for_update())


def _existing(session: LiveSession, person: User) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.session_id == session.id, Registration.user_id == person.id))


def register(person: User, session: LiveSession, *, by: User) -> Registration:
    """Register ``person``; a full session puts them on the waitlist (status says which)."""
    if not may_register(by, person):
        raise NotAllowedError(f"You may not register {person.name}.")
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("The session is cancelled.")
    if session.starts_at <= utcnow():
        raise ValidationError("The session has already started.")
    _lock(session)
    registration = _existing(session, person)
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        where = ("registered for" if registration.status == RegistrationStatus.REGISTERED
                 else "on the waitlist of")
        raise ValidationError(f"{person.name} is already {where} this session.")
    full = _seats_taken(session) >= session.capacity
    if registration is None:
        registration = Registration(session_id=session.id, user_id=person.id)
        db.session.add(registration)
    registration.status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
    registration.registered_at, registration.cancelled_at = utcnow(), None
    registration.registered_by_id = by.id
    registration.touch()
    registration.user, registration.session = person, session
    db.session.flush()
    record(by, "session.register", registration,
           summary=f"{person.name} {registration.status} for {session.title}")
    if by.id != person.id or not full:
        # A seat comes with an invitation for the person's calendar, even when they took
        # it themselves; a place on the waitlist is news only when someone else chose it.
        body = (f"You are registered for “{session.title}”." if by.id == person.id else
                f"{by.name} registered you{' (on the waitlist)' if full else ''} "
                f"for “{session.title}”.")
        notify(person, kind="session.registered", subject=f"Registered: {session.title}",
               body=body, link=_link(session),
               calendar=None if full else lambda _person: invite(registration))
    return registration


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == registration.session_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        (Registration.registered_at < registration.registered_at)
        | and_(Registration.registered_at == registration.registered_at,
               Registration.id < registration.id)))
    return (ahead or 0) + 1


def cancel_registration(registration: Registration, *, by: User) -> Registration | None:
    """Cancel; when a seat frees, the first waitlisted person is promoted (and returned)."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError("This registration is already cancelled.")
    if not may_register(by, registration.user):
        raise NotAllowedError(f"You may not cancel {registration.user.name}'s registration.")
    session = registration.session
    _lock(session)
    db.session.refresh(registration)  # what a request cancelling it meanwhile left
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError("This registration is already cancelled.")
    held_seat = registration.status == RegistrationStatus.REGISTERED
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, utcnow()
    registration.touch()
    record(by, "session.unregister", registration,
           summary=f"{registration.user.name} cancelled for {session.title}")
    if held_seat:  # take the event out of their calendar
        notify(registration.user, kind="session.registered",
               subject=f"Registration cancelled: {session.title}",
               body=f"{'You' if by.id == registration.user_id else by.name} cancelled your "
                    f"registration for “{session.title}”.",
               link=_link(session), calendar=lambda _person: invite(registration))
    if not held_seat or _seats_taken(session) >= session.capacity:
        return None
    promoted = db.session.scalar(
        select(Registration).where(Registration.session_id == session.id,
                                   Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.registered_at, Registration.id).limit(1))
    if promoted is None:
        return None
    promoted.status = RegistrationStatus.REGISTERED
    promoted.touch()
    record(by, "session.promote", promoted,
           summary=f"{promoted.user.name} promoted from the waitlist of {session.title}")
    notify(promoted.user, kind="session.promoted", subject=f"You have a seat: {session.title}",
           body=f"A seat freed up: you are now registered for “{session.title}”.",
           link=_link(session), calendar=lambda _person: invite(promoted))
    return promoted


def add_walk_in(session: LiveSession, person: User, *, by: User) -> Registration:
    """The facilitator adds someone who turned up unregistered (capacity does not apply)."""
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("The session is cancelled.")
    _lock(session)  # the same walk-in added twice at once
    registration = _existing(session, person)
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        raise ValidationError(f"{person.name} is already registered.", field="email")
    if registration is None:
        registration = Registration(session_id=session.id, user_id=person.id)
        db.session.add(registration)
    registration.status, registration.cancelled_at = RegistrationStatus.REGISTERED, None
    registration.is_walk_in, registration.registered_by_id = True, by.id
    registration.registered_at = utcnow()
    registration.user = person
    db.session.flush()
    record(by, "session.walk_in", registration,
           summary=f"{person.name} walked in to {session.title}")
    return registration


# --- attendance ---------------------------------------------------------------------------

@dataclass
class AttendanceRow:
    registration_id: int
    status: AttendanceStatus | str
    minutes_present: int | None = None
    left_after_segment_id: int | None = None
    excuse: str = ""


def roster(session: LiveSession) -> list[tuple[Registration, Attendance | None]]:
    """Registered people with what was recorded, by name, in one query."""
    rows = db.session.execute(
        select(Registration, Attendance)
        .join(User, User.id == Registration.user_id)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.session_id == session.id,
               Registration.status == RegistrationStatus.REGISTERED)
        .options(joinedload(Registration.user))
        .order_by(User.name, Registration.id))
    return [(registration, attendance) for registration, attendance in rows]


def _minutes_until(segments: list[SessionSegment], segment_id: int) -> int:
    total = 0
    for segment in segments:
        total += segment.minutes
        if segment.id == segment_id:
            return total
    raise ValidationError("Pick a segment of this session's agenda.")


def row_values(row: AttendanceRow, registration: Registration, session: LiveSession,
                segments: list[SessionSegment]) -> dict:
    """Check one roster row and return the column values to save; raise on a bad row."""
    name = registration.user.name
    try:
        status = AttendanceStatus(row.status)
    except ValueError:
        raise ValidationError(f"{name}: unknown attendance status “{row.status}”.") from None
    minutes, segment_id, excuse = row.minutes_present, row.left_after_segment_id, row.excuse
    excuse = (excuse or "").strip()
    if minutes is not None and minutes < 0:
        raise ValidationError(f"{name}: minutes present cannot be negative.")
    if minutes is not None and minutes > session.minutes:
        raise ValidationError(f"{name}: {minutes} minutes present is more than the session's "
                              f"{session.minutes} minutes.")
    if segment_id is not None and status != AttendanceStatus.LEFT_EARLY:
        segment_id = None
    if status == AttendanceStatus.ATTENDED:
        minutes = session.minutes if minutes is None else minutes
    elif status == AttendanceStatus.LEFT_EARLY:
        if minutes is None and segment_id is None:
            raise ValidationError(f"{name}: say which segment they left after, or for how "
                                  "many minutes they were present.")
        if segment_id is not None:
            until = _minutes_until(segments, segment_id)
            # A whole session's minutes left over from "mark all present" yield to the segment.
            minutes = until if minutes is None or minutes >= session.minutes else minutes
        if minutes is not None and minutes >= session.minutes:
            raise ValidationError(f"{name}: left early, yet present for the whole "
                                  f"{session.minutes} minutes; give the minutes present or the "
                                  "segment they left after.")
    elif status == AttendanceStatus.EXCUSED:
        if not excuse:
            raise ValidationError(f"{name}: give the reason they are excused.")
        minutes = 0 if minutes is None else minutes
    else:
        minutes = 0
    if status != AttendanceStatus.EXCUSED:
        excuse = ""
    return {"status": status.value, "minutes_present": minutes,
            "left_after_segment_id": segment_id, "excuse": excuse[:300]}


def attendance_open(session: LiveSession, now: datetime | None = None) -> bool:
    """Attendance records what happened, so it opens when the session starts."""
    return session.starts_at <= (now or utcnow())


def check_attendance_open(session: LiveSession) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("The session is cancelled.")
    if not attendance_open(session):
        raise CadenceError("Attendance opens when the session starts; this session has not "
                           "started yet.")


def take_attendance(session: LiveSession, rows: list[AttendanceRow], *, by: User) -> int:
    """Save the whole roster at once: validate every row, then one bulk UPDATE and INSERT.

    A fixed number of statements however many rows (the roster, the agenda, the existing
    marks, the writes and one audit entry). Refused before the session starts.
    """
    check_attendance_open(session)
    # Two saves at once (a double-click on "all present"): the second waits, then reads the
    # marks and live steps the first recorded instead of inserting them again.
    _lock(session)
    registered = {registration.id: (registration, attendance)
                  for registration, attendance in roster(session)}
    segments = list(db.session.scalars(select(SessionSegment).where(
        SessionSegment.session_id == session.id).order_by(SessionSegment.position)))
    now = utcnow()
    updates, inserts, summary = [], [], {}
    for row in rows:
        if row.registration_id not in registered:
            raise ValidationError("Attendance can only be taken for people registered for "
                                  "this session; add them as a walk-in first.")
        registration, attendance = registered[row.registration_id]
        values = row_values(row, registration, session, segments)
        values.update(marked_by_id=by.id, marked_at=now)
        summary[str(registration.id)] = values["status"]
        if attendance is None:
            inserts.append({"registration_id": registration.id, **values})
        else:
            updates.append({"id": attendance.id, **values})
    before = player.course_attendees(session)  # whose live step already counted
    if updates:
        db.session.execute(update(Attendance), updates)
    if inserts:
        db.session.execute(insert(Attendance), inserts)
    record(by, "session.attendance", session,
           summary=f"Attendance for {len(summary)} people at {session.title}",
           changes={"attendance": summary})
    # The bulk writes bypass the identity map; reload what is read next.
    for _registration, attendance in registered.values():
        if attendance is not None:
            db.session.expire(attendance)
    player.sync_live_step(session, by=by, before=before)  # the course's live-session step
    return len(summary)


def mark_all_present(session: LiveSession, *, by: User) -> int:
    """Everyone registered attended the whole session; exceptions are edited afterwards."""
    rows = [AttendanceRow(registration.id, AttendanceStatus.ATTENDED, session.minutes)
            for registration, _attendance in roster(session)]
    return take_attendance(session, rows, by=by)


def counts_as_attended(attendance: Attendance | None, session: LiveSession) -> bool:
    """Present for at least the session's threshold (percent) of its length."""
    if attendance is None or attendance.status not in (AttendanceStatus.ATTENDED,
                                                       AttendanceStatus.LEFT_EARLY):
        return False
    minutes = attendance.minutes_present
    if minutes is None:
        return attendance.status == AttendanceStatus.ATTENDED
    return minutes * 100 >= session.attended_threshold * max(session.minutes, 1)


# --- leader confirmation ------------------------------------------------------------------

def _chain_up(session_id: int):
    """A CTE of every registrant and everyone above them (their managers up to the top)."""
    start = (select(User.id.label("id"), User.manager_id.label("manager_id"))
             .join(Registration, Registration.user_id == User.id)
             .where(Registration.session_id == session_id,
                    Registration.status == RegistrationStatus.REGISTERED))
    up = start.cte("chain_up", recursive=True)
    return up.union(select(User.id, User.manager_id).where(User.id == up.c.manager_id))


def confirming_leaders(session: LiveSession) -> list[User]:
    """Leaders and executives with people (themselves or their subtree) in the session."""
    up = _chain_up(session.id)
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(up.c.id)),
                           User.level.in_(CONFIRMING_LEVELS)).order_by(User.name)))


@dataclass(frozen=True)
class ConfirmationState:
    leaders: int
    confirmed: int
    disputed: int

    @property
    def is_confirmed(self) -> bool:
        return self.leaders > 0 and self.confirmed == self.leaders


def confirmation_state(session: LiveSession) -> ConfirmationState:
    """How many leaders must confirm, and how many have, in one query."""
    up = _chain_up(session.id)
    leaders = (select(User.id).where(User.id.in_(select(up.c.id)),
                                     User.level.in_(CONFIRMING_LEVELS)).subquery())
    conf = AttendanceConfirmation
    row = db.session.execute(
        select(func.count(leaders.c.id),
               func.coalesce(func.sum(case((conf.status == ConfirmationStatus.CONFIRMED, 1),
                                           else_=0)), 0),
               func.coalesce(func.sum(case((conf.status == ConfirmationStatus.DISPUTED, 1),
                                           else_=0)), 0))
        .select_from(leaders)
        .outerjoin(conf, and_(conf.leader_id == leaders.c.id, conf.session_id == session.id))
    ).one()
    return ConfirmationState(int(row[0]), int(row[1]), int(row[2]))


def has_people_in(leader: User, session: LiveSession) -> bool:
    if Level(leader.level).value not in CONFIRMING_LEVELS:
        return False
    up = _chain_up(session.id)
    return db.session.scalar(
        select(literal(True)).where(up.c.id == leader.id).limit(1)) is not None


def _confirmation(session: LiveSession, leader: User,
                  status: ConfirmationStatus) -> tuple[AttendanceConfirmation, bool]:
    """The leader's confirmation of ``session``; True when made now with ``status``."""
    found = db.session.scalar(select(AttendanceConfirmation).where(
        AttendanceConfirmation.session_id == session.id,
        AttendanceConfirmation.leader_id == leader.id))
    if found is not None:
        return found, False
    made = AttendanceConfirmation(session_id=session.id, leader_id=leader.id, status=status)
    if add_once(made):
        return made, True
    return _confirmation(session, leader, status)  # a racing request made it first


def _check_confirmable(session: LiveSession, leader: User) -> None:
    """A leader with people in the session confirms or disputes what was recorded, so only
    once attendance could be taken: from the session's start."""
    if not has_people_in(leader, session):
        raise NotAllowedError("Only leaders with people in this session confirm it.")
    if not attendance_open(session):
        raise CadenceError("Attendance is confirmed after the session starts; this session has "
                           "not started yet.")


def confirm(session: LiveSession, leader: User) -> AttendanceConfirmation:
    """Confirm the attendance of the leader's people; confirming again changes nothing."""
    _check_confirmable(session, leader)
    confirmation, made = _confirmation(session, leader, ConfirmationStatus.CONFIRMED)
    if made or confirmation.confirm():
        record(leader, "session.confirm", confirmation,
               summary=f"{leader.name} confirmed attendance at {session.title}")
    return confirmation


def dispute(session: LiveSession, leader: User, registration: Registration,
            note: str) -> AttendanceConfirmation:
    _check_confirmable(session, leader)
    note = note.strip()
    if not note:
        raise ValidationError("Say what is wrong with this entry.", field="note")
    if (registration.session_id != session.id
            or not tree.is_in_subtree(leader.id, registration.user_id)):
        raise ValidationError("Pick someone from your part of the organisation who is "
                              "registered for this session.", field="registration")
    confirmation, _made = _confirmation(session, leader, ConfirmationStatus.DISPUTED)
    confirmation.status, confirmation.note = ConfirmationStatus.DISPUTED, note
    confirmation.disputed_registration_id = registration.id
    confirmation.resolution, confirmation.resolved_at = "", None
    db.session.flush()
    record(leader, "session.dispute", confirmation,
           summary=f"{leader.name} disputed {registration.user.name}'s attendance")
    if session.facilitator is not None:
        notify(session.facilitator, kind="session.dispute",
               subject=f"Attendance disputed: {session.title}",
               body=f"{leader.name}: {note}", link=f"{_link(session)}/roster")
    return confirmation


def resolve(confirmation: AttendanceConfirmation, facilitator: User,
            resolution: str) -> AttendanceConfirmation:
    if confirmation.status != ConfirmationStatus.DISPUTED:
        raise ValidationError("Only an open dispute can be resolved.")
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError("Say how the dispute was resolved.", field="resolution")
    confirmation.status, confirmation.resolution = ConfirmationStatus.RESOLVED, resolution
    confirmation.resolved_at, confirmation.resolved_by_id = utcnow(), facilitator.id
    record(facilitator, "session.resolve", confirmation,
           summary=f"Dispute at {confirmation.session.title} resolved")
    player.sync_live_step(confirmation.session, by=facilitator)
    notify(confirmation.leader, kind="session.dispute",
           subject=f"Dispute resolved: {confirmation.session.title}",
           body=f"{resolution} Please confirm the attendance again.",
           link=f"{_link(confirmation.session)}/confirm")
    return confirmation


def disputes(session: LiveSession) -> list[AttendanceConfirmation]:
    return list(db.session.scalars(
        select(AttendanceConfirmation)
        .where(AttendanceConfirmation.session_id == session.id,
               AttendanceConfirmation.status.in_((ConfirmationStatus.DISPUTED,
                                                  ConfirmationStatus.RESOLVED)))
        .options(joinedload(AttendanceConfirmation.leader))
        .order_by(AttendanceConfirmation.created_at)))
