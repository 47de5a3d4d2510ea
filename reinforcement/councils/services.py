"""Champions councils: leaders who meet on a rhythm about which coaching practices work.

A council has a name, a purpose, a chair and members (leaders and executives; the chair is
always a member) and meets every N weeks. The chair (or an admin) schedules meetings on the
rhythm — at the same local time in the chair's time zone, across daylight-saving changes —
writes the agenda, takes attendance (every member present or absent; this marks the meeting
held), notes what works and what does not, and records council actions: action items owned
by a member with a due date, listed open, overdue and done on the council page.

Services flush, never commit; every change is audited. Refusals raise ``ValidationError``
before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.audit.services import pending_changes, record
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import Level, User
from lms.web.templating import person_zone
from reinforcement.checkins.models import ActionItem
from reinforcement.councils.models import Council, CouncilAttendance, CouncilMeeting

MAX_EVERY_WEEKS = 26
MAX_MEETINGS = 12  # scheduled in one go
NOTES_MAX = 20_000


def sits_on_councils(person: User) -> bool:
    """Leaders and executives sit on champions councils."""
    return Level(person.level).rank >= Level.LEADER.rank


@dataclass
class CouncilData:
    name: str
    purpose: str = ""
    chair: User | None = None
    members: list[User] = field(default_factory=list)
    every_weeks: int = 4


def _check(data: CouncilData) -> CouncilData:
    name = (data.name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("Give the council a name of at most 200 characters.",
                              field="name")
    if len(data.purpose or "") > NOTES_MAX:
        raise ValidationError("Keep the purpose shorter.", field="purpose")
    if not isinstance(data.every_weeks, int) or not 1 <= data.every_weeks <= MAX_EVERY_WEEKS:
        raise ValidationError(f"A council meets every 1 to {MAX_EVERY_WEEKS} weeks.",
                              field="every_weeks")
    if data.chair is None:
        raise ValidationError("Choose who chairs the council.", field="chair_id")
    members = list({person.id: person for person in [data.chair, *data.members]}.values())
    for person in members:
        if not sits_on_councils(person):
            raise ValidationError(f"{person.name} is a {Level(person.level).label.lower()}: "
                                  "a champions council is made of leaders and executives.",
                                  field="chair_id" if person is data.chair else "members")
        if not person.is_active:
            raise ValidationError(f"{person.name} is deactivated.",
                                  field="chair_id" if person is data.chair else "members")
    return CouncilData(name, (data.purpose or "").strip(), data.chair,
                       sorted(members, key=lambda person: (person.name, person.id)),
                       data.every_weeks)


def create_council(data: CouncilData, *, by: User) -> Council:
    """Found a council; the chair is made a member."""
    data = _check(data)
    council = Council(name=data.name, purpose=data.purpose, chair_id=data.chair.id,
                      every_weeks=data.every_weeks, members=data.members)
    db.session.add(council)
    db.session.flush()
    record(by, "council.create", council, summary=council.name,
           changes={"members": [None, [person.name for person in data.members]]})
    return council


def update_council(council: Council, data: CouncilData, *, by: User) -> Council:
    """Change a council's name, purpose, chair, members or rhythm."""
    data = _check(data)
    before = [person.name for person in council.members]
    council.name, council.purpose = data.name, data.purpose
    council.chair_id, council.every_weeks = data.chair.id, data.every_weeks
    changes = pending_changes(council)
    after = [person.name for person in data.members]
    if sorted(before) != sorted(after):
        changes["members"] = [before, after]
    council.members = data.members
    record(by, "council.update", council, summary=council.name, changes=changes)
    return council


# --- meetings ----------------------------------------------------------------------------------

def rhythm(first_at: datetime, every_weeks: int, count: int, zone: ZoneInfo) -> list[datetime]:
    """``count`` moments ``every_weeks`` apart at the same local time in ``zone``, in UTC."""
    local = first_at.astimezone(zone).replace(tzinfo=None)
    return [(local + timedelta(weeks=every_weeks * n)).replace(tzinfo=zone).astimezone(UTC)
            for n in range(count)]


def schedule_meetings(council: Council, first_at: datetime, *, count: int = 1,
                      minutes: int = 60, agenda: str = "", by: User,
                      now: datetime | None = None) -> list[CouncilMeeting]:
    """Schedule ``count`` meetings on the council's rhythm from ``first_at``."""
    now = now or utcnow()
    if first_at.tzinfo is None or first_at <= now:
        raise ValidationError("Schedule the first meeting in the future.", field="first_at")
    if not isinstance(count, int) or not 1 <= count <= MAX_MEETINGS:
        raise ValidationError(f"Schedule 1 to {MAX_MEETINGS} meetings at a time.",
                              field="count")
    if not isinstance(minutes, int) or not 15 <= minutes <= 480:
        raise ValidationError("A meeting lasts 15 to 480 minutes.", field="minutes")
    if len(agenda or "") > NOTES_MAX:
        raise ValidationError("Keep the agenda shorter.", field="agenda")
    moments = rhythm(first_at, council.every_weeks, count, person_zone(council.chair))
    meetings = [CouncilMeeting(council_id=council.id, scheduled_at=moment, minutes=minutes,
                               agenda=(agenda or "").strip()) for moment in moments]
    db.session.add_all(meetings)
    db.session.flush()
    record(by, "council.schedule", council, summary=council.name,
           changes={"meetings": [None, [moment.isoformat() for moment in moments]]})
    return meetings


@dataclass
class MeetingNotes:
    agenda: str = ""
    works: str = ""
    does_not_work: str = ""
    notes: str = ""


def update_meeting(meeting: CouncilMeeting, data: MeetingNotes, *, by: User) -> CouncilMeeting:
    """Write the agenda, what works, what does not and the notes of a meeting."""
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.", field="notes")
    for name in ("agenda", "works", "does_not_work", "notes"):
        text = (getattr(data, name) or "").strip()
        if len(text) > NOTES_MAX:
            raise ValidationError(f"Keep it under {NOTES_MAX:,} characters.", field=name)
        setattr(meeting, name, text)
    record(by, "council.meeting_notes", meeting, summary=meeting.council.name)
    return meeting


def record_attendance(meeting: CouncilMeeting, present_ids: set[int], *, by: User,
                      now: datetime | None = None) -> CouncilMeeting:
    """Mark every member present or absent; the meeting counts as held."""
    now = now or utcnow()
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.", field="present")
    if meeting.scheduled_at > now:
        raise ValidationError("The meeting has not started yet: take attendance once it has.",
                              field="present")
    members = {person.id for person in meeting.council.members}
    strangers = set(present_ids) - members
    if strangers:
        raise ValidationError("Only the council's members can be marked present.",
                              field="present")
    rows = {row.user_id: row for row in meeting.attendance}
    for member in members:
        row = rows.get(member)
        if row is None:
            meeting.attendance.append(CouncilAttendance(user_id=member,
                                                        present=member in present_ids))
        else:
            row.present = member in present_ids
    meeting.held_at = meeting.held_at or now
    db.session.flush()
    record(by, "council.attendance", meeting, summary=meeting.council.name,
           changes={"present": [None, sorted(present_ids)]})
    return meeting


def cancel_meeting(meeting: CouncilMeeting, *, by: User) -> CouncilMeeting:
    if meeting.held_at is not None:
        raise ValidationError("This meeting was held: it cannot be cancelled.", field="meeting")
    if meeting.is_cancelled:
        raise ValidationError("This meeting is already cancelled.", field="meeting")
    meeting.is_cancelled = True
    record(by, "council.cancel_meeting", meeting, summary=meeting.council.name)
    return meeting


# --- council actions ---------------------------------------------------------------------------

def add_council_action(meeting: CouncilMeeting, title: str, owner: User | None,
                       due_on: date | None, *, by: User) -> ActionItem:
    """A council action: owned by a member, due on or after the meeting's day."""
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise ValidationError("Describe the action in at most 300 characters.", field="title")
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.", field="title")
    if owner is None or owner.id not in {person.id for person in meeting.council.members}:
        raise ValidationError("The owner of a council action is one of its members.",
                              field="owner_id")
    if due_on is None:
        raise ValidationError("Give the action a due date.", field="due_on")
    if due_on < meeting.scheduled_at.date():
        raise ValidationError("The due date cannot be before the meeting.", field="due_on")
    item = ActionItem(title=title, owner_id=owner.id, due_on=due_on,
                      council_meeting_id=meeting.id, created_by_id=by.id)
    db.session.add(item)
    db.session.flush()
    record(by, "council.action_add", item, summary=title)
    return item


def set_action_done(item: ActionItem, done: bool, *, by: User,
                    now: datetime | None = None) -> ActionItem:
    """Mark a council action done, or reopen it."""
    if item.council_meeting_id is None:
        raise ValidationError("This is not a council action.", field="action")
    if done == (item.done_at is not None):
        raise ValidationError("It is already done." if done else "It is still open.",
                              field="action")
    item.done_at = (now or utcnow()) if done else None
    record(by, "council.action_done" if done else "council.action_reopen", item,
           summary=item.title)
    return item


@dataclass
class ActionBoard:
    overdue: list[ActionItem]
    open: list[ActionItem]
    done: list[ActionItem]


def actions_of(council: Council, today: date) -> ActionBoard:
    """The council's actions, overdue first, in one query."""
    items = db.session.scalars(
        select(ActionItem).join(CouncilMeeting, CouncilMeeting.id == ActionItem.council_meeting_id)
        .where(CouncilMeeting.council_id == council.id)
        .options(joinedload(ActionItem.owner))
        .order_by(ActionItem.due_on, ActionItem.id))
    board = ActionBoard([], [], [])
    for item in items:
        if item.done_at is not None:
            board.done.append(item)
        elif item.due_on < today:
            board.overdue.append(item)
        else:
            board.open.append(item)
    return board
