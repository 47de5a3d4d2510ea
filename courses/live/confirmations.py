"""Which sessions wait for a leader's confirmation of their people's attendance.

A session waits for a leader or executive once it is over, the facilitator has marked the
attendance of at least one person of the leader's part of the organisation (the leader
included), and the leader has neither confirmed nor disputed it. A resolved dispute waits
again: the facilitator asked the leader to confirm the corrected entry. One query each.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Row, and_, literal, select

from courses.live.models import (
    Attendance,
    AttendanceConfirmation,
    ConfirmationStatus,
    LiveSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from courses.live.services import CONFIRMING_LEVELS
from lms.db import utcnow
from lms.extensions import db
from lms.people import tree
from lms.people.models import Level, User

ANSWERED = (ConfirmationStatus.CONFIRMED.value, ConfirmationStatus.DISPUTED.value)


def confirms_attendance(user: User) -> bool:
    """Leaders and executives confirm the attendance of the people under them."""
    return Level(user.level).value in CONFIRMING_LEVELS


def _awaiting(leader: User, now: datetime) -> ColumnElement[bool]:
    """``LiveSession`` is over, attendance of the leader's people is marked, no answer yet."""
    marked = (select(Registration.id)
              .join(Attendance, Attendance.registration_id == Registration.id)
              .where(Registration.session_id == LiveSession.id,
                     Registration.status == RegistrationStatus.REGISTERED,
                     Registration.user_id.in_(tree.subtree_ids(leader.id)))
              .exists())
    answered = (select(AttendanceConfirmation.id)
                .where(AttendanceConfirmation.session_id == LiveSession.id,
                       AttendanceConfirmation.leader_id == leader.id,
                       AttendanceConfirmation.status.in_(ANSWERED))
                .exists())
    return and_(LiveSession.status == SessionStatus.SCHEDULED, LiveSession.ends_at <= now,
                marked, ~answered)


def awaiting_confirmation(session: LiveSession, leader: User) -> bool:
    """Say whether ``session`` waits for ``leader`` to confirm their people's attendance."""
    if not confirms_attendance(leader):
        return False
    found = db.session.scalar(select(literal(True)).where(
        LiveSession.id == session.id, _awaiting(leader, utcnow())))
    return found is not None


def sessions_to_confirm(leader: User, *, limit: int) -> list[Row]:
    """``(id, title, ends_at)`` of the sessions waiting for ``leader``, latest first."""
    if not confirms_attendance(leader):
        return []
    return db.session.execute(
        select(LiveSession.id, LiveSession.title, LiveSession.ends_at)
        .where(_awaiting(leader, utcnow()))
        .order_by(LiveSession.ends_at.desc(), LiveSession.id.desc()).limit(limit)).all()
