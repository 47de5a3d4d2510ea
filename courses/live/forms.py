"""Forms of the live-session pages; the roster rows are read from the request by name."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from courses.live.models import AttendanceStatus
from lms.web.converters import ID_MAX
from lms.web.forms import EMAIL_FORMAT
from lms.web.text import SingleLine

# The roster's one-tap choices, in the order a facilitator meets them.
ROSTER_STATUSES = [(AttendanceStatus.ATTENDED.value, "Present"),
                   (AttendanceStatus.LEFT_EARLY.value, "Left early"),
                   (AttendanceStatus.ABSENT.value, "Absent"),
                   (AttendanceStatus.EXCUSED.value, "Excused")]


def parse_segments(text: str) -> list[tuple[str, int]]:
    """``15 Opening by the VP`` per line -> [("Opening by the VP", 15)]."""
    segments = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        minutes, _, title = line.partition(" ")
        if not minutes.isdigit() or not title.strip():
            raise ValidationError(f"Write each segment as minutes then title: “{line}”.")
        segments.append((title.strip(), int(minutes)))
    return segments


class SessionForm(FlaskForm):
    title = StringField("Title", validators=[SingleLine(), DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional()])
    starts_at = DateTimeLocalField("Starts (in the session's time zone)",
                                   format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    ends_at = DateTimeLocalField("Ends (in the session's time zone)",
                                 format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    time_zone = StringField("Time zone", default="UTC", validators=[DataRequired()])
    location = StringField("Room or address", validators=[Optional(), Length(max=300)])
    meeting_url = StringField("Meeting link", validators=[Optional(), Length(max=500)])
    facilitator = SelectField("Facilitator", coerce=int, choices=[])
    capacity = IntegerField("Capacity (seats)", default=30, validators=[InputRequired()])
    attended_threshold = IntegerField("Counts as attended from (% of the session)", default=90,
                                      validators=[InputRequired()])
    segments = TextAreaField("Agenda: one segment per line, minutes then title",
                             validators=[Optional()])

    def validate_segments(self, field):
        parse_segments(field.data)


class RegisterForm(FlaskForm):
    email = StringField("Register someone else (email)",
                        validators=[Optional(), EMAIL_FORMAT])


class WalkInForm(FlaskForm):
    """The walk-in typed by name or email; ``person`` comes from a suggestion's button."""

    who = StringField("Walk-in's name or email", validators=[DataRequired(), Length(max=200)],
                      render_kw={"autocomplete": "off", "spellcheck": "false"})
    person = IntegerField(validators=[Optional(), NumberRange(min=1, max=ID_MAX)])


class DisputeForm(FlaskForm):
    registration = SelectField("Person", coerce=int, choices=[])
    note = TextAreaField("What is wrong", validators=[DataRequired(), Length(max=2000)])


class ResolveForm(FlaskForm):
    resolution = TextAreaField("Resolution", validators=[DataRequired(), Length(max=2000)])
