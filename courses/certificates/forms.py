"""Forms of the certificate pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from courses.certificates.rendering import MAX_CSS, MAX_HTML
from lms.web.text import SingleLine


class TemplateForm(FlaskForm):
    name = StringField("Name", validators=[SingleLine(), DataRequired(), Length(max=200)])
    html = TextAreaField("HTML", validators=[DataRequired(), Length(max=MAX_HTML)],
                         render_kw={"rows": 18, "spellcheck": "false"},
                         description="Placeholders in double braces, such as "
                                     "{{ learner_name }}; see the list beside the editor.")
    css = TextAreaField("CSS", validators=[Length(max=MAX_CSS)],
                        render_kw={"rows": 14, "spellcheck": "false"},
                        description="Page size and margins with @page; fonts installed on "
                                    "the server (DejaVu Serif, DejaVu Sans); images only "
                                    "from /static/ or data: URIs.")


class RevokeForm(FlaskForm):
    reason = TextAreaField("Reason (kept in the audit log and told to the holder; not shown "
                           "on the public page)",
                           validators=[DataRequired(message="Say why the certificate is "
                                                            "revoked."), Length(max=1000)])
