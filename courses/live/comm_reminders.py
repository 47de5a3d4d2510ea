"""Reminder "communication_due": a leader who has not written before a session is reminded.

A leader or executive with people of their subtree registered for an upcoming scheduled
session, and no scheduled or sent communication of theirs about that session (nor about its
wave or program as a whole), hears once the due date has come (the session's start minus
``days_before``, default 14 days); ``escalate_after_days`` after the due date their own manager
hears too. One SELECT for every leader and session at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, Select, exists, literal, select, union_all
from sqlalchemy.orm import aliased

from courses.live.communications import ACTIVE, covering
from courses.live.models import (
    Communication,
    LiveSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from lms.notify.preferences import register_kind
from lms.people.models import Level, User
from lms.reminders.rules import DUE, ESCALATED, Message, Rule, Thresholds, register

KEY, SUBJECT = "communication_due", "live_session"
DUE_KIND = "reminder.communication_due"
WRITING_LEVELS = (Level.LEADER.value, Level.EXECUTIVE.value)

register_kind(DUE_KIND, "Reminder: write to your managers before a training", bulk=True)


def _above_registrants(now: datetime, horizon: datetime):
    """A recursive CTE of (session_id, person_id): everyone above someone registered for a
    scheduled session starting in (now, horizon]."""
    registrant = aliased(User, name="registrant")
    start = (select(Registration.session_id.label("session_id"),
                    registrant.manager_id.label("person_id"))
             .join(registrant, registrant.id == Registration.user_id)
             .join(LiveSession, LiveSession.id == Registration.session_id)
             .where(Registration.status == RegistrationStatus.REGISTERED,
                    registrant.is_active, registrant.manager_id.is_not(None),
                    LiveSession.status == SessionStatus.SCHEDULED,
                    LiveSession.starts_at > now, LiveSession.starts_at <= horizon))
    up = start.cte("above_registrants", recursive=True)
    manager = aliased(User, name="manager")
    # UNION (not ALL): many registrants share their leaders, each pair is kept once.
    return up.union(select(up.c.session_id, manager.manager_id)
                    .join(manager, manager.id == up.c.person_id)
                    .where(manager.manager_id.is_not(None)))


def _branch(up, stage: str, latest_start: datetime) -> Select:
    leader = aliased(User, name="leader")
    recipient = leader.id if stage == DUE else leader.manager_id
    written = exists().where(
        Communication.author_id == leader.id, Communication.status.in_(ACTIVE),
        covering(LiveSession.id, LiveSession.wave_id, LiveSession.program_id))
    return (
        select(literal(SUBJECT).label("subject_type"), LiveSession.id.label("subject_id"),
               recipient.label("recipient_id"), literal(stage).label("stage"),
               LiveSession.title.label("title"), LiveSession.starts_at.label("starts_at"))
        .select_from(up)
        .join(leader, leader.id == up.c.person_id)
        .join(LiveSession, LiveSession.id == up.c.session_id)
        .where(leader.level.in_(WRITING_LEVELS), leader.is_active, recipient.is_not(None),
               LiveSession.starts_at <= latest_start, ~written))


def communication_candidates(now: datetime, limits: Thresholds) -> Select:
    """Leaders due to write (and, once long due, their managers): one SELECT."""
    due_from = timedelta(days=limits.days_before)
    escalate = due_from - timedelta(days=limits.escalate_after_days)
    up = _above_registrants(now, now + due_from)
    return union_all(_branch(up, DUE, now + due_from),
                     _branch(up, ESCALATED, now + escalate)
                     ).subquery("communication_reminder").select()


def communication_message(row: Row, limits: Thresholds) -> Message:
    """The same words for everyone at one stage of one session, so they go as one batch."""
    when = f"{row.starts_at:%d %b %Y}"
    if row.stage == DUE:
        return Message(
            DUE_KIND, f"Write to your managers about “{row.title}”",
            f"People of your team are registered for “{row.title}” on {when} and have not "
            "heard from you about it. Tell them what they will learn, why it matters, how "
            "their work will change and the results you expect.",
            f"/courses/communications/new?session={row.subject_id}")
    return Message(
        "reminder.escalated", f"Leaders have not written about “{row.title}”",
        f"At least one leader who reports to you has people registered for “{row.title}” "
        f"on {when} and has not written to them about it yet.",
        f"/courses/sessions/{row.subject_id}")


register(Rule(key=KEY, label="Pre-training communication due",
              candidates=communication_candidates, message=communication_message,
              days_before=14, escalate_after_days=7,
              description="Leaders with people registered for an upcoming session hear "
                          "when it is time to write to them; their own manager gets a copy "
                          "if they still have not."))
