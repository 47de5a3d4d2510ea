"""Forms for leader reviews and champions councils. The rules live in the services
(``reinforcement.reviews``, ``reinforcement.councils``); these forms check shapes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from lms.web.dates import format_date
from reinforcement.leaders.reviews import FEEDBACK_MAX, NOTE_MAX

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




# --- champions councils ------------------------------------------------------------------------










