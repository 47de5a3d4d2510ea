"""Forms for people administration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.people.models import Level
from lms.web.forms import EMAIL_FORMAT
from lms.web.text import SingleLine


class PersonForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), EMAIL_FORMAT, Length(max=254)])
    name = StringField("Name", validators=[SingleLine(), DataRequired(), Length(max=120)])
    job_title = StringField("Job title", validators=[SingleLine(), Optional(), Length(max=120)])
    level = SelectField("Leadership level",
                        choices=[SelectChoice(lv.value, lv.label) for lv in Level])
    manager_email = EmailField(
        "Manager's email", validators=[Optional(), EMAIL_FORMAT, Length(max=254)],
        description="Leave empty for someone at the top of the organisation.",
    )
    time_zone = StringField("Time zone", default="UTC",
                            validators=[DataRequired(), Length(max=64)],
                            description="An IANA name such as Europe/Berlin.")
    is_admin = BooleanField("L&D admin (may manage people, courses and programs)")
    is_facilitator = BooleanField("Facilitator (may run live sessions)")


class ReassignForm(FlaskForm):
    manager_email = EmailField("New manager's email",
                               validators=[DataRequired(), EMAIL_FORMAT, Length(max=254)])


class ImportForm(FlaskForm):
    file = FileField("Org chart CSV", validators=[
        FileRequired("Choose a CSV file."), FileAllowed(["csv", "txt"], "Upload a .csv file."),
    ], description="Columns: email,name,title,level,manager_email,roles")
