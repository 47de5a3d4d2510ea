"""CSV exports: formula lines neutralised, plain values kept, BOM and CRLF, a download."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from lms.web.spreadsheets import (
    csv_bytes,
    csv_download,
    csv_response,
    csv_text,
    neutralise,
    restore,
    safe_cell,
)
from tests.csv_files import BOM, rows

ZOE = "Zoë Ångström-Müller"
PLANTED = "Dana\n=cmd|' /C calc'!A0\r@SUM(1)\r\n-2"


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tcmd",
                                   "=HYPERLINK(\"http://evil.example\")", "'=quoted"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert safe_cell(value) == f"'{value}"


@pytest.mark.parametrize(("value", "cell"), [
    ("Dana\n=cmd|' /C calc'!A0", "Dana\n'=cmd|' /C calc'!A0"),
    (PLANTED, "Dana\n'=cmd|' /C calc'!A0\r'@SUM(1)\r\n'-2"),
    ("\r=1", "'\r'=1"),  # a leading CR is itself a formula start, and so is the next line
    ("a\n\n\t=x", "a\n\n'\t=x"),
    ("a\n'=x", "a\n''=x"),
    ("Intro\n- one\n- two", "Intro\n'- one\n'- two"),
    ("line one\nline two", "line one\nline two"),
])
def test_every_line_of_a_multi_line_cell_is_neutralised(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.parametrize("value", [
    "", "'", "''", "'=x", "''=x", "\r", "\n", "\r\n", "\r\r\n\n", "'\r=1", "\r=1", "x\n'",
    "x\n'\r", "'\n=", PLANTED, "a\r\n\r\n@b", "O'Brien\n'plain", "=1\n'\n'-",
])
def test_restore_undoes_neutralise_exactly(value):
    assert restore(neutralise(value)) == value


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


def test_the_file_has_a_bom_crlf_line_ends_and_reads_back_with_the_csv_module():
    data = csv_bytes([[ZOE, "bare\rCR"], [PLANTED, "x"]], ["name", "note"])

    assert data.startswith(BOM)
    assert data.count(b"\r\n") == 4  # three records and one CRLF inside the planted cell
    assert rows(data) == [["name", "note"], [ZOE, "bare\rCR"],
                          ["Dana\n'=cmd|' /C calc'!A0\r'@SUM(1)\r\n'-2", "x"]]
    assert ZOE.encode() in data


def test_no_physical_line_of_the_file_starts_a_formula():
    """A reader that splits on any line break (or a pasted line) finds no formula."""
    data = csv_bytes([[PLANTED, "=1"], ["\n+1", "@x"]], ["a", "b"])

    lines = re.split(r"\r\n|\r|\n", data.decode("utf-8-sig"))
    assert [line for line in lines if line[:1] in ("=", "+", "-", "@", "\t")] == []
    assert "'=cmd|' /C calc'!A0" in lines


def test_csv_response_is_a_download_with_a_clean_file_name(app):
    with app.test_request_context():
        response = csv_response([["a"]], ["h"], 'team "report"/../x.csv')
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="team-report-x.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data() == BOM + b"h\r\na\r\n"


@pytest.mark.parametrize(("name", "sent"), [
    ("discovery-basics.bank.csv", "discovery-basics.bank.csv"),
    ("../../etc/passwd", "etc-passwd.csv"), ("..", "export.csv"),
    ("a\r\nSet-Cookie: x", "a-Set-Cookie-x.csv"),
])
def test_download_names_keep_single_dots_and_nothing_else(app, name, sent):
    with app.test_request_context():
        response = csv_download(b"", name)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{sent}"'
