"""CSV for simple question types: one row per question, made safe for spreadsheets.

Columns (header required, any order; only ``type``, ``prompt`` and ``correct`` must be
there): type, prompt, choices, correct, points, tags, explanation, partial_credit,
case_sensitive, collapse_whitespace, tolerance, archived. ``choices`` and the accepted
answers of a short-text question are separated by ``|`` (write ``\\|`` for a bar in the
text); ``correct`` names the right choices by letter (``a`` is the first) or number.
"""

from __future__ import annotations

import csv
import io
import re

from assessments import banks
from assessments.bank_exchange.problems import (
    MAX_QUESTIONS,
    ImportRejected,
    Item,
    Problem,
    questions_of,
)
from assessments.models import Question, QuestionBank, QuestionType
from lms.errors import ValidationError
from lms.people.csv_io import unreadable
from lms.web.spreadsheets import csv_bytes, restore

CSV_COLUMNS = ("type", "prompt", "choices", "correct", "points", "tags", "explanation",
               "partial_credit", "case_sensitive", "collapse_whitespace", "tolerance",
               "archived")
CSV_REQUIRED = ("type", "prompt", "correct")
CSV_TYPES = frozenset(QuestionType)  # every type so far is simple enough for one row
# Columns that only mean something for some types; a value elsewhere is a mistake.
ONLY_FOR = {"choices": {"single", "multiple"}, "partial_credit": {"multiple"},
            "case_sensitive": {"short_text"}, "collapse_whitespace": {"short_text"},
            "tolerance": {"numeric"}}
_YES = {"yes": True, "y": True, "true": True, "1": True,
        "no": False, "n": False, "false": False, "0": False}


def _join(values) -> str:
    return "|".join(str(v).replace("\\", "\\\\").replace("|", "\\|") for v in values)


def _csv_row(question: Question) -> list:
    spec, kind = question.spec, str(question.type)
    row = dict.fromkeys(CSV_COLUMNS, "")
    row.update(type=kind, prompt=question.prompt_markdown, points=question.points,
               tags=_join(question.tag_list), explanation=question.explanation_markdown,
               archived=question.is_archived)
    if kind in ("single", "multiple"):
        keys = [choice["key"] for choice in spec["choices"]]
        row["choices"] = _join(choice["text"] for choice in spec["choices"])
        row["correct"] = "|".join(chr(ord("a") + keys.index(k)) for k in spec["correct"])
        if kind == "multiple":
            row["partial_credit"] = spec["partial_credit"]
    elif kind == "true_false":
        row["correct"] = "true" if spec["correct"] else "false"
    elif kind == "short_text":
        row.update(correct=_join(spec["accepted"]), case_sensitive=spec["case_sensitive"],
                   collapse_whitespace=spec["collapse_whitespace"])
    elif kind == "numeric":
        row.update(correct=spec["value"], tolerance=spec["tolerance"])
    return [row[column] for column in CSV_COLUMNS]


def export_csv(bank: QuestionBank) -> bytes:
    """Return the bank as a CSV file; lines that look like formulas are neutralised."""
    questions = questions_of(bank)
    other = sorted({str(q.type) for q in questions if q.type not in CSV_TYPES})
    if other:
        raise ValidationError(f"CSV holds simple question types only; this bank has "
                              f"{', '.join(other)} questions: export it as JSON.")
    return csv_bytes((_csv_row(q) for q in questions), CSV_COLUMNS)


def _split(text: str) -> list[str]:
    r"""Split on ``|``; ``\|`` is a bar and ``\\`` a backslash inside a value."""
    parts, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append(following if following in "|\\" else char + following)
        elif char == "|":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts if any(parts) else []


def _cell(value: str) -> str:
    """Trim a cell and undo the apostrophes the export puts before formula characters."""
    return restore(value.strip())


def _yes_no(value: str, column: str, default):
    if not value:
        return default
    answer = _YES.get(value.lower())
    if answer is None:
        raise ValidationError(f"Write yes or no, not {value!r}.", field=column)
    return answer


def _positions(text: str, count: int) -> list[str]:
    """Right choices by letter (a, b…) or number (1, 2…) -> positional keys a, b…"""
    keys = []
    for part in re.split(r"[|,;\s]+", text.strip()):
        if not part:
            continue
        index = -1
        if part.isdigit():
            index = int(part) - 1
        elif len(part) == 1 and "a" <= part.lower() <= "z":
            index = ord(part.lower()) - ord("a")
        if not 0 <= index < count:
            raise ValidationError(f"{part!r} is not one of the {count} choices: name them "
                                  "by letter (a is the first) or number.", field="correct")
        keys.append(chr(ord("a") + index))
    return keys


def _spec(kind: str, cells: dict[str, str]) -> dict:
    correct = cells.get("correct", "")
    if kind in ("single", "multiple"):
        texts = _split(cells.get("choices", ""))
        spec = {"choices": [{"key": chr(ord("a") + i), "text": t} for i, t in enumerate(texts)],
                "correct": _positions(correct, len(texts)) if texts else []}
        if kind == "multiple":
            spec["partial_credit"] = _yes_no(cells.get("partial_credit", ""),
                                             "partial_credit", False)
        return spec
    if kind == "true_false":
        return {"correct": correct}
    if kind == "short_text":
        return {"accepted": _split(correct),
                "case_sensitive": _yes_no(cells.get("case_sensitive", ""),
                                          "case_sensitive", False),
                "collapse_whitespace": _yes_no(cells.get("collapse_whitespace", ""),
                                               "collapse_whitespace", True)}
    return {"value": correct, "tolerance": cells.get("tolerance", "") or 0}


def _csv_item(line: int, cells: dict[str, str]) -> Item:
    kind = re.sub(r"[\s/-]+", "_", cells["type"].lower())
    if kind not in {t.value for t in CSV_TYPES}:
        raise ValidationError(f"Unknown type {cells['type']!r}; use one of "
                              f"{', '.join(t.value for t in QuestionType)}.", field="type")
    for column, kinds in ONLY_FOR.items():
        if cells.get(column) and kind not in kinds:
            raise ValidationError(f"Leave {column} empty for a {kind} question.", field=column)
    points = cells.get("points") or "1"
    try:
        points = float(points.replace(",", "."))
    except ValueError:
        raise ValidationError(f"{points!r} is not a number.", field="points") from None
    return Item("line", line, banks.QuestionData(
        type=kind, prompt=cells["prompt"], spec=_spec(kind, cells), points=points,
        tags=tuple(banks.split_tags(cells.get("tags", ""))),
        explanation=cells.get("explanation", "")),
        _yes_no(cells.get("archived", ""), "archived", None), positional_keys=True)


def _header(reader) -> list[str]:
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in CSV_REQUIRED if name not in header]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        detail = (f"missing column(s) {', '.join(missing)}" if missing else
                  f"unknown column(s) {', '.join(unknown)}" if unknown else "a repeated column")
        raise ImportRejected([Problem("line", 1, None, f"The header has {detail}; use "
                                      f"{','.join(CSV_COLUMNS)}.")])
    return header


def read_csv(raw: bytes) -> tuple[list[Item], list[Problem]]:
    """Read every row: the questions, and the problems of the lines that are not."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected([Problem("line", 1, None, "The file is not UTF-8 text; save "
                                      "it as CSV UTF-8.")]) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(reader)
        items, problems = [], []
        while True:
            line = reader.line_num + 1  # where the record starts, even if a cell spans lines
            record = next(reader, None)
            if record is None:
                break
            if not "".join(record).strip():
                continue
            if len(items) + len(problems) >= MAX_QUESTIONS:
                problems.append(Problem("line", line, None, f"More than {MAX_QUESTIONS:,} "
                                        "questions; split the file."))
                break
            if len(record) > len(header) and "".join(record[len(header):]).strip():
                problems.append(Problem("line", line, None, "More cells than the header has "
                                        "columns (quote cells that hold commas)."))
                continue
            cells = {name: _cell(record[i]) if i < len(record) else ""
                     for i, name in enumerate(header)}
            try:
                items.append(_csv_item(line, cells))
            except ValidationError as error:
                problems.append(Problem("line", line, error.field, error.message))
    except csv.Error as error:
        reason = unreadable(error)
        raise ImportRejected([Problem("line", reader.line_num, None,
                                      f"{reason[:1].upper()}{reason[1:]}.")]) from error
    return items, problems
