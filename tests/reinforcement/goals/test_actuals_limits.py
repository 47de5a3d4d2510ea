"""A CRM file with a cell over the csv module's field size limit is refused with a line
problem, on the page and in the API, and nothing is written."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from reinforcement.goals.actuals import ImportRejected, import_actuals
from reinforcement.goals.models import MetricActual
from tests.api_support import token_headers
from tests.reinforcement.goals import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

HUGE = "9" * (csv.field_size_limit() + 1)


def crm_file(org) -> bytes:
    monday = make.this_monday().isoformat()
    return ("email,metric,period_start,value\n"
            f"{org.rep_a1a.email},meetings,{monday},3\n"
            f"{org.rep_a1b.email},meetings,{monday},{HUGE}\n").encode()


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(MetricActual))


def test_a_cell_over_the_field_limit_is_a_line_problem(org):
    with pytest.raises(ImportRejected) as rejected:
        import_actuals(crm_file(org), by=org.manager_a1)

    [problem] = rejected.value.problems
    assert problem.line == 3 and "longer than 131,072 characters" in problem.message
    assert count() == 0


def test_the_import_page_lists_the_line(client, login, org):
    login(org.manager_a1)

    response = client.post("/reinforcement/actuals/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(crm_file(org)), "crm.csv")})

    assert response.status_code == 422
    assert "Line 3: a cell is longer than" in response.get_data(as_text=True)
    assert count() == 0


def test_the_api_lists_the_line(client, org):
    headers = {**token_headers(org.manager_a1, ["reinforcement:read", "reinforcement:write"]),
               "Content-Type": "text/csv"}

    response = client.post("/api/v1/actuals/import", data=crm_file(org), headers=headers)

    assert response.status_code == 422
    assert response.get_json()["errors"]["file"][0].startswith("Line 3: a cell is longer")
    assert count() == 0
