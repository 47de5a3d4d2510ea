"""Coaching reminders: agendas to prepare, and overdue action items (escalated to the manager).

"checkin_agenda": a scheduled check-in starting within ``days_before`` days (default 1) whose
agenda is not marked prepared: its coach hears (stage ``due``), once per check-in.

"action_item_overdue": an open action item whose due date has passed (the day after it, UTC):
its owner hears (``overdue``); ``escalate_after_days`` days past the due date (default 7) the
owner's own manager gets a copy (``escalated``). ``days_before`` is not used by this rule.

Each rule is ONE set-based SELECT whatever the number of people; the sweep adds what every
rule shares (active recipient, their local morning, never the same reminder twice). The
messages are the same for everyone at a stage, so each stage goes out as one batch and a
coach with several check-ins tomorrow hears once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, Select, literal, select, union_all
from sqlalchemy.orm import aliased

from lms.notify.preferences import register_kind
from lms.people.models import User
from lms.reminders.rules import DUE, ESCALATED, OVERDUE, Message, Rule, Thresholds, register
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus

AGENDA_KEY, ACTION_KEY = "checkin_agenda", "action_item_overdue"
AGENDA_KIND, ACTION_KIND = "reminder.checkin_agenda", "reminder.action_overdue"
WEEK_PATH = "/reinforcement/"

register_kind(AGENDA_KIND, "Reminder: prepare the agenda of a check-in you coach",
              bulk=True)
register_kind(ACTION_KIND, "Reminder: an action item of yours is overdue", bulk=True)


def agenda_candidates(now: datetime, limits: Thresholds) -> Select:
    """Coaches of unprepared check-ins starting within ``days_before`` days: one SELECT."""
    coachee = aliased(User, name="coachee")
    return (
        select(literal("check_in").label("subject_type"), CheckIn.id.label("subject_id"),
               CheckIn.coach_id.label("recipient_id"), literal(DUE).label("stage"))
        .join(coachee, coachee.id == CheckIn.coachee_id)
        .where(CheckIn.status == CheckInStatus.SCHEDULED, CheckIn.agenda_prepared_at.is_(None),
               CheckIn.scheduled_at > now,
               CheckIn.scheduled_at <= now + timedelta(days=limits.days_before),
               coachee.is_active))


def agenda_message(row: Row, limits: Thresholds) -> Message:
    days = "a day" if limits.days_before == 1 else f"{limits.days_before} days"
    return Message(AGENDA_KIND, "Prepare the agenda of your next check-in",
                   f"You have a check-in within {days} whose agenda is not prepared yet. Add "
                   "the topics, look at the open action items it carries forward, and mark "
                   "it prepared.", WEEK_PATH)


def _action_branch(stage: str, *conditions) -> Select:
    owner = aliased(User, name="owner")
    recipient = owner.id if stage == OVERDUE else owner.manager_id
    return (
        select(literal("action_item").label("subject_type"), ActionItem.id.label("subject_id"),
               recipient.label("recipient_id"), literal(stage).label("stage"))
        .join(owner, owner.id == ActionItem.owner_id)
        # A deactivated owner's items are never chased, not even through their manager.
        .where(ActionItem.done_at.is_(None), owner.is_active, recipient.is_not(None),
               *conditions))


def action_candidates(now: datetime, limits: Thresholds) -> Select:
    """Open items past their due date (owners) and long past it (their managers): one SELECT."""
    today = now.date()
    return union_all(
        _action_branch(OVERDUE, ActionItem.due_on < today),
        _action_branch(ESCALATED, ActionItem.due_on
                       <= today - timedelta(days=limits.escalate_after_days)),
    ).subquery("action_reminder").select()


def action_message(row: Row, limits: Thresholds) -> Message:
    if row.stage == OVERDUE:
        return Message(ACTION_KIND, "An action item of yours is overdue",
                       "At least one of your action items is past its due date. Mark it done "
                       "if it is, or talk it over at your next check-in.", WEEK_PATH)
    return Message("reminder.escalated", "Action items of your team are overdue",
                   f"At least one person who reports to you has an action item "
                   f"{limits.escalate_after_days} or more days past its due date.", WEEK_PATH)


register(Rule(key=AGENDA_KEY, label="Check-in agenda not prepared",
              candidates=agenda_candidates, message=agenda_message, days_before=1,
              escalate_after_days=0,
              description="Coaches hear when a check-in is this close and its agenda is not "
                          "marked prepared. There is no escalation."))
register(Rule(key=ACTION_KEY, label="Action item overdue", candidates=action_candidates,
              message=action_message, days_before=0, escalate_after_days=7,
              description="Owners hear the day after an action item's due date; their manager "
                          "gets a copy once it is long overdue. “Days before” is not used."))
