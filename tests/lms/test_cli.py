"""``flask cadence …`` commands, run through Flask's CLI runner inside the test transaction."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.auth.passwords import verify_password
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.people.models import Level, User, may_report_to
from tests import factories

DATA = Path(__file__).parent / "data"
GOOD_PASSWORD = "a long and unusual passphrase"  # noqa: S105  (test only)


@pytest.fixture
def cli(app, session):
    """Invoke ``flask cadence …``; the commands use the test's session, so commits stay inside."""
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=["cadence", *args], **kwargs)
    return invoke


def count(model=User) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- import-people ---------------------------------------------------------------------------

def test_import_people_loads_a_good_file_and_exits_zero(cli, session):
    result = cli("import-people", str(DATA / "org_chart.csv"))

    assert result.exit_code == 0, result.output
    assert "8 created, 0 updated, 0 unchanged" in result.output
    assert count() == 8
    dana = session.scalar(select(User).where(User.email == "dana.reyes@example.test"))
    assert dana.manager.email == "lena.leader@example.test"


def test_import_people_twice_reports_everything_unchanged(cli, session):
    cli("import-people", str(DATA / "org_chart.csv"))
    audits = count(AuditEntry)

    result = cli("import-people", str(DATA / "org_chart.csv"))

    assert result.exit_code == 0
    assert "0 created, 0 updated, 8 unchanged" in result.output
    assert count(AuditEntry) == audits


def test_import_people_records_the_acting_admin(cli, session):
    admin = factories.admin(email="ada@example.test")

    result = cli("import-people", str(DATA / "org_chart.csv"), "--as", "ADA@example.test")

    assert result.exit_code == 0, result.output
    actors = session.scalars(select(AuditEntry.actor_id).where(
        AuditEntry.action == "person.import.create")).all()
    assert len(actors) == 8 and set(actors) == {admin.id}


@pytest.mark.parametrize("actor", ["ghost@example.test", "rep@example.test"])
def test_import_people_refuses_an_acting_person_who_is_not_an_admin(cli, session, actor):
    factories.person(email="rep@example.test")

    result = cli("import-people", str(DATA / "org_chart.csv"), "--as", actor)

    assert result.exit_code == 1
    assert result.stderr == f"error: no admin has the email {actor}\n"
    assert count() == 1


def test_import_people_prints_file_line_message_for_bad_rows_and_writes_nothing(
        cli, session, tmp_path):
    bad = tmp_path / "org.csv"
    bad.write_text("email,name,title,level,manager_email,roles\n"
                   "boss@example.test,Bo Boss,,executive,,\n"
                   "rep@example.test,Ray Rep,,rep,ghost@example.test,\n"
                   "x@example.test,Xi,,chief,,\n")

    result = cli("import-people", str(bad))

    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"{bad}:3: unknown manager ghost@example.test: not in the file or the " \
                       "organisation"
    assert lines[1].startswith(f"{bad}:4: invalid level 'chief'")
    assert lines[2] == "Nothing imported: 2 problem(s)."
    assert count() == 0 and count(AuditEntry) == 0


def test_import_people_with_a_missing_file_is_a_usage_error(cli, session, tmp_path):
    result = cli("import-people", str(tmp_path / "missing.csv"))

    assert result.exit_code == 2
    assert "No such file or directory" in result.stderr


# --- create-admin ----------------------------------------------------------------------------

def test_create_admin_from_options(cli, session):
    result = cli("create-admin", "--email", "Ada@Example.test", "--name", "Ada Admin",
                 "--password", GOOD_PASSWORD)

    assert result.exit_code == 0, result.output
    assert "Admin ada@example.test created." in result.output
    admin = session.scalar(select(User).where(User.email == "ada@example.test"))
    assert admin.is_admin and admin.is_active and admin.manager_id is None
    assert verify_password(admin.password_hash, GOOD_PASSWORD)[0]


def test_create_admin_prompts_and_asks_to_confirm_the_password(cli, session):
    result = cli("create-admin", input=f"ada@example.test\nAda Admin\n{GOOD_PASSWORD}\n"
                                       f"{GOOD_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert GOOD_PASSWORD not in result.output  # the prompt hides what is typed
    admin = session.scalar(select(User).where(User.email == "ada@example.test"))
    assert verify_password(admin.password_hash, GOOD_PASSWORD)[0]


def test_create_admin_asks_again_when_the_confirmation_differs(cli, session):
    result = cli("create-admin", "--email", "ada@example.test", "--name", "Ada Admin",
                 input=f"{GOOD_PASSWORD}\nsomething else entirely\n"
                       f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "The two entered values do not match." in result.output
    assert count() == 1


def test_create_admin_refuses_a_weak_password_and_writes_nothing(cli, session):
    result = cli("create-admin", "--email", "ada@example.test", "--name", "Ada Admin",
                 "--password", "password")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert count() == 0 and count(AuditEntry) == 0


def test_create_admin_refuses_an_email_already_in_use(cli, session):
    factories.person(email="ada@example.test")
    session.commit()  # the command rolls back its own work only

    result = cli("create-admin", "--email", "ADA@example.test", "--name", "Ada Admin",
                 "--password", GOOD_PASSWORD)

    assert result.exit_code == 1
    assert "already uses this email" in result.stderr
    assert count() == 1


# --- demo ------------------------------------------------------------------------------------

def test_demo_loads_the_documented_organisation(cli, session):
    result = cli("demo")

    assert result.exit_code == 0, result.output
    people = session.scalars(select(User)).all()
    levels = Counter((person.level, person.is_admin) for person in people)
    assert levels == {("executive", False): 1, ("leader", False): 3, ("leader", True): 1,
                      ("manager", False): 12, ("rep", False): 72}
    assert len({person.email for person in people}) == 89
    assert f"Password for all: {DEMO_PASSWORD}" in result.output
    for email in ("admin@cadence.example", "cso@cadence.example", "leader1@cadence.example",
                  "manager1@cadence.example"):
        assert email in result.output


def test_demo_tree_is_valid_and_balanced(cli, session):
    cli("demo")

    people = session.scalars(select(User)).all()
    reports = Counter(person.manager_id for person in people)
    (cso,) = [person for person in people if person.level == Level.EXECUTIVE]
    (admin,) = [person for person in people if person.is_admin]
    assert cso.manager_id is None
    assert admin.manager_id is None and reports[admin.id] == 0 and admin.is_facilitator
    for person in people:
        if person.manager is not None:
            assert may_report_to(Level(person.level), Level(person.manager.level)), person
            assert person.manager.level == {"leader": "executive", "manager": "leader",
                                            "rep": "manager"}[person.level]
        expected = {"executive": 3, "manager": 6}.get(person.level, 0)
        if person.level == Level.LEADER and not person.is_admin:
            expected = 4
        assert reports[person.id] == expected, person


def test_demo_people_can_sign_in_with_the_printed_password(cli, session):
    cli("demo")

    for email in ("cso@cadence.example", "manager12@cadence.example"):
        person = session.scalar(select(User).where(User.email == email))
        assert verify_password(person.password_hash, DEMO_PASSWORD)[0]


def test_demo_if_empty_does_nothing_the_second_time(cli, session):
    first = cli("demo", "--if-empty")
    second = cli("demo", "--if-empty")

    assert first.exit_code == second.exit_code == 0
    assert "demo data not loaded" in second.output
    assert count() == 89


def test_demo_if_empty_leaves_an_existing_organisation_alone(cli, session):
    factories.admin()

    result = cli("demo", "--if-empty")

    assert result.exit_code == 0
    assert count() == 1


# --- the runner and the test transaction -----------------------------------------------------

def test_commands_commit_into_the_test_transaction_only(app, cli, session):
    seen = {}

    @app.cli.command("probe-session")
    def probe():
        seen["session"] = db.session

    try:
        app.test_cli_runner().invoke(args=["probe-session"])
    finally:
        app.cli.commands.pop("probe-session")
    assert seen["session"] is session

    assert cli("demo").exit_code == 0
    assert session.connection().in_transaction()  # the outer, rolled-back transaction lives on
    if session.connection().dialect.name == "postgresql":
        # In-memory SQLite has a single connection, so only PostgreSQL can show isolation.
        with db.engine.connect() as other:
            assert other.scalar(select(func.count()).select_from(User)) == 0
