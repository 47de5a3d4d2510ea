"""Org-chart CSV import and export: whole-file checks, idempotence, round trips, the pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench import scale
from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.people.csv_io import ImportRejected, export_people, import_people
from lms.people.models import Level, User, may_report_to
from tests import csv_files, factories

HEADER = "email,name,title,level,manager_email,roles"
DATA = Path(__file__).parent / "data"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def people() -> dict[str, User]:
    return {person.email: person for person in db.session.scalars(select(User))}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def rejected(data: bytes) -> list[tuple[int, str]]:
    """Import ``data``, expect a rejection that wrote nothing, return ``(line, message)``."""
    before = (count(User), count(AuditEntry))
    with pytest.raises(ImportRejected) as caught:
        import_people(data, by=None)
    assert (count(User), count(AuditEntry)) == before
    return [(problem.line, problem.message) for problem in caught.value.problems]


# --- a good file -----------------------------------------------------------------------------

def test_sample_file_creates_tree_even_with_reports_listed_before_managers(session):
    result = import_people((DATA / "org_chart.csv").read_bytes(), by=None)

    everyone = people()
    assert result.created == len(everyone) == 8
    rita = everyone["rita.rep@example.test"]
    assert rita.level == Level.REP and rita.job_title == "Account Executive"
    assert rita.manager.email == "dana.reyes@example.test"
    assert rita.manager.manager.email == "lena.leader@example.test"
    assert rita.manager.manager.manager.email == "erin.exec@example.test"
    assert everyone["erin.exec@example.test"].manager is None
    ada = everyone["ada.admin@example.test"]
    assert ada.is_admin and ada.is_facilitator and ada.manager is None
    assert everyone["max.manager@example.test"].is_facilitator
    assert not everyone["max.manager@example.test"].is_admin
    assert not rita.is_admin and not rita.is_facilitator
    for person in everyone.values():
        assert person.is_active and person.password_hash is None
        if person.manager:
            assert may_report_to(Level(person.level), Level(person.manager.level))


def test_import_normalises_case_spaces_bom_roles_and_skips_blank_lines(session):
    data = ("\ufeff Email , NAME ,Title,LEVEL,Manager_Email,Roles\n"
            "  Boss@Example.TEST , Bo Boss ,CSO, Executive ,,\n"
            "\n"
            "Rep@Example.test,Ray Rep,,rep,BOSS@example.test, Facilitator | ADMIN \n").encode()
    import_people(data, by=None)

    everyone = people()
    assert set(everyone) == {"boss@example.test", "rep@example.test"}
    assert everyone["boss@example.test"].name == "Bo Boss"
    assert everyone["boss@example.test"].level == Level.EXECUTIVE
    rep = everyone["rep@example.test"]
    assert rep.manager.email == "boss@example.test"
    assert rep.is_admin and rep.is_facilitator


def test_empty_trailing_cells_are_ignored(session):
    import_people(csv_bytes("boss@example.test,Bo Boss,CSO,executive,,,,"), by=None)

    assert people()["boss@example.test"].job_title == "CSO"


def test_import_records_who_created_each_person(session):
    admin = factories.admin()
    import_people(csv_bytes("boss@example.test,Bo Boss,CSO,executive,,",
                            "rep@example.test,Ray Rep,AE,rep,boss@example.test,"), by=admin)

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "person.import.create")).all()
    assert len(entries) == 2
    assert {entry.actor_id for entry in entries} == {admin.id}
    rep = people()["rep@example.test"]
    (rep_entry,) = [entry for entry in entries if entry.object_id == rep.id]
    assert rep_entry.object_type == "User"
    assert rep_entry.changes["level"] == [None, "rep"]
    assert rep_entry.changes["manager_id"] == [None, rep.manager_id]


def test_rows_may_name_people_already_in_the_database_as_managers(session):
    org = factories.org()
    import_people(csv_bytes(
        f"new.rep@example.test,New Rep,AE,rep,{org.manager_a1.email},",
        f"new.manager@example.test,New Manager,SM,manager,{org.leader_b.email.upper()},",
    ), by=None)

    everyone = people()
    assert everyone["new.rep@example.test"].manager_id == org.manager_a1.id
    assert everyone["new.manager@example.test"].manager_id == org.leader_b.id


def test_row_for_someone_already_in_the_database_updates_instead_of_duplicating(session):
    org = factories.org()
    email = org.rep_b1a.email
    import_people(csv_bytes(f"{email.upper()},Raj Rep,Senior AE,rep,{org.manager_b1.email},"),
                  by=None)

    assert count(User) == 11
    assert org.rep_b1a.job_title == "Senior AE"


def test_generated_scale_org_imports_as_a_valid_five_level_tree(session):
    generated = scale.generate(300, depth=5)

    result = import_people(scale.to_csv(generated), by=None)

    assert result.created == 300
    depth = {}
    for person in people().values():
        if person.manager:
            assert may_report_to(Level(person.level), Level(person.manager.level))
        steps, boss = 0, person.manager
        while boss is not None:
            steps, boss = steps + 1, boss.manager
        depth[person.email] = steps
    assert max(depth.values()) == 4  # five tiers: CSO, VP, leader, manager, rep
    assert scale.subtree_sizes(generated)[generated[0].email] == 299


# --- bad rows: each reported with its line, nothing written ----------------------------------

BAD_FILES = {
    "unknown manager": (
        csv_bytes("boss@example.test,Bo Boss,,executive,,",
                  "rep@example.test,Ray Rep,,rep,nobody@example.test,"),
        3, "unknown manager nobody@example.test"),
    "own manager": (
        csv_bytes("boss@example.test,Bo Boss,,executive,boss@example.test,"),
        2, "cannot be their own manager"),
    "duplicate email in another case": (
        csv_bytes("boss@example.test,Bo Boss,,executive,,",
                  "rep@example.test,Ray Rep,,rep,boss@example.test,",
                  "REP@Example.Test,Ray Again,,rep,boss@example.test,"),
        4, "duplicate email rep@example.test (first on line 3)"),
    "invalid level": (
        csv_bytes("boss@example.test,Bo Boss,,vice-president,,"),
        2, "invalid level 'vice-president'"),
    "empty level": (
        csv_bytes("boss@example.test,Bo Boss,,,,"), 2, "invalid level ''"),
    "manager who does not outrank the report": (
        csv_bytes("boss@example.test,Bo Boss,,executive,,",
                  "m1@example.test,Mo One,,manager,boss@example.test,",
                  "m2@example.test,Mo Two,,manager,m1@example.test,"),
        4, "manager m1@example.test (manager) does not outrank m2@example.test (manager)"),
    "rep managing a leader": (
        csv_bytes("rep@example.test,Ray Rep,,rep,,",
                  "lead@example.test,Lee Lead,,leader,rep@example.test,"),
        3, "does not outrank lead@example.test (leader)"),
    "invalid email": (
        csv_bytes("not-an-email,Bo Boss,,executive,,"), 2, "invalid email 'not-an-email'"),
    "invalid manager email": (
        csv_bytes("rep@example.test,Ray Rep,,rep,boss at example,"),
        2, "invalid manager email 'boss at example'"),
    "unknown role": (
        csv_bytes("boss@example.test,Bo Boss,,executive,,admin;superuser"),
        2, "unknown role(s) superuser"),
    "missing name": (
        csv_bytes("boss@example.test,,,executive,,"), 2, "name is required"),
    "too many fields": (
        csv_bytes("boss@example.test,Bo Boss,,executive,,,extra"),
        2, "more fields than the header has columns"),
    "missing column header": (
        csv_bytes("boss@example.test,Bo Boss,,executive,", header="email,name,title,level,roles"),
        1, "missing column(s): manager_email"),
    "empty file": (b"", 1, "missing column(s): email, name, title, level, manager_email, roles"),
    "not UTF-8": (
        csv_bytes("boss@example.test,Bo Boss,,executive,,").replace(b"Bo Boss", "Bö".encode(
            "latin-1")), 1, "not UTF-8"),
}


@pytest.mark.parametrize("data, line, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_row_is_reported_with_its_line_and_nothing_is_written(session, data, line, message):
    problems = rejected(data)

    assert any(found_line == line and message in text for found_line, text in problems), problems


def test_two_person_cycle_is_reported_on_both_lines(session):
    # Executives may report to executives, so only the loop is wrong here.
    problems = rejected(csv_bytes("a@example.test,Ann,,executive,b@example.test,",
                                  "b@example.test,Bob,,executive,a@example.test,"))

    assert [line for line, _ in problems] == [2, 3]
    assert all("reporting cycle" in text for _, text in problems)
    assert "a@example.test -> b@example.test -> a@example.test" in problems[0][1]


def test_longer_cycle_is_reported_once_per_person_in_it(session):
    problems = rejected(csv_bytes(
        "top@example.test,Tia Top,,executive,,",
        "a@example.test,Ann,,executive,c@example.test,",
        "b@example.test,Bob,,executive,a@example.test,",
        "c@example.test,Cy,,executive,b@example.test,",
        "d@example.test,Di,,leader,c@example.test,",  # hangs below the loop, not part of it
    ))

    assert sorted(line for line, _ in problems) == [3, 4, 5]
    assert all("reporting cycle" in text for _, text in problems)


def test_cycle_through_a_person_already_in_the_database_is_refused(session):
    top = factories.person(level=Level.EXECUTIVE, email="top@example.test")
    factories.person(level=Level.EXECUTIVE, email="vp@example.test", manager=top)

    problems = rejected(csv_bytes("top@example.test,Tia Top,,executive,vp@example.test,"))

    assert problems[0][0] == 2 and "reporting cycle" in problems[0][1]
    assert top.manager_id is None


def test_deactivated_manager_in_the_database_is_refused(session):
    boss = factories.person(level=Level.MANAGER, email="gone@example.test", is_active=False)

    problems = rejected(csv_bytes(f"rep@example.test,Ray Rep,,rep,{boss.email},"))

    assert problems == [(2, "manager gone@example.test is deactivated")]


def test_every_problem_in_the_file_is_listed_in_line_order(session):
    problems = rejected(csv_bytes(
        "boss@example.test,Bo Boss,,executive,,",
        "good@example.test,Gil Good,,manager,boss@example.test,",
        "bad-email,Nobody,,rep,good@example.test,",
        "level@example.test,Lev,,captain,good@example.test,",
        "orphan@example.test,Orphan,,rep,ghost@example.test,",
        "role@example.test,Rol,,rep,good@example.test,wizard",
        "good@example.test,Gil Again,,manager,boss@example.test,",
    ))

    lines = [line for line, _ in problems]
    assert lines == [4, 5, 6, 7, 8]
    assert "unknown manager ghost@example.test" in problems[2][1]
    assert any(line == 8 and "duplicate" in text for line, text in problems)
    assert count(User) == 0


def test_reports_of_a_bad_row_are_not_also_blamed_for_an_unknown_manager(session):
    problems = rejected(csv_bytes("boss@example.test,Bo Boss,,boss,,",
                                  "rep@example.test,Ray Rep,,rep,boss@example.test,"))

    assert problems == [(2, "invalid level 'boss': use rep, manager, leader or executive")]


def test_row_problems_and_tree_problems_are_listed_together(session):
    problems = rejected(csv_bytes("a@example.test,Ann,,executive,b@example.test,",
                                  "b@example.test,Bob,,executive,a@example.test,",
                                  "c@example.test,Cy,,captain,,",
                                  "d@example.test,Di,,rep,ghost@example.test,"))

    assert [line for line, _ in problems] == [2, 3, 4, 5]
    assert "reporting cycle" in problems[0][1] and "invalid level" in problems[2][1]
    assert "unknown manager ghost@example.test" in problems[3][1]


# --- idempotence and updates -----------------------------------------------------------------

def test_importing_the_same_file_twice_changes_nothing(session):
    data = (DATA / "org_chart.csv").read_bytes()
    import_people(data, by=None)
    db.session.commit()
    stamps = {person.email: person.updated_at for person in people().values()}
    audits = count(AuditEntry)

    result = import_people(data, by=None)
    db.session.commit()

    assert (result.created, result.updated, result.unchanged) == (0, 0, 8)
    assert count(AuditEntry) == audits
    assert {person.email: person.updated_at for person in people().values()} == stamps


def test_changed_row_updates_the_person_and_audits_the_changed_fields(session):
    admin = factories.admin()
    import_people((DATA / "org_chart.csv").read_bytes(), by=admin)
    before = people()["rita.rep@example.test"]
    rita_id, stamp = before.id, before.updated_at
    lena_id = people()["lena.leader@example.test"].id
    changed = (DATA / "org_chart.csv").read_text().replace(
        "rita.rep@example.test,Rita Rep,Account Executive,rep,dana.reyes@example.test,",
        "rita.rep@example.test,Rita Rep,Sales Manager,manager,lena.leader@example.test,admin")

    result = import_people(changed.encode(), by=admin)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 7)
    rita = db.session.get(User, rita_id)
    assert rita.job_title == "Sales Manager" and rita.level == Level.MANAGER
    assert rita.manager_id == lena_id and rita.is_admin
    assert rita.updated_at > stamp
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "person.import.update")).one()
    assert entry.object_id == rita_id and entry.actor_id == admin.id
    assert entry.changes["job_title"] == ["Account Executive", "Sales Manager"]
    assert entry.changes["level"] == ["rep", "manager"]
    assert entry.changes["manager_id"][1] == lena_id
    assert entry.changes["is_admin"] == [False, True]
    assert "name" not in entry.changes


def test_people_not_in_the_file_are_left_alone(session):
    org = factories.org()
    import_people(csv_bytes(f"{org.rep_a1a.email},Rita Renamed,,rep,{org.manager_a1.email},"),
                  by=None)

    assert org.rep_a1a.name == "Rita Renamed"
    assert org.rep_a1b.name == "Ron Rep" and org.rep_a1b.manager_id == org.manager_a1.id
    assert count(User) == 11


def test_demoting_someone_whose_reports_are_not_in_the_file_is_refused(session):
    org = factories.org()

    problems = rejected(csv_bytes(
        f"{org.manager_a1.email},Dana Reyes,,rep,{org.leader_a.email},"))

    assert sorted(problems) == sorted(
        (2, f"{org.manager_a1.email} as a rep would no longer outrank their report {report}")
        for report in (org.rep_a1a.email, org.rep_a1b.email))
    assert org.manager_a1.level == Level.MANAGER


def test_demotion_is_allowed_when_the_file_moves_the_reports_away(session):
    org = factories.org()

    import_people(csv_bytes(
        f"{org.manager_a1.email},Dana Reyes,,rep,{org.manager_a2.email},",
        f"{org.rep_a1a.email},Rita Rep,,rep,{org.manager_a2.email},",
        f"{org.rep_a1b.email},Ron Rep,,rep,{org.manager_a2.email},",
    ), by=None)

    assert org.manager_a1.level == Level.REP
    assert org.rep_a1a.manager_id == org.rep_a1b.manager_id == org.manager_a2.id


# --- export ----------------------------------------------------------------------------------

def test_export_then_import_round_trips_with_zero_changes(session):
    factories.org()
    factories.person(level=Level.REP, name="=HYPERLINK(\"http://evil.example\")",
                     job_title="+1 closer, \"the best\"", is_facilitator=True)
    db.session.commit()
    audits = count(AuditEntry)

    result = import_people(export_people(), by=None)

    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == count(User) == 12
    assert count(AuditEntry) == audits


def test_export_lists_everyone_with_manager_email_and_roles(session):
    org = factories.org()
    org.manager_a2.is_facilitator = True
    db.session.flush()

    rows = {row["email"]: row for row in csv_files.dicts(export_people())}

    assert len(rows) == 11
    assert rows[org.rep_a1a.email]["manager_email"] == org.manager_a1.email
    assert rows[org.rep_a1a.email]["level"] == "rep"
    assert rows[org.exec.email]["manager_email"] == ""
    assert rows[org.admin.email]["roles"] == "admin"
    assert rows[org.manager_a2.email]["roles"] == "facilitator"


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "'=already quoted"])
def test_export_escapes_formula_cells_and_import_restores_them(session, value):
    person = factories.person(name=value, job_title=value)

    (row,) = [row for row in csv_files.dicts(export_people())
              if row["email"] == person.email]
    assert row["name"] == row["title"] == f"'{value}"
    assert row["name"][1:2] in "=+-@'"

    person.name = person.job_title = "changed"
    db.session.flush()
    import_people(export_people().replace(b"changed", f"'{value}".encode()), by=None)
    assert (person.name, person.job_title) == (value, value)


def test_plain_cells_are_exported_as_they_are(session):
    person = factories.person(name="O'Brien", job_title="Rep - East")

    text = export_people().decode("utf-8-sig")

    assert f"{person.email},O'Brien,Rep - East,rep,,\r\n" in text


# --- the browser pages -----------------------------------------------------------------------

def upload(client, data: bytes, name: str = "org.csv"):
    return client.post("/people/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_import_page_lists_bad_lines_with_422_and_writes_nothing(client, login, session):
    admin = factories.admin()
    login(admin)

    response = upload(client, csv_bytes("boss@example.test,Bo Boss,,executive,,",
                                        "rep@example.test,Ray Rep,,rep,ghost@example.test,",
                                        "x@example.test,Xi,,chief,,"))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported: 2 problems to fix" in page, page
    assert re.search(r"Line 3: unknown manager ghost@example\.test", page)
    assert "Line 4: invalid level &#39;chief&#39;" in page
    assert count(User) == 1


def test_import_page_creates_people_and_redirects_with_a_flash(client, login, session):
    login(factories.admin())

    response = upload(client, (DATA / "org_chart.csv").read_bytes())

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/people/")
    assert count(User) == 9
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import done: 8 created, 0 updated, 0 unchanged." in page


def test_import_page_refuses_a_file_that_is_not_csv(client, login, session):
    login(factories.admin())

    response = upload(client, b"%PDF-1.7", name="org.pdf")

    assert response.status_code == 422
    assert "Upload a .csv file." in response.get_data(as_text=True)
    assert count(User) == 1


def test_export_download_is_csv_for_admins(client, login, session):
    org = factories.org()
    login(org.admin)

    response = client.get("/people/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *records = csv_files.rows(response.data)
    assert ",".join(header) == HEADER
    assert org.rep_b1a.email in {record[0] for record in records}


def test_non_admin_cannot_upload_an_org_chart(client, login, session):
    org = factories.org()
    login(org.leader_a)

    response = upload(client, csv_bytes("new@example.test,New,,rep,,"))

    assert response.status_code == 403
    assert count(User) == 11


@pytest.mark.parametrize("path", ["/people/import", "/people/export.csv"])
def test_import_and_export_are_for_admins_only(client, login, session, path):
    org = factories.org()
    login(org.exec)

    assert client.get(path).status_code == 403


def test_import_upload_without_csrf_token_is_refused(client, session, csrf_enabled):
    admin = factories.admin()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    signed_in = client.post("/login", data={"email": admin.email, "password": factories.PASSWORD,
                                            "csrf_token": token})
    assert signed_in.status_code == 302
    assert client.get("/people/import").status_code == 200

    response = upload(client, csv_bytes("new@example.test,New,,rep,,"))

    assert response.status_code == 400
    assert count(User) == 1
