"""Admins' changes to reminder rules' thresholds (audited; flushed, never committed)."""

from __future__ import annotations

from dataclasses import dataclass

from lms.audit import services as audit
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User
from lms.reminders.models import ReminderSetting
from lms.reminders.rules import MAX_DAYS, Rule, Thresholds

FIELDS = ("enabled", "days_before", "escalate_after_days")


@dataclass(frozen=True)
class SettingData:
    enabled: bool
    days_before: int
    escalate_after_days: int


def _check(data: SettingData) -> None:
    for field in ("days_before", "escalate_after_days"):
        value = getattr(data, field)
        if not 0 <= value <= MAX_DAYS:
            raise ValidationError(f"Give a number of days between 0 and {MAX_DAYS}.",
                                  field=field)


def update_setting(rule: Rule, data: SettingData, *, by: User) -> ReminderSetting:
    """Set ``rule``'s thresholds; refuse negative or absurd ones."""
    _check(data)
    setting = db.session.get(ReminderSetting, rule.key)
    if setting is None:
        before = rule.defaults
        setting = ReminderSetting(rule=rule.key)
        db.session.add(setting)
    else:
        before = Thresholds(setting.enabled, setting.days_before, setting.escalate_after_days)
    # Compared with what was in force (the defaults at first), not with an empty row.
    changes = {field: [getattr(before, field), getattr(data, field)] for field in FIELDS
               if getattr(before, field) != getattr(data, field)}
    for field in FIELDS:
        setattr(setting, field, getattr(data, field))
    setting.updated_by_id = by.id
    if changes:
        audit.record(by, "reminder_rule.update", setting, summary=f"Reminder rule {rule.key}",
                     changes=changes)
    return setting
