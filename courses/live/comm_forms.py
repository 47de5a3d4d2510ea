"""Forms of the pre-training communication pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from courses.live.communications import LEAD_DAYS, MAX_PART, MAX_QUESTION
from lms.people.models import Level
from lms.web.forms import EMAIL_FORMAT
from lms.web.text import SingleLine


def _at_least_one(form: FlaskForm, field: SelectMultipleField) -> None:
    # A plain function, not DataRequired: that would mark every checkbox as required.
    if not field.data:
        raise ValidationError("Choose at least one level to write to.")


def _part(label: str, hint: str) -> TextAreaField:
    return TextAreaField(
        label, description=f"{hint} Markdown works: **bold**, lists, links.",
        validators=[DataRequired(f"Write “{label}”: every communication has all four parts."),
                    Length(max=MAX_PART)], render_kw={"rows": 4})


class CommunicationForm(FlaskForm):
    about = SelectField("About", choices=[], validators=[
        DataRequired("Choose the session, wave or program this is about.")])
    subject = StringField("Subject", validators=[SingleLine(), DataRequired("Give it a subject."),
                                                 Length(max=200)])
    what_you_learn = _part("What you will learn",
                           "The skills and ideas the training covers, in a few lines.")
    why_it_matters = _part("Why it matters",
                           "Why this training, why now: what it changes for the team and "
                           "for customers.")
    how_work_changes = _part("How your work will change afterwards",
                             "What each person will do differently once the training is "
                             "over, for example a weekly coaching 1:1.")
    expected_results = _part("The results we expect",
                             "The results you will look at, with numbers and dates where "
                             "you have them.")
    levels = SelectMultipleField(
        "Who receives it", default=[Level.MANAGER.value],
        choices=[SelectChoice(level.value, level.label + "s") for level in Level],
        validators=[_at_least_one], widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    audience_root = StringField(
        "Within the team of (email)", validators=[Optional(), EMAIL_FORMAT, Length(max=254)],
        description="Leave empty for everyone at those levels in your part of the "
                    "organisation.")
    send_at = DateTimeLocalField(
        "Send on (your time zone)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description=f"Leave empty for {LEAD_DAYS} days before the session (or the wave's "
                    "opening); it goes out by itself then.")
    schedule = SubmitField("Schedule")
    send_now = SubmitField("Send now")


class AcknowledgeForm(FlaskForm):
    question = TextAreaField(
        "A question for the author (optional)",
        validators=[Optional(), Length(max=MAX_QUESTION)], render_kw={"rows": 3})
