"""The assessments API: list, start or resume, answer, submit once, results, regrade."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from assessments import grading, quiz
from assessments.models import Attempt, AttemptStatus, FeedbackPolicy, QuestionType
from lms.db import utcnow
from lms.extensions import db
from tests.api_support import token_maker
from tests.assessments import factories_quiz as fq

bearer = token_maker("assessments:read", "assessments:write")


def _attempts() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def test_list_shows_learners_published_assessments_without_sources(org, client):
    _course, published = fq.ready(org)
    draft = fq.assessment(published.course, [published.sources[0].bank], by=org.admin,
                          count=1, publish=False)
    body = client.get("/api/v1/assessments/", headers=bearer(org.rep_a1a)).json
    assert [item["id"] for item in body["items"]] == [published.id]
    assert "sources" not in body["items"][0] and body["meta"]["total"] == 1
    admin = client.get(f"/api/v1/assessments/?course_id={published.course_id}",
                       headers=bearer(org.admin)).json
    assert {item["id"] for item in admin["items"]} == {published.id, draft.id}
    assert admin["items"][0]["sources"] == [{"bank_id": published.sources[0].bank_id,
                                             "tag": ""}]
    assert client.get(f"/api/v1/assessments/{draft.id}",
                      headers=bearer(org.rep_a1a)).status_code == 404


def test_start_then_start_again_resumes_the_same_attempt(org, client):
    _course, found = fq.ready(org)
    headers = bearer(org.rep_a1a)
    first = client.post(f"/api/v1/assessments/{found.id}/attempts", headers=headers)
    again = client.post(f"/api/v1/assessments/{found.id}/attempts", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"] and _attempts() == 1
    assert first.json["status"] == "in_progress" and first.json["feedback"] is False
    detail = client.get(f"/api/v1/assessments/{found.id}", headers=headers).json
    assert [a["id"] for a in detail["my_attempts"]] == [first.json["id"]]


def test_start_past_the_limit_or_not_enrolled_is_refused(org, client):
    _course, found = fq.ready(org, attempt_limit=1)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    quiz.submit(attempt, now=utcnow())
    db.session.commit()
    refused = client.post(f"/api/v1/assessments/{found.id}/attempts",
                          headers=bearer(org.rep_a1a))
    assert refused.status_code == 422
    assert refused.json == {"errors": {"attempt_limit": [
        f"You have used all 1 attempt at “{found.title}”."]}}
    outsider = client.post(f"/api/v1/assessments/{found.id}/attempts",
                           headers=bearer(org.rep_b1a))
    assert outsider.status_code == 403 and _attempts() == 1


def test_a_read_only_token_cannot_start(org, client):
    _course, found = fq.ready(org)
    response = client.post(f"/api/v1/assessments/{found.id}/attempts",
                           headers=bearer(org.rep_a1a, "assessments:read"))
    assert response.status_code == 403 and _attempts() == 0


def _start(client, headers, found) -> dict:
    return client.post(f"/api/v1/assessments/{found.id}/attempts", headers=headers).json


def test_answers_are_saved_and_bad_ones_refused_with_the_field(org, client):
    _course, found = fq.ready(org, types=(QuestionType.SINGLE, QuestionType.NUMERIC),
                              enrol=(org.rep_a1a, org.rep_a1b))
    headers = bearer(org.rep_a1a)
    attempt = _start(client, headers, found)
    items = {item["type"]: item for item in attempt["items"]}
    url = f"/api/v1/assessments/attempts/{attempt['id']}/answers"
    saved = client.put(f"{url}/{items['numeric']['id']}", headers=headers,
                       json={"response": "12.5"})
    assert saved.status_code == 200 and saved.json["response"] == 12.5
    assert "correct_answer" not in saved.json
    wrong_choice = client.put(f"{url}/{items['single']['id']}", headers=headers,
                              json={"response": "zz"})
    assert wrong_choice.status_code == 422
    assert wrong_choice.json == {"errors": {"response": ["Choose one of the answers."]}}
    other = _start(client, bearer(org.rep_a1b), found)
    foreign = client.put(f"{url}/{other['items'][0]['id']}", headers=headers,
                         json={"response": "b"})
    assert foreign.status_code == 422
    assert foreign.json == {"errors": {"item_id": ["That question is not part of this attempt."]}}
    extra = client.put(f"{url}/{items['single']['id']}", headers=headers,
                       json={"response": "b", "correct": True})
    assert extra.status_code == 422 and "correct" in extra.json["errors"]
    missing = client.put(f"{url}/{items['single']['id']}", headers=headers, json={})
    assert missing.status_code == 422 and "response" in missing.json["errors"]
    db.session.expire_all()
    responses = {i.question.type: i.response for i in quiz.items_of(db.session.get(
        Attempt, attempt["id"]))}
    assert responses == {QuestionType.SINGLE: None, QuestionType.NUMERIC: 12.5}


def test_submitting_twice_gives_the_same_result(org, client):
    _course, found = fq.ready(org, feedback_policy=FeedbackPolicy.AFTER_ATTEMPT)
    headers = bearer(org.rep_a1a)
    attempt = _start(client, headers, found)
    for item in attempt["items"]:
        answer = fq.RIGHT[QuestionType(item["type"])]
        client.put(f"/api/v1/assessments/attempts/{attempt['id']}/answers/{item['id']}",
                   headers=headers, json={"response": answer})
    url = f"/api/v1/assessments/attempts/{attempt['id']}/submit"
    first, second = client.post(url, headers=headers), client.post(url, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json == second.json
    body = first.json
    assert (body["status"], body["percent"], body["passed"], body["feedback"]) == (
        "submitted", 100.0, True, True)
    single = next(item for item in body["items"] if item["type"] == "single")
    assert single["correct_answer"] == "Ask about the problem first"
    assert single["explanation_html"] == "<p>Because of single reasons.</p>"
    assert single["is_correct"] is True
    answer = client.put(f"/api/v1/assessments/attempts/{attempt['id']}/answers/"
                        f"{single['id']}", headers=headers, json={"response": "a"})
    assert answer.status_code == 409


def test_never_policy_keeps_right_answers_out_of_the_result(org, client):
    _course, found = fq.ready(org, feedback_policy=FeedbackPolicy.NEVER)
    headers = bearer(org.rep_a1a)
    attempt = _start(client, headers, found)
    body = client.post(f"/api/v1/assessments/attempts/{attempt['id']}/submit",
                       headers=headers).json
    assert body["feedback"] is False and body["percent"] == 0.0
    assert all("correct_answer" not in item and "is_correct" not in item
               for item in body["items"])
    admin = client.get(f"/api/v1/assessments/attempts/{attempt['id']}",
                       headers=bearer(org.admin)).json
    assert admin["feedback"] is True  # admins review any attempt in full


def test_after_the_time_limit_an_answer_gets_409_and_the_attempt_is_submitted(
        org, client):
    _course, found = fq.ready(org, time_limit_minutes=5)
    started = quiz.start_attempt(org.rep_a1a, found, now=utcnow() - timedelta(minutes=20))
    item = quiz.items_of(started.attempt)[0]
    db.session.commit()
    headers = bearer(org.rep_a1a)
    late = client.put(f"/api/v1/assessments/attempts/{started.attempt.id}/answers/{item.id}",
                      headers=headers, json={"response": "b"})
    assert late.status_code == 409 and "Time is up" in late.json["errors"]["request"][0]
    body = client.get(f"/api/v1/assessments/attempts/{started.attempt.id}",
                      headers=headers).json
    assert (body["status"], body["timed_out"], body["seconds_left"]) == (
        "submitted", True, None)
    db.session.expire_all()
    assert item.response is None


def test_an_open_attempt_shows_seconds_left(org, client):
    _course, found = fq.ready(org, time_limit_minutes=30)
    body = _start(client, bearer(org.rep_a1a), found)
    assert 29 * 60 < body["seconds_left"] <= 30 * 60 and body["deadline_at"]


def test_a_manager_sees_a_reports_open_attempt_without_its_questions(org, client):
    _course, found = fq.ready(org)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    db.session.commit()
    body = client.get(f"/api/v1/assessments/attempts/{attempt.id}",
                      headers=bearer(org.manager_a1)).json
    assert body["status"] == AttemptStatus.IN_PROGRESS and body["items"] == []
    assert client.get(f"/api/v1/assessments/attempts/{attempt.id}",
                      headers=bearer(org.rep_b1a)).status_code == 404


def test_results_cover_the_callers_subtree(org, client):
    _course, found = fq.ready(org, enrol=(org.rep_a1a, org.rep_b1a))
    for person in (org.rep_a1a, org.rep_b1a):
        quiz.submit(quiz.start_attempt(person, found, now=utcnow()).attempt, now=utcnow())
    db.session.commit()
    body = client.get(f"/api/v1/assessments/{found.id}/results",
                      headers=bearer(org.manager_a1)).json
    assert [row["name"] for row in body["items"]] == ["Rita Rep"]
    assert body["items"][0]["attempts"] == 1 and body["meta"]["total"] == 1
    assert client.get(f"/api/v1/assessments/{found.id}/results",
                      headers=bearer(org.rep_a1a)).status_code == 403


def test_regrade_through_the_api(org, client):
    _course, found = fq.ready(org, types=(QuestionType.SINGLE,), count=1)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    quiz.save_answers(attempt, {i.id: "a" for i in quiz.items_of(attempt)}, now=utcnow())
    quiz.submit(attempt, now=utcnow())
    question = quiz.items_of(attempt)[0].question
    question.spec = grading.check_spec("single", {**question.spec, "correct": ["a"]})
    db.session.commit()
    body = client.post(f"/api/v1/assessments/{found.id}/regrade", headers=bearer(org.admin))
    assert body.status_code == 200
    assert body.json == {"answers_changed": 1, "attempts_changed": 1, "now_passing": 1,
                         "now_failing": 0, "steps_completed": 0}


def test_the_openapi_document_lists_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/assessments/", "/api/v1/assessments/{assessment_id}/attempts",
            "/api/v1/assessments/attempts/{attempt_id}/answers/{item_id}",
            "/api/v1/assessments/attempts/{attempt_id}/submit",
            "/api/v1/assessments/{assessment_id}/results"} <= set(paths)
