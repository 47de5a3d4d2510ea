"""Question bank export and import: a JSON document (every type), or CSV for simple types.

Import is all or nothing. The whole file is read and every question checked by the same
rules as the editor before anything is written; each problem is listed with its line (CSV)
or question number (JSON). A question of the file is the bank's question with the same
prompt (spacing ignored): that one is updated, others are added at the end, and questions
the file does not mention are left alone, so importing a file twice changes nothing.

The formats live in ``json_format`` and ``csv_format``; this module matches, checks, writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments import banks
from assessments.bank_exchange.csv_format import CSV_COLUMNS, export_csv, read_csv
from assessments.bank_exchange.json_format import export_json, read_json
from assessments.bank_exchange.problems import (
    ImportRejected,
    Item,
    Problem,
    questions_of,
)
from assessments.models import Question, QuestionBank
from courses.models import Course
from lms.audit import services as audit
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User

__all__ = ["CSV_COLUMNS", "ImportRejected", "ImportResult", "Problem", "export_csv",
           "export_json", "import_into", "import_new_bank", "read_csv", "read_json"]


@dataclass
class ImportResult:
    bank: QuestionBank
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _rekey(spec: dict, previous: dict | None) -> dict:
    """CSV choices carry positional keys: take the key of the same text in the question
    being updated instead (else a spare one), so an unchanged row changes nothing."""
    if not isinstance(previous, dict) or "choices" not in previous:
        return spec
    fresh = banks.fill_choice_keys({"choices": [{"text": c["text"]} for c in spec["choices"]]},
                                   previous)["choices"]
    key_of = {old["key"]: new["key"] for old, new in zip(spec["choices"], fresh, strict=True)}
    correct = [key_of.get(k, k) for k in spec.get("correct", [])]
    return {**spec, "choices": fresh, "correct": correct}


def _check(items: list[Item], bank: QuestionBank | None) -> tuple[list, list[Problem]]:
    """Match each item to the bank's question and check it by the editor's rules."""
    existing = {} if bank is None else {banks.identity(q.prompt_markdown): q
                                        for q in questions_of(bank)}
    used = set() if bank is None else banks.questions_used([q.id for q in existing.values()])
    problems, planned, first = [], [], {}
    for item in items:
        match = existing.get(banks.identity(item.data.prompt or ""))
        data = item.data
        if item.positional_keys and match is not None and data.type == str(match.type):
            data = banks.QuestionData(**{**data.__dict__,
                                         "spec": _rekey(data.spec, match.spec)})
        try:
            checked = banks.check_question(data, previous_spec=match.spec if match else None)
        except ValidationError as error:
            problems.append(Problem(item.unit, item.number, error.field, error.message))
            continue
        same = first.setdefault(banks.identity(checked.prompt), item.number)
        if same != item.number:
            problems.append(Problem(item.unit, item.number, "prompt", f"The same question as "
                                    f"{item.unit} {same}: a bank asks each question once."))
        elif match is not None and checked.type != match.type and match.id in used:
            problems.append(Problem(item.unit, item.number, "type", "Learners have answered "
                                    "this question, so its type can no longer change."))
        planned.append((item, checked, match))
    return planned, problems


def _state(question: Question) -> tuple:
    return (question.type, question.prompt_markdown, question.explanation_markdown,
            question.points, question.tags, question.spec, question.is_archived)


def _apply(bank: QuestionBank, planned: list, *, by: User) -> ImportResult:
    """Write what ``_check`` planned: every row was checked against the whole bank."""
    result = ImportResult(bank)
    position = max((q.position for q in questions_of(bank)), default=-1) + 1
    for item, checked, match in planned:
        if match is None:
            question = banks.add_checked(bank, checked, by=by, position=position)
            position += 1
            result.created += 1
            before = None
        else:
            question, before = match, _state(match)
            banks.update_checked(question, checked, by=by)
        if item.archived is not None:
            banks.set_question_archived(question, item.archived, by=by)
        if before is not None:
            if _state(question) == before:
                result.unchanged += 1
            else:
                result.updated += 1
    return result


def _run(bank: QuestionBank | None, items: list[Item], problems: list[Problem], *,
         by: User, create=None) -> ImportResult:
    planned, more = _check(items, bank)
    problems = problems + more
    if problems:
        raise ImportRejected(problems)
    savepoint = db.session.begin_nested()
    try:
        if bank is None:
            bank = create()
        result = _apply(bank, planned, by=by)
    except ValidationError as error:
        savepoint.rollback()
        if isinstance(error, ImportRejected):
            raise
        raise ImportRejected([Problem("file", 0, error.field, error.message)]) from error
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    audit.record(by, "bank.import", bank, summary=(
        f"Imported into {bank.title}: {result.created} added, {result.updated} updated, "
        f"{result.unchanged} unchanged"), changes={
        "created": [None, result.created], "updated": [None, result.updated]})
    return result


def import_into(bank: QuestionBank, raw: bytes | str | dict, *, by: User,
                kind: str = "json") -> ImportResult:
    """Import a JSON document's or a CSV file's questions into ``bank`` (details kept)."""
    if kind == "csv":
        items, problems = read_csv(raw if isinstance(raw, bytes) else raw.encode())
    else:
        _details, items, problems = read_json(raw)
    return _run(bank, items, problems, by=by)


def import_new_bank(course: Course, raw: bytes | str | dict, *, by: User) -> ImportResult:
    """Create a bank of ``course`` from a JSON document: its details and its questions."""
    details, items, problems = read_json(raw)
    return _run(None, items, problems, by=by, create=lambda: banks.create_bank(
        course, banks.BankData(details["title"], details["description"]), by=by))
