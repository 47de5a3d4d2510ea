"""CSV exports: formula cells neutralised, plain values kept, a download response."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from lms.spreadsheets import csv_response, csv_text, safe_cell


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tcmd", "\r=1",
                                   "=HYPERLINK(\"http://evil.example\")", "'=quoted"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert safe_cell(value) == f"'{value}"


@pytest.mark.parametrize(("value", "cell"), [
    ("Dana Reyes", "Dana Reyes"), ("O'Brien", "O'Brien"), ("Rep - East", "Rep - East"),
    ("", ""), (None, ""), (-5, "-5"), (2.5, "2.5"), (True, "yes"), (False, "no"),
    (date(2026, 3, 1), "2026-03-01"),
    (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "2026-03-01T09:30:00+00:00"),
])
def test_plain_values_are_written_as_they_are(value, cell):
    assert safe_cell(value) == cell


def test_csv_text_makes_header_and_every_cell_safe():
    text = csv_text([["=cmd", 3], ["Ana", -1]], ["name", "=score"])
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "'=score"], ["'=cmd", "3"], ["Ana", "-1"]]


def test_csv_response_is_a_download_with_a_clean_file_name(app):
    with app.test_request_context():
        response = csv_response([["a"]], ["h"], 'team "report"/../x.csv')
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="team-report-x.csv"')
    assert response.get_data(as_text=True) == "h\r\na\r\n"
