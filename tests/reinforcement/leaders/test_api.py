"""Adherence, leader reviews and councils in the REST API: shapes, refusals, permissions, and no
note of any check-in in any answer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.db import utcnow
from lms.extensions import db
from reinforcement.leaders import reviews
from reinforcement.leaders.adherence import Period
from reinforcement.leaders.models import LeaderReview
from tests.api_support import token_maker
from tests.reinforcement.leaders import factories as make
from tests.reinforcement.leaders.factories import PRIVATE

pytestmark = pytest.mark.usefixtures("ctx")

READ, WRITE = "reinforcement:read", "reinforcement:write"
bearer = token_maker(READ, WRITE)


def _month() -> date:
    return utcnow().date().replace(day=1)


def _moment(day: int, hour: int = 9) -> datetime:
    start = _month()
    return datetime(start.year, start.month, day, hour, tzinfo=utcnow().tzinfo)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(LeaderReview))


# --- adherence ---------------------------------------------------------------------------------

def test_adherence_rolls_up_the_callers_subtree(client, org):
    make.check_in(org.manager_a1, org.rep_a1a, _moment(1), held_at=_moment(1),
                  prepared_at=_moment(1, 8), shared="Shared words", private=PRIVATE)
    make.check_in(org.manager_b1, org.rep_b1a, _moment(1), held_at=_moment(1))
    db.session.commit()
    response = client.get("/api/v1/adherence/", headers=bearer(org.leader_a, READ))
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"]["kind"] == "month" and body["period"]["start"] == _month().isoformat()
    assert body["thresholds"] == {"held": 80, "agenda": 70, "actions": 70}
    coaches = {row["key"]: row for row in body["coaches"]}
    assert set(coaches) == {str(org.leader_a.id), str(org.manager_a1.id),
                            str(org.manager_a2.id)}
    figures = coaches[str(org.manager_a1.id)]["figures"]
    assert (figures["check_ins"], figures["held_on_time_pct"], figures["agenda_ahead_pct"]) == (
        1, 100, 100)
    assert coaches[str(org.manager_a2.id)]["needs_help"] == ["Not coaching: no check-in held"]
    assert [row["key"] for row in body["leaders"]] == [str(org.leader_a.id)]
    assert {row["level"] for row in body["levels"]} == {"manager", "leader"}
    assert body["trend"] and body["total"]["coaches"] == 3
    text = response.get_data(as_text=True)
    assert PRIVATE not in text and "Shared words" not in text


def test_adherence_of_someone_out_of_sight_is_404_and_a_rep_is_403(client, org):
    headers = bearer(org.leader_a, READ)
    assert client.get(f"/api/v1/adherence/?person_id={org.leader_b.id}",
                      headers=headers).status_code == 404
    assert client.get(f"/api/v1/adherence/?person_id={org.manager_a1.id}&period=year",
                      headers=headers).status_code == 200
    assert client.get("/api/v1/adherence/", headers=bearer(org.rep_a1a, READ)).status_code == 403


@pytest.mark.parametrize(("query", "field"), [
    ("period=decade", "period"), ("start=2030-13", "start"), ("start=soon", "start"),
    ("colour=blue", "colour")])
def test_adherence_refuses_bad_parameters(client, org, query, field):
    response = client.get(f"/api/v1/adherence/?{query}", headers=bearer(org.leader_a, READ))
    assert response.status_code == 422 and field in response.get_json()["errors"]


# --- leader reviews ----------------------------------------------------------------------------

def test_a_leader_confirms_and_gives_feedback_through_the_api(client, org):
    headers = bearer(org.leader_a)
    confirm = {"manager_id": org.manager_a1.id, "period_start": _month().isoformat(),
               "decision": "confirmed"}
    refused = client.post("/api/v1/leader-reviews/", headers=headers, json=confirm)
    assert refused.status_code == 422  # no check-in held this month, and no note
    assert "held no check-ins" in refused.get_json()["errors"]["note"][0]
    response = client.post("/api/v1/leader-reviews/", headers=headers,
                           json={**confirm, "note": "On leave; coached in person."})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["decision"], body["manager"], body["leader_id"], body["note"]) == (
        "confirmed", org.manager_a1.name, org.leader_a.id, "On leave; coached in person.")
    response = client.post("/api/v1/leader-reviews/", headers=headers, json={
        "manager_id": org.manager_a2.id, "period_start": _month().isoformat(),
        "decision": "feedback", "feedback": "Hold the 1:1s weekly."})
    assert response.status_code == 201 and response.get_json()["feedback"] == (
        "Hold the 1:1s weekly.")
    given = client.get("/api/v1/leader-reviews/?role=given", headers=headers).get_json()
    assert given["meta"]["total"] == 2
    received = client.get("/api/v1/leader-reviews/?role=received", headers=bearer(
        org.manager_a2, READ)).get_json()
    assert [item["decision"] for item in received["items"]] == ["feedback"]


@pytest.mark.parametrize(("payload", "field", "words"), [
    (lambda org: {"manager_id": org.manager_b1.id}, "manager_id", "No manager under you"),
    (lambda org: {"manager_id": 999_999}, "manager_id", "No manager under you"),
    (lambda org: {"manager_id": org.rep_a1a.id}, "manager_id", "is not a manager"),
    (lambda org: {"decision": "feedback", "feedback": ""}, "feedback", "Write the feedback"),
    (lambda org: {"period_start": "2999-01-01"}, "period_start", "has not begun"),
    (lambda org: {"period_start": "2020-01-15"}, "period_start", "calendar month"),
    (lambda org: {"decision": "maybe"}, "decision", "Must be one of"),
    (lambda org: {"observation_id": 999_999}, "observation_id", "No scorecard"),
    (lambda org: {"extra": 1}, "extra", "Unknown field"),
])
def test_review_refusals_answer_422_and_write_nothing(client, org, payload, field, words):
    body = {"manager_id": org.manager_a1.id, "period_start": _month().isoformat(),
            "decision": "confirmed"}
    body.update(payload(org))
    response = client.post("/api/v1/leader-reviews/", headers=bearer(org.leader_a), json=body)
    assert response.status_code == 422
    assert words in " ".join(response.get_json()["errors"][field])
    assert _count() == 0


def test_only_leaders_decide_and_only_the_manager_acknowledges(client, org):
    body = {"manager_id": org.rep_a1a.id, "period_start": _month().isoformat(),
            "decision": "confirmed"}
    assert client.post("/api/v1/leader-reviews/", headers=bearer(org.manager_a1),
                       json=body).status_code == 403
    review = reviews.send_feedback(org.manager_a1, _month(), "Agendas first.", by=org.leader_a)
    db.session.commit()
    url = f"/api/v1/leader-reviews/{review.id}/acknowledge"
    assert client.post(url, headers=bearer(org.leader_a)).status_code == 403
    response = client.post(url, headers=bearer(org.manager_a1))
    assert response.status_code == 200 and response.get_json()["acknowledged_at"]
    again = client.post(url, headers=bearer(org.manager_a1))
    assert again.status_code == 422 and "already acknowledged" in again.get_json()[
        "errors"]["review"][0]


def test_a_review_is_seen_by_the_pair_and_those_above_only(client, org):
    review = reviews.send_feedback(org.manager_a1, _month(), "Text", by=org.leader_a)
    db.session.commit()
    url = f"/api/v1/leader-reviews/{review.id}"
    for person, status in ((org.manager_a1, 200), (org.exec, 200), (org.leader_b, 404),
                           (org.rep_a1a, 404), (org.manager_a2, 404)):
        assert client.get(url, headers=bearer(person, READ)).status_code == status


def test_a_scorecard_is_attached_through_the_api(client, org):
    scorecard = make.coaching_scorecard(org.leader_a, org.manager_a1)
    db.session.commit()
    response = client.post("/api/v1/leader-reviews/", headers=bearer(org.leader_a), json={
        "manager_id": org.manager_a1.id, "period_start": _month().isoformat(),
        "decision": "confirmed", "observation_id": scorecard.id, "note": "Observed live."})
    assert response.status_code == 201 and response.get_json()["observation_id"] == scorecard.id


# --- councils ----------------------------------------------------------------------------------

def test_councils_are_listed_for_members_with_meetings_and_actions(client, org):
    council = make.council(org.leader_a, [org.leader_b])
    make.council(org.exec, [], name="Exec only")
    past = make.meeting(council, utcnow() - timedelta(days=10))
    past.held_at = past.scheduled_at
    make.council_action(past, org.leader_b, date.today() - timedelta(days=2))
    make.council_action(past, org.leader_a, date.today() + timedelta(days=2))
    make.council_action(past, org.leader_a, date.today(), done_at=utcnow())
    db.session.commit()
    headers = bearer(org.leader_b, READ)
    listed = client.get("/api/v1/councils/", headers=headers).get_json()
    assert [item["name"] for item in listed["items"]] == ["Coaching champions"]
    assert {m["id"] for m in listed["items"][0]["members"]} == {org.leader_a.id,
                                                                org.leader_b.id}
    meetings = client.get(f"/api/v1/councils/{council.id}/meetings", headers=headers).get_json()
    assert meetings["items"][0]["held_at"] and meetings["items"][0]["agenda"] == "What works"
    actions = client.get(f"/api/v1/councils/{council.id}/actions", headers=headers).get_json()
    assert [item["status"] for item in actions["items"]] == ["overdue", "done", "open"]


def test_a_council_is_404_for_non_members_and_visible_to_admins(client, org):
    council = make.council(org.leader_a, [])
    db.session.commit()
    url = f"/api/v1/councils/{council.id}"
    assert client.get(url, headers=bearer(org.leader_b, READ)).status_code == 404
    assert client.get(url, headers=bearer(org.admin, READ)).status_code == 200


def test_the_openapi_document_describes_the_endpoints(client, org):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/adherence/", "/api/v1/leader-reviews/",
                 "/api/v1/leader-reviews/{review_id}/acknowledge",
                 "/api/v1/councils/{council_id}/actions"):
        assert path in paths


def test_the_period_of_the_trend_is_the_month_asked_for(client, org):
    start = Period("month", _month()).shifted(-2)
    response = client.get(f"/api/v1/adherence/?start={start.key}",
                          headers=bearer(org.leader_a, READ))
    body = response.get_json()
    assert body["period"]["start"] == start.start.isoformat()
    assert body["trend"][0]["start"] == start.start.isoformat()
    assert body["trend"][-1]["end"] == start.last_day.isoformat()
