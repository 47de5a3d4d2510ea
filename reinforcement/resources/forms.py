"""Forms of the resource pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.people.models import Level
from lms.web.text import SingleLine
from reinforcement.resources.models import ResourceKind


class ResourceForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the resource a title."),
                                             SingleLine(), Length(max=200)])
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in ResourceKind])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=2000)],
                            render_kw={"rows": 2})
    audience = SelectMultipleField(
        "Assigned to levels", choices=[SelectChoice(lv.value, lv.label) for lv in Level],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        description="With a program too: those levels within the program.")
    program = SelectField("Assigned to a program", coerce=int, choices=[],
                          description="Everyone enrolled in one of its waves' courses.")
    course = SelectField("Belongs to the course", coerce=int, choices=[],
                         description="It is listed on that course's page.")
    body_markdown = TextAreaField("Text (Markdown)", render_kw={"rows": 14},
                                  validators=[Optional(), Length(max=200_000)])
    file = FileField("Or a file", description="PDF, PNG or JPEG, Word/Excel/PowerPoint "
                                             "(.docx, .xlsx, .pptx), or plain text/CSV.")
    change_note = StringField("What changed", validators=[Optional(), Length(max=300)],
                              description="Needed for a new text or file: everyone it is "
                                          "assigned to is asked to read it again.")
