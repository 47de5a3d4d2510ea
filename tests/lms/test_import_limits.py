"""A people CSV the csv module cannot read (a cell over its field size limit) is refused
with a line problem on every path, like any other refusal; nothing is written."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.people.csv_io import ImportRejected, import_people
from lms.people.models import User
from lms.web.bodies import TOO_DEEP
from tests import factories
from tests.api_support import token_headers

HEADER = "email,name,title,level,manager_email,roles"
HUGE = "x" * (csv.field_size_limit() + 1)


def org_chart(*, huge_on_line: int) -> bytes:
    rows = [HEADER, "boss@example.test,Bo Boss,,executive,,", "rep@example.test,Ray Rep,,rep,,"]
    rows[huge_on_line - 1] += "," + HUGE
    return ("\n".join(rows) + "\n").encode()


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("line", [1, 3])
def test_a_cell_over_the_field_limit_is_a_line_problem(session, line):
    before = count()

    with pytest.raises(ImportRejected) as rejected:
        import_people(org_chart(huge_on_line=line), by=None)

    [problem] = rejected.value.problems
    assert problem.line == line and "longer than 131,072 characters" in problem.message
    assert count() == before


def test_the_import_page_lists_the_line_and_writes_nothing(client, login, session):
    login(factories.admin())
    before = count()

    response = client.post("/people/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(org_chart(huge_on_line=3)), "org.csv")})

    assert response.status_code == 422
    assert "Line 3: a cell is longer than" in response.get_data(as_text=True)
    assert count() == before


def test_the_command_lists_the_line_and_writes_nothing(app, session, tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes(org_chart(huge_on_line=2))
    before = count()

    result = app.test_cli_runner().invoke(args=["cadence", "import-people", str(path)])

    assert result.exit_code != 0 and f"{path}:2: a cell is longer than" in result.output
    assert count() == before


def test_any_json_body_nested_too_deep_is_a_bad_request(client, session):
    headers = {**token_headers(factories.admin(), ["people:read", "people:write"]),
               "Content-Type": "application/json"}

    response = client.post("/api/v1/people/", data="[" * 100_000 + "]" * 100_000,
                           headers=headers)

    assert response.status_code == 400
    assert response.get_json() == {"errors": {"request": [TOO_DEEP]}}
    assert count() == 1  # the admin only
