"""Forms for the learner side: enrolling other people in a course."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from lms.people.models import EMAIL_PATTERN
from lms.web.templating import person_zone

MODES = {
    "people": "People by email",
    "level": "Everyone at one level in my part of the organisation",
    "team": "A whole team",
}


class EnrolOthersForm(FlaskForm):
    mode = SelectField("Whom to enrol", default="people",
                       choices=[SelectChoice(value, label) for value, label in MODES.items()])
    emails = TextAreaField(
        "Email addresses", validators=[Optional(), Length(max=20_000)],
        description="For “People by email”: addresses separated by commas, spaces or "
                    "new lines.")
    # Choices are the course's audience levels, set by the view; checked there, only for
    # the "level" mode, so the other modes need not send a level.
    level = SelectField("Level", validate_choice=False,
                        description="For “Everyone at one level”.")
    # Choices are the managers and leaders the signed-in person sees, set by the view.
    team = SelectField("Team of", validate_choice=False,
                       description="For “A whole team”: everyone under this manager or "
                                   "leader. Only people at the course's levels are enrolled.")
    due_on = DateField("Due date", validators=[Optional()],
                       description="Optional: the last day to complete the course.")

    @property
    def email_list(self) -> list[str]:
        """The addresses typed, lower-cased, each once, in the order given."""
        words = re.split(r"[\s,;]+", self.emails.data or "")
        return list(dict.fromkeys(word.lower() for word in words if word))

    def validate_emails(self, field) -> None:
        if self.mode.data != "people":
            return
        emails = self.email_list
        if not emails:
            raise ValidationError("Enter at least one email address.")
        bad = [email for email in emails if not EMAIL_PATTERN.match(email)]
        if bad:
            raise ValidationError(f"Not an email address: {', '.join(bad[:5])}.")

    def validate_due_on(self, field) -> None:
        if field.data is not None and field.data < datetime.now(person_zone(current_user)).date():
            raise ValidationError("Choose today or a later day.")

    @property
    def due_at(self) -> datetime | None:
        """The end of the due day in the signed-in person's time zone."""
        day: date | None = self.due_on.data
        if day is None:
            return None
        return datetime.combine(day, time(23, 59), tzinfo=person_zone(current_user))
