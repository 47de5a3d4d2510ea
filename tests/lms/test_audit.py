"""The audit log: what services record, secrets kept out, and the admin browser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.audit import services as audit
from lms.audit.models import AuditEntry
from lms.auth.services import create_api_token, set_password
from lms.extensions import db
from lms.people.models import Level
from lms.people.services import PersonData, create_person, deactivate_person, update_person
from tests import factories
from tests.factories import PASSWORD


def entries(action: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def data_of(person, **changes) -> PersonData:
    fields = {key: getattr(person, key) for key in ("email", "name", "job_title", "level",
                                                    "manager_id", "is_admin", "is_facilitator",
                                                    "time_zone")}
    return PersonData(**{**fields, **changes})


# --- what services record ----------------------------------------------------------------------

def test_update_person_records_who_what_object_when_and_changed_fields(session):
    org = factories.org()
    before = datetime.now(UTC)

    update_person(org.rep_a1a, data_of(org.rep_a1a, job_title="Senior AE",
                                       manager_id=org.manager_a2.id), by=org.admin)
    db.session.flush()

    (entry,) = entries("person.update")
    assert entry.actor_id == org.admin.id
    assert (entry.object_type, entry.object_id) == ("User", org.rep_a1a.id)
    assert entry.created_at >= before and entry.created_at.tzinfo is not None
    assert entry.changes == {"job_title": ["", "Senior AE"],
                             "manager_id": [org.manager_a1.id, org.manager_a2.id]}


def test_update_without_changes_records_nothing(session):
    org = factories.org()

    update_person(org.rep_a1a, data_of(org.rep_a1a), by=org.admin)
    db.session.flush()

    assert entries("person.update") == []


def test_create_person_records_the_new_values(session):
    admin = factories.admin()

    person = create_person(PersonData(email="New@Example.test", name="Nia New",
                                      level=Level.MANAGER), by=admin)
    db.session.flush()

    (entry,) = entries("person.create")
    assert entry.actor_id == admin.id and entry.object_id == person.id
    assert entry.changes["email"] == [None, "new@example.test"]
    assert entry.changes["level"] == [None, "manager"]


def test_password_change_hides_the_hash(session):
    rep = factories.person()
    old_hash = rep.password_hash

    set_password(rep, "another long passphrase here", by=rep)
    db.session.flush()

    (entry,) = entries("person.password")
    assert entry.changes["password_hash"] == ["(hidden)", "(changed)"]
    stored = repr(entry.changes) + entry.summary
    assert old_hash not in stored and rep.password_hash not in stored
    assert "argon2" not in stored


def test_token_creation_never_records_the_secret_or_its_hash(session):
    rep = factories.person()

    token, secret = create_api_token(rep, password=PASSWORD, name="ci", scopes=["people:read"],
                                     days=7)
    db.session.flush()

    (entry,) = entries("token.create")
    stored = repr(entry.changes) + entry.summary
    assert secret not in stored and token.token_hash not in stored
    assert entry.object_type == "ApiToken" and entry.object_id == token.id


def test_pending_changes_hides_every_secret_field(session):
    rep = factories.person()
    rep.password_hash = "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA"  # noqa: S105  (fake)
    rep.session_generation += 1
    rep.name = "Renamed"

    changes = audit.pending_changes(rep)

    assert changes["password_hash"] == ["(hidden)", "(changed)"]
    assert changes["session_generation"] == ["(hidden)", "(changed)"]
    assert changes["name"][1] == "Renamed"


def test_deactivation_is_recorded_with_the_actor(session):
    org = factories.org()

    deactivate_person(org.rep_b1a, by=org.admin)
    db.session.flush()

    (entry,) = entries("person.deactivate")
    assert entry.actor_id == org.admin.id and entry.object_id == org.rep_b1a.id
    assert entry.changes["is_active"] == [True, False]


# --- the admin browser -------------------------------------------------------------------------

@pytest.fixture
def log(session):
    """Two admins and a handful of entries with known actions, objects, actors and times."""
    ada = factories.admin(name="Ada Admin", email="ada@example.test")
    bob = factories.admin(name="Bob Admin", email="bob@example.test")
    rep = factories.person(name="Rita Rep")

    def add(by, action, obj, marker, when):
        entry = audit.record(by, action, obj, summary=marker, changes={})
        entry.created_at = when
        return entry

    add(ada, "person.update", rep, "MARK-rep-updated", datetime(2024, 5, 1, 12, tzinfo=UTC))
    add(bob, "person.deactivate", rep, "MARK-rep-deactivated", datetime(2024, 5, 3, 9, tzinfo=UTC))
    add(ada, "token.create", ada, "MARK-token-created", datetime(2024, 5, 5, 8, tzinfo=UTC))
    add(bob, "personal.other", bob, "MARK-personal", datetime(2024, 6, 1, 0, 30, tzinfo=UTC))
    db.session.commit()
    return {"ada": ada, "bob": bob, "rep": rep}


def shown(client, **query) -> set[str]:
    response = client.get("/admin/audit/", query_string=query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {marker for marker in ("MARK-rep-updated", "MARK-rep-deactivated",
                                  "MARK-token-created", "MARK-personal") if marker in page}


def test_admin_sees_every_entry(client, login, log):
    login(log["ada"])

    assert shown(client) == {"MARK-rep-updated", "MARK-rep-deactivated", "MARK-token-created",
                             "MARK-personal"}


def test_filter_by_action_prefix(client, login, log):
    login(log["ada"])

    assert shown(client, action="person.") == {"MARK-rep-updated", "MARK-rep-deactivated"}
    assert shown(client, action="person") == {"MARK-rep-updated", "MARK-rep-deactivated",
                                              "MARK-personal"}
    assert shown(client, action="token.create") == {"MARK-token-created"}
    assert shown(client, action="%") == set()  # a LIKE wildcard matches only itself


def test_filter_by_object_type_and_id(client, login, log):
    login(log["ada"])

    assert shown(client, object_type="User", object_id=log["rep"].id) == {
        "MARK-rep-updated", "MARK-rep-deactivated"}
    assert shown(client, object_type="User", object_id=log["bob"].id) == {"MARK-personal"}
    assert shown(client, object_type="Course") == set()


def test_filter_by_actor_email(client, login, log):
    login(log["ada"])

    assert shown(client, actor="BOB@example.test") == {"MARK-rep-deactivated", "MARK-personal"}
    assert shown(client, actor="ada@example.test") == {"MARK-rep-updated", "MARK-token-created"}
    assert shown(client, actor="nobody@example.test") == set()


def test_filter_by_date_range(client, login, log):
    login(log["ada"])

    assert shown(client, since="2024-05-03") == {"MARK-rep-deactivated", "MARK-token-created",
                                                 "MARK-personal"}
    assert shown(client, until="2024-05-03") == {"MARK-rep-updated", "MARK-rep-deactivated"}
    assert shown(client, since="2024-05-02", until="2024-05-05") == {
        "MARK-rep-deactivated", "MARK-token-created"}


def test_date_range_follows_the_viewers_time_zone(client, login, log):
    # 2024-06-01 00:30 UTC is the evening of 31 May in Chicago, and is shown as such.
    log["ada"].time_zone = "America/Chicago"
    db.session.commit()
    login(log["ada"])

    assert shown(client, since="2024-05-31", until="2024-05-31") == {"MARK-personal"}
    assert shown(client, since="2024-06-01") == set()


def test_bad_filter_values_are_reported_not_ignored(client, login, log):
    login(log["ada"])

    response = client.get("/admin/audit/", query_string={"since": "yesterday",
                                                         "object_id": "abc"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in page and "Enter a number." in page
    assert 'value="yesterday"' in page  # what was typed is kept


def test_combined_filters(client, login, log):
    login(log["ada"])

    assert shown(client, action="person.", actor="bob@example.test", since="2024-05-01",
                 until="2024-05-31") == {"MARK-rep-deactivated"}


def test_non_admin_gets_403(client, login, log):
    org = factories.org()
    db.session.commit()

    for person in (org.exec, org.manager_a1, org.rep_a1a):
        login(person)
        assert client.get("/admin/audit/").status_code == 403


def test_non_admin_has_no_audit_link(client, login, log):
    rep = log["rep"]
    login(rep)
    assert "/admin/audit" not in client.get("/").get_data(as_text=True)

    client.post("/logout")
    login(log["ada"])
    assert "/admin/audit" in client.get("/").get_data(as_text=True)


def test_signed_out_is_sent_to_sign_in(client, log):
    response = client.get("/admin/audit/")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_browser_shows_changed_fields_but_no_secrets(client, login, session):
    admin = factories.admin()
    rep = factories.person(name="Rita Rep")
    set_password(rep, "a completely new passphrase", by=admin)
    update_person(rep, data_of(rep, job_title="Team Lead AE"), by=admin)
    db.session.commit()

    login(admin)
    page = client.get("/admin/audit/", query_string={"object_id": rep.id}).get_data(as_text=True)

    assert "person.password" in page and "person.update" in page
    assert "Team Lead AE" in page and "(hidden)" in page
    assert rep.password_hash not in page and "$argon2" not in page


def test_browser_query_count_does_not_grow_with_entries(client, login, session, count_queries):
    admin = factories.admin(email="counter@example.test")
    db.session.commit()
    login(admin)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/admin/audit/", query_string={"actor": admin.email}).status_code \
                == 200
            assert client.get("/admin/audit/").status_code == 200
        return counter.count

    audit.record(admin, "test.entry", admin, summary="one", changes={})
    db.session.commit()
    few = queries()
    for number in range(30):
        actor = factories.admin()  # a different actor on every entry
        audit.record(actor, "test.entry", actor, summary=f"entry {number}",
                     changes={"name": [None, f"n{number}"]})
    db.session.commit()
    many = queries()

    assert many == few
