"""Plans and resources in the REST API: reading, writing, starting, cadence, read receipts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from reinforcement.checkins.models import CheckIn
from reinforcement.plans import services as plans
from reinforcement.plans.models import PlanTeam, ReinforcementPlan
from reinforcement.resources import services as resources
from reinforcement.resources.models import Resource, ResourceAcknowledgement
from tests import factories
from tests.api_support import token_maker
from tests.reinforcement.plans.factories import plan, program, resource, upload

pytestmark = pytest.mark.usefixtures("ctx")

PLANS, RESOURCES = "/api/v1/plans/", "/api/v1/resources/"
SOON = date.today() + timedelta(days=7)
bearer = token_maker("reinforcement:read", "reinforcement:write")


@pytest.fixture
def active(org):
    return plan(org.admin)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def errors(response, status=422) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["errors"]


# --- plans -------------------------------------------------------------------------------------

def test_managers_list_and_read_active_plans_reps_do_not(client, org, active):
    draft = plan(org.admin, title="Not yet", active=False)
    body = client.get(PLANS, headers=bearer(org.manager_a1)).get_json()

    assert [item["title"] for item in body["items"]] == ["Twelve weeks of coaching"]
    assert body["items"][0]["focus_activities"] == ["Proposals sent", "New contacts"]
    assert body["meta"]["total"] == 1
    assert client.get(f"{PLANS}{draft.id}", headers=bearer(org.manager_a1)).status_code == 404
    assert client.get(PLANS, headers=bearer(org.rep_a1a)).get_json()["items"] == []
    assert client.get(f"{PLANS}{active.id}", headers=bearer(org.rep_a1a)).status_code == 404
    admin = client.get(f"{PLANS}?status=draft", headers=bearer(org.admin)).get_json()
    assert [item["id"] for item in admin["items"]] == [draft.id]


def test_an_admin_creates_activates_and_changes_a_plan(client, org):
    the_program = program(org.admin)
    guide = resource(org.admin)
    headers = bearer(org.admin)

    made = client.post(PLANS, headers=headers, json={
        "program_id": the_program.id, "title": "After the rollout", "weeks": 8,
        "cadence": "biweekly", "focus_activities": ["Proposals", "Meetings"],
        "agenda_template": ["Wins", "Obstacles"], "resource_ids": [guide.id]})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["status"], body["weeks"], body["cadence"]) == ("draft", 8, "biweekly")
    assert body["resources"] == [{"id": guide.id, "title": "Coaching guide"}]

    changed = client.patch(f"{PLANS}{body['id']}", headers=headers,
                           json={"status": "active", "check_in_minutes": 45}).get_json()
    assert (changed["status"], changed["check_in_minutes"]) == ("active", 45)
    assert changed["agenda_template"] == ["Wins", "Obstacles"]  # untouched fields stay


@pytest.mark.parametrize(("payload", "field"), [
    ({"focus_activities": [f"Activity {n}" for n in range(6)]}, "focus_activities"),
    ({"weeks": 60}, "weeks"),
    ({"resource_ids": [999_999]}, "resource_ids"),
    ({"program_id": 999_999}, "program_id"),
    ({"colour": "blue"}, "colour"),
    ({"weeks": "12"}, "weeks"),
])
def test_bad_plans_are_refused_with_the_field_and_nothing_written(client, org, payload, field):
    the_program = program(org.admin)
    body = {"program_id": the_program.id, "title": "Plan", **payload}

    assert field in errors(client.post(PLANS, headers=bearer(org.admin), json=body))
    assert count(ReinforcementPlan) == 0


def test_only_admins_write_plans(client, org, active):
    headers = bearer(org.leader_a)

    assert client.post(PLANS, headers=headers, json={
        "program_id": active.program_id, "title": "Mine"}).status_code == 403
    assert client.patch(f"{PLANS}{active.id}", headers=headers,
                        json={"title": "Mine"}).status_code == 403
    assert client.post(f"{PLANS}{active.id}/cadence", headers=headers,
                       json={"cadence": "biweekly"}).status_code == 403


def test_a_read_token_cannot_start_a_plan(client, org, active):
    response = client.post(f"{PLANS}{active.id}/start",
                           headers=bearer(org.manager_a1, "reinforcement:read"),
                           json={"starts_on": SOON.isoformat(), "local_time": "09:00"})

    assert response.status_code == 403 and count(PlanTeam) == 0


def test_a_manager_starts_the_plan_for_their_team(client, org, active):
    headers = bearer(org.manager_a1)

    response = client.post(f"{PLANS}{active.id}/start", headers=headers,
                           json={"starts_on": SOON.isoformat(), "local_time": "7:30"})

    assert response.status_code == 201, response.get_json()
    team = response.get_json()
    assert (team["coach_id"], team["coachees"], team["scheduled"], team["local_time"]) == (
        org.manager_a1.id, 2, 24, "07:30")
    again = errors(client.post(f"{PLANS}{active.id}/start", headers=headers,
                               json={"starts_on": SOON.isoformat(), "local_time": "09:00"}))
    assert again == {"coach_id": ["This plan has already started for Dana Reyes's team."]}
    detail = client.get(f"{PLANS}{active.id}", headers=headers).get_json()
    assert [t["coach_name"] for t in detail["teams"]] == ["Dana Reyes"]
    assert detail["pairings"] == []


def test_only_an_admin_starts_a_plan_for_someone_else(client, org, active):
    body = {"coach_id": org.manager_a1.id, "starts_on": SOON.isoformat(), "local_time": "09:00"}

    assert client.post(f"{PLANS}{active.id}/start", headers=bearer(org.leader_a),
                       json=body).status_code == 403
    assert count(PlanTeam) == 0
    response = client.post(f"{PLANS}{active.id}/start", headers=bearer(org.admin), json=body)
    assert response.status_code == 201
    assert count(CheckIn, CheckIn.coach_id == org.manager_a1.id) == 24


@pytest.mark.parametrize(("body", "field"), [
    ({"starts_on": "2020-01-06", "local_time": "09:00"}, "starts_on"),
    ({"starts_on": SOON.isoformat(), "local_time": "25:00"}, "local_time"),
    ({"starts_on": SOON.isoformat(), "local_time": "nine"}, "local_time"),
    ({"starts_on": SOON.isoformat(), "local_time": "09:00", "coach_id": 999_999}, "coach_id"),
])
def test_bad_starts_are_refused(client, org, active, body, field):
    assert field in errors(client.post(f"{PLANS}{active.id}/start",
                                       headers=bearer(org.admin if "coach_id" in body
                                                      else org.manager_a1), json=body))
    assert count(CheckIn) == 0


def test_a_coach_with_nobody_to_coach_is_told_so(client, org, active):
    assert errors(client.post(f"{PLANS}{active.id}/start", headers=bearer(org.rep_a1a),
                              json={"starts_on": SOON.isoformat(), "local_time": "09:00"}),
                  404)  # a rep does not see plans at all
    lonely = factories.person(level="manager", manager=org.leader_b, name="Lone Manager")
    got = errors(client.post(f"{PLANS}{active.id}/start", headers=bearer(lonely),
                             json={"starts_on": SOON.isoformat(), "local_time": "09:00"}))
    assert "Lone Manager has nobody to coach" in got["coach_id"][0]


def test_an_admin_changes_the_cadence(client, org, active):
    plans.start_plan(active, org.manager_a1, starts_on=SOON, local_time="09:00", by=org.admin)
    headers = bearer(org.admin)

    body = client.post(f"{PLANS}{active.id}/cadence", headers=headers,
                       json={"cadence": "biweekly"}).get_json()

    assert (body["teams"], body["removed"], body["plan"]["cadence"]) == (1, 12, "biweekly")
    assert "cadence" in errors(client.post(f"{PLANS}{active.id}/cadence", headers=headers,
                                           json={"cadence": "biweekly"}))


# --- resources ---------------------------------------------------------------------------------

def test_people_read_the_library_with_their_read_status(client, org):
    aid = resource(org.admin, title="Call aid", audience=["rep"], kind="job_aid")
    resource(org.admin, title="Manager playbook", audience=["manager"])
    resources.acknowledge(aid, org.rep_a1a)
    headers = bearer(org.rep_a1a)

    mine = client.get(f"{RESOURCES}?mine=true", headers=headers).get_json()
    assert [(i["title"], i["assigned_to_me"], i["read_status"]) for i in mine["items"]] == [
        ("Call aid", True, "read")]
    everything = client.get(RESOURCES, headers=headers).get_json()
    assert {i["title"]: i["read_status"] for i in everything["items"]} == {
        "Call aid": "read", "Manager playbook": "unread"}
    assert client.get(f"{RESOURCES}?kind=poster", headers=headers).status_code == 422


def test_a_resource_gives_its_current_version_and_acknowledging_needs_it_again(client, org):
    aid = resource(org.admin, title="Call aid", audience=["rep"],
                   body="Ask <script>x()</script> first")
    headers = bearer(org.rep_a1a)

    body = client.get(f"{RESOURCES}{aid.id}", headers=headers).get_json()
    assert body["current_version"]["number"] == 1 and body["acknowledged_at"] is None
    assert "<script" not in body["current_version"]["body_html"]
    ack = client.post(f"{RESOURCES}{aid.id}/acknowledge", headers=headers).get_json()
    assert ack["version_number"] == 1

    admin = bearer(org.admin)
    assert "change_note" in errors(client.patch(f"{RESOURCES}{aid.id}", headers=admin,
                                                json={"body_markdown": "Ask twice"}))
    changed = client.patch(f"{RESOURCES}{aid.id}", headers=admin, json={
        "body_markdown": "Ask twice", "change_note": "Twice"}).get_json()
    assert changed["current_version_number"] == 2

    again = client.get(f"{RESOURCES}{aid.id}", headers=headers).get_json()
    assert (again["read_status"], again["acknowledged_at"]) == ("outdated", None)
    assert client.post(f"{RESOURCES}{aid.id}/acknowledge", headers=headers).get_json()[
        "version_number"] == 2
    assert count(ResourceAcknowledgement) == 2


def test_an_admin_creates_archives_and_restores_a_resource(client, org):
    headers = bearer(org.admin)
    made = client.post(RESOURCES, headers=headers, json={
        "title": "Rollout guide", "kind": "guide", "audience": ["manager", "leader"],
        "body_markdown": "# Guide\n\nCoach weekly."})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["audience"] == ["manager", "leader"] and body["kind"] == "guide"
    assert "<h1>Guide</h1>" in body["current_version"]["body_html"]

    archived = client.patch(f"{RESOURCES}{body['id']}", headers=headers,
                            json={"is_archived": True}).get_json()
    assert archived["is_archived"] is True
    assert client.get(f"{RESOURCES}{body['id']}",
                      headers=bearer(org.manager_a1)).status_code == 404
    restored = client.patch(f"{RESOURCES}{body['id']}", headers=headers,
                            json={"is_archived": False, "summary": "Back"}).get_json()
    assert (restored["is_archived"], restored["summary"]) == (False, "Back")


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": "Guide"}, "body_markdown"),
    ({"title": "Guide", "body_markdown": "x", "course_id": 999_999}, "course_id"),
    ({"title": "Guide", "body_markdown": "x", "audience": ["boss"]}, "audience.0"),
    ({"title": "Guide", "body_markdown": "x", "file": "abc"}, "file"),
])
def test_bad_resources_are_refused(client, org, payload, field):
    assert field in errors(client.post(RESOURCES, headers=bearer(org.admin), json=payload))
    assert count(Resource) == 0


def test_only_admins_write_resources(client, org):
    aid = resource(org.admin)
    headers = bearer(org.leader_a)

    assert client.post(RESOURCES, headers=headers, json={
        "title": "Mine", "body_markdown": "x"}).status_code == 403
    assert client.patch(f"{RESOURCES}{aid.id}", headers=headers,
                        json={"title": "Mine"}).status_code == 403


def test_a_file_resource_downloads_through_the_api(client, org):
    sheet = resource(org.admin, title="Call sheet", file=upload())
    text = resource(org.admin, title="Guide")
    headers = bearer(org.rep_b1a)

    body = client.get(f"{RESOURCES}{sheet.id}", headers=headers).get_json()
    assert body["current_version"]["file"]["name"] == "job-aid.pdf"
    download = client.get(body["current_version"]["file"]["url"], headers=headers)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert client.get(f"{RESOURCES}{text.id}/file", headers=headers).status_code == 404


def test_every_plan_and_resource_route_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    assert {"get", "post"} <= set(spec["paths"]["/api/v1/plans/"])
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/plans/{plan_id}"])
    assert "post" in spec["paths"]["/api/v1/plans/{plan_id}/start"]
    assert "post" in spec["paths"]["/api/v1/plans/{plan_id}/cadence"]
    assert "post" in spec["paths"]["/api/v1/resources/{resource_id}/acknowledge"]
    assert spec["components"]["schemas"]["PlanCreate"]["additionalProperties"] is False
