"""Forms of champions councils: the council, its schedule, meeting notes, attendance, actions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.web.text import SingleLine
from reinforcement.councils.services import MAX_EVERY_WEEKS, MAX_MEETINGS


def people_choices(people) -> list[SelectChoice]:
    """``(id, label)`` pairs as choices."""
    return [SelectChoice(person_id, label) for person_id, label in people]



class CouncilForm(FlaskForm):
    name = StringField("Name", validators=[SingleLine(), DataRequired("Give the council a name."),
                                           Length(max=200)])
    purpose = TextAreaField("Purpose", validators=[Optional(), Length(max=20_000)],
                            render_kw={"rows": 3})
    chair = SelectField("Chair", coerce=int, choices=[])
    members = SelectMultipleField("Members (leaders and executives)", coerce=int, choices=[],
                                  widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    every_weeks = IntegerField(
        "Meets every … weeks", default=4,
        validators=[InputRequired("Say how often the council meets."),
                    NumberRange(1, MAX_EVERY_WEEKS, f"From 1 to {MAX_EVERY_WEEKS} weeks.")])



class ScheduleForm(FlaskForm):
    first_at = DateTimeLocalField("First meeting (your time zone)", format="%Y-%m-%dT%H:%M",
                                  validators=[InputRequired("Give the first meeting's time.")])
    count = IntegerField("How many meetings, on the rhythm", default=3,
                         validators=[InputRequired(),
                                     NumberRange(1, MAX_MEETINGS,
                                                 f"From 1 to {MAX_MEETINGS} meetings.")])
    minutes = IntegerField("Minutes", default=60,
                           validators=[InputRequired(), NumberRange(15, 480,
                                                                    "From 15 to 480 minutes.")])
    agenda = TextAreaField("Agenda", validators=[Optional(), Length(max=20_000)],
                           render_kw={"rows": 3})



class MeetingNotesForm(FlaskForm):
    agenda = TextAreaField("Agenda", validators=[Optional(), Length(max=20_000)],
                           render_kw={"rows": 4})
    works = TextAreaField("Coaching practices that work",
                          validators=[Optional(), Length(max=20_000)], render_kw={"rows": 4})
    does_not_work = TextAreaField("Practices that do not work",
                                  validators=[Optional(), Length(max=20_000)],
                                  render_kw={"rows": 4})
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=20_000)],
                          render_kw={"rows": 4})



class AttendanceForm(FlaskForm):
    present = SelectMultipleField("Present", coerce=int, choices=[],
                                  widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())



class CouncilActionForm(FlaskForm):
    title = StringField("Action", validators=[SingleLine(), DataRequired("Describe the action."),
                                              Length(max=300)])
    owner = SelectField("Owner", coerce=int, choices=[])
    due_on = DateField("Due", validators=[InputRequired("Give the action a due date.")])

