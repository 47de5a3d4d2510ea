"""Check-ins and action items in the REST API: the one JSON shape, refusals, permissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.db import utcnow
from lms.extensions import db
from reinforcement.checkins.models import ActionItem, AgendaItem, CheckIn, CheckInStatus
from tests.api_support import token_maker
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

READ, WRITE = "reinforcement:read", "reinforcement:write"
FUTURE = "2099-03-04T09:00:00+01:00"
bearer = token_maker(READ, WRITE)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- check-ins -------------------------------------------------------------------------------

def test_a_manager_schedules_a_check_in_with_a_report(client, org):
    response = client.post("/api/v1/check-ins/", headers=bearer(org.manager_a1),
                           json={"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE,
                                 "minutes": 45})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["coach_id"], body["coachee_id"], body["minutes"], body["status"]) == (
        org.manager_a1.id, org.rep_a1a.id, 45, "scheduled")
    assert body["scheduled_at"].startswith("2099-03-04T08:00:00")
    assert body["private_notes"] == "" and body["agenda"] == []


@pytest.mark.parametrize(("payload", "field", "status"), [
    (lambda org: {"coachee_id": org.rep_b1a.id, "scheduled_at": FUTURE}, "coachee_id", 422),
    (lambda org: {"coachee_id": org.rep_a2a.id, "scheduled_at": FUTURE}, "coachee_id", 422),
    (lambda org: {"coachee_id": 999_999, "scheduled_at": FUTURE}, "coachee_id", 422),
    (lambda org: {"coachee_id": org.rep_a1a.id, "scheduled_at": "2020-01-01T09:00:00Z"},
     "scheduled_at", 422),
    (lambda org: {"coachee_id": org.rep_a1a.id, "scheduled_at": "2099-01-01T09:00:00"},
     "scheduled_at", 422),
    (lambda org: {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE, "minutes": 500},
     "minutes", 422),
    (lambda org: {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE,
                  "coach_id": org.manager_a2.id}, "request", 403),
])
def test_bad_check_ins_are_refused_with_a_field_and_nothing_written(client, org, payload, field,
                                                                    status):
    response = client.post("/api/v1/check-ins/", headers=bearer(org.manager_a1),
                           json=payload(org))
    assert response.status_code == status
    assert field in response.get_json()["errors"]
    assert count(CheckIn) == 0


def test_the_coachee_outside_the_subtree_message_is_clear(client, org):
    response = client.post("/api/v1/check-ins/", headers=bearer(org.leader_a),
                           json={"coachee_id": org.manager_a1.id, "coach_id": org.manager_a2.id,
                                 "scheduled_at": FUTURE})
    assert response.status_code == 403
    admin = client.post("/api/v1/check-ins/", headers=bearer(org.admin),
                        json={"coachee_id": org.rep_a1a.id, "coach_id": org.manager_a2.id,
                              "scheduled_at": FUTURE})
    assert admin.status_code == 422
    assert admin.get_json()["errors"]["coachee"] == [
        "Rita Rep is not in Max Manager's part of the organisation: a coach coaches only "
        "people under them."]


def test_reps_may_not_schedule_and_read_tokens_may_not_write(client, org):
    assert client.post("/api/v1/check-ins/", headers=bearer(org.rep_a1a), json={
        "coachee_id": org.rep_a1b.id, "scheduled_at": FUTURE}).status_code == 403
    assert client.post("/api/v1/check-ins/", headers=bearer(org.manager_a1, READ), json={
        "coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE}).status_code == 403
    assert count(CheckIn) == 0


def test_lists_are_scoped_and_filtered_by_role(client, org):
    own = make.check_in(org.manager_a1, org.rep_a1a)
    coached = make.check_in(org.leader_a, org.manager_a1)
    other = make.check_in(org.manager_b1, org.rep_b1a)
    ids = {}
    for role in ("mine", "coach", "coachee", "team"):
        answer = client.get(f"/api/v1/check-ins/?role={role}", headers=bearer(org.manager_a1))
        ids[role] = {item["id"] for item in answer.get_json()["items"]}
    assert ids == {"mine": {own.id, coached.id}, "coach": {own.id}, "coachee": {coached.id},
                   "team": set()}
    team = client.get("/api/v1/check-ins/?role=team", headers=bearer(org.leader_a)).get_json()
    assert {item["id"] for item in team["items"]} == {own.id} and team["meta"]["total"] == 1
    exec_team = client.get("/api/v1/check-ins/?role=team", headers=bearer(org.exec)).get_json()
    assert {item["id"] for item in exec_team["items"]} == {own.id, coached.id, other.id}
    assert client.get(f"/api/v1/check-ins/{other.id}",
                      headers=bearer(org.leader_a)).status_code == 404


def test_status_changes_belong_to_the_coach(client, org):
    past = make.check_in(org.manager_a1, org.rep_a1a, days=-1, agenda=("Topic",))
    url = f"/api/v1/check-ins/{past.id}"
    assert client.patch(url, headers=bearer(org.rep_a1a),
                        json={"status": "held"}).status_code == 403
    both = client.patch(url, headers=bearer(org.manager_a1),
                        json={"status": "held", "scheduled_at": FUTURE})
    assert both.status_code == 422
    held = client.patch(url, headers=bearer(org.manager_a1), json={"status": "held"})
    assert held.status_code == 200 and held.get_json()["status"] == "held"
    assert held.get_json()["held_at"] is not None
    again = client.patch(url, headers=bearer(org.manager_a1), json={"status": "cancelled"})
    assert again.status_code == 422 and "status" in again.get_json()["errors"]


def test_either_side_moves_a_check_in_and_gets_the_new_one(client, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    response = client.patch(f"/api/v1/check-ins/{check_in.id}", headers=bearer(org.rep_a1a),
                            json={"scheduled_at": FUTURE, "minutes": 20})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] != check_in.id and body["minutes"] == 20
    assert check_in.status == CheckInStatus.RESCHEDULED and check_in.rescheduled_to_id == body["id"]


def test_agenda_and_prepare(client, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    url = f"/api/v1/check-ins/{check_in.id}"
    added = client.post(f"{url}/agenda", headers=bearer(org.rep_a1a), json={"text": "Pricing"})
    assert added.status_code == 201 and added.get_json()["text"] == "Pricing"
    assert client.post(f"{url}/agenda", headers=bearer(org.rep_a1a),
                       json={"text": ""}).status_code == 422
    assert client.post(f"{url}/agenda", headers=bearer(org.leader_a),
                       json={"text": "From above"}).status_code == 403
    assert client.post(f"{url}/prepare", headers=bearer(org.rep_a1a)).status_code == 403
    prepared = client.post(f"{url}/prepare", headers=bearer(org.manager_a1))
    assert prepared.status_code == 200 and prepared.get_json()["agenda_prepared_at"]
    assert [item["text"] for item in prepared.get_json()["agenda"]] == ["Pricing"]
    twice = client.post(f"{url}/prepare", headers=bearer(org.manager_a1))
    assert twice.status_code == 422 and twice.get_json()["errors"]["agenda"]
    assert count(AgendaItem) == 1


def test_notes_on_a_cancelled_check_in_are_refused(client, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, status=CheckInStatus.CANCELLED)
    response = client.put(f"/api/v1/check-ins/{check_in.id}/notes",
                          headers=bearer(org.manager_a1),
                          json={"shared_notes": "Hello", "private_notes": "Secret"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "shared_notes": ["Notes cannot be added to a cancelled check-in."]}
    assert (check_in.shared_notes, check_in.private_notes) == ("", "")
    assert client.put(f"/api/v1/check-ins/{check_in.id}/notes", headers=bearer(org.manager_a1),
                      json={}).status_code == 422


# --- action items ----------------------------------------------------------------------------

def test_action_items_are_created_listed_and_done(client, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-3, status=CheckInStatus.HELD)
    day = check_in.scheduled_at.date()
    created = client.post("/api/v1/action-items/", headers=bearer(org.manager_a1), json={
        "check_in_id": check_in.id, "title": "Two discovery calls", "owner_id": org.rep_a1a.id,
        "due_on": (day + timedelta(days=1)).isoformat()})
    assert created.status_code == 201
    item = created.get_json()
    assert item["is_overdue"] is True and item["coach_id"] == org.manager_a1.id
    later = make.action_item(check_in, org.manager_a1, due_on=date.today() + timedelta(days=9))

    def listed(person, query):
        answer = client.get(f"/api/v1/action-items/?{query}", headers=bearer(person))
        return [entry["id"] for entry in answer.get_json()["items"]]
    assert listed(org.rep_a1a, "whose=mine") == [item["id"]]
    assert listed(org.manager_a1, "whose=coachees") == [item["id"]]
    assert listed(org.manager_a1, "state=overdue") == [item["id"]]
    assert listed(org.manager_a1, "whose=all") == [item["id"], later.id]
    assert listed(org.manager_b1, "whose=all") == []

    url = f"/api/v1/action-items/{item['id']}"
    assert client.patch(url, headers=bearer(org.leader_a), json={"done": True}).status_code == 403
    assert client.patch(url, headers=bearer(org.manager_b1),
                        json={"done": True}).status_code == 404
    done = client.patch(url, headers=bearer(org.rep_a1a), json={"done": True})
    assert done.status_code == 200 and done.get_json()["done_at"] is not None
    assert listed(org.manager_a1, "state=done") == [item["id"]]
    assert client.patch(url, headers=bearer(org.rep_a1a),
                        json={"done": True}).status_code == 422
    reopened = client.patch(url, headers=bearer(org.manager_a1), json={"done": False})
    assert reopened.get_json()["done_at"] is None


def test_bad_action_items_are_refused_and_nothing_written(client, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=2)
    hidden = make.check_in(org.manager_b1, org.rep_b1a, days=2)
    body = {"check_in_id": check_in.id, "title": "Call", "owner_id": org.rep_a1a.id,
            "due_on": (check_in.scheduled_at.date() - timedelta(days=1)).isoformat()}
    early = client.post("/api/v1/action-items/", headers=bearer(org.rep_a1a), json=body)
    assert early.status_code == 422 and list(early.get_json()["errors"]) == ["due_on"]
    stranger = client.post("/api/v1/action-items/", headers=bearer(org.rep_a1a), json={
        **body, "due_on": utcnow().date().isoformat(), "owner_id": org.rep_a1b.id})
    assert stranger.status_code == 422 and "owner" in stranger.get_json()["errors"]
    unseen = client.post("/api/v1/action-items/", headers=bearer(org.manager_a1), json={
        **body, "check_in_id": hidden.id})
    assert unseen.status_code == 422 and "check_in_id" in unseen.get_json()["errors"]
    leader = client.post("/api/v1/action-items/", headers=bearer(org.leader_a), json={
        **body, "due_on": "2099-01-01"})
    assert leader.status_code == 403
    assert count(ActionItem) == 0


def test_every_route_is_in_the_openapi_document(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = {(path, method) for path, operations in spec["paths"].items()
             for method in operations}
    assert {("/api/v1/check-ins/", "get"), ("/api/v1/check-ins/", "post"),
            ("/api/v1/check-ins/{check_in_id}", "get"),
            ("/api/v1/check-ins/{check_in_id}", "patch"),
            ("/api/v1/check-ins/{check_in_id}/agenda", "post"),
            ("/api/v1/check-ins/{check_in_id}/prepare", "post"),
            ("/api/v1/check-ins/{check_in_id}/notes", "put"),
            ("/api/v1/action-items/", "get"), ("/api/v1/action-items/", "post"),
            ("/api/v1/action-items/{item_id}", "patch")} <= paths
