"""The programs REST API: programs, their waves, sessions and progress, and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from courses.live import programs
from courses.live import services as live
from courses.live.models import Program, ProgramStatus, ProgramWave
from courses.models import Enrollment, EnrollmentStatus
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.extensions import db
from tests import factories
from tests.api_support import api_routes, documented_routes, token_maker

pytestmark = pytest.mark.usefixtures("ctx")

API = "/api/v1/programs/"
START, END = date(2030, 1, 1), date(2030, 6, 30)
bearer = token_maker("programs:read", "programs:write")


@pytest.fixture
def courses(org):
    return {"w1": factories.course(title="Coaching Rhythm", audience=("manager",), by=org.admin),
            "w2": factories.course(title="Discovery Calls", by=org.admin)}


def make(org, name="Manager-first rollout", **fields) -> Program:
    fields.setdefault("starts_on", START)
    fields.setdefault("ends_on", END)
    return programs.create_program(programs.ProgramData(name=name, **fields), by=org.admin)


@pytest.fixture
def program(org, courses):
    program = make(org, owner=org.leader_a, goal="Coach every week.")
    programs.default_waves(program, [courses["w1"]], [courses["w2"]], by=org.admin)
    return program


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def errors(response, status=422) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["errors"]


# --- reading ---------------------------------------------------------------------------------

def test_list_gives_visible_programs_latest_first_with_a_page(client, org, program):
    make(org, name="Later program", starts_on=date(2031, 1, 1), ends_on=date(2031, 3, 1))
    mine = make(org, name="Rep-owned program", owner=org.rep_a1a)
    programs.set_status(mine, "active", by=org.admin)

    body = client.get(API, headers=bearer(org.leader_a)).get_json()
    assert [item["name"] for item in body["items"]] == [
        "Later program", "Rep-owned program", "Manager-first rollout"]
    assert body["meta"]["total"] == 3
    assert body["items"][2]["owner_name"] == "Lena Leader"

    # A rep sees only what they own; filters by status work.
    rep = client.get(API, headers=bearer(org.rep_a1a)).get_json()
    assert [item["name"] for item in rep["items"]] == ["Rep-owned program"]
    active = client.get(API, query_string={"status": "active", "per_page": 1},
                        headers=bearer(org.admin)).get_json()
    assert [item["name"] for item in active["items"]] == ["Rep-owned program"]


def test_list_refuses_unknown_query_fields_and_bad_status(client, org):
    headers = bearer(org.admin)
    assert "colour" in errors(client.get(API + "?colour=red", headers=headers))
    assert "status" in errors(client.get(API + "?status=paused", headers=headers))


def test_detail_has_waves_courses_sessions_and_progress_of_the_callers_subtree(
        client, org, program, courses):
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    session = live.create_session(live.SessionData(
        title="Kick-off", starts_at=starts, ends_at=starts + timedelta(hours=2)), by=org.admin)
    programs.link_session(program, session, program.waves[0], by=org.admin)
    for person, course, completed in ((org.manager_a1, "w1", True),
                                      (org.manager_b1, "w1", True),
                                      (org.rep_a1a, "w2", False)):
        enrollment = Enrollment(course=courses[course], user=person,
                                status=EnrollmentStatus.ACTIVE)
        db.session.add(enrollment)
        if completed:
            enrollment.complete(utcnow())
    db.session.flush()

    body = client.get(f"{API}{program.id}", headers=bearer(org.leader_a)).get_json()
    first, second = body["waves"]
    assert (first["number"], first["audience"], first["requires_manager_previous"]) == (
        1, ["manager", "leader"], False)
    assert [c["title"] for c in first["courses"]] == ["Coaching Rhythm"]
    assert [s["title"] for s in first["sessions"]] == ["Kick-off"]
    assert [s["title"] for s in body["sessions"]] == ["Kick-off"]
    assert first["progress"]["by_level"] == {"manager": {"enrolled": 1, "completed": 1}}
    # Rosa waits: Max has not completed wave 1 (Dana, Rita's and Ron's manager, has).
    assert second["progress"] == {"by_level": {"rep": {"enrolled": 1, "completed": 0}},
                                  "waiting_on_manager": 1}
    everyone = client.get(f"{API}{program.id}", headers=bearer(org.admin)).get_json()
    assert everyone["waves"][0]["progress"]["by_level"]["manager"] == {
        "enrolled": 2, "completed": 2}


def test_program_out_of_sight_is_404(client, org, program):
    assert client.get(f"{API}{program.id}", headers=bearer(org.rep_a1a)).status_code == 404
    assert client.get(f"{API}987654", headers=bearer(org.admin)).status_code == 404


def test_list_and_detail_queries_do_not_grow(client, org, courses, count_queries):
    headers = bearer(org.admin)
    counts = []
    for extra in (1, 6):
        made = [make(org, name=f"P{extra}-{n}") for n in range(extra)]
        for item in made:
            programs.default_waves(item, [courses["w1"]], [courses["w2"]], by=org.admin)
        for _ in range(extra * 3):
            db.session.add(Enrollment(course=courses["w2"], user=factories.person(
                manager=org.manager_a1), status=EnrollmentStatus.ACTIVE))
        db.session.commit()
        with count_queries() as listing:
            assert client.get(API, headers=headers).status_code == 200
        with count_queries() as detail:
            assert client.get(f"{API}{made[-1].id}", headers=headers).status_code == 200
        counts.append((listing.count, detail.count))
    assert counts[0] == counts[1]


# --- writing programs ------------------------------------------------------------------------

def test_admin_creates_a_draft_program(client, org):
    response = client.post(API, headers=bearer(org.admin), json={
        "name": "Q3 coaching", "goal": "Weekly coaching.", "owner_id": org.leader_a.id,
        "starts_on": "2030-01-01", "ends_on": "2030-03-31"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["owner_id"], body["waves"]) == ("draft", org.leader_a.id, [])
    assert db.session.scalar(select(AuditEntry.actor_id).where(
        AuditEntry.action == "program.create")) == org.admin.id


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({"ends_on": "2029-12-01"}, "ends_on", "must end after it starts"),
    ({"name": "   "}, "name", "Give the program a name"),
    ({"owner_id": 987654}, "owner_id", "No one has that id"),
    ({"name": ""}, "name", "Length must be between 1 and 200"),
    ({"colour": "red"}, "colour", "Unknown field"),
    ({"starts_on": "tomorrow"}, "starts_on", "Not a valid date"),
])
def test_bad_program_is_refused_with_422_and_nothing_written(client, org, payload, field,
                                                             message):
    body = {"name": "Q3 coaching", "starts_on": "2030-01-01", "ends_on": "2030-03-31",
            **payload}
    found = errors(client.post(API, headers=bearer(org.admin), json=body))
    assert list(found) == [field] and message in found[field][0]
    assert count(Program) == 0


def test_leader_may_read_but_not_write(client, org, program):
    headers = bearer(org.leader_a)
    assert client.post(API, headers=headers, json={
        "name": "Mine", "starts_on": "2030-01-01", "ends_on": "2030-02-01"}).status_code == 403
    assert client.patch(f"{API}{program.id}", headers=headers,
                        json={"name": "Renamed"}).status_code == 403
    read_only = bearer(org.admin, "programs:read")
    assert client.post(f"{API}{program.id}/status", headers=read_only,
                       json={"status": "active"}).status_code == 403
    assert count(Program) == 1 and program.name == "Manager-first rollout"


def test_patch_changes_only_what_is_sent(client, org, program):
    response = client.patch(f"{API}{program.id}", headers=bearer(org.admin),
                            json={"goal": "Coach twice a week.", "owner_id": None})
    assert response.status_code == 200
    assert (program.goal, program.owner_id, program.name) == (
        "Coach twice a week.", None, "Manager-first rollout")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "program.update"))
    assert entry.changes["goal"] == ["Coach every week.", "Coach twice a week."]


def test_patch_moving_dates_past_a_wave_is_refused(client, org, program):
    found = errors(client.patch(f"{API}{program.id}", headers=bearer(org.admin),
                                json={"starts_on": "2030-02-01"}))
    assert "would open outside the program's dates" in found["ends_on"][0]
    assert program.starts_on == START


def test_status_moves_on_and_never_back(client, org, program):
    headers = bearer(org.admin)
    response = client.post(f"{API}{program.id}/status", headers=headers,
                           json={"status": "active"})
    assert response.status_code == 200 and response.get_json()["status"] == "active"
    found = errors(client.post(f"{API}{program.id}/status", headers=headers,
                               json={"status": "draft"}))
    assert found == {"status": ["A active program cannot become draft."]}
    assert program.status == ProgramStatus.ACTIVE
    assert "status" in errors(client.post(f"{API}{program.id}/status", headers=headers,
                                          json={"status": "paused"}))


# --- waves -----------------------------------------------------------------------------------

def test_admin_adds_edits_and_deletes_a_wave(client, org, program, courses):
    headers = bearer(org.admin)
    response = client.post(f"{API}{program.id}/waves", headers=headers, json={
        "number": 3, "name": "Late joiners", "opens_on": "2030-03-01", "audience": ["rep"],
        "course_ids": [courses["w2"].id], "requires_manager_previous": True})
    assert response.status_code == 201, response.get_json()
    wave = response.get_json()
    assert (wave["audience"], [c["id"] for c in wave["courses"]]) == (
        ["rep"], [courses["w2"].id])

    patched = client.patch(f"{API}{program.id}/waves/{wave['id']}", headers=headers,
                           json={"name": "Everyone late", "audience": ["manager", "rep"]})
    assert patched.status_code == 200
    assert patched.get_json()["name"] == "Everyone late"
    assert patched.get_json()["courses"] == wave["courses"]  # untouched
    assert patched.get_json()["audience"] == ["rep", "manager"]

    assert client.delete(f"{API}{program.id}/waves/{wave['id']}",
                         headers=headers).status_code == 204
    assert [w.number for w in program.waves] == [1, 2]
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"program.wave_add", "program.wave_update", "program.wave_delete"} <= actions


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({"number": 1}, "number", "already has a wave 1"),
    ({"opens_on": "2031-01-01"}, "opens_on", "open within the program's dates"),
    ({"course_ids": [987654]}, "course_ids", "unknown or not published"),
    ({"audience": ["boss"]}, "audience.0", "Must be one of"),
    ({"audience": []}, "audience", "Choose the levels"),
    ({"number": "3"}, "number", "Not a valid integer"),
])
def test_bad_wave_is_refused_with_422_and_nothing_written(client, org, program, payload, field,
                                                          message):
    body = {"number": 3, "name": "Late joiners", "opens_on": "2030-03-01", **payload}
    found = errors(client.post(f"{API}{program.id}/waves", headers=bearer(org.admin),
                               json=body))
    assert field in found and message in found[field][0]
    assert count(ProgramWave) == 2


def test_wave_of_another_program_is_404(client, org, program):
    other = make(org, name="Other")
    wave = program.waves[0]
    headers = bearer(org.admin)
    assert client.patch(f"{API}{other.id}/waves/{wave.id}", headers=headers,
                        json={"name": "Moved"}).status_code == 404
    assert client.delete(f"{API}{other.id}/waves/{wave.id}", headers=headers).status_code == 404
    assert wave.name == "Leaders and managers"


# --- the OpenAPI document --------------------------------------------------------------------

def test_openapi_document_stays_valid_and_lists_every_program_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()

    validate(spec)
    routes = api_routes(app, "programs_api")
    assert len(routes) == 8
    assert routes <= documented_routes(spec)
    assert "programs:write" in str(spec["paths"]["/api/v1/programs/"]["post"])
