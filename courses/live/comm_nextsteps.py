"""Home suggestions about pre-training communication.

A recipient sees each communication they have not acknowledged yet; a leader or executive
sees each upcoming session (within three weeks) where people of their part of the
organisation are registered and they have not written about it yet, worded for the level of
their direct reports (an executive writes to their leaders).
"""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import exists, select

from courses.live.communications import ACTIVE, covering
from courses.live.models import (
    Communication,
    CommunicationRecipient,
    CommunicationStatus,
    LiveSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from lms.db import utcnow
from lms.extensions import db
from lms.home.nextsteps import NextStep, provider
from lms.people.models import Level, User
from lms.people.services import direct_reports_noun
from lms.people.tree import subtree_ids
from lms.web.templating import relative_text

AHEAD = timedelta(days=21)
MAX_STEPS = 3


@provider
def communication_steps(user: User) -> list[NextStep]:
    return [*_to_acknowledge(user), *_to_write(user)]


def _to_acknowledge(user: User) -> list[NextStep]:
    cr = CommunicationRecipient
    rows = db.session.execute(
        select(Communication.id, Communication.subject, User.name)
        .join(cr, cr.communication_id == Communication.id)
        .outerjoin(User, User.id == Communication.author_id)
        .where(cr.user_id == user.id, cr.acknowledged_at.is_(None),
               Communication.status == CommunicationStatus.SENT)
        .order_by(cr.delivered_at.desc(), Communication.id.desc()).limit(MAX_STEPS))
    return [NextStep(f"Read “{subject}”",
                     f"{author or 'Your leader'} wrote to you before the training. Tell them "
                     "you are ready, or ask a question.",
                     url_for("courses.communication_detail", id=cid), 14, "Read")
            for cid, subject, author in rows]


def sessions_to_write_about(user: User, *, ahead: timedelta = AHEAD):
    """Upcoming sessions with people under ``user`` registered and nothing written by
    ``user`` about them (nor about their wave or program as a whole): one query."""
    now = utcnow()
    registered_below = exists().where(
        Registration.session_id == LiveSession.id,
        Registration.status == RegistrationStatus.REGISTERED,
        Registration.user_id.in_(subtree_ids(user.id, include_root=False)))
    written = exists().where(
        Communication.author_id == user.id, Communication.status.in_(ACTIVE),
        covering(LiveSession.id, LiveSession.wave_id, LiveSession.program_id))
    return db.session.execute(
        select(LiveSession.id, LiveSession.title, LiveSession.starts_at)
        .where(LiveSession.status == SessionStatus.SCHEDULED, LiveSession.starts_at > now,
               LiveSession.starts_at <= now + ahead, registered_below, ~written)
        .order_by(LiveSession.starts_at, LiveSession.id).limit(MAX_STEPS)).all()


def _to_write(user: User) -> list[NextStep]:
    if Level(user.level).rank < Level.LEADER.rank:
        return []
    sessions = sessions_to_write_about(user)
    if not sessions:
        return []
    readers = direct_reports_noun(user)  # an executive writes to their leaders
    return [NextStep(f"Write to your {readers} about “{title}”",
                     f"It starts {relative_text(starts_at)} and people of your "
                     "team are registered: tell them what they will learn and why it "
                     "matters.", url_for("courses.communication_create", session=sid), 18,
                     "Write")
            for sid, title, starts_at in sessions]
