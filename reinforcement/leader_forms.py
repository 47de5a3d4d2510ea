"""Forms for leader reviews and champions councils. The rules live in the services
(``reinforcement.reviews``, ``reinforcement.councils``); these forms check shapes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.web.dates import format_date
from lms.web.text import SingleLine
from reinforcement.councils import MAX_EVERY_WEEKS, MAX_MEETINGS
from reinforcement.reviews import FEEDBACK_MAX, NOTE_MAX

# --- leader reviews --------------------------------------------------------------------------


class ConfirmForm(FlaskForm):
    """Confirm a manager's reinforcement for the month in ``month`` (``2026-03``)."""

    month = HiddenField(validators=[DataRequired()])
    note = TextAreaField(
        "Note to the manager", render_kw={"rows": 2},
        description="Required when they held no check-in in the month: say why you confirm.",
        validators=[Optional(), Length(max=NOTE_MAX)])
    observation = SelectField("Attach a coaching scorecard (optional)", coerce=int,
                              choices=[SelectChoice(0, "None")], default=0)


class FeedbackForm(FlaskForm):
    month = HiddenField(validators=[DataRequired()])
    feedback = TextAreaField(
        "Feedback on the coaching", render_kw={"rows": 5},
        description="The manager is told, reads it and acknowledges it.",
        validators=[DataRequired("Write the feedback for the manager."),
                    Length(max=FEEDBACK_MAX)])
    observation = SelectField("Attach a coaching scorecard (optional)", coerce=int,
                              choices=[SelectChoice(0, "None")], default=0)


def scorecard_choices(observations) -> list[SelectChoice]:
    return [SelectChoice(0, "None")] + [
        SelectChoice(o.id, f"{format_date(o.observed_on)} – {o.rubric.title}"
                     + (f" ({o.average:.1f})" if o.average is not None else ""))
        for o in observations]


def people_choices(people) -> list[SelectChoice]:
    """``(id, label)`` pairs as choices."""
    return [SelectChoice(person_id, label) for person_id, label in people]


# --- champions councils ------------------------------------------------------------------------


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
