"""Pieces shared by every form: the CSRF-only form, the email rule, a domain error placed
beside the right field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import Regexp

from lms.errors import CadenceError
from lms.people.models import EMAIL_PATTERN

# The same rule as the CSV import and the services, not WTForms' Email(): that one refuses
# special-use domains such as ``.local``, which would lock imported people out of forms.
EMAIL_FORMAT = Regexp(EMAIL_PATTERN, message="Enter an email address such as dana@example.com.")


def apply_error(form: FlaskForm, error: CadenceError) -> None:
    """Show ``error`` beside its field when the form has it, else as a flash message."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if field.errors else [error.message]
        form.form_errors.append("Please correct the highlighted field.")
    else:
        form.form_errors.append(error.message)


class PostForm(FlaskForm):
    """A form with only the CSRF token: a button that posts, or rows read from the request."""
