"""Every CSV download of the product, read back as a spreadsheet or a script would.

``CSV_ROUTES`` lists each endpoint that answers with CSV and the URLs that make it do so.
``test_every_csv_route_is_listed`` finds the endpoints whose view (or a function of its module
that it calls) mentions CSV, so a new export cannot be added without being checked here; the
other tests check that nothing writes CSV except ``lms.web.spreadsheets``.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import pytest

from assessments import banks
from courses.services import enrolment
from lms.extensions import db
from reinforcement.leaders.adherence.report import TABLES
from tests import csv_files, factories
from tests.assessments import factories_quiz, factories_scorecards
from tests.courses.factories_live import a_program, a_session, register

ZOE = "Zoë Ångström-Müller"
PLANTED = "Rita\n=cmd|' /C calc'!A0"

CSV_ROUTES: dict[str, tuple[str, ...]] = {
    "people.export_csv": ("/people/export.csv",),
    "courses.progress_team": ("/courses/progress/team?format=csv",),
    "courses.progress_levels": ("/courses/progress/levels?format=csv",
                                "/courses/progress/levels?format=csv&table=overdue"),
    "courses.progress_course": ("/courses/progress/course?course={course}&format=csv",
                                "/courses/progress/course?course={course}&format=csv"
                                "&table=levels"),
    "certificates.index": ("/certificates/people?format=csv",),
    "courses.attendance_session": (
        "/courses/sessions/reports/session/{live}?format=csv",
        "/courses/sessions/reports/session/{live}?format=csv&table=left"),
    "courses.attendance_program": (
        "/courses/sessions/reports/program/{program}?format=csv",
        "/courses/sessions/reports/program/{program}?format=csv&table=sessions",
        "/courses/sessions/reports/program/{program}?format=csv&table=left"),
    "courses.attendance_subtree": ("/courses/sessions/reports/people?format=csv",),
    "courses.coverage_session": (
        "/courses/sessions/reports/session/{live}/coverage?format=csv",
        "/courses/sessions/reports/session/{live}/coverage?format=csv&table=managers"),
    "courses.coverage_program": (
        "/courses/sessions/reports/program/{program}/coverage?format=csv",
        "/courses/sessions/reports/program/{program}/coverage?format=csv&table=sessions",
        "/courses/sessions/reports/program/{program}/coverage?format=csv&table=managers"),
    "assessments.bank_export_csv": ("/assessments/banks/{bank}/export.csv",),
    "assessments.quiz_results": ("/assessments/{quiz}/results?format=csv",),
    "assessments.scorecard_team": ("/assessments/scorecards/team?format=csv",),
    "assessments.survey_results": ("/assessments/surveys/{survey}/results?format=csv",),
    "reinforcement.leaders.adherence_report": tuple(
        f"/reinforcement/adherence/?format=csv&table={table}" for table in TABLES),
    "reinforcement.goals.goals_team": ("/reinforcement/goals/team?format=csv",),
    "reinforcement.goals.gap_report": ("/reinforcement/gap-reviews/report?format=csv",),
}
# Pages that read CSV files and write none.
IMPORT_PAGES = frozenset({"people.import_csv", "assessments.bank_import",
                          "assessments.bank_import_new"})
SOURCE = Path(__file__).resolve().parent.parent
PACKAGES = ("lms", "courses", "assessments", "reinforcement")


def _source_with_callees(function) -> str:
    """The function's source and, transitively, that of its module's functions it calls."""
    module = sys.modules[function.__module__]
    seen, pending, texts = set(), [function], []
    while pending:
        current = inspect.unwrap(pending.pop())
        if current in seen:
            continue
        seen.add(current)
        text = inspect.getsource(current)
        texts.append(text)
        for name in re.findall(r"\b([A-Za-z_]\w*)\(", text):
            callee = getattr(module, name, None)
            if inspect.isfunction(callee) and callee.__module__ == module.__name__:
                pending.append(callee)
    return "\n".join(texts)


def test_every_csv_route_is_listed(app):
    found = {rule.endpoint for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and (
                 "csv" in rule.rule.lower()
                 or "csv" in _source_with_callees(app.view_functions[rule.endpoint]).lower())}

    assert found - IMPORT_PAGES == set(CSV_ROUTES)


def test_nothing_writes_csv_except_the_one_writer():
    """A ``csv.writer`` or a ``text/csv`` response elsewhere would skip the BOM and CRLF."""
    offenders = []
    for package in PACKAGES:
        for path in (SOURCE / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"csv\.(writer|DictWriter)\(|mimetype=\"text/csv", text):
                offenders.append(str(path.relative_to(SOURCE)))
    assert offenders == ["lms/web/spreadsheets.py"]


@pytest.fixture
def objects(session):
    """One of everything a CSV route needs, with a learner whose name needs care."""
    org = factories.org()
    org.rep_a1a.name, org.rep_a1b.name = ZOE, PLANTED
    course = factories.course(title="Discovery Calls", by=org.admin)
    for person in (org.rep_a1a, org.rep_a1b):
        enrolment.enrol(person, course, by=org.admin)
    bank = banks.create_bank(course, banks.BankData("Openers"), by=org.admin)
    factories_quiz.question(bank, prompt="Pick one:\n- =SUM(A1)")
    quiz = factories_quiz.assessment(course, [bank], by=org.admin, count=1)
    survey = factories_scorecards.survey(org.admin)
    program = a_program()
    live = a_session(program, days=-1, title="Kick-off", wave=program.waves[0])
    register(live, org.rep_a1a, org.rep_a1b, org.manager_a1)
    db.session.flush()
    return org, {"course": course.id, "bank": bank.id, "quiz": quiz.id, "survey": survey.id,
                 "program": program.id, "live": live.id}


@pytest.mark.parametrize("endpoint", sorted(CSV_ROUTES))
def test_each_csv_route_sends_a_bom_crlf_file_that_reads_back(client, login, objects,
                                                              endpoint):
    org, ids = objects
    login(org.admin)
    for url in CSV_ROUTES[endpoint]:
        response = client.get(url.format(**ids))

        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url
        assert response.headers["Content-Disposition"].startswith("attachment;"), url
        assert response.data.startswith(csv_files.BOM), url
        header, *records = csv_files.rows(response.data)  # CRLF line ends checked there
        assert header and all(len(record) == len(header) for record in records), url
        text = csv_files.text(response.data)
        assert not re.search(r"(^|[\r\n,])[=+@]", text.replace('"', "")), url
        if ZOE in text:
            assert ZOE.encode() in response.data


def test_people_in_a_report_keep_their_accents_and_lose_their_formulas(client, login,
                                                                        objects):
    org, ids = objects
    login(org.admin)

    response = client.get(f"/courses/progress/course?course={ids['course']}&format=csv")

    names = {record["name"] for record in csv_files.dicts(response.data)}
    assert {ZOE, "Rita\n'=cmd|' /C calc'!A0"} <= names
