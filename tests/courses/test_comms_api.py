"""The pre-training communications REST API: write, schedule, follow and acknowledge."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from courses.live import comm_delivery
from courses.live import communications as comms
from courses.live import services as live
from courses.live.models import Communication, LiveSession
from lms.db import utcnow
from lms.extensions import db
from lms.notify.jobs import run_ready
from tests.api_support import token_maker

pytestmark = pytest.mark.usefixtures("ctx")

API = "/api/v1/communications/"
READ, WRITE = "communications:read", "communications:write"
PARTS = {"what_you_learn": "Weekly **coaching** 1:1s.", "why_it_matters": "Faster ramp.",
         "how_work_changes": "One 1:1 per rep a week.", "expected_results": "Win rate +5."}
bearer = token_maker(READ, WRITE)


@pytest.fixture
def kickoff(org) -> LiveSession:
    starts = utcnow().replace(microsecond=0) + timedelta(days=20)
    return live.create_session(live.SessionData(
        title="Coaching kick-off", starts_at=starts, ends_at=starts + timedelta(hours=2)),
        by=org.admin)


def body(session, **fields) -> dict:
    return {"subject": "Before the kick-off", "session_id": session.id, **PARTS, **fields}


def written(org, kickoff, *, send: bool = False) -> Communication:
    communication = comms.schedule_communication(comms.CommunicationData(
        subject="Before the kick-off", session=kickoff, **PARTS), by=org.leader_a)
    if send:
        comm_delivery.send_communication(communication, by=org.leader_a)
    db.session.commit()
    return communication


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Communication))


def errors(response, status: int = 422) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["errors"]


# --- writing --------------------------------------------------------------------------------

def test_create_schedules_with_the_default_send_date(client, org, kickoff):
    response = client.post(API, json=body(kickoff), headers=bearer(org.leader_a))
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert out["status"] == "scheduled" and out["role"] == "author"
    assert out["levels"] == ["manager"] and out["about"] == "Coaching kick-off"
    sent_at = datetime.fromisoformat(out["send_at"])
    assert sent_at == kickoff.starts_at - timedelta(days=14)
    assert out["recipients"] == [] and out["tracking"] == {"recipients": 0, "opened": 0,
                                                           "acknowledged": 0}


def test_create_and_send_now(client, org, kickoff):
    response = client.post(API, json=body(kickoff, send_now=True, levels=["manager", "rep"],
                                          audience_root_id=org.manager_a2.id),
                           headers=bearer(org.leader_a))
    out = response.get_json()
    assert response.status_code == 201 and out["status"] == "sent"
    assert [r["name"] for r in out["recipients"]] == ["Max Manager", "Rosa Rep"]


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"expected_results": "  "}, "expected_results", "all four parts"),
    ({"send_at": "2001-01-01T09:00:00+00:00"}, "send_at", "in the past"),
    ({"session_id": None}, "about", "which session, wave or program"),
    ({"session_id": 999_999}, "session_id", "Nothing you can see"),
    ({"levels": ["boss"]}, "levels.0", "Must be one of"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_written(client, org, kickoff, fields,
                                                                 field, message):
    found = errors(client.post(API, json=body(kickoff, **fields), headers=bearer(org.leader_a)))
    assert message in found[field][0]
    assert stored() == 0


def test_a_missing_part_is_a_field_error(client, org, kickoff):
    payload = body(kickoff)
    del payload["why_it_matters"]
    found = errors(client.post(API, json=payload, headers=bearer(org.leader_a)))
    assert "why_it_matters" in found
    assert stored() == 0


def test_writing_outside_your_subtree_is_refused(client, org, kickoff):
    found = errors(client.post(API, json=body(kickoff, audience_root_id=org.manager_b1.id),
                               headers=bearer(org.leader_a)))
    assert "your own part of the organisation" in found["audience_root"][0]
    assert stored() == 0


def test_a_manager_may_not_write(client, org, kickoff):
    response = client.post(API, json=body(kickoff), headers=bearer(org.manager_a1))
    assert response.status_code == 403
    assert stored() == 0


def test_a_read_token_may_not_write(client, org, kickoff):
    response = client.post(API, json=body(kickoff), headers=bearer(org.leader_a, READ))
    assert response.status_code == 403


# --- changing -------------------------------------------------------------------------------

def test_patch_changes_only_what_is_sent_while_scheduled(client, org, kickoff):
    communication = written(org, kickoff)
    headers = bearer(org.leader_a)
    response = client.patch(f"{API}{communication.id}", json={"subject": "New subject"},
                            headers=headers)
    assert response.status_code == 200, response.get_json()
    out = response.get_json()
    assert out["subject"] == "New subject" and out["what_you_learn"] == PARTS["what_you_learn"]
    assert out["session_id"] == kickoff.id


def test_patch_after_sending_is_refused_and_nothing_changes(client, org, kickoff):
    communication = written(org, kickoff, send=True)
    found = errors(client.patch(f"{API}{communication.id}", json={"subject": "Too late"},
                                headers=bearer(org.leader_a)))
    assert "already been sent" in found["request"][0]
    db.session.refresh(communication)
    assert communication.subject == "Before the kick-off"


def test_only_the_author_or_an_admin_patches(client, org, kickoff):
    communication = written(org, kickoff, send=True)
    assert client.patch(f"{API}{communication.id}", json={"subject": "X"},
                        headers=bearer(org.manager_a1)).status_code == 403
    assert client.patch(f"{API}{communication.id}", json={"subject": "X"},
                        headers=bearer(org.rep_b1a)).status_code == 404


def test_cancel_then_cancel_again(client, org, kickoff):
    communication = written(org, kickoff)
    headers = bearer(org.leader_a)
    first = client.post(f"{API}{communication.id}/cancel", headers=headers)
    assert first.status_code == 200 and first.get_json()["status"] == "cancelled"
    assert "cancelled" in errors(client.post(f"{API}{communication.id}/cancel",
                                             headers=headers))["request"][0]


def test_send_now_endpoint(client, org, kickoff):
    communication = written(org, kickoff)
    response = client.post(f"{API}{communication.id}/send", headers=bearer(org.admin))
    assert response.status_code == 200
    assert response.get_json()["tracking"]["recipients"] == 2


# --- reading and acknowledging --------------------------------------------------------------

def test_recipient_reads_the_message_and_opening_is_recorded(client, org, kickoff):
    communication = written(org, kickoff, send=True)
    response = client.get(f"{API}{communication.id}", headers=bearer(org.manager_a1))
    out = response.get_json()
    assert out["role"] == "recipient" and out["recipients"] is None
    assert out["tracking"] is None and out["why_it_matters"] == PARTS["why_it_matters"]
    assert out["mine"]["opened_at"] is not None
    receipt = comms.receipt(communication, org.manager_a1)
    assert receipt.opened_at is not None


def test_author_sees_every_recipient_and_a_stranger_sees_nothing(client, org, kickoff):
    communication = written(org, kickoff, send=True)
    comms.acknowledge(communication, org.manager_a2, question="Pre-read?")
    db.session.commit()
    out = client.get(f"{API}{communication.id}", headers=bearer(org.leader_a)).get_json()
    assert out["tracking"] == {"recipients": 2, "opened": 1, "acknowledged": 1}
    assert {r["name"]: r["question"] for r in out["recipients"]} == {
        "Dana Reyes": "", "Max Manager": "Pre-read?"}
    assert client.get(f"{API}{communication.id}",
                      headers=bearer(org.rep_b1a)).status_code == 404


def test_acknowledge_once(client, org, kickoff):
    communication = written(org, kickoff, send=True)
    headers = bearer(org.manager_a1)
    response = client.post(f"{API}{communication.id}/acknowledge",
                           json={"question": "Do reps come?"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["question"] == "Do reps come?"
    again = errors(client.post(f"{API}{communication.id}/acknowledge", json={},
                               headers=headers))
    assert "already acknowledged" in again["request"][0]
    assert client.post(f"{API}{communication.id}/acknowledge", json={},
                       headers=bearer(org.leader_a)).status_code == 403


def test_list_has_what_i_wrote_and_received_paginated_in_constant_queries(
        client, org, count_queries):
    def cost(number: int) -> int:
        starts = utcnow().replace(microsecond=0) + timedelta(days=20)
        for n in range(number):
            session = live.create_session(live.SessionData(
                title=f"Session {n}", starts_at=starts, ends_at=starts + timedelta(hours=1)),
                by=org.admin)
            mine = comms.schedule_communication(comms.CommunicationData(
                subject=f"Mine {n}", session=session, **PARTS), by=org.leader_a)
            comm_delivery.send_communication(mine, by=org.leader_a)
            theirs = comms.schedule_communication(comms.CommunicationData(
                subject=f"Theirs {n}", session=session, levels=["leader"], **PARTS),
                by=org.exec)
            comm_delivery.send_communication(theirs, by=org.exec)
        db.session.commit()
        run_ready()
        with count_queries() as counter:
            response = client.get(f"{API}?per_page=100", headers=headers)
        assert response.status_code == 200
        return counter.count
    headers = bearer(org.leader_a)
    assert cost(1) == cost(4)
    items = client.get(f"{API}?per_page=100", headers=headers).get_json()["items"]
    roles = {item["subject"]: item["role"] for item in items}
    assert roles["Mine 0"] == "author" and roles["Theirs 0"] == "recipient"
    authored = next(item for item in items if item["subject"] == "Mine 0")
    assert authored["tracking"] == {"recipients": 2, "opened": 0, "acknowledged": 0}
    received = client.get(f"{API}?role=received&per_page=2", headers=headers).get_json()
    assert received["meta"]["total"] == 5 and len(received["items"]) == 2
    assert all(item["role"] == "recipient" for item in received["items"])


def test_unknown_query_parameter_is_refused(client, org):
    assert client.get(f"{API}?colour=red", headers=bearer(org.leader_a)).status_code == 422


def test_openapi_document_stays_valid_and_lists_the_communication_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    paths = set(spec["paths"])
    assert {"/api/v1/communications/", "/api/v1/communications/{communication_id}",
            "/api/v1/communications/{communication_id}/acknowledge",
            "/api/v1/communications/{communication_id}/cancel",
            "/api/v1/communications/{communication_id}/send"} <= paths

