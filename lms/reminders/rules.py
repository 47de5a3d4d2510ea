"""The reminder-rule registry: each package registers the reminders it owns.

A rule answers one question for a given moment: who should be reminded of what, at which
stage? It does so with ONE set-based query, never a query per person, so the sweep costs a
constant number of statements per rule however many people there are. The sweep wraps the
rule's query with what every rule shares (recipient active, their local morning, not sent
before), so a rule states only its own domain.

Stages: ``due`` (due within ``days_before`` days), ``overdue``, and ``escalated`` (overdue by
``escalate_after_days`` days: the person's manager gets a copy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, select

from lms.extensions import db
from lms.notify.preferences import register_kind
from lms.reminders.models import ReminderSetting

DUE, OVERDUE, ESCALATED = "due", "overdue", "escalated"
# Shared by every package's escalations: a manager's copy of their team's overdue work.
ESCALATED_KIND = "reminder.escalated"
register_kind(ESCALATED_KIND, "Reminder: someone in your team is long overdue", bulk=True)
STAGES = (DUE, OVERDUE, ESCALATED)
MAX_DAYS = 365  # a threshold beyond a year is a typing mistake, not a policy


@dataclass(frozen=True)
class Thresholds:
    """A rule's thresholds in force: an admin's setting, else the rule's defaults."""

    enabled: bool
    days_before: int
    escalate_after_days: int


@dataclass(frozen=True)
class Message:
    """What a reminder says; candidates with equal messages go out as one batch."""

    kind: str
    subject: str
    body: str = ""
    link: str = ""


# ``candidates(now, thresholds)`` returns an unexecuted SELECT whose columns are labelled
# subject_type, subject_id, recipient_id and stage, plus any context the message needs.
CandidateQuery = Callable[[datetime, Thresholds], Select]
MessageFor = Callable[[Row, Thresholds], Message]


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    candidates: CandidateQuery
    message: MessageFor
    days_before: int = 3
    escalate_after_days: int = 7
    description: str = ""

    @property
    def defaults(self) -> Thresholds:
        return Thresholds(True, self.days_before, self.escalate_after_days)


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add ``rule`` to the registry (a package calls this when it is imported)."""
    if not 0 <= rule.days_before <= MAX_DAYS or not 0 <= rule.escalate_after_days <= MAX_DAYS:
        raise ValueError(f"rule {rule.key!r} has a threshold outside 0..{MAX_DAYS}")
    RULES[rule.key] = rule
    return rule


def thresholds() -> dict[str, Thresholds]:
    """Every registered rule's thresholds in force, in one query."""
    settings = {setting.rule: setting for setting in db.session.scalars(select(ReminderSetting))}
    result = {}
    for key, rule in RULES.items():
        setting = settings.get(key)
        result[key] = (rule.defaults if setting is None else
                       Thresholds(setting.enabled, setting.days_before,
                                  setting.escalate_after_days))
    return result
