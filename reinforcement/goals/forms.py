"""Forms for goals, the weekly actuals grid, the CRM import, gap reviews and metrics.

The rules (units, periods, who coaches whom, when a gap review is allowed) live in the
services; these forms check shapes and read numbers the way people type them (``12,5``,
``25%``).
"""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from lms.web.dates import format_date
from lms.web.text import SingleLine
from reinforcement.goals.actuals import COLUMNS
from reinforcement.goals.gaps import MAX_NOTES, MAX_TITLE, ROOT_CAUSES
from reinforcement.goals.models import Metric, MetricKind
from reinforcement.goals.services import UNIT_LABELS, metric_label, parse_number


def _number(form: FlaskForm, field: StringField) -> None:
    if parse_number(field.data or "") is None:
        raise ValidationError("Enter a number, such as 12 or 12.5.")


class GoalEditForm(FlaskForm):
    starts_on = DateField("Period starts", validators=[InputRequired("Give the first day.")])
    ends_on = DateField("Period ends", validators=[InputRequired("Give the last day.")])
    target = StringField("Target", validators=[DataRequired("Give the target."), _number],
                         description="For an activity metric, the total for the whole period; "
                                     "for a proficiency metric, the level to reach.")

    @property
    def target_value(self) -> float:
        return parse_number(self.target.data)


class GoalForm(GoalEditForm):
    metric = SelectField("Metric", coerce=int, choices=[])

    def set_metrics(self, metrics: list[Metric]) -> None:
        """The choices, grouped by kind (the kind says what the target means)."""
        kinds = {MetricKind.ACTIVITY: "Activity", MetricKind.PROFICIENCY: "Proficiency"}
        self.metric.choices = [SelectChoice(m.id, metric_label(m),
                                            optgroup=kinds[MetricKind(m.kind)])
                               for m in sorted(metrics, key=lambda m: m.kind)]


class ActualsForm(FlaskForm):
    """One text box per metric and week, named ``v_<metric id>_<monday>``."""

    def cell(self, metric: Metric, monday: date) -> StringField:
        return self[f"v_{metric.id}_{monday.isoformat()}"]

    def filled(self, metrics: list[Metric], weeks: list[date]):
        """``(metric, monday, field, number)`` for every box with something in it."""
        for metric in metrics:
            for monday in weeks:
                field = self.cell(metric, monday)
                if (field.data or "").strip():
                    yield metric, monday, field, parse_number(field.data)


def actuals_form(metrics: list[Metric], weeks: list[date], **kwargs) -> ActualsForm:
    """The weekly grid for ``metrics`` x ``weeks`` (Mondays)."""
    class Grid(ActualsForm):
        pass
    for metric in metrics:
        for monday in weeks:
            setattr(Grid, f"v_{metric.id}_{monday.isoformat()}", StringField(
                f"{metric_label(metric)}, week of {format_date(monday)}",
                validators=[Optional(), Length(max=32)]))
    return Grid(**kwargs)


class ImportForm(FlaskForm):
    file = FileField("CRM export (CSV)", validators=[
        FileRequired("Choose a CSV file."), FileAllowed(["csv", "txt"], "Upload a .csv file."),
    ], description=f"Columns: {','.join(COLUMNS)} (others are ignored)")


class GapReviewForm(FlaskForm):
    root_cause = RadioField("Root cause", validators=[InputRequired("Choose the root cause.")],
                            choices=[SelectChoice(cause.value, label)
                                     for cause, (label, _help) in ROOT_CAUSES.items()])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=MAX_NOTES)],
                          render_kw={"rows": 4},
                          description="What you saw and what you agreed. The person and the "
                                      "people above them can read this.")
    action_title = StringField("Corrective action", validators=[SingleLine(),
        DataRequired("Write the corrective action."), Length(max=MAX_TITLE)],
        description="It becomes an action item on your check-in agenda until it is done.")
    action_owner = SelectField("Who does it", coerce=int, choices=[])
    action_due_on = DateField("Due", validators=[InputRequired("Give the due date.")])


class EvaluateForm(FlaskForm):
    note = TextAreaField("What changed", validators=[Optional(), Length(max=MAX_NOTES)],
                         render_kw={"rows": 3})


class MetricForm(FlaskForm):
    name = StringField("Name", validators=[SingleLine(), DataRequired("Give the metric a name."),
                                           Length(max=200)])
    key = StringField("Key", validators=[DataRequired("Give the metric a key."), Length(max=64)],
                      description="The name used in CRM files, e.g. demos_given.")
    kind = SelectField("Kind", choices=[
        SelectChoice(MetricKind.ACTIVITY.value, "Activity: things done, added up per period"),
        SelectChoice(MetricKind.PROFICIENCY.value, "Proficiency: how well, averaged per "
                                                   "period")])
    unit = SelectField("Unit", choices=[SelectChoice(key, label)
                                        for key, label in UNIT_LABELS.items()])
    higher_is_better = BooleanField("Higher is better", default=True)
