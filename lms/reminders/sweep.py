"""The reminder sweep: run every few minutes, it sends each reminder once, in local mornings.

Idempotence lives in the database: a reminder is a candidate only while no ``ReminderSent``
row has the same (rule, subject, recipient, stage), and the notifications and those rows are
written in one transaction. A second sweep, or a second process racing the first, sends
nothing twice (the loser hits the unique constraint and rolls back whole).
"""

from __future__ import annotations

import functools
import zoneinfo
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, insert, or_, select

from lms.db import utcnow
from lms.extensions import db
from lms.notify.jobs import periodic
from lms.notify.models import SystemState
from lms.notify.services import notify_many
from lms.people.models import User
from lms.reminders.models import ReminderSent
from lms.reminders.rules import RULES, Rule, Thresholds, thresholds

STATE_NAME = "reminder_sweep"
SWEEP_SECONDS = 5 * 60


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def morning_zones(now: datetime, start_hour: int, end_hour: int) -> list[str]:
    """The IANA zones whose local hour at ``now`` lies in [start_hour, end_hour)."""
    return sorted(name for name in _known_zones()
                  if start_hour <= now.astimezone(ZoneInfo(name)).hour < end_hour)


def local_date(now: datetime, time_zone: str):
    """``now``'s date where the person lives (an unknown zone counts as UTC)."""
    zone = ZoneInfo(time_zone if time_zone in _known_zones() else "UTC")
    return now.astimezone(zone).date()


def _in_morning(zones: list[str]) -> ColumnElement[bool]:
    # Comparing zone names is portable SQL; local clocks are worked out in Python above,
    # which also follows daylight-saving changes (the zone database knows them).
    condition = User.time_zone.in_(zones)
    if "UTC" in zones:  # a person whose zone is unknown is reminded on UTC's clock
        condition = or_(condition, User.time_zone.not_in(sorted(_known_zones())))
    return condition


def candidates(rule: Rule, limits: Thresholds, now: datetime, zones: list[str]) -> list:
    """The rule's reminders due at ``now`` and not yet sent, as rows (User first): ONE query."""
    found = rule.candidates(now, limits).subquery("candidate")
    already = exists().where(and_(
        ReminderSent.rule == rule.key, ReminderSent.subject_type == found.c.subject_type,
        ReminderSent.subject_id == found.c.subject_id,
        ReminderSent.recipient_id == found.c.recipient_id, ReminderSent.stage == found.c.stage))
    stmt = (select(User, *found.c).join(found, User.id == found.c.recipient_id)
            .where(User.is_active, _in_morning(zones), ~already))
    return list(db.session.execute(stmt))


def _send(rule: Rule, limits: Thresholds, rows: list, now: datetime) -> int:
    """Notify in batches of equal messages and log every reminder, in the caller's transaction."""
    sent: dict[tuple, dict] = {}
    batches: dict = defaultdict(list)
    for row in rows:
        key = (row.subject_type, row.subject_id, row.recipient_id, row.stage)
        if key in sent:
            continue
        person = row[0]
        sent[key] = {"rule": rule.key, "subject_type": row.subject_type,
                     "subject_id": row.subject_id, "recipient_id": row.recipient_id,
                     "stage": row.stage, "local_date": local_date(now, person.time_zone),
                     "created_at": now}
        batches[rule.message(row, limits)].append(person)
    for message, people in batches.items():
        notify_many(people, kind=message.kind, subject=message.subject, body=message.body,
                    link=message.link)
    if sent:
        db.session.execute(insert(ReminderSent), list(sent.values()))
    return len(sent)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Send every reminder due at ``now``; return how many went out per rule. Flushes only."""
    now = now or utcnow()
    config = current_app.config
    zones = morning_zones(now, config.get("REMINDER_LOCAL_HOUR", 8),
                          config.get("REMINDER_LOCAL_HOUR_END", 21))
    counts = {}
    for key, limits in thresholds().items():
        rule = RULES[key]
        rows = candidates(rule, limits, now, zones) if limits.enabled and zones else []
        counts[key] = _send(rule, limits, rows, now)
    _record(now)
    return counts


def _record(now: datetime) -> None:
    state = db.session.get(SystemState, STATE_NAME)
    if state is None:
        state = SystemState(name=STATE_NAME)
        db.session.add(state)
    state.value = now.isoformat()
    state.updated_at = now
    db.session.flush()


@periodic("reminder_sweep", every=SWEEP_SECONDS)
def run_reminder_sweep(now: datetime | None = None) -> dict[str, int]:
    """The periodic job: sweep now (the job runner commits)."""
    return sweep(now)
