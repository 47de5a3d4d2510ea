"""Bank files no reader can take: a CSV cell over the csv module's field size limit is a line
problem, a JSON document nested past the parser's depth a file problem; nothing is written."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from assessments import bank_exchange
from assessments.bank_exchange import ImportRejected
from assessments.models import Question, QuestionBank
from lms.extensions import db
from tests.api_support import token_headers

pytestmark = pytest.mark.usefixtures("ctx")

HEADER = ",".join(bank_exchange.CSV_COLUMNS)
HUGE_CELL = "x" * (csv.field_size_limit() + 1)
DEEP = 100_000


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def csv_file() -> bytes:
    return (f"{HEADER}\ntrue_false,Is silence useful?,,yes,,,,,,,,\n"
            f"true_false,{HUGE_CELL},,yes,,,,,,,,\n").encode()


def nested_document(depth: int = DEEP) -> str:
    """A bank document whose first question's spec is a list inside a list … ``depth`` deep."""
    return ('{"format": "cadence.question-bank", "format_version": 1, "title": "Deep", '
            '"questions": [{"type": "single", "prompt": "Why?", "spec": '
            + "[" * depth + "]" * depth + "}]}")


def upload(data: bytes, name: str) -> dict:
    return {"data": {"file": (io.BytesIO(data), name)}, "content_type": "multipart/form-data"}


def test_a_csv_cell_over_the_field_limit_is_a_line_problem(org, bank):
    with pytest.raises(ImportRejected) as rejected:
        bank_exchange.import_into(bank, csv_file(), by=org.admin, kind="csv")

    [problem] = rejected.value.problems
    assert (problem.unit, problem.number) == ("line", 3)
    assert "longer than 131,072 characters" in problem.message
    assert count(Question) == 0


@pytest.mark.parametrize("raw", [nested_document(), nested_document().encode(),
                                 nested_document(500), json.loads(nested_document(500))])
def test_json_nested_too_deep_is_a_file_problem(org, bank, raw):
    with pytest.raises(ImportRejected) as rejected:
        bank_exchange.import_into(bank, raw, by=org.admin)

    [problem] = rejected.value.problems
    assert problem.unit == "file" and "nested too deeply" in problem.message
    assert count(Question) == 0


def test_the_import_pages_list_the_problem_and_write_nothing(client, login, org, course, bank):
    login(org.admin)
    banks_before = count(QuestionBank)

    into = client.post(f"/assessments/banks/{bank.id}/import", **upload(csv_file(), "q.csv"))
    new = client.post(f"/assessments/courses/{course.id}/banks/import",
                      **upload(nested_document().encode(), "bank.json"))

    assert into.status_code == 422 and "A cell is longer than" in into.get_data(as_text=True)
    assert new.status_code == 422 and "nested too deeply" in new.get_data(as_text=True)
    assert count(Question) == 0 and count(QuestionBank) == banks_before


def test_the_api_refuses_a_document_nested_too_deep(client, org, course, bank):
    headers = {**token_headers(org.admin, ["assessments:read", "assessments:write"]),
               "Content-Type": "application/json"}
    banks_before = count(QuestionBank)

    into = client.post(f"/api/v1/banks/{bank.id}/import", data=nested_document(),
                       headers=headers)
    new = client.post(f"/api/v1/banks/import?course_id={course.id}", data=nested_document(),
                      headers=headers)

    for response in (into, new):
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
        assert "nested too deeply" in json.dumps(response.get_json())
    assert count(Question) == 0 and count(QuestionBank) == banks_before
