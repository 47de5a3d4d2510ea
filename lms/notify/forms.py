"""The notification preferences form, with one field per registered kind."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField

from lms.notify.models import Channel
from lms.notify.preferences import KINDS

CHANNEL_CHOICES = [SelectChoice(Channel.IN_APP.value, "In the app only"),
                   SelectChoice(Channel.EMAIL.value, "Email at once"),
                   SelectChoice(Channel.DIGEST.value, "Daily digest email")]
HOUR_CHOICES = [SelectChoice(hour, f"{hour:02d}:00") for hour in range(24)]


def field_name(kind: str) -> str:
    return "kind_" + kind.replace(".", "__")


def preferences_form(*, team: bool, **values) -> FlaskForm:
    """Build the form for the kinds registered now; ``team`` adds the weekly digest opt-in."""
    class PreferencesForm(FlaskForm):
        digest_hour = SelectField("Daily digest hour (your time)", choices=HOUR_CHOICES,
                                  coerce=int)

    for key, kind in sorted(KINDS.items(), key=lambda item: item[1].label):
        setattr(PreferencesForm, field_name(key),
                SelectField(kind.label, choices=CHANNEL_CHOICES))
    if team:
        PreferencesForm.weekly_team_digest = BooleanField(
            "Weekly team digest", description="A summary of your team every Monday morning.")
    return PreferencesForm(**values)
