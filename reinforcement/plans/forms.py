"""Forms of the plan pages: settings, status, cadence, starting for a team, pairings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.web.forms import EMAIL_FORMAT
from lms.web.text import SingleLine
from reinforcement.plans.models import Cadence
from reinforcement.plans.services import MAX_FOCUS

CADENCES = [SelectChoice(c.value, c.label) for c in Cadence]


class PlanForm(FlaskForm):
    program = SelectField("Program", coerce=int, choices=[])
    title = StringField("Title", validators=[SingleLine(), DataRequired("Give the plan a title."),
                                             Length(max=200)])
    weeks = IntegerField("Length in weeks", default=12,
                         validators=[InputRequired("Give the length in weeks.")],
                         description="From 1 to 52 weeks after the start date.")
    cadence = SelectField("Check-ins", choices=CADENCES, default=Cadence.WEEKLY.value)
    check_in_minutes = IntegerField("Minutes per check-in", default=30,
                                    validators=[InputRequired("Give the minutes.")])
    focus_activities = TextAreaField(
        "Focus activities", validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 4},
        description=f"One per line, at most {MAX_FOCUS}: the few high-impact activities the "
                    "coaching keeps coming back to.")
    agenda_template = TextAreaField(
        "Agenda template", validators=[Optional(), Length(max=8000)], render_kw={"rows": 5},
        description="One item per line; every check-in's agenda starts with these.")
    resources = SelectMultipleField("Resources to use", coerce=int, choices=[],
                                    widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())


class PlanStatusForm(FlaskForm):
    status = SelectField("New status", choices=[SelectChoice("active", "Active"),
                                                SelectChoice("archived", "Archived")])


class CadenceForm(FlaskForm):
    cadence = SelectField("New cadence", choices=CADENCES)


class StartForm(FlaskForm):
    coach_email = StringField("Coach's email", validators=[Optional(), EMAIL_FORMAT],
                              description="Admins: whose team to start it for.")
    starts_on = DateField("First check-in on", validators=[InputRequired("Choose a date.")])
    local_time = TimeField("At (coach's local time)", default=None,
                           validators=[InputRequired("Choose a time of day.")])


class PairingForm(FlaskForm):
    coach_email = StringField("Coach's email", validators=[DataRequired(), EMAIL_FORMAT])
    coachee_email = StringField("Coachee's email", validators=[DataRequired(), EMAIL_FORMAT])
