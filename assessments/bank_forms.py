"""Forms for question banks (admins): one question form per type, no JSON for authors.

Each question form turns its fields into the grader's ``spec`` (``spec()``) and back
(``load()``); ``SPEC_FIELD`` is where an error about the answer key is shown.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.fields import FloatField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from assessments import banks
from assessments.grading import MAX_CHOICES
from assessments.models import Question, QuestionType
from lms.web.text import SingleLine

MIN_CHOICE_ROWS = 4
SPARE_CHOICE_ROWS = 2


class BankForm(FlaskForm):
    title = StringField("Title", validators=[SingleLine(), DataRequired("A bank needs a title."),
                                             Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5_000)],
                                render_kw={"rows": 3},
                                description="What the questions cover; only admins see it.")


class ImportForm(FlaskForm):
    file = FileField("File", validators=[
        FileRequired("Choose a file."),
        FileAllowed(["json", "csv"], "Upload a .json or .csv file."),
    ], description="A .json question bank exported from Cadence, or a .csv file with the "
                   "columns described below.")


class NewBankImportForm(FlaskForm):
    file = FileField("Question bank document", validators=[
        FileRequired("Choose a file."),
        FileAllowed(["json"], "Upload the .json file a Cadence bank export produced."),
    ], description="A .json question bank exported from Cadence.")


class QuestionForm(FlaskForm):
    """What every question has: its wording, points, tags and the explanation."""

    type: QuestionType
    SPEC_FIELD = "prompt"
    prompt = TextAreaField(
        "Question (Markdown)", render_kw={"rows": 5},
        validators=[DataRequired("Write the question."), Length(max=banks.MAX_PROMPT)],
        description="Lists with -, emphasis with *, links as [text](https://…). Scripts and "
                    "unsafe HTML are removed.")
    points = FloatField("Points", default=1.0, validators=[
        InputRequired("Give the points."),
        NumberRange(min=0.01, max=banks.MAX_POINTS,
                    message=f"Points must be more than 0 and at most {banks.MAX_POINTS:,}.")])
    tags = StringField("Skills tested (tags)", validators=[Optional(), Length(max=500)],
                       description="Separate tags with commas: discovery, objection handling. "
                                   "They are stored in lower case with hyphens.")
    explanation = TextAreaField(
        "Explanation shown after answering (Markdown)", render_kw={"rows": 3},
        validators=[Optional(), Length(max=banks.MAX_EXPLANATION)])

    def spec(self) -> dict:
        raise NotImplementedError

    def load(self, question: Question) -> None:
        """Fill the form from a saved question (a GET of the edit page)."""
        self.prompt.data = question.prompt_markdown
        self.points.data = question.points
        self.tags.data = ", ".join(question.tag_list)
        self.explanation.data = question.explanation_markdown

    def data_for_service(self) -> banks.QuestionData:
        return banks.QuestionData(
            type=self.type.value, prompt=self.prompt.data or "", spec=self.spec(),
            points=self.points.data, tags=tuple(banks.split_tags(self.tags.data or "")),
            explanation=self.explanation.data or "")


# --- choices ---------------------------------------------------------------------------------

class ChoiceRowForm(Form):
    key = HiddenField()
    text = StringField("Choice text", validators=[Optional(), Length(max=500)])
    correct = BooleanField("Right answer")


class _ChoiceForm(QuestionForm):
    SPEC_FIELD = "choices"
    choices = FieldList(FormField(ChoiceRowForm), min_entries=MIN_CHOICE_ROWS,
                        max_entries=MAX_CHOICES)

    def filled(self) -> list:
        return [row for row in self.choices if (row.form.text.data or "").strip()]

    def _right_rows(self) -> list:
        raise NotImplementedError

    def validate_choices(self, field) -> None:
        for row in self.choices:
            if row.form in self._right_rows() and not (row.form.text.data or "").strip():
                raise FieldError("A choice marked right has no text.")

    def spec(self) -> dict:
        right = self._right_rows()
        rows = [row.form for row in self.filled()]
        # New rows get a spare key here, so the right answer can name them.
        spec = banks.fill_choice_keys({"choices": [
            {"key": row.key.data or None, "text": row.text.data.strip()} for row in rows]}, None)
        spec["correct"] = [choice["key"] for choice, row in zip(spec["choices"], rows,
                                                                strict=True) if row in right]
        return spec

    def load(self, question: Question) -> None:
        super().load(question)
        correct = set(question.spec.get("correct", []))
        choices = question.spec.get("choices", [])
        while len(self.choices) > 0:
            self.choices.pop_entry()
        rows = max(MIN_CHOICE_ROWS, min(MAX_CHOICES, len(choices) + SPARE_CHOICE_ROWS))
        for index in range(rows):
            choice = choices[index] if index < len(choices) else {"key": "", "text": ""}
            self.choices.append_entry({"key": choice["key"], "text": choice["text"],
                                       "correct": choice["key"] in correct})
        if isinstance(self, SingleChoiceForm):
            self.right.data = next((str(index) for index, choice in enumerate(choices)
                                    if choice["key"] in correct), None)


class SingleChoiceForm(_ChoiceForm):
    type = QuestionType.SINGLE
    right = StringField("Right answer")  # the row number of the radio button chosen

    def _right_rows(self) -> list:
        # The radio button's value is its row's number in the field names (choices-3-text).
        wanted = f"{self.choices.name}-{(self.right.data or '').strip()}"
        return [row.form for row in self.choices if row.name == wanted]


class MultipleChoiceForm(_ChoiceForm):
    type = QuestionType.MULTIPLE
    partial_credit = BooleanField(
        "Partial credit", description="Score (right picks - wrong picks) / right answers "
                                      "instead of all or nothing.")

    def _right_rows(self) -> list:
        return [row.form for row in self.choices if row.form.correct.data]

    def spec(self) -> dict:
        return {**super().spec(), "partial_credit": bool(self.partial_credit.data)}

    def load(self, question: Question) -> None:
        super().load(question)
        self.partial_credit.data = bool(question.spec.get("partial_credit"))


# --- the other types -------------------------------------------------------------------------

class TrueFalseForm(QuestionForm):
    type = QuestionType.TRUE_FALSE
    SPEC_FIELD = "correct"
    correct = RadioField("The statement is", choices=[SelectChoice("true", "True"),
                                                      SelectChoice("false", "False")],
                         validators=[InputRequired("Say whether the statement is true or "
                                                   "false.")])

    def spec(self) -> dict:
        return {"correct": self.correct.data}

    def load(self, question: Question) -> None:
        super().load(question)
        self.correct.data = "true" if question.spec.get("correct") else "false"


class ShortTextForm(QuestionForm):
    type = QuestionType.SHORT_TEXT
    SPEC_FIELD = "accepted"
    accepted = TextAreaField("Accepted answers, one per line", render_kw={"rows": 4},
                             validators=[DataRequired("Give at least one accepted answer.")])
    case_sensitive = BooleanField("Upper and lower case must match")
    collapse_whitespace = BooleanField("Ignore extra spaces between words", default=True)

    def spec(self) -> dict:
        lines = (self.accepted.data or "").splitlines()
        return {"accepted": [line.strip() for line in lines if line.strip()],
                "case_sensitive": bool(self.case_sensitive.data),
                "collapse_whitespace": bool(self.collapse_whitespace.data)}

    def load(self, question: Question) -> None:
        super().load(question)
        self.accepted.data = "\n".join(question.spec.get("accepted", []))
        self.case_sensitive.data = bool(question.spec.get("case_sensitive"))
        self.collapse_whitespace.data = bool(question.spec.get("collapse_whitespace", True))


class NumericForm(QuestionForm):
    type = QuestionType.NUMERIC
    SPEC_FIELD = "value"
    value = FloatField("Right answer", validators=[InputRequired("Give the right answer as a "
                                                                 "number.")])
    tolerance = FloatField("Tolerance (±)", default=0.0, validators=[
        InputRequired("Give a tolerance, 0 for an exact answer."),
        NumberRange(min=0, message="The tolerance must be 0 or more.")],
        description="Answers within this distance of the right answer count as right.")

    def spec(self) -> dict:
        return {"value": self.value.data, "tolerance": self.tolerance.data}

    def load(self, question: Question) -> None:
        super().load(question)
        self.value.data = question.spec.get("value")
        self.tolerance.data = question.spec.get("tolerance", 0.0)


QUESTION_FORMS: dict[QuestionType, type[QuestionForm]] = {
    form.type: form for form in (SingleChoiceForm, MultipleChoiceForm, TrueFalseForm,
                                 ShortTextForm, NumericForm)
}
