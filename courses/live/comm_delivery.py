"""Delivering pre-training communications: the periodic job and "send now".

A communication is claimed by a conditional UPDATE (scheduled -> sent), so two runners at
once never send it twice; its recipients are resolved then, in one query (the audience
root's subtree, active people at the chosen levels, the author excepted), written in bulk,
and told in the app and, as each chose, by email with the four parts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, false, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from courses.live.communications import (
    RECEIVED,
    about,
    levels_of,
    link,
    parts_html,
    refuse_unless_manager,
    refuse_unless_scheduled,
)
from courses.live.models import Communication, CommunicationRecipient, CommunicationStatus
from lms.audit.services import record
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.jobs import periodic
from lms.notify.services import notify_many
from lms.people import tree
from lms.people.models import User

SEND_SECONDS = 60  # how often the periodic job looks for communications due
SEND_BATCH = 50  # communications sent per run at most (the next run takes the rest)


def audience(communication: Communication) -> Select:
    """SELECT of the people it goes to now: active people at the chosen levels in the subtree
    of the audience root (the author by default), the author excepted. One query."""
    root_id = communication.audience_root_id or communication.author_id
    if root_id is None:
        return select(User).where(false())
    below = tree.subtree_cte(root_id)
    stmt = (select(User).join(below, below.c.id == User.id)
            .where(User.is_active.is_(True), User.level.in_(levels_of(communication)))
            .order_by(User.name, User.id))
    if communication.author_id is not None:
        stmt = stmt.where(User.id != communication.author_id)
    return stmt


def audience_size(communication: Communication) -> int:
    return db.session.scalar(select(func.count()).select_from(
        audience(communication).order_by(None).subquery())) or 0


def _claim(communication: Communication, now: datetime) -> bool:
    """Move scheduled -> sent in the database; False when someone else got there first."""
    claimed = db.session.execute(
        update(Communication)
        .where(Communication.id == communication.id,
               Communication.status == CommunicationStatus.SCHEDULED)
        .values(status=CommunicationStatus.SENT, sent_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed:
        set_committed_value(communication, "status", CommunicationStatus.SENT)
        set_committed_value(communication, "sent_at", now)
    return bool(claimed)


def _notify(communication: Communication, people: list[User], now: datetime) -> None:
    """In-app notifications in one INSERT; the four-part email to whoever wants email now
    (digest people find it in their daily digest), each with a link to the message."""
    author = communication.author.name if communication.author else "Your leader"
    body = f"{author} wrote to you before “{about(communication)}”."
    notify_many(people, kind=RECEIVED, subject=communication.subject, body=body,
                link=link(communication), template="communication", now=now,
                context={"author": author, "about": about(communication), "intro": body,
                         "parts": parts_html(communication)})


def _deliver(communication: Communication, now: datetime, by: User | None) -> int:
    people = list(db.session.scalars(audience(communication)))
    if people:
        db.session.execute(insert(CommunicationRecipient), [
            {"communication_id": communication.id, "user_id": person.id,
             "delivered_at": now, "question": ""} for person in people])
        _notify(communication, people, now)
    record(by, "communication.send", communication,
           summary=f"“{communication.subject}” sent to {len(people)} people",
           changes={"status": [CommunicationStatus.SCHEDULED.value,
                               CommunicationStatus.SENT.value], "recipients": len(people)})
    return len(people)


def send_communication(communication: Communication, *, by: User | None = None,
                       now: datetime | None = None) -> int:
    """Send a scheduled communication at once; return how many people it reached.

    ``now`` is the moment recorded as sent and delivered (the demo sends in the past).
    """
    if by is not None:
        refuse_unless_manager(communication, by)
    refuse_unless_scheduled(communication)
    now = now or utcnow()
    if not _claim(communication, now):
        raise ValidationError("This communication has already been sent.")
    return _deliver(communication, now, by)


@periodic("send_communications", every=SEND_SECONDS)
def send_due_communications(now: datetime | None = None) -> int:
    """Send every scheduled communication whose time has come; return how many went out.

    Idempotent and safe to run twice at once: each is claimed by a conditional UPDATE and a
    communication someone else claimed is skipped.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Communication)
        .where(Communication.status == CommunicationStatus.SCHEDULED,
               Communication.send_at <= now)
        .order_by(Communication.send_at, Communication.id).limit(SEND_BATCH)).all()
    sent = 0
    for communication in due:
        if _claim(communication, now):
            _deliver(communication, now, None)
            sent += 1
    return sent
