"""Question banks in the REST API: admins only, keys included, the exchange document."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from assessments import bank_exchange, banks
from assessments.models import Question, QuestionBank
from lms.auth.services import SCOPES
from lms.extensions import db
from tests import factories
from tests.api_support import api_routes, documented_routes, token_maker
from tests.assessments.test_banks import CHOICES, answered, every_type, single

pytestmark = pytest.mark.usefixtures("ctx")

API = "/api/v1/banks/"
READ, WRITE = "assessments:read", "assessments:write"
bearer = token_maker(WRITE)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def bank(bank, org):
    """The shared bank with a question of every type."""
    every_type(bank, by=org.admin)
    return bank


@pytest.fixture
def admin(org):
    return bearer(org.admin)


# --- banks -----------------------------------------------------------------------------------

def test_admin_lists_banks_with_question_counts(client, org, course, bank, admin):
    banks.set_question_archived(bank.questions[0], True, by=org.admin)
    other = factories.course(title="Negotiation", by=org.admin)
    banks.create_bank(other, banks.BankData("Anchoring"), by=org.admin)
    db.session.commit()

    response = client.get(API, headers=admin)

    assert response.status_code == 200
    body = response.get_json()
    assert [b["title"] for b in body["items"]] == ["Anchoring", "Discovery basics"]
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 2, "pages": 1}
    item = body["items"][1]
    assert (item["course_id"], item["questions_active"], item["questions_archived"]) == (
        course.id, 4, 1)
    only = client.get(f"{API}?course_id={course.id}&q=DISCO", headers=admin).get_json()
    assert [b["id"] for b in only["items"]] == [bank.id]


def test_bank_list_query_count_does_not_grow_with_banks(client, org, course, admin,
                                                        count_queries):
    def measure() -> int:
        with count_queries() as counter:
            assert client.get(API, headers=admin).status_code == 200
        return counter.count
    every_type(banks.create_bank(course, banks.BankData("One"), by=org.admin), by=org.admin)
    db.session.commit()
    few = measure()
    for number in range(6):
        every_type(banks.create_bank(course, banks.BankData(f"B{number}"), by=org.admin),
                   by=org.admin)
    db.session.commit()
    assert measure() == few


def test_bank_detail_has_every_question_with_its_key(client, org, bank, admin):
    response = client.get(f"{API}{bank.id}", headers=bearer(org.admin, READ))

    body = response.get_json()
    assert response.status_code == 200 and len(body["questions"]) == 5
    first = body["questions"][0]
    assert first["spec"] == {"choices": CHOICES, "correct": ["a"]}
    assert first["prompt"] == "What opens a **discovery** call best?"
    assert first["prompt_html"] == "<p>What opens a <strong>discovery</strong> call best?</p>"
    assert (first["tags"], first["key_version"], first["archived"]) == (
        ["discovery", "single"], 1, False)


@pytest.mark.parametrize("who", ["rep_a1a", "manager_a1", "leader_a", "exec"])
def test_non_admins_never_see_a_bank(client, org, course, bank, who):
    headers = bearer(getattr(org, who), WRITE)
    question = bank.questions[0]

    assert client.get(API, headers=headers).status_code == 403
    assert client.get(f"{API}{bank.id}", headers=headers).status_code == 404
    assert client.get(f"{API}{bank.id}/export", headers=headers).status_code == 404
    assert client.patch(f"{API}{bank.id}/questions/{question.id}", headers=headers,
                        json={"points": 5}).status_code == 404
    assert client.post(API, headers=headers, json={
        "course_id": course.id, "title": "Mine"}).status_code == 403
    assert count(QuestionBank) == 1 and db.session.get(Question, question.id).points == 1.0


def test_token_scopes_are_enforced(client, org, bank):
    assert client.get(API).status_code == 401
    read_only = bearer(org.admin, READ)
    assert client.get(API, headers=read_only).status_code == 200
    response = client.post(API, headers=read_only, json={"course_id": 1, "title": "X"})
    assert response.status_code == 403
    assert "assessments:write" in response.get_json()["errors"]["request"][0]
    people_only = bearer(org.admin, "people:read")
    assert client.get(API, headers=people_only).status_code == 403


def test_create_update_and_delete_a_bank(client, org, course, admin):
    response = client.post(API, headers=admin, json={"course_id": course.id,
                                                     "title": " Objections "})
    assert response.status_code == 201
    created = response.get_json()
    assert (created["title"], created["description"], created["questions"]) == (
        "Objections", "", [])

    response = client.patch(f"{API}{created['id']}", headers=admin,
                            json={"description": "Price and timing"})
    assert response.get_json()["title"] == "Objections"
    assert response.get_json()["description"] == "Price and timing"

    response = client.delete(f"{API}{created['id']}", headers=admin)
    assert response.status_code == 204 and response.get_data() == b""
    assert db.session.get(QuestionBank, created["id"]) is None


@pytest.mark.parametrize(("payload", "errors"), [
    ({"course_id": 999_999, "title": "X"}, {"course_id": ["No course has that id."]}),
    ({"title": "X"}, {"course_id": ["Missing data for required field."]}),
    ({"course_id": 1, "title": ""}, {"title": ["Length must be between 1 and 200."]}),
    ({"course_id": 1, "title": "X", "owner": 3}, {"owner": ["Unknown field."]}),
])
def test_bad_bank_payloads_answer_422_and_create_nothing(client, org, course, admin, payload,
                                                         errors):
    response = client.post(API, headers=admin, json=payload)

    assert response.status_code == 422 and response.get_json() == {"errors": errors}
    assert count(QuestionBank) == 0


def test_a_bank_in_use_is_not_deleted(client, org, bank, admin):
    answered(bank.questions[0], org.rep_a1a)
    db.session.commit()

    response = client.delete(f"{API}{bank.id}", headers=admin)

    assert response.status_code == 422
    assert "archive its questions instead" in response.get_json()["errors"]["request"][0]
    assert count(Question) == 5


# --- questions -------------------------------------------------------------------------------

def test_add_a_question_with_a_json_key(client, org, bank, admin):
    response = client.post(f"{API}{bank.id}/questions", headers=admin, json={
        "type": "multiple", "prompt": "Which _help_ discovery?",
        "spec": {"choices": ["Silence", "Monologue", "Open questions"],
                 "correct": ["a", "c"]},
        "points": 2, "tags": ["Listening Skills"], "archived": True})

    assert response.status_code == 201
    body = response.get_json()
    assert body["spec"] == {"choices": [{"key": "a", "text": "Silence"},
                                        {"key": "b", "text": "Monologue"},
                                        {"key": "c", "text": "Open questions"}],
                            "correct": ["a", "c"], "partial_credit": False}
    assert (body["position"], body["points"], body["tags"], body["archived"]) == (
        5, 2.0, ["listening-skills"], True)
    assert body["prompt_html"] == "<p>Which <em>help</em> discovery?</p>"


@pytest.mark.parametrize(("payload", "errors"), [
    ({"type": "single", "prompt": "Q?", "spec": {"choices": ["A", "B"]}},
     {"spec": ["Mark the right choice."]}),
    ({"type": "single", "prompt": "Q?", "points": 0,
      "spec": {"choices": ["A", "B"], "correct": "a"}},
     {"points": ["Points must be more than 0."]}),
    ({"type": "essay", "prompt": "Q?", "spec": {}},
     {"type": ["Must be one of: single, multiple, true_false, short_text, numeric."]}),
    ({"type": "true_false", "prompt": "A pitch should come before discovery.",
      "spec": {"correct": True}}, {"prompt": ["This bank already has a question with that "
                                              "wording."]}),
    ({"type": "true_false", "prompt": "Q?"}, {"spec": ["Missing data for required field."]}),
])
def test_bad_questions_answer_422_with_the_field_and_add_nothing(client, org, bank, admin,
                                                                 payload, errors):
    response = client.post(f"{API}{bank.id}/questions", headers=admin, json=payload)

    assert response.status_code == 422 and response.get_json() == {"errors": errors}
    assert count(Question) == 5


def test_patch_a_key_raises_the_key_version_and_moves_the_question(client, org, bank, admin):
    question = bank.questions[4]  # numeric

    response = client.patch(f"{API}{bank.id}/questions/{question.id}", headers=admin,
                            json={"spec": {"value": 25, "tolerance": 1}, "position": 0,
                                  "archived": True})

    body = response.get_json()
    assert response.status_code == 200
    assert (body["key_version"], body["spec"]["tolerance"], body["archived"]) == (2, 1.0, True)
    assert body["position"] == 0
    assert [q.type for q in db.session.get(QuestionBank, bank.id).questions][:2] == [
        "numeric", "single"]

    response = client.patch(f"{API}{bank.id}/questions/{question.id}", headers=admin,
                            json={"points": 3})
    assert (response.get_json()["points"], response.get_json()["key_version"]) == (3.0, 2)


def test_a_question_is_reached_only_through_its_own_bank(client, org, course, bank, admin):
    other = banks.create_bank(course, banks.BankData("Other"), by=org.admin)
    stranger = single(other, by=org.admin)
    db.session.commit()

    url = f"{API}{bank.id}/questions/{stranger.id}"
    assert client.patch(url, headers=admin, json={"points": 2}).status_code == 404
    assert client.delete(url, headers=admin).status_code == 404
    assert db.session.get(Question, stranger.id) is not None


def test_delete_a_question_unless_answered(client, org, bank, admin):
    first, second = bank.questions[0], bank.questions[1]
    answered(first, org.rep_a1a)
    db.session.commit()

    response = client.delete(f"{API}{bank.id}/questions/{first.id}", headers=admin)
    assert response.status_code == 422
    assert "archive it instead" in response.get_json()["errors"]["request"][0]
    response = client.delete(f"{API}{bank.id}/questions/{second.id}", headers=admin)
    assert response.status_code == 204 and count(Question) == 4


# --- the exchange document -------------------------------------------------------------------

def test_export_and_reimport_change_nothing(client, org, bank, admin):
    document = client.get(f"{API}{bank.id}/export", headers=admin).get_json()
    assert document == bank_exchange.export_json(bank)

    response = client.post(f"{API}{bank.id}/import", headers=admin, json=document)

    assert response.status_code == 200
    assert response.get_json() == {
        "bank": response.get_json()["bank"], "created": 0, "updated": 0, "unchanged": 5}
    assert response.get_json()["bank"]["questions_active"] == 5


def test_import_a_new_bank_for_a_course(client, org, course, bank, admin):
    document = bank_exchange.export_json(bank)
    document["title"] = "Copy"

    response = client.post(f"{API}import?course_id={course.id}", headers=admin, json=document)

    assert response.status_code == 201
    body = response.get_json()
    assert (body["bank"]["title"], body["bank"]["course_id"], body["created"]) == (
        "Copy", course.id, 5)
    copy = db.session.get(QuestionBank, body["bank"]["id"])
    assert bank_exchange.export_json(copy) == document


def test_a_bad_document_answers_422_by_question_and_writes_nothing(client, org, course, bank,
                                                                   admin):
    document = bank_exchange.export_json(bank)
    document["questions"][1]["points"] = -1
    document["questions"][3]["spec"] = {"accepted": []}

    response = client.post(f"{API}{bank.id}/import", headers=admin, json=document)
    assert response.status_code == 422
    assert response.get_json() == {"errors": {
        "questions.1.points": ["Points must be more than 0."],
        "questions.3.spec": ["Give at least one accepted answer."]}}

    document["questions"][0]["type"] = "essay"
    response = client.post(f"{API}import?course_id={course.id}", headers=admin, json=document)
    assert response.status_code == 422
    assert response.get_json()["errors"]["questions.0.type"] == [
        "Must be one of: single, multiple, true_false, short_text, numeric."]
    assert count(QuestionBank) == 1 and count(Question) == 5
    assert client.post(f"{API}import", headers=admin, json=document).status_code == 422


# --- OpenAPI ---------------------------------------------------------------------------------

def test_openapi_documents_every_bank_route_and_stays_valid(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    routes = api_routes(app, "banks_api")
    assert routes and routes <= documented_routes(spec), routes - documented_routes(spec)
    assert {"assessments:read", "assessments:write"} <= set(SCOPES)
