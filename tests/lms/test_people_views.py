"""People administration in the browser: list, create, edit, deactivate, reassign."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.people.models import Level, User
from tests import factories


@pytest.fixture
def admin_client(client, login, org):
    login(org.admin)
    return client


def _rows(html: str) -> list[str]:
    """The names linked from the people table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', body)


def _people_count(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def _field_error(html: str, field: str) -> str:
    """The message shown beside ``field`` (empty if none)."""
    found = re.search(rf'<div id="{field}-error"[^>]*>([^<]*)</div>', html)
    return found.group(1) if found else ""


# --- list --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("q", "expected"), [
    ("dana", ["Dana Reyes"]),  # name, any case
    ("LEADER", ["Lars Leader", "Lena Leader"]),
    ("%", []),  # a wildcard typed in the search matches itself, not everyone
    ("_", []),
])
def test_search_matches_names_and_not_wildcards(admin_client, org, q, expected):
    response = admin_client.get("/people/", query_string={"q": q})
    assert response.status_code == 200
    assert _rows(response.get_data(as_text=True)) == expected


def test_search_matches_email(admin_client, org):
    html = admin_client.get("/people/", query_string={"q": org.rep_b1a.email.upper()})
    assert _rows(html.get_data(as_text=True)) == [org.rep_b1a.name]


def test_search_matches_job_title(admin_client, org, session):
    org.rep_b1a.job_title = "Key Account Executive"
    session.flush()
    html = admin_client.get("/people/?q=key+account").get_data(as_text=True)
    assert _rows(html) == [org.rep_b1a.name]


def test_filter_by_level_and_status(admin_client, org, session):
    org.rep_a1b.is_active = False
    session.flush()
    reps = _rows(admin_client.get("/people/?level=rep").get_data(as_text=True))
    assert reps == ["Raj Rep", "Rita Rep", "Rosa Rep"]  # active only by default
    gone = _rows(admin_client.get("/people/?status=inactive").get_data(as_text=True))
    assert gone == ["Ron Rep"]
    everyone = _rows(admin_client.get("/people/?level=rep&status=all").get_data(as_text=True))
    assert everyone == ["Raj Rep", "Rita Rep", "Ron Rep", "Rosa Rep"]


def test_list_paginates_50_a_page_and_keeps_the_filters(admin_client, org):
    for number in range(60):
        factories.person(manager=org.manager_b1, name=f"Zed {number:02d}", password=None)
    first = admin_client.get("/people/?q=zed").get_data(as_text=True)
    assert len(_rows(first)) == 50 and "60 found" in first
    assert 'href="/people/?q=zed&amp;page=2"' in first
    second = admin_client.get("/people/?q=zed&page=2").get_data(as_text=True)
    assert _rows(second) == [f"Zed {number:02d}" for number in range(50, 60)]


def test_list_query_count_does_not_grow_with_rows(admin_client, org, session, count_queries):
    def count() -> int:
        session.expire_all()
        with count_queries() as counter:
            assert admin_client.get("/people/").status_code == 200
        return counter.count

    few = count()
    for number in range(60):
        manager = factories.person(level=Level.MANAGER, manager=org.leader_b, password=None,
                                   name=f"Manager {number}")
        factories.person(manager=manager, password=None)
    assert count() == few


# --- create ------------------------------------------------------------------------------------

def _new(**changes) -> dict:
    data = {"email": "nia.new@example.com", "name": "Nia New", "job_title": "Seller",
            "level": "rep", "manager_email": "", "time_zone": "Europe/Berlin"}
    return {**data, **changes}


def test_create_adds_the_person_and_shows_them(admin_client, org, session):
    response = admin_client.post("/people/new", data=_new(manager_email=org.manager_a1.email))
    assert response.status_code == 302
    person = session.scalar(select(User).where(User.email == "nia.new@example.com"))
    assert person.manager_id == org.manager_a1.id and person.time_zone == "Europe/Berlin"
    assert response.location.endswith(f"/people/{person.id}")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": "not-an-email"}, "email", "Enter an email address"),
    ({"email": "DANA@example.test"}, "email", "already uses this email"),
    ({"manager_email": "nobody@example.com"}, "manager_email", "No one has that email"),
    ({"level": "manager", "manager_email": "MANAGER"}, "manager_email", "does not outrank"),
    ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone"),
])
def test_create_with_bad_input_keeps_what_was_typed(admin_client, org, session,
                                                    changes, field, message):
    factories.person(email="dana@example.test")
    if changes.get("manager_email") == "MANAGER":
        changes["manager_email"] = org.manager_a1.email
    before = _people_count(session)
    response = admin_client.post("/people/new", data=_new(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _field_error(html, field)
    assert 'value="Nia New"' in html and 'value="Seller"' in html
    assert f'value="{_new(**changes)["email"]}"' in html
    assert _people_count(session) == before


# --- edit --------------------------------------------------------------------------------------

def _edit_data(person: User, **changes) -> dict:
    data = {"email": person.email, "name": person.name, "job_title": person.job_title,
            "level": person.level, "time_zone": person.time_zone,
            "manager_email": person.manager.email if person.manager else ""}
    return {**data, **changes}


def test_edit_saves_a_person_imported_with_a_special_use_domain(admin_client, org, session):
    # Factories (like many CSV imports) use addresses such as @example.test or @corp.local.
    rep = org.rep_a1a
    response = admin_client.post(f"/people/{rep.id}/edit",
                                 data=_edit_data(rep, job_title="Senior seller"))
    assert response.status_code == 302
    session.refresh(rep)
    assert rep.job_title == "Senior seller"


def test_edit_that_would_make_a_cycle_shows_the_error_and_changes_nothing(
        admin_client, org, session):
    vp = factories.person(level=Level.EXECUTIVE, manager=org.exec, name="Vic President")
    session.commit()
    response = admin_client.post(f"/people/{org.exec.id}/edit", data=_edit_data(
        org.exec, name="Erin Renamed", manager_email=vp.email))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cycle" in _field_error(html, "manager_email")
    assert 'value="Erin Renamed"' in html
    session.expire_all()
    assert org.exec.manager_id is None and org.exec.name == "Erin Exec"


def test_edit_refuses_a_level_that_leaves_reports_unranked(admin_client, org, session):
    response = admin_client.post(f"/people/{org.manager_a1.id}/edit",
                                 data=_edit_data(org.manager_a1, level="rep"))
    assert response.status_code == 422
    assert "Reassign them first" in _field_error(response.get_data(as_text=True), "level")
    session.expire_all()
    assert org.manager_a1.level == Level.MANAGER


def test_edit_form_starts_with_the_current_manager(admin_client, org):
    html = admin_client.get(f"/people/{org.rep_a1a.id}/edit").get_data(as_text=True)
    assert f'value="{org.manager_a1.email}"' in html


# --- deactivate and reassign -------------------------------------------------------------------

def test_deactivate_with_reports_redirects_to_reassign_with_a_message(admin_client, org):
    response = admin_client.post(f"/people/{org.manager_a1.id}/deactivate")
    assert response.status_code == 302
    assert response.location.endswith(f"/people/{org.manager_a1.id}/reassign")
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "has 2 active report(s)" in page
    assert "Rita Rep" in page and "Ron Rep" in page
    assert org.manager_a1.is_active


def test_reassign_then_deactivate(admin_client, org, session):
    manager = org.manager_a1
    response = admin_client.post(f"/people/{manager.id}/reassign",
                                 data={"manager_email": org.manager_a2.email})
    assert response.status_code == 302
    assert response.location.endswith(f"/people/{manager.id}")
    session.expire_all()
    assert {org.rep_a1a.manager_id, org.rep_a1b.manager_id} == {org.manager_a2.id}
    follow = admin_client.post(f"/people/{manager.id}/deactivate", follow_redirects=True)
    assert "is deactivated and signed out everywhere" in follow.get_data(as_text=True)
    session.expire_all()
    assert manager.is_active is False


@pytest.mark.parametrize(("new_manager", "message"), [
    ("rep_a1a", "pick someone outside"),  # inside the team
    ("rep_b1a", "does not outrank"),
    ("nobody@example.com", "No one has that email"),
])
def test_reassign_refusal_is_shown_beside_the_field(admin_client, org, session,
                                                    new_manager, message):
    email = getattr(org, new_manager).email if "@" not in new_manager else new_manager
    response = admin_client.post(f"/people/{org.manager_a1.id}/reassign",
                                 data={"manager_email": email})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _field_error(html, "manager_email")
    assert f'value="{email}"' in html
    session.expire_all()
    assert org.rep_a1a.manager_id == org.manager_a1.id


def test_reactivate_brings_a_person_back(admin_client, org, session):
    org.rep_b1a.is_active = False
    session.commit()
    response = admin_client.post(f"/people/{org.rep_b1a.id}/reactivate",
                                 follow_redirects=True)
    assert "is active again" in response.get_data(as_text=True)
    session.expire_all()
    assert org.rep_b1a.is_active


# --- not found ---------------------------------------------------------------------------------

def test_unknown_person_is_a_404_page_in_the_site_layout(admin_client):
    response = admin_client.get("/people/987654")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'class="navbar-brand' in html and ">Cadence</a>" in html
    assert "Not found" in html and "Traceback" not in html


def test_person_out_of_sight_gets_the_same_404_as_one_who_does_not_exist(client, login, org):
    login(org.manager_a1)
    hidden = client.get(f"/people/{org.rep_b1a.id}")
    missing = client.get("/people/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data(as_text=True) == missing.get_data(as_text=True)
