"""The org-chart export as other programs read it: BOM, CRLF, quoting, formula lines."""

from __future__ import annotations

import re

from lms.extensions import db
from lms.people.csv_io import export_people, import_people
from tests import csv_files, factories

ZOE = "Zoë Ångström-Müller"


def test_export_reads_back_with_the_csv_module_accents_intact(session):
    person = factories.person(name=ZOE, job_title="Account Exec, North")

    data = export_people()

    assert data.startswith(csv_files.BOM)
    (row,) = [row for row in csv_files.dicts(data) if row["email"] == person.email]
    assert (row["name"], row["title"]) == (ZOE, "Account Exec, North")


def test_a_name_with_a_bare_cr_or_lf_stays_one_quoted_cell(session):
    """A bare CR was written unquoted: a reader split the person into two records."""
    first = factories.person(name="Ana\rBell", job_title="line\nbreak")
    factories.person(name="After")

    records = csv_files.dicts(export_people())

    assert len(records) == 2
    assert (records[0]["email"], records[0]["name"], records[0]["title"]) == (
        first.email, "Ana\rBell", "line\nbreak")
    assert records[1]["name"] == "After"


def test_a_formula_on_a_later_line_of_a_name_is_neutralised(session):
    """A non-admin sets their own name; its second line must not run as a formula."""
    person = factories.person(name="Rita\r=cmd|' /C calc'!A0\n+1")

    data = export_people()

    (row,) = csv_files.dicts(data)
    assert row["name"] == "Rita\r'=cmd|' /C calc'!A0\n'+1"
    lines = re.split(r"\r\n|\r|\n", data.decode("utf-8-sig"))
    assert [line for line in lines if line[:1] in "=+-@\t" and line] == []
    assert person.email in lines[1]


def test_the_download_is_the_file_with_bom_and_crlf(client, login, session):
    admin = factories.admin(name=ZOE)
    db.session.flush()
    login(admin)

    response = client.get("/people/export.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="cadence-org-chart.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data == export_people()
    assert response.data.count(b"\r\n") == 2 and b"\n" not in response.data.replace(
        b"\r\n", b"")
    assert csv_files.dicts(response.data)[0]["name"] == ZOE


def test_the_file_imports_back_unchanged(session):
    factories.org()
    factories.person(name=ZOE, job_title="=HYPERLINK(\"x\")")
    db.session.flush()

    result = import_people(export_people(), by=None)

    assert (result.created, result.updated) == (0, 0)
