"""Rubrics, observation scorecards and surveys in the REST API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from assessments.models import Observation, Rubric, SurveyResponse
from lms.extensions import db
from lms.notify.models import Notification
from tests.api_support import token_maker
from tests.assessments import factories_scorecards as make

pytestmark = pytest.mark.usefixtures("ctx")

READ, WRITE = "assessments:read", "assessments:write"
bearer = token_maker(READ, WRITE)


@pytest.fixture
def rubric(org):
    created = make.rubric(org.admin, title="Discovery role-play")
    db.session.commit()
    return created


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def payload(rubric, subject, values=(3, 4, 5), **fields) -> dict:
    body = {"rubric_id": rubric.id, "subject_id": subject.id, "kind": "call",
            "observed_on": date.today().isoformat(), "context": "Renewal call",
            "scores": [{"criterion_id": c.id, "score": v, "comment": f"On {c.title}"}
                       for c, v in zip(rubric.criteria, values, strict=True)]}
    body.update(fields)
    return body


# --- rubrics ---------------------------------------------------------------------------------

def test_everyone_reads_rubrics_with_descriptors(client, org, rubric):
    response = client.get("/api/v1/rubrics/", headers=bearer(org.rep_a1a, READ))
    assert response.status_code == 200
    (item,) = response.get_json()["items"]
    assert item["title"] == "Discovery role-play" and len(item["criteria"]) == 3
    assert item["criteria"][0]["descriptors"][4] == "Exemplary at criterion 1"
    one = client.get(f"/api/v1/rubrics/{rubric.id}", headers=bearer(org.rep_a1a, READ))
    assert one.get_json()["subject_level"] == "rep"


def test_admin_creates_patches_archives_and_deletes_rubrics(client, org):
    headers = bearer(org.admin)
    body = {"title": "Coaching", "subject_level": "manager", "criteria": [
        {"title": "Asks first", "descriptors": ["a", "b", "c", "d", "e"]}]}
    created = client.post("/api/v1/rubrics/", json=body, headers=headers)
    assert created.status_code == 201 and created.get_json()["criteria"][0]["title"] == "Asks first"
    rid = created.get_json()["id"]
    patched = client.patch(f"/api/v1/rubrics/{rid}", json={"title": "Coaching talk",
                                                          "is_archived": True}, headers=headers)
    assert patched.get_json()["title"] == "Coaching talk" and patched.get_json()["is_archived"]
    listed = client.get("/api/v1/rubrics/?archived=true", headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [rid]
    assert client.get("/api/v1/rubrics/", headers=headers).get_json()["items"] == []
    assert client.delete(f"/api/v1/rubrics/{rid}", headers=headers).status_code == 204
    assert count(Rubric) == 0


def test_rubric_with_four_descriptors_is_422_and_nothing_written(client, org):
    body = {"title": "Short", "criteria": [{"title": "One", "descriptors": ["a", "b", "c", "d"]}]}
    response = client.post("/api/v1/rubrics/", json=body, headers=bearer(org.admin))
    assert response.status_code == 422
    assert "exactly five descriptors" in response.get_json()["errors"]["criteria.0.descriptors"][0]
    assert count(Rubric) == 0


def test_used_rubric_cannot_change_criteria_or_be_deleted(client, org, rubric):
    make.observation(rubric, org.manager_a1, org.rep_a1a)
    db.session.commit()
    headers = bearer(org.admin)
    response = client.patch(f"/api/v1/rubrics/{rubric.id}", headers=headers, json={
        "criteria": [{"title": "Only", "descriptors": ["a", "b", "c", "d", "e"]}]})
    assert response.status_code == 422 and "Copy it" in response.get_json()["errors"]["criteria"][0]
    deleted = client.delete(f"/api/v1/rubrics/{rubric.id}", headers=headers)
    assert deleted.status_code == 422 and "archive it instead" in deleted.get_json()["errors"][
        "request"][0]


def test_non_admin_cannot_write_rubrics(client, org, rubric):
    headers = bearer(org.leader_a)
    body = {"title": "Mine", "criteria": [{"title": "A", "descriptors": list("abcde")}]}
    assert client.post("/api/v1/rubrics/", json=body, headers=headers).status_code == 403
    assert client.patch(f"/api/v1/rubrics/{rubric.id}", json={"title": "X"},
                        headers=headers).status_code == 403
    assert client.delete(f"/api/v1/rubrics/{rubric.id}", headers=headers).status_code == 403


# --- observations ----------------------------------------------------------------------------

def test_manager_creates_a_draft_and_shares_it(client, org, rubric):
    headers = bearer(org.manager_a1)
    created = client.post("/api/v1/observations/", json=payload(rubric, org.rep_a1a),
                          headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["status"] == "draft" and body["average"] == 4.0
    assert [s["descriptor"] for s in body["scores"]] == [
        "Solid at criterion 1", "Strong at criterion 2", "Exemplary at criterion 3"]
    rep = bearer(org.rep_a1a, READ)
    assert client.get(f"/api/v1/observations/{body['id']}", headers=rep).status_code == 404
    assert client.get("/api/v1/observations/", headers=rep).get_json()["items"] == []

    shared = client.post(f"/api/v1/observations/{body['id']}/share", headers=headers)
    assert shared.status_code == 200 and shared.get_json()["status"] == "shared"
    again = client.post(f"/api/v1/observations/{body['id']}/share", headers=headers)
    assert again.status_code == 200 and count(Notification) == 1
    seen = client.get(f"/api/v1/observations/{body['id']}", headers=rep).get_json()
    assert seen["scores"][0]["comment"] == "On Criterion 1"
    items = client.get("/api/v1/observations/", headers=rep).get_json()["items"]
    assert [item["id"] for item in items] == [body["id"]]


def test_share_at_once_and_filters(client, org, rubric):
    headers = bearer(org.manager_a1)
    client.post("/api/v1/observations/", json=payload(rubric, org.rep_a1a, share=True),
                headers=headers)
    client.post("/api/v1/observations/", json=payload(rubric, org.rep_a1b), headers=headers)
    drafts = client.get("/api/v1/observations/?status=draft", headers=headers).get_json()
    assert [item["subject_id"] for item in drafts["items"]] == [org.rep_a1b.id]
    theirs = client.get(f"/api/v1/observations/?subject_id={org.rep_a1a.id}",
                        headers=headers).get_json()
    assert [item["status"] for item in theirs["items"]] == ["shared"]


def _bad_payload(rubric, org, case: str) -> tuple:
    """(actor, body) for one kind of bad observation."""
    body = payload(rubric, org.rep_a1a)
    actor = org.manager_a1
    if case == "out of sight":
        body["subject_id"] = org.rep_b1a.id
    elif case == "wrong level":
        actor, body["subject_id"] = org.leader_a, org.manager_a1.id
    elif case == "bad score":
        body["scores"][1]["score"] = 7
    elif case == "missing score":
        body["scores"].pop()
    elif case == "wrong kind":
        body["kind"] = "coaching"
    elif case == "future":
        body["observed_on"] = (date.today() + timedelta(days=5)).isoformat()
    elif case == "no rubric":
        body["rubric_id"] = 999_999
    return actor, body


@pytest.mark.parametrize(("case", "field", "message"), [
    ("out of sight", "subject_id", "No one you can see"),
    ("wrong level", "subject", "observes reps; Dana Reyes is a manager"),
    ("bad score", "scores.{1}", "from 1 to 5"),
    ("missing score", "scores.{2}", "not scored yet"),
    ("wrong kind", "kind", "role-play or real call"),
    ("future", "observed_on", "cannot be in the future"),
    ("no rubric", "rubric_id", "No rubric has that id"),
])
def test_bad_observation_is_422_and_nothing_written(client, org, rubric, case, field, message):
    actor, body = _bad_payload(rubric, org, case)
    response = client.post("/api/v1/observations/", json=body, headers=bearer(actor))
    ids = [c.id for c in rubric.criteria]
    errors = response.get_json()["errors"]
    assert response.status_code == 422, errors
    assert message in errors[field.format(*ids)][0]
    assert count(Observation) == 0


def test_rep_token_cannot_create_observations(client, org, rubric):
    response = client.post("/api/v1/observations/", json=payload(rubric, org.rep_a1b),
                           headers=bearer(org.rep_a1a))
    assert response.status_code == 403 and count(Observation) == 0


def test_score_must_be_an_integer(client, org, rubric):
    body = payload(rubric, org.rep_a1a)
    body["scores"][0]["score"] = "4"
    response = client.post("/api/v1/observations/", json=body, headers=bearer(org.manager_a1))
    assert response.status_code == 422 and "scores.0.score" in response.get_json()["errors"]


def test_someone_else_cannot_share_a_shared_scorecard(client, org, rubric):
    observation = make.observation(rubric, org.manager_a1, org.rep_a1a)
    db.session.commit()
    response = client.post(f"/api/v1/observations/{observation.id}/share",
                           headers=bearer(org.leader_a))
    assert response.status_code == 403


def test_observation_list_query_count_does_not_grow(client, org, rubric, count_queries):
    headers = bearer(org.manager_a1, READ)
    counts = []
    for more in (2, 20):
        for _ in range(more):
            make.observation(rubric, org.manager_a1, org.rep_a1a, 4)
        db.session.commit()
        client.get("/api/v1/observations/", headers=headers)  # sends the queued emails
        with count_queries() as counter:
            response = client.get("/api/v1/observations/?per_page=100", headers=headers)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


# --- surveys ---------------------------------------------------------------------------------

@pytest.fixture
def survey(org):
    created = make.survey(org.admin, title="Coaching readiness")
    db.session.commit()
    return created


def answers_body(survey, likert, text="") -> dict:
    return {"answers": [{"question_id": a.question_id, "likert": a.likert, "text": a.text}
                        for a in make.answers(survey, likert, text)]}


def test_survey_list_and_detail_say_who_may_take_it(client, org, survey):
    rep = client.get("/api/v1/surveys/", headers=bearer(org.rep_a1a, READ)).get_json()
    assert rep["items"][0]["may_take"] is False
    leader = bearer(org.leader_a, READ)
    assert client.get("/api/v1/surveys/", headers=leader).get_json()["items"][0]["may_take"]
    detail = client.get(f"/api/v1/surveys/{survey.id}", headers=leader).get_json()
    assert [s["title"] for s in detail["sections"]] == ["Goals", "Inspection"]
    assert detail["sections"][1]["questions"][1]["kind"] == "text"
    assert detail["audience"] == ["leader", "manager"]


def test_submit_a_response_and_read_my_results(client, org, survey):
    headers = bearer(org.manager_a1)
    created = client.post(f"/api/v1/surveys/{survey.id}/responses",
                          json=answers_body(survey, [5, 4, 2], "More ride-alongs"),
                          headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["score"] == 3.67
    assert [(s["title"], s["score"]) for s in body["sections"]] == [("Goals", 4.5),
                                                                    ("Inspection", 2.0)]
    client.post(f"/api/v1/surveys/{survey.id}/responses", json=answers_body(survey, [5, 5, 5]),
                headers=headers)
    make.respond(survey, org.leader_a, [1, 1, 1])
    db.session.commit()
    mine = client.get(f"/api/v1/surveys/{survey.id}/responses/mine", headers=headers).get_json()
    assert [item["score"] for item in mine["items"]] == [5.0, 3.67]  # newest first
    assert mine["meta"]["total"] == 2


def test_bad_response_is_422_and_nothing_written(client, org, survey):
    headers = bearer(org.manager_a1)
    body = answers_body(survey, [5, 9, 2])
    response = client.post(f"/api/v1/surveys/{survey.id}/responses", json=body, headers=headers)
    second = survey.sections[0].questions[1].id
    assert response.status_code == 422
    assert "from 1 to 5" in response.get_json()["errors"][f"answers.{second}"][0]
    body = answers_body(survey, [5, 4, 2])
    body["answers"].append({"question_id": 999_999, "likert": 3})
    response = client.post(f"/api/v1/surveys/{survey.id}/responses", json=body, headers=headers)
    assert "not part of this survey" in response.get_json()["errors"]["answers"][0]
    assert count(SurveyResponse) == 0


def test_rep_cannot_submit_to_a_survey_for_leaders_and_managers(client, org, survey):
    response = client.post(f"/api/v1/surveys/{survey.id}/responses",
                           json=answers_body(survey, [3, 3, 3]), headers=bearer(org.rep_a1a))
    assert response.status_code == 403 and count(SurveyResponse) == 0


def test_read_scope_cannot_write(client, org, survey, rubric):
    headers = bearer(org.manager_a1, READ)
    assert client.post(f"/api/v1/surveys/{survey.id}/responses",
                       json=answers_body(survey, [3, 3, 3]), headers=headers).status_code == 403
    assert client.post("/api/v1/observations/", json=payload(rubric, org.rep_a1a),
                       headers=headers).status_code == 403


def test_openapi_documents_every_scorecard_route(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for path in ("/api/v1/rubrics/", "/api/v1/rubrics/{rubric_id}", "/api/v1/observations/",
                 "/api/v1/observations/{observation_id}",
                 "/api/v1/observations/{observation_id}/share", "/api/v1/surveys/",
                 "/api/v1/surveys/{survey_id}", "/api/v1/surveys/{survey_id}/responses",
                 "/api/v1/surveys/{survey_id}/responses/mine"):
        assert path in spec["paths"], path
    assert set(spec["paths"]["/api/v1/rubrics/{rubric_id}"]) >= {"get", "patch", "delete"}
