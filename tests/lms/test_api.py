"""The REST API foundation and the people endpoints: bearer tokens, scopes, one JSON shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.auth.models import ApiToken
from lms.auth.services import revoke_token, set_password
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User
from lms.people.services import deactivate_person
from tests import factories
from tests.api_support import authorization, new_token

PEOPLE = "/api/v1/people/"


def make_token(person: User, *scopes: str) -> str:
    """Create (and commit) a token of ``person`` that reads people unless told; its secret."""
    return new_token(person, scopes or ("people:read",))


def ids(payload: dict) -> set[int]:
    return {item["id"] for item in payload["items"]}


# --- authentication ---------------------------------------------------------------------------

def test_session_cookie_alone_gets_401(client, login, org):
    login(org.manager_a1)
    assert client.get("/team").status_code == 200  # the cookie does sign in the browser

    response = client.get(PEOPLE + "me")

    assert response.status_code == 401
    assert list(response.get_json()["errors"]) == ["request"]


def test_me_returns_the_token_owner_without_secrets(client, org):
    response = client.get(PEOPLE + "me", headers=authorization(make_token(org.manager_a1)))

    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == org.manager_a1.id
    assert body["email"] == org.manager_a1.email
    assert body["level"] == "manager"
    assert body["manager_id"] == org.leader_a.id
    assert "password_hash" not in body and "session_generation" not in body


@pytest.mark.parametrize("header", [
    "Bearer cad_not-a-real-token",
    "Bearer not-even-prefixed",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "cad_no-scheme",
])
def test_unknown_or_malformed_token_gets_401(client, org, header):
    make_token(org.admin)  # a real token exists; none of these is it

    response = client.get(PEOPLE + "me", headers={"Authorization": header})

    assert response.status_code == 401
    assert set(response.get_json()) == {"errors"}
    assert response.get_json()["errors"]["request"]


def test_expired_token_gets_401(client, org):
    secret = make_token(org.manager_a1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == org.manager_a1.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = client.get(PEOPLE + "me", headers=authorization(secret))

    assert response.status_code == 401
    assert "errors" in response.get_json()


def test_revoked_token_gets_401(client, org):
    secret = make_token(org.manager_a1)
    assert client.get(PEOPLE + "me", headers=authorization(secret)).status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == org.manager_a1.id))
    revoke_token(token, by=org.manager_a1)
    db.session.commit()

    assert client.get(PEOPLE + "me", headers=authorization(secret)).status_code == 401


def test_tokens_are_revoked_when_the_password_changes(client, org):
    first, second = make_token(org.rep_a1a), make_token(org.rep_a1a, "people:write")

    set_password(org.rep_a1a, "a brand new long passphrase", by=org.rep_a1a)
    db.session.commit()

    for secret in (first, second):
        assert client.get(PEOPLE + "me", headers=authorization(secret)).status_code == 401


def test_tokens_are_revoked_when_the_person_is_deactivated(client, org):
    secret = make_token(org.rep_a1a)
    other = make_token(org.rep_a1b)

    deactivate_person(org.rep_a1a, by=org.admin)
    db.session.commit()

    assert client.get(PEOPLE + "me", headers=authorization(secret)).status_code == 401
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == org.rep_a1a.id))
    assert token.revoked_at is not None
    assert client.get(PEOPLE + "me", headers=authorization(other)).status_code == 200


def test_token_use_is_recorded(client, org):
    secret = make_token(org.manager_a1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == org.manager_a1.id))
    assert token.last_used_at is None
    before = utcnow()

    client.get(PEOPLE + "me", headers=authorization(secret))

    db.session.refresh(token)
    assert token.last_used_at is not None and token.last_used_at >= before


# --- scopes ------------------------------------------------------------------------------------

def test_read_scope_cannot_write(client, org):
    secret = make_token(org.admin, "people:read")

    response = client.post(PEOPLE, json={"email": "new@example.test", "name": "New Person"},
                           headers=authorization(secret))

    assert response.status_code == 403
    assert "people:write" in response.get_json()["errors"]["request"][0]
    assert db.session.scalar(select(User).where(User.email == "new@example.test")) is None


def test_token_is_checked_before_the_body_is_validated(client, org):
    read_only = make_token(org.admin, "people:read")
    bad_body = {"bogus": True}

    assert client.post(PEOPLE, json=bad_body).status_code == 401
    assert client.post(PEOPLE, json=bad_body, headers=authorization(read_only)).status_code == 403
    assert client.get(PEOPLE + "?per_page=0").status_code == 401


def test_write_scope_implies_read(client, org):
    secret = make_token(org.manager_a1, "people:write")

    assert client.get(PEOPLE + "me", headers=authorization(secret)).status_code == 200
    assert client.get(PEOPLE, headers=authorization(secret)).status_code == 200


def test_bearer_requests_need_no_csrf_token(client, org, csrf_enabled):
    secret = make_token(org.admin, "people:write")

    response = client.post(PEOPLE, json={"email": "csrf@example.test", "name": "No Csrf"},
                           headers=authorization(secret))

    assert response.status_code == 201


# --- listing -----------------------------------------------------------------------------------

def test_manager_lists_only_self_and_reports(client, org):
    response = client.get(PEOPLE, headers=authorization(make_token(org.manager_a1)))

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "meta"}
    assert ids(body) == {org.manager_a1.id, org.rep_a1a.id, org.rep_a1b.id}
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 3, "pages": 1}


def test_rep_lists_only_themselves(client, org):
    body = client.get(PEOPLE, headers=authorization(make_token(org.rep_b1a))).get_json()

    assert ids(body) == {org.rep_b1a.id}


def test_admin_lists_everyone(client, org):
    everyone = db.session.scalar(select(func.count()).select_from(User))

    body = client.get(PEOPLE + "?per_page=200",
                      headers=authorization(make_token(org.admin))).get_json()

    assert body["meta"]["total"] == everyone
    assert {org.rep_b1a.id, org.exec.id, org.admin.id} <= ids(body)


def test_list_filters_by_search_and_level(client, org):
    secret = make_token(org.leader_a)

    reps = client.get(PEOPLE + "?level=rep", headers=authorization(secret)).get_json()
    by_name = client.get(PEOPLE + "?q=rEP", headers=authorization(secret)).get_json()
    by_email = client.get(PEOPLE + f"?q={org.rep_a2a.email.upper()}",
                          headers=authorization(secret)).get_json()
    managers_named_max = client.get(PEOPLE + "?q=max&level=manager",
                                    headers=authorization(secret)).get_json()

    assert ids(reps) == {org.rep_a1a.id, org.rep_a1b.id, org.rep_a2a.id}
    assert ids(by_name) == {org.rep_a1a.id, org.rep_a1b.id, org.rep_a2a.id}
    assert ids(by_email) == {org.rep_a2a.id}
    assert ids(managers_named_max) == {org.manager_a2.id}


@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_search_wildcards_match_themselves(client, org, wildcard):
    body = client.get(PEOPLE, query_string={"q": wildcard},
                      headers=authorization(make_token(org.admin))).get_json()

    assert body["items"] == []


def test_list_refuses_a_bad_level_or_page_size(client, org):
    secret = make_token(org.admin)

    bad_level = client.get(PEOPLE + "?level=intern", headers=authorization(secret))
    bad_size = client.get(PEOPLE + "?per_page=1000", headers=authorization(secret))

    assert bad_level.status_code == 422 and list(bad_level.get_json()["errors"]) == ["level"]
    assert bad_size.status_code == 422 and list(bad_size.get_json()["errors"]) == ["per_page"]


def test_list_paginates(client, org):
    secret = make_token(org.leader_a)  # leader_a sees 6 people

    first = client.get(PEOPLE + "?per_page=4", headers=authorization(secret)).get_json()
    second = client.get(PEOPLE + "?per_page=4&page=2", headers=authorization(secret)).get_json()
    beyond = client.get(PEOPLE + "?per_page=4&page=3", headers=authorization(secret)).get_json()

    assert first["meta"] == {"page": 1, "per_page": 4, "total": 6, "pages": 2}
    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert ids(first).isdisjoint(ids(second))
    assert beyond["items"] == [] and beyond["meta"]["total"] == 6


def test_list_query_count_does_not_grow_with_people(client, org, count_queries):
    secret = make_token(org.manager_a1)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(PEOPLE, headers=authorization(secret)).status_code == 200
        return counter.count

    few = queries()
    for _ in range(25):
        factories.person(manager=org.manager_a1)
    db.session.commit()
    many = queries()

    assert client.get(PEOPLE, headers=authorization(secret)).get_json()["meta"]["total"] == 28
    assert many == few


# --- one person, the tree and the chain --------------------------------------------------------

def test_person_outside_the_subtree_is_404(client, org):
    secret = make_token(org.manager_a1)

    assert client.get(PEOPLE + str(org.rep_a1a.id),
                      headers=authorization(secret)).status_code == 200
    for person in (org.rep_b1a, org.manager_a2, org.leader_a):
        response = client.get(PEOPLE + str(person.id), headers=authorization(secret))
        assert response.status_code == 404
        assert list(response.get_json()["errors"]) == ["request"]
    assert client.get(PEOPLE + "999999", headers=authorization(secret)).status_code == 404


def test_tree_is_nested(client, org):
    response = client.get(f"{PEOPLE}{org.leader_a.id}/tree",
                          headers=authorization(make_token(org.exec)))

    assert response.status_code == 200
    root = response.get_json()
    assert root["id"] == org.leader_a.id and root["level"] == "leader"
    children = {child["id"]: child for child in root["children"]}
    assert set(children) == {org.manager_a1.id, org.manager_a2.id}
    assert {c["id"] for c in children[org.manager_a1.id]["children"]} == {org.rep_a1a.id,
                                                                          org.rep_a1b.id}
    assert [c["id"] for c in children[org.manager_a2.id]["children"]] == [org.rep_a2a.id]
    assert children[org.manager_a2.id]["children"][0]["children"] == []


def test_tree_outside_the_subtree_is_404(client, org):
    secret = make_token(org.manager_a1)

    assert client.get(f"{PEOPLE}{org.leader_a.id}/tree",
                      headers=authorization(secret)).status_code == 404
    assert client.get(f"{PEOPLE}{org.manager_b1.id}/tree",
                      headers=authorization(secret)).status_code == 404


def test_managers_chain_stops_at_the_token_owner(client, org):
    def chain(viewer: User, person: User) -> list[int]:
        response = client.get(f"{PEOPLE}{person.id}/managers",
                              headers=authorization(make_token(viewer)))
        assert response.status_code == 200
        return [item["id"] for item in response.get_json()["items"]]

    assert chain(org.admin, org.rep_a1a) == [org.manager_a1.id, org.leader_a.id, org.exec.id]
    assert chain(org.exec, org.rep_a1a) == [org.manager_a1.id, org.leader_a.id, org.exec.id]
    assert chain(org.leader_a, org.rep_a1a) == [org.manager_a1.id, org.leader_a.id]
    assert chain(org.manager_a1, org.rep_a1a) == [org.manager_a1.id]
    assert chain(org.rep_a1a, org.rep_a1a) == []


def test_managers_of_someone_out_of_sight_is_404(client, org):
    response = client.get(f"{PEOPLE}{org.rep_b1a.id}/managers",
                          headers=authorization(make_token(org.manager_a1)))

    assert response.status_code == 404


# --- writing -----------------------------------------------------------------------------------

def test_admin_creates_a_person(client, org):
    secret = make_token(org.admin, "people:write")

    response = client.post(PEOPLE, json={
        "email": "New.Rep@Example.test", "name": "Nora New", "job_title": "Account Executive",
        "level": "rep", "manager_id": org.manager_a1.id, "roles": ["facilitator"],
        "time_zone": "Europe/Paris",
    }, headers=authorization(secret))

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["email"] == "new.rep@example.test"
    assert body["manager_id"] == org.manager_a1.id
    assert body["roles"] == ["facilitator"] and body["is_active"] is True
    person = db.session.get(User, body["id"])
    assert person.name == "Nora New" and person.is_facilitator and not person.is_admin
    assert person.time_zone == "Europe/Paris"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.create",
                                                       AuditEntry.object_id == person.id))
    assert entry.actor_id == org.admin.id


def test_unknown_field_is_refused_with_the_field_error_shape(client, org):
    secret = make_token(org.admin, "people:write")

    response = client.post(PEOPLE, json={"email": "x@example.test", "name": "X", "bogus": 1},
                           headers=authorization(secret))

    assert response.status_code == 422
    assert response.get_json() == {"errors": {"bogus": ["Unknown field."]}}
    assert db.session.scalar(select(User).where(User.email == "x@example.test")) is None


def test_invalid_values_are_reported_per_field(client, org):
    secret = make_token(org.admin, "people:write")

    response = client.post(PEOPLE, json={"email": "not-an-email", "level": "intern",
                                         "roles": ["superuser"]}, headers=authorization(secret))

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"email", "name", "level", "roles.0"}
    assert all(isinstance(messages, list) and messages and isinstance(messages[0], str)
               for messages in errors.values())


@pytest.mark.parametrize("field, value", [
    ("id", 4242),
    ("created_at", "2020-01-01T00:00:00+00:00"),
    ("is_active", False),
    ("updated_at", "2020-01-01T00:00:00+00:00"),
])
def test_read_only_fields_cannot_be_written(client, org, field, value):
    secret = make_token(org.admin, "people:write")

    created = client.post(PEOPLE, json={"email": "ro@example.test", "name": "Read Only",
                                        field: value}, headers=authorization(secret))
    patched = client.patch(f"{PEOPLE}{org.rep_a1a.id}", json={field: value},
                           headers=authorization(secret))

    assert created.status_code == 422 and list(created.get_json()["errors"]) == [field]
    assert patched.status_code == 422 and list(patched.get_json()["errors"]) == [field]
    db.session.refresh(org.rep_a1a)
    assert org.rep_a1a.is_active is True


def test_duplicate_email_is_a_field_error(client, org):
    response = client.post(PEOPLE, json={"email": org.rep_a1a.email.upper(), "name": "Twin"},
                           headers=authorization(make_token(org.admin, "people:write")))

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["email"]


def test_non_admin_with_write_scope_cannot_create_or_edit(client, org):
    secret = make_token(org.manager_a1, "people:write")

    created = client.post(PEOPLE, json={"email": "sneaky@example.test", "name": "Sneaky"},
                          headers=authorization(secret))
    edited = client.patch(f"{PEOPLE}{org.rep_a1a.id}", json={"job_title": "Boss"},
                          headers=authorization(secret))
    hidden = client.patch(f"{PEOPLE}{org.rep_b1a.id}", json={"job_title": "Boss"},
                          headers=authorization(secret))

    assert created.status_code == 403
    assert edited.status_code == 403
    assert hidden.status_code == 404
    assert db.session.scalar(select(User).where(User.email == "sneaky@example.test")) is None
    db.session.refresh(org.rep_a1a)
    assert org.rep_a1a.job_title == ""


def test_patch_changes_only_the_fields_sent(client, org):
    rep = org.rep_a1a
    rep.is_facilitator = True
    rep.time_zone = "America/Chicago"
    db.session.commit()
    before = {"email": rep.email, "name": rep.name, "level": rep.level,
              "manager_id": rep.manager_id, "time_zone": rep.time_zone}

    response = client.patch(f"{PEOPLE}{rep.id}", json={"job_title": "Senior Rep"},
                            headers=authorization(make_token(org.admin, "people:write")))

    assert response.status_code == 200
    assert response.get_json()["job_title"] == "Senior Rep"
    db.session.refresh(rep)
    assert rep.job_title == "Senior Rep"
    assert {key: getattr(rep, key) for key in before} == before
    assert rep.is_facilitator is True and rep.is_admin is False


def test_patch_moves_a_person_to_another_manager(client, org):
    response = client.patch(f"{PEOPLE}{org.rep_a1a.id}", json={"manager_id": org.manager_b1.id},
                            headers=authorization(make_token(org.admin, "people:write")))

    assert response.status_code == 200
    assert response.get_json()["manager_id"] == org.manager_b1.id
    db.session.refresh(org.rep_a1a)
    assert org.rep_a1a.manager_id == org.manager_b1.id


def test_patch_refuses_a_cycle(client, org):
    # Executives may report to executives, so only the cycle check can refuse this.
    vp = factories.person(level=Level.EXECUTIVE, manager=org.exec, name="Vera VP")
    db.session.commit()

    response = client.patch(f"{PEOPLE}{org.exec.id}", json={"manager_id": vp.id},
                            headers=authorization(make_token(org.admin, "people:write")))

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["manager_id"] and "cycle" in errors["manager_id"][0]
    db.session.refresh(org.exec)
    assert org.exec.manager_id is None


def test_patch_refuses_a_manager_who_does_not_outrank(client, org):
    response = client.patch(f"{PEOPLE}{org.manager_a2.id}", json={"manager_id": org.manager_a1.id},
                            headers=authorization(make_token(org.admin, "people:write")))

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["manager_id"]
    db.session.refresh(org.manager_a2)
    assert org.manager_a2.manager_id == org.leader_a.id


def test_patch_refuses_a_level_below_a_report(client, org):
    response = client.patch(f"{PEOPLE}{org.manager_a1.id}", json={"level": "rep"},
                            headers=authorization(make_token(org.admin, "people:write")))

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["level"]
    db.session.refresh(org.manager_a1)
    assert org.manager_a1.level == Level.MANAGER


def test_unknown_api_route_answers_json_404(client, org):
    response = client.get("/api/v1/nowhere", headers=authorization(make_token(org.admin)))

    assert response.status_code == 404
    assert response.is_json and list(response.get_json()["errors"]) == ["request"]
