"""Forms for authoring courses (admins). Learner and progress forms live in their own modules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from courses.models import LessonKind, PrerequisiteKind
from lms.people.models import Level
from lms.web.forms import EMAIL_FORMAT
from lms.web.text import SingleLine

PREREQUISITE_LABELS = {
    PrerequisiteKind.OWN_COMPLETION: "The learner completed",
    PrerequisiteKind.MANAGER_COMPLETION: "The learner's manager completed",
    PrerequisiteKind.LEADER_COMPLETION: "The learner's leader (manager's manager) completed",
    PrerequisiteKind.LEADER_ATTENDED: ("The learner's leader (manager's manager) attended a "
                                       "live session of"),
}


def _at_least_one(form: FlaskForm, field: SelectMultipleField) -> None:
    # A plain function, not DataRequired: that would mark every checkbox as required.
    if not field.data:
        raise ValidationError("Choose at least one audience level.")


class CourseForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("A title is required."),
                                             SingleLine(), Length(max=200)])
    slug = StringField("Address (slug)", validators=[Optional(), Length(max=80)],
                       description="Lower-case letters, digits and hyphens. Leave empty to "
                                   "make one from the title.")
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=5_000)],
                            render_kw={"rows": 3})
    audience = SelectMultipleField(
        "Audience levels", choices=[SelectChoice(lv.value, lv.label) for lv in Level],
        validators=[_at_least_one], widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    tags = StringField("Tags", validators=[Optional(), Length(max=500)],
                       description="Separate tags with commas: coaching, pipeline.")
    estimated_minutes = IntegerField(
        "Estimated minutes", default=30,
        validators=[DataRequired("Give an estimate in minutes."),
                    NumberRange(1, 10_000, "Estimate between 1 and 10,000 minutes.")])
    owner_email = EmailField("Owner's email",
                             validators=[Optional(), EMAIL_FORMAT, Length(max=254)],
                             description="Who answers for this course. Leave empty for you.")
    self_enrol = BooleanField("People may enrol themselves", default=True)


class ModuleForm(FlaskForm):
    title = StringField("Module title", validators=[DataRequired("A module needs a title."),
                                                    SingleLine(), Length(max=200)])


class LessonForm(FlaskForm):
    """A reading: Markdown text."""

    kind = LessonKind.TEXT
    title = StringField("Lesson title", validators=[DataRequired("A lesson needs a title."),
                                                    SingleLine(), Length(max=200)])
    body_markdown = TextAreaField(
        "Text (Markdown)", render_kw={"rows": 14},
        description="Headings with #, lists with -, links as [text](https://…). Scripts "
                    "and unsafe HTML are removed.")
    estimated_minutes = IntegerField(
        "Estimated minutes", default=5,
        validators=[DataRequired("Give an estimate in minutes."),
                    NumberRange(1, 1_000, "Estimate between 1 and 1,000 minutes.")])
    is_required = BooleanField("Required to complete the course", default=True)


class VideoLessonForm(LessonForm):
    kind = LessonKind.VIDEO
    video_url = StringField(
        "Video file address", validators=[DataRequired("Give the address of a video file."),
                                          Length(max=500)],
        description="A video file your organisation hosts (https://…/intro.mp4); it plays "
                    "in the browser's own player.")
    body_markdown = TextAreaField("Notes shown under the video (Markdown, optional)",
                                  render_kw={"rows": 5})


class FileLessonForm(LessonForm):
    kind = LessonKind.FILE
    file = FileField("File", description="PDF, PNG or JPEG, Word/Excel/PowerPoint (.docx, "
                                         ".xlsx, .pptx), or plain text/CSV.")
    body_markdown = TextAreaField("Notes shown with the download (Markdown, optional)",
                                  render_kw={"rows": 5})


class LiveLessonForm(LessonForm):
    """The live-session step: learners register for one of the course's sessions."""

    kind = LessonKind.LIVE
    body_markdown = TextAreaField(
        "What the session is about (Markdown)", render_kw={"rows": 8},
        description="Shown above the course's sessions. Learners cannot tick this step off: "
                    "it is done once their attendance at a session of the course counts as "
                    "attended.")


LESSON_FORMS: dict[LessonKind, type[LessonForm]] = {
    LessonKind.TEXT: LessonForm, LessonKind.VIDEO: VideoLessonForm,
    LessonKind.FILE: FileLessonForm, LessonKind.LIVE: LiveLessonForm,
}


class CourseSessionForm(FlaskForm):
    """Make a live session one of the course's (its live-session step)."""

    session = SelectField("Session", coerce=int, validators=[DataRequired("Choose a session.")])


class MoveLessonForm(FlaskForm):
    module_key = SelectField("Move to module", validators=[DataRequired()])


class PrerequisiteForm(FlaskForm):
    kind = SelectField("Who must have completed it",
                       choices=[SelectChoice(k.value, label)
                                for k, label in PREREQUISITE_LABELS.items()])
    required_course_id = SelectField("Course", coerce=int,
                                     validators=[DataRequired("Choose a course.")])
