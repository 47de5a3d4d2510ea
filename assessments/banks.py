"""Question banks: per-course pools of questions that admins author (services).

Every change flushes, never commits, and is audited. A question's prompt and explanation are
Markdown, rendered and sanitised when saved; its answer key (``spec``) is checked and
normalised by ``assessments.grading``. When the part of the key that decides grades changes,
``key_version`` goes up: results are not regraded here, a regrade is asked for separately.

Within a bank a question is known by its prompt (spacing ignored): two questions of one bank
may not share a prompt, so an import can find the question a row of a file means.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from assessments import grading
from assessments.models import AssessmentSource, AttemptItem, Question, QuestionBank, QuestionType
from courses.models import Course
from lms.audit import services as audit
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User
from lms.web.markdown import render_markdown

MAX_PROMPT = 10_000
MAX_EXPLANATION = 10_000
MAX_POINTS = 1_000
MAX_TAG = 64
MAX_TAGS = 500  # the stored ",a,b," text
CHOICE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_TAG_SPLIT = re.compile(r"[,;|]")
AUDITED = ("type", "prompt_markdown", "explanation_markdown", "points", "tags", "spec",
           "key_version", "is_archived", "position")


@dataclass(frozen=True)
class BankData:
    title: str
    description: str = ""


@dataclass(frozen=True)
class QuestionData:
    type: str
    prompt: str
    spec: dict[str, Any]
    points: float = 1.0
    tags: tuple[str, ...] = ()
    explanation: str = ""


@dataclass(frozen=True)
class CheckedQuestion:
    """A question's values after every rule: what ``add``/``update`` will store."""

    type: QuestionType
    prompt: str
    prompt_html: str
    explanation: str
    explanation_html: str
    points: float
    tags: str
    spec: dict[str, Any] = field(hash=False)


# --- small pure helpers ----------------------------------------------------------------------

def identity(prompt: str) -> str:
    """The prompt as questions are matched: spacing ignored, nothing else."""
    return _SPACES.sub(" ", prompt).strip()


def tag_slug(tag: str) -> str:
    return _NOT_SLUG.sub("-", tag.lower()).strip("-")


def split_tags(text: str) -> list[str]:
    return [tag for tag in _TAG_SPLIT.split(text) if tag.strip()]


def normalise_tags(tags: Iterable[str] | str) -> str:
    """Turn free text tags into lower-case slugs stored ``",a,b,"`` (order kept, no repeats)."""
    if isinstance(tags, str):
        tags = split_tags(tags)
    slugs: list[str] = []
    for tag in tags:
        slug = tag_slug(str(tag))
        if len(slug) > MAX_TAG:
            raise ValidationError(f"A tag may have at most {MAX_TAG} characters.", field="tags")
        if slug and slug not in slugs:
            slugs.append(slug)
    stored = "," + "".join(f"{slug}," for slug in slugs)
    if len(stored) > MAX_TAGS:
        raise ValidationError("Too many tags: keep them under 500 characters in all.",
                              field="tags")
    return stored


def answer_key(type_: str, spec: dict) -> dict:
    """The part of a normalised spec that decides grades (choice wording left out)."""
    key = {name: value for name, value in spec.items() if name != "choices"}
    if "choices" in spec:
        key["choices"] = [choice["key"] for choice in spec["choices"]]
    return {"type": str(type_), **key}


def fill_choice_keys(spec: dict, previous: dict | None) -> dict:
    """Give choices without a key one: the key of the previous choice with the same text,
    else a key the question never used, so an old answer never lands on a new choice."""
    choices = spec.get("choices")
    if not isinstance(choices, list):
        return spec
    rows = [{"text": c} if isinstance(c, str) else c for c in choices]
    if not all(isinstance(row, dict) for row in rows):
        return spec  # let the grader say what is wrong
    old_choices = (previous or {}).get("choices", [])
    old = {str(c["text"]).strip(): c["key"] for c in old_choices}
    used = {str(row["key"]) for row in rows if row.get("key")}
    keys = [row.get("key") or None for row in rows]
    for index, row in enumerate(rows):  # first the texts that kept their wording
        key = old.get(str(row.get("text", "")).strip())
        if keys[index] is None and key is not None and key not in used:
            keys[index] = key
            used.add(key)
    retired = used | {c["key"] for c in old_choices}
    spare = (key for key in _spare_keys() if key not in retired)
    keys = [key if key is not None else next(spare) for key in keys]
    return {**spec, "choices": [{**row, "key": key} for row, key in zip(rows, keys,
                                                                        strict=True)]}


def _spare_keys():
    yield from "abcdefghijklmnopqrstuvwxyz"
    number = 27
    while True:
        yield f"k{number}"
        number += 1


def _render(text: str, name: str, limit: int, label: str) -> str:
    if len(text) > limit:
        raise ValidationError(f"The {label} may have at most {limit:,} characters.", field=name)
    if not text:
        return ""  # no explanation is common: skip building a Markdown parser for it
    try:
        return render_markdown(text)
    except ValueError as error:  # pragma: no cover - the limit above is lower
        raise ValidationError(f"The {label} cannot be used: {error}.", field=name) from error


def _points(value: Any) -> float:
    try:
        points = float(value)
    except (TypeError, ValueError):
        raise ValidationError("Give the points as a number.", field="points") from None
    if not math.isfinite(points) or points <= 0:
        raise ValidationError("Points must be more than 0.", field="points")
    if points > MAX_POINTS:
        raise ValidationError(f"Points may be at most {MAX_POINTS:,}.", field="points")
    return points


def check_question(data: QuestionData, *, previous_spec: dict | None = None) -> CheckedQuestion:
    """Apply every rule to ``data``; raise ``ValidationError`` naming the field at fault."""
    try:
        type_ = QuestionType(data.type)
    except ValueError:
        raise ValidationError(f"Unknown question type {data.type!r}; use one of "
                              f"{', '.join(t.value for t in QuestionType)}.",
                              field="type") from None
    prompt = (data.prompt or "").replace("\r\n", "\n").strip()
    if not prompt:
        raise ValidationError("Write the question.", field="prompt")
    explanation = (data.explanation or "").replace("\r\n", "\n").strip()
    spec = data.spec
    if grading.kind(type_.value).has_choices and isinstance(spec, dict):
        spec = fill_choice_keys(spec, previous_spec)
    try:
        spec = grading.check_spec(type_.value, spec)
    except grading.SpecError as error:
        raise ValidationError(str(error), field="spec") from error
    for choice in spec.get("choices", []):
        if not CHOICE_KEY.match(choice["key"]):
            raise ValidationError(f"The choice key {choice['key']!r} must be 1 to 16 letters, "
                                  "digits, hyphens or underscores.", field="spec")
    return CheckedQuestion(
        type=type_, prompt=prompt,
        prompt_html=_render(prompt, "prompt", MAX_PROMPT, "question"),
        explanation=explanation,
        explanation_html=_render(explanation, "explanation", MAX_EXPLANATION, "explanation"),
        points=_points(data.points), tags=normalise_tags(data.tags), spec=spec)


# --- banks -----------------------------------------------------------------------------------

def _apply_bank(bank: QuestionBank, data: BankData) -> None:
    title = (data.title or "").strip()
    if not title:
        raise ValidationError("A bank needs a title.", field="title")
    if len(title) > 200:
        raise ValidationError("Keep the title under 200 characters.", field="title")
    description = (data.description or "").strip()
    if len(description) > 5_000:
        raise ValidationError("Keep the description under 5,000 characters.",
                              field="description")
    bank.title = title
    bank.description = description


def create_bank(course: Course, data: BankData, *, by: User) -> QuestionBank:
    """Add an empty question bank to ``course``."""
    bank = QuestionBank(course=course)
    _apply_bank(bank, data)
    db.session.add(bank)
    db.session.flush()
    audit.record(by, "bank.create", bank, summary=f"Created question bank {bank.title}",
                 changes={"title": [None, bank.title], "course_id": [None, course.id]})
    return bank


def update_bank(bank: QuestionBank, data: BankData, *, by: User) -> QuestionBank:
    _apply_bank(bank, data)
    changes = audit.pending_changes(bank, ("title", "description"))
    if changes:
        audit.record(by, "bank.update", bank, summary=f"Edited question bank {bank.title}",
                     changes=changes)
    return bank


def attempts_using(question_ids: Iterable[int]) -> int:
    """How many attempt items drew any of these questions."""
    ids = list(question_ids)
    if not ids:
        return 0
    return db.session.scalar(select(func.count()).select_from(AttemptItem)
                             .where(AttemptItem.question_id.in_(ids))) or 0


def questions_used(question_ids: Iterable[int]) -> set[int]:
    """Which of these questions some attempt drew."""
    ids = list(question_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(AttemptItem.question_id).distinct()
                                  .where(AttemptItem.question_id.in_(ids))))


def delete_bank(bank: QuestionBank, *, by: User) -> None:
    """Delete a bank and its questions, unless an assessment draws from it or its
    questions were answered (results would lose their questions)."""
    source = db.session.scalar(select(AssessmentSource).where(
        AssessmentSource.bank_id == bank.id).limit(1))
    if source is not None:
        raise ValidationError(f"The assessment “{source.assessment.title}” draws questions "
                              "from this bank; remove the bank from it first.")
    ids = db.session.scalars(select(Question.id).where(Question.bank_id == bank.id)).all()
    if attempts_using(ids):
        raise ValidationError("Learners have answered questions of this bank; archive its "
                              "questions instead of deleting it, so their results stay whole.")
    audit.record(by, "bank.delete", bank, summary=f"Deleted question bank {bank.title}",
                 changes={"title": [bank.title, None], "questions": [len(ids), None]})
    db.session.delete(bank)
    db.session.flush()


# --- questions -------------------------------------------------------------------------------

def _prompt_taken(bank: QuestionBank, prompt: str, question: Question | None) -> bool:
    wanted = identity(prompt)
    rows = db.session.execute(select(Question.id, Question.prompt_markdown)
                              .where(Question.bank_id == bank.id))
    return any(identity(text) == wanted for qid, text in rows
               if question is None or qid != question.id)


def _store(question: Question, checked: CheckedQuestion) -> None:
    question.type = checked.type
    question.prompt_markdown = checked.prompt
    question.prompt_html = checked.prompt_html
    question.explanation_markdown = checked.explanation
    question.explanation_html = checked.explanation_html
    question.points = checked.points
    question.tags = checked.tags
    question.spec = checked.spec


def add_question(bank: QuestionBank, data: QuestionData, *, by: User) -> Question:
    """Add a question at the end of ``bank``."""
    checked = check_question(data)
    if _prompt_taken(bank, checked.prompt, None):
        raise ValidationError("This bank already has a question with that wording.",
                              field="prompt")
    return add_checked(bank, checked, by=by)


def add_checked(bank: QuestionBank, checked: CheckedQuestion, *, by: User,
                position: int | None = None) -> Question:
    """Add a question already checked against the whole bank (``add_question``, or an
    import that checked every row at once)."""
    if position is None:
        position = db.session.scalar(select(func.coalesce(func.max(Question.position) + 1, 0))
                                     .where(Question.bank_id == bank.id))
    question = Question(bank=bank, position=position, key_version=1, is_archived=False)
    _store(question, checked)
    db.session.add(question)
    db.session.flush()
    audit.record(by, "bank.question.create", question,
                 summary=f"Added a question to {bank.title}",
                 changes={name: [None, value] for name, value in (
                     ("type", checked.type.value), ("prompt_markdown", checked.prompt),
                     ("points", checked.points), ("tags", checked.tags),
                     ("spec", checked.spec))})
    return question


def update_question(question: Question, data: QuestionData, *, by: User) -> Question:
    """Change a question; a changed answer key raises ``key_version`` (no regrade here)."""
    checked = check_question(data, previous_spec=question.spec)
    if checked.type != question.type and attempts_using([question.id]):
        raise ValidationError("Learners have answered this question, so its type can no "
                              "longer change; archive it and add a new question instead.",
                              field="type")
    if _prompt_taken(question.bank, checked.prompt, question):
        raise ValidationError("This bank already has a question with that wording.",
                              field="prompt")
    return update_checked(question, checked, by=by)


def update_checked(question: Question, checked: CheckedQuestion, *, by: User) -> Question:
    """Store a change already checked against the bank and the question's attempts."""
    key_changed = (answer_key(question.type, question.spec)
                   != answer_key(checked.type, checked.spec))
    _store(question, checked)
    if key_changed:
        question.key_version = (question.key_version or 1) + 1
    changes = audit.pending_changes(question, AUDITED)
    if changes:
        summary = (f"Changed the answer key of a question in {question.bank.title} "
                   f"(key version {question.key_version})" if key_changed
                   else f"Edited a question in {question.bank.title}")
        audit.record(by, "bank.question.update", question, summary=summary, changes=changes)
    return question


def set_question_archived(question: Question, archived: bool, *, by: User) -> Question:
    """Archive a question (assessments stop drawing it; results keep it) or restore it."""
    if question.is_archived == archived:
        return question
    question.is_archived = archived
    audit.record(by, "bank.question.archive" if archived else "bank.question.restore",
                 question, summary=("Archived" if archived else "Restored")
                 + f" a question in {question.bank.title}",
                 changes={"is_archived": [not archived, archived]})
    return question


def delete_question(question: Question, *, by: User) -> None:
    """Delete a question nobody has answered yet (else it must be archived)."""
    used = attempts_using([question.id])
    if used:
        raise ValidationError(f"This question was drawn in {used} attempt"
                              f"{'s' if used != 1 else ''}; archive it instead, so those "
                              "results stay whole.")
    bank = question.bank
    audit.record(by, "bank.question.delete", question,
                 summary=f"Deleted a question from {bank.title}",
                 changes={"prompt_markdown": [question.prompt_markdown, None]})
    bank.questions.remove(question)
    db.session.flush()
    _renumber(bank.questions)


def _renumber(questions: list[Question]) -> None:
    for position, question in enumerate(questions):
        if question.position != position:
            question.position = position


def move_question(question: Question, offset: int, *, by: User) -> None:
    """Move a question up (-1) or down (+1) in its bank."""
    questions = question.bank.questions
    index = questions.index(question)
    target = index + offset
    if not 0 <= target < len(questions):
        raise ValidationError("It is already at that end.")
    questions.insert(target, questions.pop(index))
    _renumber(questions)
    audit.record(by, "bank.question.move", question,
                 summary=f"Moved a question in {question.bank.title}",
                 changes={"position": [index, target]})


def reorder_questions(bank: QuestionBank, question_ids: list[int], *, by: User) -> None:
    """Put the bank's questions in the order of ``question_ids`` (each exactly once)."""
    questions = bank.questions
    if sorted(question_ids) != sorted(q.id for q in questions):
        raise ValidationError("List each question of the bank exactly once.",
                              field="question_ids")
    before = [q.id for q in questions]
    rank = {qid: position for position, qid in enumerate(question_ids)}
    questions.sort(key=lambda q: rank[q.id])
    _renumber(questions)
    if before != question_ids:
        audit.record(by, "bank.reorder", bank, summary=f"Reordered {bank.title}",
                     changes={"order": [before, question_ids]})
