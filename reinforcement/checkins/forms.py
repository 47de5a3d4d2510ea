"""Forms of the check-in pages; times are typed on the viewer's clock."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.web.text import SingleLine
from reinforcement.checkins.services import MAX_AGENDA_TEXT, MAX_MINUTES, MAX_NOTES, MIN_MINUTES

LOCAL = "%Y-%m-%dT%H:%M"
_MINUTES = NumberRange(MIN_MINUTES, MAX_MINUTES,
                       f"A check-in lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes.")


class CheckInForm(FlaskForm):
    """Schedule one check-in with someone of your team."""

    coachee = SelectField("With", coerce=int, choices=[], validators=[InputRequired()])
    scheduled_at = DateTimeLocalField("When (your time)", format=LOCAL,
                                      validators=[InputRequired("Choose a date and time.")])
    minutes = IntegerField("Minutes", default=30, validators=[InputRequired(), _MINUTES])


class RescheduleForm(FlaskForm):
    scheduled_at = DateTimeLocalField("New time (your time)", format=LOCAL,
                                      validators=[InputRequired("Choose a date and time.")])
    minutes = IntegerField("Minutes", validators=[InputRequired(), _MINUTES])


class HeldForm(FlaskForm):
    held_at = DateTimeLocalField("Held at (your time)", format=LOCAL, validators=[Optional()],
                                 description="Leave empty for now.")


class AgendaItemForm(FlaskForm):
    text = StringField("Add a topic", validators=[DataRequired("Write the topic."),
                                                  Length(max=MAX_AGENDA_TEXT)])


class NotesForm(FlaskForm):
    """The page's notes, saved together; the coachee's form has no private notes field."""

    shared_notes = TextAreaField(
        "Shared notes", validators=[Optional(), Length(max=MAX_NOTES)],
        description="The coach and the coachee both read these (and the coachee's leaders). "
                    "Markdown works.")
    private_notes = TextAreaField(
        "Private notes", validators=[Optional(), Length(max=MAX_NOTES)],
        description="Only you, the coach, ever read these: not the coachee, not your leader, "
                    "not an admin.")

    @classmethod
    def for_viewer(cls, *, is_coach: bool, **kwargs) -> NotesForm:
        """The notes form; without the private field unless the viewer is the coach."""
        form = cls(**kwargs)
        if not is_coach:
            del form.private_notes  # a coachee's post can never carry private notes
        return form


class ActionItemForm(FlaskForm):
    title = StringField("Action", validators=[SingleLine(), DataRequired("Write the action."),
                                              Length(max=300)])
    owner = SelectField("Owner", coerce=int, choices=[], validators=[InputRequired()])
    due_on = DateField("Due", validators=[InputRequired("Choose a due date.")])
