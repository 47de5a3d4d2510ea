"""Forms for rubrics, scorecards and readiness surveys.

The scoring and survey forms are built per rubric or survey (one radio group per criterion or
statement). Blank authoring rows are ignored, so the pages work without JavaScript: they
offer a few empty rows to fill in. The rules live in the services; these forms check shapes.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from assessments.models import Rubric, Survey, SurveyQuestionKind
from assessments.scorecards import KINDS_FOR, CriterionData, RubricData
from assessments.surveys import LIKERT_LABELS, QuestionData, SectionData, SurveyData
from lms.errors import CadenceError
from lms.people.models import Level
from lms.web.forms import apply_error
from lms.web.text import SingleLine

# --- rubrics ---------------------------------------------------------------------------------

class CriterionForm(Form):
    title = StringField("Criterion", validators=[SingleLine(), Optional(), Length(max=200)])
    descriptors = FieldList(StringField(validators=[Optional(), Length(max=500)]),
                            min_entries=5, max_entries=5)


class RubricForm(FlaskForm):
    title = StringField("Title", validators=[SingleLine(), DataRequired("Give the rubric a title."),
                                             Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)],
                                render_kw={"rows": 3})
    subject_level = SelectField("Who is observed", choices=[
        SelectChoice(Level.REP.value,
                     "Reps, in role-plays and real calls (observed by their manager)"),
        SelectChoice(Level.MANAGER.value, "Managers, coaching (observed by their leader)")])
    criteria = FieldList(FormField(CriterionForm))

    def fill(self, rubric: Rubric | None, blanks: int = 2) -> None:
        """Show the rubric's criteria, then ``blanks`` empty rows."""
        for criterion in rubric.criteria if rubric else []:
            self.criteria.append_entry({"title": criterion.title,
                                        "descriptors": list(criterion.descriptors)})
        for _ in range(blanks if rubric else blanks + 1):
            self.criteria.append_entry()

    def data_for_service(self) -> RubricData:
        criteria = []
        for entry in self.criteria:
            title = (entry.form.title.data or "").strip()
            descriptors = [(d.data or "").strip() for d in entry.form.descriptors]
            if title or any(descriptors):
                criteria.append(CriterionData(title, descriptors))
        return RubricData(self.title.data or "", self.description.data or "",
                          self.subject_level.data, criteria)


# --- scorecards ------------------------------------------------------------------------------

class ObservationForm(FlaskForm):
    subject = SelectField("Who you observed", coerce=int, choices=[])
    kind = SelectField("What you observed", choices=[])
    observed_on = DateField("Date", validators=[InputRequired("Give the date of the "
                                                             "observation.")])
    context = StringField("Context", validators=[Optional(), Length(max=300)],
                          description="For example: discovery call with a prospect, or a "
                                      "pricing-objection role-play.")
    comments = TextAreaField("Overall comments", validators=[Optional(), Length(max=5000)],
                             render_kw={"rows": 4})
    save = SubmitField("Save draft")
    share = SubmitField("Save and share")

    def score_fields(self, rubric: Rubric) -> list[tuple]:
        """``(criterion, radio field, comment field)`` in the rubric's order."""
        return [(c, self[f"score_{c.id}"], self[f"note_{c.id}"]) for c in rubric.criteria]


def observation_form(rubric: Rubric, people: list[tuple[int, str]], **kwargs) -> ObservationForm:
    """The scoring form for ``rubric``: a 1-5 radio group and a comment per criterion."""
    class Scoring(ObservationForm):
        pass
    for criterion in rubric.criteria:
        # The service checks the score (one message for the page and the API).
        setattr(Scoring, f"score_{criterion.id}", RadioField(
            criterion.title, coerce=int, validate_choice=False, validators=[Optional()],
            choices=[SelectChoice(n, text)
                     for n, text in enumerate(criterion.descriptors, start=1)]))
        setattr(Scoring, f"note_{criterion.id}", TextAreaField(
            f"Comment on “{criterion.title}” (optional)", render_kw={"rows": 2},
            validators=[Optional(), Length(max=2000)]))
    form = Scoring(**kwargs)
    form.subject.choices = [SelectChoice(value, label)
                            for value, label in [(0, "Choose a person"), *people]]
    form.kind.choices = [SelectChoice(k.value, k.label) for k in KINDS_FOR[rubric.subject_level]]
    return form


# --- surveys ---------------------------------------------------------------------------------

QUESTION_KINDS = [SelectChoice(SurveyQuestionKind.LIKERT.value, "Statement scored 1–5 (Likert)"),
                  SelectChoice(SurveyQuestionKind.TEXT.value, "Free-text question")]


class QuestionForm(Form):
    kind = SelectField("Type", choices=QUESTION_KINDS)
    prompt = TextAreaField("Wording", validators=[Optional(), Length(max=1000)],
                           render_kw={"rows": 2})
    required = BooleanField("Answer required", default=True)


class SectionForm(Form):
    title = StringField("Section title", validators=[SingleLine(), Optional(), Length(max=200)])
    questions = FieldList(FormField(QuestionForm))


def _at_least_one(form: FlaskForm, field: SelectMultipleField) -> None:
    if not field.data:
        raise ValidationError("Choose at least one audience level.")


class SurveyForm(FlaskForm):
    title = StringField("Title", validators=[SingleLine(), DataRequired("Give the survey a title."),
                                             Length(max=200)])
    description = TextAreaField("Introduction", validators=[Optional(), Length(max=5000)],
                                render_kw={"rows": 3})
    audience = SelectMultipleField(
        "Who takes it", choices=[SelectChoice(level.value, level.label) for level in Level],
        validators=[_at_least_one], widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    sections = FieldList(FormField(SectionForm))

    def fill(self, survey: Survey | None, blank_sections: int = 1,
             blank_questions: int = 3) -> None:
        """Show the survey's sections and questions, then empty rows to add more."""
        for section in survey.sections if survey else []:
            self.sections.append_entry({"title": section.title, "questions": [
                {"kind": q.kind, "prompt": q.prompt, "required": q.is_required}
                for q in section.questions]})
        for _ in range(blank_sections if survey else blank_sections + 1):
            self.sections.append_entry()
        for entry in self.sections:
            for _ in range(blank_questions):
                entry.form.questions.append_entry({"required": True})

    def data_for_service(self) -> SurveyData:
        sections = []
        for entry in self.sections:
            questions = [QuestionData(q.form.kind.data, (q.form.prompt.data or "").strip(),
                                      bool(q.form.required.data))
                         for q in entry.form.questions if (q.form.prompt.data or "").strip()]
            title = (entry.form.title.data or "").strip()
            if title or questions:
                sections.append(SectionData(title, questions))
        return SurveyData(self.title.data or "", self.description.data or "",
                          tuple(self.audience.data or ()), sections)


class SurveyTakeForm(FlaskForm):
    submit = SubmitField("Submit my answers")

    def question_fields(self, survey: Survey) -> list[tuple]:
        """``(section, [(question, field)])`` in the survey's order."""
        return [(section, [(q, self[f"q_{q.id}"]) for q in section.questions])
                for section in survey.sections]


def take_form(survey: Survey, **kwargs) -> SurveyTakeForm:
    """A radio group 1-5 per statement and a text box per free-text question."""
    class Taking(SurveyTakeForm):
        pass
    for section in survey.sections:
        for question in section.questions:
            if question.kind == SurveyQuestionKind.LIKERT:
                field = RadioField(question.prompt, coerce=int, validate_choice=False,
                                   validators=[Optional()],
                                   choices=[SelectChoice(n, text)
                                            for n, text in LIKERT_LABELS.items()])
            else:
                field = TextAreaField(question.prompt, render_kw={"rows": 3},
                                      validators=[Optional(), Length(max=4000)])
            setattr(Taking, f"q_{question.id}", field)
    return Taking(**kwargs)


# Service fields that name a whole list (shown above the form) or one item of it.
_LIST_FIELDS = {"criteria", "sections", "scores", "answers", "rubric"}
_ITEM_PREFIXES = {"scores.": "score_", "answers.": "q_"}


def show_error(form: FlaskForm, error: CadenceError) -> None:
    """Put a service refusal beside the field it is about, or above the form."""
    name = error.field
    for prefix, field_prefix in _ITEM_PREFIXES.items():
        if name and name.startswith(prefix):
            name = field_prefix + name.removeprefix(prefix)
    if name in _LIST_FIELDS or (name and not hasattr(form, name)):
        name = None
    apply_error(form, CadenceError(error.message, field=name))
