"""The JSON exchange document: one bank, every question type, keys included."""

from __future__ import annotations

import json

import marshmallow as ma

from assessments import banks
from assessments.bank_exchange.problems import (
    MAX_QUESTIONS,
    ImportRejected,
    Item,
    Problem,
    questions_of,
)
from assessments.bank_schemas import (
    FORMAT,
    FORMAT_VERSION,
    BankDocumentSchema,
    QuestionDocumentSchema,
)
from assessments.models import QuestionBank
from lms.web.bodies import TOO_DEEP, too_deep


def export_json(bank: QuestionBank) -> dict:
    """Return ``bank`` as an exchange document (plain JSON values), archived questions too."""
    return BankDocumentSchema().dump({
        "format": FORMAT, "format_version": FORMAT_VERSION, "title": bank.title,
        "description": bank.description,
        "questions": [{"type": str(q.type), "prompt": q.prompt_markdown, "points": q.points,
                       "tags": q.tag_list, "explanation": q.explanation_markdown,
                       "archived": q.is_archived, "spec": q.spec} for q in questions_of(bank)]})


def _paths(messages, path: tuple = ()) -> list[tuple[tuple, str]]:
    if isinstance(messages, dict):
        return [pair for key, value in messages.items()
                for pair in _paths(value, path if key == "_schema" else (*path, key))]
    texts = messages if isinstance(messages, list) else [messages]
    return [(path, str(text)) for text in texts]


def _flatten(messages: dict) -> list[Problem]:
    """marshmallow's nested messages as problems: ``questions.3.points`` -> question 4."""
    problems = []
    for path, message in _paths(messages):
        if len(path) > 1 and path[0] == "questions" and isinstance(path[1], int):
            field = ".".join(str(part) for part in path[2:]) or None
            problems.append(Problem("question", path[1] + 1, field, message))
        else:
            problems.append(Problem("file", 0, ".".join(map(str, path)) or None, message))
    return problems


def read_json(raw: bytes | str | dict) -> tuple[dict, list[Item], list[Problem]]:
    """Parse a document: its details, the questions of the right shape, and the problems of
    the others. A document that cannot be read at all is refused at once."""
    if isinstance(raw, dict):
        document = raw
    else:
        try:
            document = json.loads(raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw)
        except UnicodeDecodeError as error:
            raise ImportRejected([Problem("file", 0, None, "The file is not UTF-8 text.")]
                                 ) from error
        except json.JSONDecodeError as error:
            raise ImportRejected([Problem("file", 0, None, f"Not valid JSON: {error.msg} "
                                          f"(line {error.lineno}, column {error.colno}).")]
                                 ) from error
        except RecursionError as error:
            raise ImportRejected([Problem("file", 0, None, TOO_DEEP)]) from error
    # One that parses yet nests deeply would still recurse in the schemas or when saved.
    if too_deep(document):
        raise ImportRejected([Problem("file", 0, None, TOO_DEEP)])
    if not isinstance(document, dict):
        raise ImportRejected([Problem("file", 0, None, "The document must be a JSON object.")])
    try:  # the details first: without them the questions cannot be read
        details = BankDocumentSchema(exclude=("questions",)).load(
            {key: value for key, value in document.items() if key != "questions"})
    except ma.ValidationError as error:
        raise ImportRejected(_flatten(error.messages)) from error
    questions = document.get("questions")
    if not isinstance(questions, list):
        raise ImportRejected([Problem("file", 0, "questions", "Missing data for required "
                                      "field." if questions is None else "Not a valid list.")])
    if len(questions) > MAX_QUESTIONS:
        raise ImportRejected([Problem("file", 0, "questions", f"More than {MAX_QUESTIONS:,} "
                                      "questions; split the bank.")])
    items, problems = [], []
    for number, question in enumerate(questions, start=1):
        try:
            q = QuestionDocumentSchema().load(question)
        except ma.ValidationError as error:
            problems += _flatten({"questions": {number - 1: error.messages}})
            continue
        items.append(Item("question", number, banks.QuestionData(
            type=q["type"], prompt=q["prompt"], spec=q["spec"], points=q["points"],
            tags=tuple(q["tags"]), explanation=q["explanation"]), q["archived"]))
    return details, items, problems
