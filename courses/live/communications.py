"""Pre-training communication: a leader writes to the people they lead before a training.

A communication has four required parts (what you will learn, why it matters, how your work
will change afterwards, the results we expect), concerns a session, a wave or a program, and
goes at ``send_at`` to the chosen levels of a subtree (delivery: ``comm_delivery``). The
recipient opens and acknowledges it; the author follows who did. Services flush, never commit;
every change is audited; refusals raise ``ValidationError`` before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, update
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from courses.live.models import (
    Communication,
    CommunicationRecipient,
    CommunicationStatus,
    LiveSession,
    Program,
    ProgramStatus,
    ProgramWave,
    SessionStatus,
)
from lms.audit.services import pending_changes, record
from lms.db import begin_writing, utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.preferences import register_kind
from lms.notify.services import notify
from lms.people import tree
from lms.people.models import LEVEL_VALUES, Level, User
from lms.web.markdown import render_markdown
from lms.web.templating import person_zone

RECEIVED, QUESTION = "communication.received", "communication.question"
register_kind(RECEIVED, "A leader writes to you before a training", bulk=True)
register_kind(QUESTION, "Someone asks a question about a communication you wrote")

LEAD_DAYS = 14  # the default send date: this many days before the training
# A send time picked as "now" in a form is a little in the past by the time it arrives.
GRACE = timedelta(minutes=5)
MAX_PART = 20_000
MAX_QUESTION = 2_000
PARTS = (("what_you_learn", "What you will learn"),
         ("why_it_matters", "Why it matters"),
         ("how_work_changes", "How your work will change afterwards"),
         ("expected_results", "The results we expect"))
ACTIVE = (CommunicationStatus.SCHEDULED, CommunicationStatus.SENT)


def link(communication: Communication) -> str:
    return f"/courses/communications/{communication.id}"


def may_write(user: User) -> bool:
    return user.is_admin or Level(user.level).rank >= Level.LEADER.rank


def levels_of(communication: Communication) -> list[str]:
    return [level for level in communication.audience_levels.split(",") if level]


def about(communication: Communication) -> str:
    """What the communication concerns, in words: the session, else the wave, else the program."""
    if communication.session is not None:
        return communication.session.title
    if communication.wave is not None:
        return f"wave {communication.wave.number} of {communication.wave.program.name}"
    return communication.program.name if communication.program is not None else "a training"


def parts_html(communication: Communication) -> list[tuple[str, str, str]]:
    """(label, Markdown, sanitised HTML) for each of the four parts."""
    return [(label, getattr(communication, name), render_markdown(getattr(communication, name)))
            for name, label in PARTS]


def covering(session_id, wave_id, program_id) -> ColumnElement[bool]:
    """SQL: a communication concerns this session, its wave as a whole or its program as a whole.

    A communication about another session of the same program does not count.
    """
    def same(column, value) -> ColumnElement[bool]:
        # A Python None would compile to IS NULL and match every program-wide message.
        return false() if value is None else column == value
    c = Communication
    return or_(same(c.session_id, session_id),
               and_(c.session_id.is_(None), same(c.wave_id, wave_id)),
               and_(c.session_id.is_(None), c.wave_id.is_(None), same(c.program_id, program_id)))


# --- composing ------------------------------------------------------------------------------

@dataclass
class CommunicationData:
    subject: str
    what_you_learn: str = ""
    why_it_matters: str = ""
    how_work_changes: str = ""
    expected_results: str = ""
    session: LiveSession | None = None
    wave: ProgramWave | None = None
    program: Program | None = None
    levels: Sequence[str] = (Level.MANAGER.value,)
    audience_root: User | None = None  # None: the author
    send_at: datetime | None = None  # None: LEAD_DAYS before the training (now if that passed)


def _morning(day: date, person: User | None) -> datetime:
    return datetime.combine(day, time(9), tzinfo=person_zone(person)).astimezone(UTC)


def training_start(session: LiveSession | None, wave: ProgramWave | None,
                   program: Program | None, author: User | None = None) -> datetime | None:
    """When the training begins: the session's start, else 09:00 (author's time) on the
    wave's opening date, else on the program's start date."""
    if session is not None:
        return session.starts_at
    if wave is not None:
        return _morning(wave.opens_on, author)
    return _morning(program.starts_on, author) if program is not None else None


def default_send_at(session, wave, program, *, author: User | None = None,
                    now: datetime | None = None) -> datetime:
    """LEAD_DAYS before the training starts, or now when that moment has passed."""
    now = now or utcnow()
    start = training_start(session, wave, program, author)
    return now if start is None else max(start - timedelta(days=LEAD_DAYS), now)


def _resolve_about(data: CommunicationData, now: datetime):
    """The most specific subject wins: a session implies its wave and program."""
    session, wave, program = data.session, data.wave, data.program
    if session is not None:
        if session.status != SessionStatus.SCHEDULED:
            raise ValidationError("That session is cancelled.", field="about")
        if session.starts_at <= now:
            raise ValidationError("That session has already started.", field="about")
        return session, session.wave, session.program
    program = wave.program if wave is not None else program
    if program is None:
        raise ValidationError("Say which session, wave or program this is about.",
                              field="about")
    if program.status in (ProgramStatus.COMPLETED, ProgramStatus.CANCELLED):
        raise ValidationError(f"“{program.name}” is {program.status}.", field="about")
    return None, wave, program


def _check_text(data: CommunicationData) -> None:
    if not data.subject.strip():
        raise ValidationError("Give the communication a subject.", field="subject")
    if len(data.subject.strip()) > 200:
        raise ValidationError("Keep the subject under 200 characters.", field="subject")
    for name, label in PARTS:
        text = (getattr(data, name) or "").strip()
        if not text:
            raise ValidationError(f"Write “{label}”: every communication has all four parts.",
                                  field=name)
        if len(text) > MAX_PART:
            raise ValidationError(f"Keep “{label}” under {MAX_PART:,} characters.", field=name)


def _check_audience(data: CommunicationData, author: User, by: User) -> list[str]:
    levels = [str(level) for level in dict.fromkeys(data.levels)]
    if not levels:
        raise ValidationError("Choose at least one level to write to.", field="levels")
    unknown = [level for level in levels if level not in LEVEL_VALUES]
    if unknown:
        raise ValidationError(f"Unknown level “{unknown[0]}”.", field="levels")
    root = data.audience_root
    if root is not None and not by.is_admin and not tree.is_in_subtree(author.id, root.id):
        raise ValidationError("You can only write to people in your own part of the "
                              "organisation.", field="audience_root")
    return levels


def _check_send_at(send_at: datetime, session: LiveSession | None, now: datetime) -> None:
    if send_at < now - GRACE:
        raise ValidationError("The send date is in the past: choose now or a later date.",
                              field="send_at")
    if session is not None and send_at >= session.starts_at:
        raise ValidationError("Send it before the session starts.", field="send_at")


def _apply(communication: Communication, data: CommunicationData, author: User, by: User,
           now: datetime) -> None:
    """Check everything first, then write: a refusal leaves the communication as it was."""
    if not may_write(author):
        raise NotAllowedError("Only leaders, executives and admins write pre-training "
                              "communications.")
    _check_text(data)
    session, wave, program = _resolve_about(data, now)
    levels = _check_audience(data, author, by)
    send_at = data.send_at or default_send_at(session, wave, program, author=author, now=now)
    _check_send_at(send_at, session, now)
    communication.subject = data.subject.strip()
    for name, _label in PARTS:
        setattr(communication, name, getattr(data, name).strip())
    communication.session, communication.wave, communication.program = session, wave, program
    communication.audience_levels = "," + ",".join(levels) + ","
    communication.audience_root = data.audience_root
    communication.send_at = max(send_at, now)


def schedule_communication(data: CommunicationData, *, by: User,
                           now: datetime | None = None) -> Communication:
    """Write a communication and schedule it for ``data.send_at`` (by default LEAD_DAYS
    before the training); it goes out by itself then."""
    now = now or utcnow()
    communication = Communication(author=by, status=CommunicationStatus.SCHEDULED,
                                  created_at=now)
    _apply(communication, data, by, by, now)
    db.session.add(communication)
    db.session.flush()
    record(by, "communication.schedule", communication,
           summary=f"“{communication.subject}” for {communication.send_at:%Y-%m-%d %H:%M} UTC")
    return communication


def refuse_unless_scheduled(communication: Communication) -> None:
    if communication.status == CommunicationStatus.SENT:
        raise ValidationError("This communication has already been sent; it can no longer "
                              "be changed.")
    if communication.status == CommunicationStatus.CANCELLED:
        raise ValidationError("This communication is cancelled.")


def refuse_unless_manager(communication: Communication, by: User) -> None:
    if not (by.is_admin or communication.author_id == by.id):
        raise NotAllowedError("Only the author (or an admin) changes a communication.")


def update_communication(communication: Communication, data: CommunicationData, *, by: User,
                         now: datetime | None = None) -> Communication:
    """Change a communication while it is still scheduled."""
    refuse_unless_manager(communication, by)
    refuse_unless_scheduled(communication)
    now = now or utcnow()
    before = (about(communication), communication.audience_root_id)
    _apply(communication, data, communication.author or by, by, now)
    changes = pending_changes(communication)
    root = data.audience_root.id if data.audience_root else None
    if about(communication) != before[0]:
        changes["about"] = [before[0], about(communication)]
    if root != before[1]:
        changes["audience_root_id"] = [before[1], root]
    record(by, "communication.update", communication, summary=communication.subject,
           changes=changes)
    return communication


def cancel_communication(communication: Communication, *, by: User) -> Communication:
    """Call off a scheduled communication; nobody hears of it."""
    refuse_unless_manager(communication, by)
    refuse_unless_scheduled(communication)
    communication.status = CommunicationStatus.CANCELLED
    record(by, "communication.cancel", communication, summary=communication.subject)
    return communication


# --- receiving ------------------------------------------------------------------------------

def receipt(communication: Communication, person: User) -> CommunicationRecipient | None:
    return db.session.scalar(select(CommunicationRecipient).where(
        CommunicationRecipient.communication_id == communication.id,
        CommunicationRecipient.user_id == person.id))


def is_recipient(communication: Communication, person: User) -> bool:
    return db.session.scalar(select(literal(True)).where(
        CommunicationRecipient.communication_id == communication.id,
        CommunicationRecipient.user_id == person.id).limit(1)) is not None


def mark_opened(found: CommunicationRecipient, *, now: datetime | None = None) -> bool:
    """Record the first time the recipient opens the communication; later opens change
    nothing. Returns whether this was the first time."""
    if found.opened_at is not None:
        return False
    now = now or utcnow()
    begin_writing(db.session)  # the page that opens it is a GET
    # Conditional, so two first opens at once (two tabs, page and API) keep the earlier one.
    opened = db.session.execute(
        update(CommunicationRecipient)
        .where(CommunicationRecipient.id == found.id, CommunicationRecipient.opened_at.is_(None))
        .values(opened_at=now).execution_options(synchronize_session=False)).rowcount
    if not opened:
        db.session.refresh(found, ["opened_at"])
        return False
    set_committed_value(found, "opened_at", now)
    record(found.user, "communication.open", found,
           summary=f"{found.user.name} opened “{found.communication.subject}”",
           changes={"opened_at": [None, now.isoformat()]})
    return True


def acknowledge(communication: Communication, person: User, *, question: str = "",
                now: datetime | None = None) -> CommunicationRecipient:
    """"I've read this and I'm ready", once, with an optional question for the author."""
    found = receipt(communication, person)
    if found is None:
        raise NotAllowedError("This communication was not sent to you.")
    if found.acknowledged_at is not None:
        raise ValidationError(f"You already acknowledged this on "
                              f"{found.acknowledged_at:%Y-%m-%d}.")
    question = (question or "").strip()
    if len(question) > MAX_QUESTION:
        raise ValidationError(f"Keep your question under {MAX_QUESTION:,} characters.",
                              field="question")
    now = now or utcnow()
    if not found.acknowledge(now, question):  # a racing request acknowledged it first
        raise ValidationError(f"You already acknowledged this on "
                              f"{found.acknowledged_at:%Y-%m-%d}.")
    record(person, "communication.acknowledge", found,
           summary=f"{person.name} acknowledged “{communication.subject}”",
           changes={"acknowledged_at": [None, now.isoformat()]})
    author = communication.author
    if question and author is not None:
        notify(author, kind=QUESTION, subject=f"A question on “{communication.subject}”",
               body=f"{person.name}: {question}", link=link(communication))
    return found


# --- tracking and lists ---------------------------------------------------------------------

@dataclass
class Tracking:
    rows: list[CommunicationRecipient]

    @property
    def received(self) -> int:
        return len(self.rows)

    @property
    def opened(self) -> int:
        return sum(row.opened_at is not None for row in self.rows)

    @property
    def acknowledged(self) -> int:
        return sum(row.acknowledged_at is not None for row in self.rows)

    @property
    def questions(self) -> list[CommunicationRecipient]:
        return [row for row in self.rows if row.question]


def tracking(communication: Communication) -> Tracking:
    """Each recipient with received / opened / acknowledged / question, by name: one query."""
    return Tracking(list(db.session.scalars(
        select(CommunicationRecipient)
        .join(User, User.id == CommunicationRecipient.user_id)
        .where(CommunicationRecipient.communication_id == communication.id)
        .options(contains_eager(CommunicationRecipient.user))
        .order_by(User.name, User.id))))


@dataclass(frozen=True)
class Counts:
    recipients: int = 0
    opened: int = 0
    acknowledged: int = 0


def counts_for(ids: Sequence[int]) -> dict[int, Counts]:
    """Recipients, opened and acknowledged per communication, in one query for any number."""
    found = {cid: Counts() for cid in ids}
    if ids:
        cr = CommunicationRecipient
        for cid, recipients, opened, acknowledged in db.session.execute(
                select(cr.communication_id, func.count(), func.count(cr.opened_at),
                       func.count(cr.acknowledged_at))
                .where(cr.communication_id.in_(ids)).group_by(cr.communication_id)):
            found[cid] = Counts(recipients, opened, acknowledged)
    return found


def with_subject(stmt: Select) -> Select:
    """Load each communication's author and session, wave or program with the list."""
    return stmt.options(selectinload(Communication.author), selectinload(Communication.session),
                        selectinload(Communication.wave).selectinload(ProgramWave.program),
                        selectinload(Communication.program))


def written_by(user: User) -> Select:
    """SELECT of the communications ``user`` wrote, latest send date first."""
    return with_subject(select(Communication).where(Communication.author_id == user.id)
                         .order_by(Communication.send_at.desc(), Communication.id.desc()))


def received_by(user: User) -> Select:
    """SELECT of (communication, receipt) for what ``user`` received, latest first."""
    cr = CommunicationRecipient
    return with_subject(
        select(Communication, cr)
        .join(cr, and_(cr.communication_id == Communication.id, cr.user_id == user.id))
        .order_by(cr.delivered_at.desc(), Communication.id.desc()))

