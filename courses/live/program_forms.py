"""Forms of the program pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from lms.people.models import Level
from lms.web.forms import EMAIL_FORMAT
from lms.web.text import SingleLine


class ProgramForm(FlaskForm):
    name = StringField("Name", validators=[SingleLine(), DataRequired(), Length(max=200)])
    goal = TextAreaField("Goal (one paragraph)", validators=[Optional(), Length(max=2000)])
    owner = StringField("Owner's email (accountable for the program)",
                        validators=[Optional(), EMAIL_FORMAT])
    starts_on = DateField("Starts on", validators=[InputRequired()])
    ends_on = DateField("Ends on", validators=[InputRequired()])


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=[
        ("active", "Active"), ("completed", "Completed"), ("cancelled", "Cancelled")])


class WaveForm(FlaskForm):
    number = IntegerField("Number", default=1, validators=[InputRequired()])
    name = StringField("Name", validators=[SingleLine(), DataRequired(), Length(max=200)])
    audience = SelectMultipleField("Audience levels", default=["leader", "manager"],
                                   choices=[(level.value, level.label) for level in Level],
                                   validators=[DataRequired()])
    opens_on = DateField("Opens on", validators=[InputRequired()])
    courses = SelectMultipleField("Courses (published)", coerce=int, choices=[])
    requires_manager_previous = BooleanField(
        "Opens for a person only when their own manager completed the previous wave")


class LinkSessionForm(FlaskForm):
    session = SelectField("Session", coerce=int, choices=[])
    wave = SelectField("Wave", coerce=int, choices=[])
