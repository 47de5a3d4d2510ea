"""The admin form for one reminder rule's thresholds."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from lms.reminders.rules import MAX_DAYS

_RANGE = NumberRange(0, MAX_DAYS, f"Give a number of days between 0 and {MAX_DAYS}.")


class ReminderSettingForm(FlaskForm):
    enabled = BooleanField("Send these reminders")
    days_before = IntegerField("Remind this many days before the due date",
                               validators=[InputRequired(), _RANGE])
    escalate_after_days = IntegerField(
        "Copy the manager once this many days overdue", validators=[InputRequired(), _RANGE])
