"""What the readers of bank files produce: questions read, and problems by place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from assessments import banks
from assessments.models import Question, QuestionBank
from lms.errors import ValidationError
from lms.extensions import db

MAX_QUESTIONS = 2_000  # per file; a bigger bank is imported in parts


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (a line or a question number), which field."""

    unit: str  # "line", "question" or "file"
    number: int
    field: str | None
    message: str

    @property
    def place(self) -> str:
        where = "File" if self.unit == "file" else f"{self.unit.capitalize()} {self.number}"
        return f"{where}, {self.field}" if self.field else where

    @property
    def key(self) -> str:
        """The field name in an API error: ``questions.2.points`` for question 3."""
        if self.unit == "question":
            return f"questions.{self.number - 1}" + (f".{self.field}" if self.field else "")
        if self.unit == "line":
            return f"line.{self.number}" + (f".{self.field}" if self.field else "")
        return self.field or "document"

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class ImportRejected(ValidationError):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        count = len(problems)
        super().__init__(f"Nothing was imported: the file has {count} "
                         f"problem{'s' if count != 1 else ''}.")
        self.problems = sorted(problems, key=lambda p: (p.unit != "file", p.number))


@dataclass
class Item:
    """One question read from a file, before it meets the bank."""

    unit: str
    number: int
    data: banks.QuestionData
    archived: bool | None
    positional_keys: bool = False  # CSV choices: keys follow the order, remapped by text


def questions_of(bank: QuestionBank) -> list[Question]:
    """The bank's questions in order, archived ones too."""
    return list(db.session.scalars(select(Question).where(Question.bank_id == bank.id)
                                   .order_by(Question.position, Question.id)))
