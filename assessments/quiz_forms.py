"""Forms of the assessment pages. An attempt's answers are read from the request by name
(``item-<id>``), with the CSRF token of a ``PostForm``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from assessments.banks import split_tags
from assessments.models import Assessment, FeedbackPolicy
from assessments.quiz import AssessmentData, SourceData
from lms.web.text import SingleLine

__all__ = ["AssessmentForm", "QuizStepForm", "FEEDBACK_LABELS"]

FEEDBACK_LABELS = {
    FeedbackPolicy.NEVER: "Never: learners see their score only",
    FeedbackPolicy.AFTER_ATTEMPT: "After each attempt: right answers and explanations",
    FeedbackPolicy.AFTER_PASSING: "Once the learner has passed",
}
NEW_STEP = "new:"  # a lesson choice that adds a new assessment step to a module


class QuizStepForm(FlaskForm):
    """A quiz step added from the course outline; its questions are written next."""

    title = StringField("Title", validators=[DataRequired("A quiz needs a title."),
                                             SingleLine(), Length(max=200)])
    pass_mark = IntegerField("Pass mark (% of points)", default=80,
                             validators=[InputRequired("Give a pass mark from 1 to 100.")])


class AssessmentForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("An assessment needs a title."),
                                             SingleLine(), Length(max=200)])
    instructions = TextAreaField(
        "Instructions (Markdown, optional)", render_kw={"rows": 4},
        description="Shown before learners start: what it covers, how long it takes.")
    sources = SelectMultipleField("Draw from these banks", coerce=int, choices=[])
    tags = StringField(
        "Only questions tagged", validators=[Optional(), Length(max=500)],
        description="Comma-separated skills. With banks chosen: those tags within them; "
                    "without: those tags across all the course's banks.")
    question_count = IntegerField("Questions per attempt", default=10,
                                  validators=[InputRequired("Say how many questions to draw.")])
    pass_mark = IntegerField("Pass mark (% of points)", default=80,
                             validators=[InputRequired("Give a pass mark from 1 to 100.")])
    attempt_limit = IntegerField("Attempts allowed", validators=[Optional()],
                                 description="Empty: as many as the learner wants.")
    time_limit_minutes = IntegerField("Time limit (minutes)", validators=[Optional()],
                                      description="Empty: no time limit. At most 600.")
    feedback_policy = SelectField(
        "Show the right answers", default=FeedbackPolicy.AFTER_ATTEMPT.value,
        choices=[SelectChoice(policy.value, label) for policy, label in FEEDBACK_LABELS.items()])
    shuffle_choices = BooleanField("Shuffle the choices of each question", default=True)
    lesson_key = SelectField(
        "Course step", default="", choices=[SelectChoice("", "None: not a step of the course")],
        description="Passing the assessment completes this step of the course.")

    def load(self, assessment: Assessment) -> None:
        """Fill the form from ``assessment`` (for a GET)."""
        self.process(obj=assessment)
        self.sources.data = sorted({s.bank_id for s in assessment.sources if s.bank_id})
        self.tags.data = ", ".join(sorted({s.tag for s in assessment.sources if s.tag}))
        self.lesson_key.data = assessment.lesson_key or ""
        self.feedback_policy.data = str(assessment.feedback_policy)

    def data_for(self, lesson_key: str | None) -> AssessmentData:
        banks = list(self.sources.data or [])
        tags = split_tags(self.tags.data or "")
        if banks and tags:
            sources = [SourceData(bank, tag) for bank in banks for tag in tags]
        elif banks:
            sources = [SourceData(bank) for bank in banks]
        else:
            sources = [SourceData(None, tag) for tag in tags]
        return AssessmentData(
            title=self.title.data or "", instructions=self.instructions.data or "",
            sources=tuple(sources), question_count=self.question_count.data,
            pass_mark=self.pass_mark.data, attempt_limit=self.attempt_limit.data,
            time_limit_minutes=self.time_limit_minutes.data,
            feedback_policy=FeedbackPolicy(self.feedback_policy.data),
            shuffle_choices=self.shuffle_choices.data, lesson_key=lesson_key or None)
