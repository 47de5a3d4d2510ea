"""Forms for signing in and managing one's own account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from lms.auth.services import SCOPES
from lms.web.forms import EMAIL_FORMAT
from lms.web.text import SingleLine


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    # No Email() check: it refuses addresses the CSV import accepts (such as ``.local`` or
    # ``.test`` domains), which would lock those people out of resetting; the lookup decides.
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email", validators=[DataRequired(), EMAIL_FORMAT, Length(max=254)])
    # Its own id: the password form on the same page has a current_password field too.
    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     id="email-current-password",
                                     render_kw={"autocomplete": "current-password"})


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[SingleLine(), DataRequired(), Length(max=120)])
    time_zone = StringField("Time zone", validators=[DataRequired(), Length(max=64)],
                            description="An IANA name such as Europe/Berlin or America/Chicago.")


class ApiTokenForm(FlaskForm):
    name = StringField("Token name", validators=[SingleLine(), DataRequired(), Length(max=80)],
                       description="What the token is for, e.g. 'CRM sync'.")
    scopes = SelectMultipleField(
        "Scopes", validators=[DataRequired(message="Choose at least one scope.")],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    days = IntegerField("Valid for (days)", default=90,
                        validators=[DataRequired(), NumberRange(min=1, max=365)])
    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form: feature packages register their scopes after this module loads.
        self.scopes.choices = [SelectChoice(k, f"{k} — {v}") for k, v in SCOPES.items()]
