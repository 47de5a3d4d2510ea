"""The courses REST API: catalog, authoring, export, enrolments, progress and completion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from courses import exchange
from courses.models import (
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    LessonProgress,
    PrerequisiteKind,
)
from courses.services import authoring, enrolment, player
from lms.extensions import db
from tests import factories
from tests.api_support import api_routes, documented_routes, token_maker

pytestmark = pytest.mark.usefixtures("ctx")

API = "/api/v1/courses/"
READ, WRITE = "courses:read", "courses:write"
bearer = token_maker(READ)


@pytest.fixture
def catalog(org):
    """A published rep course, a published manager course, a draft and an archived course."""
    rep = factories.course(title="Discovery Calls", audience=("rep",), by=org.admin)
    manager = factories.course(title="Coaching the Coach", audience=("manager",), by=org.admin)
    draft = factories.course(title="Secret Draft", published=False, by=org.admin)
    archived = factories.course(title="Old Pitch", by=org.admin)
    authoring.set_archived(archived, True, by=org.admin)
    tagged = authoring.draft_for_editing(manager, by=org.admin)
    tagged.tag_list = ["coaching", "one-to-ones"]
    authoring.publish(manager, by=org.admin)
    return {"rep": rep, "manager": manager, "draft": draft, "archived": archived}


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]


# --- the catalog -------------------------------------------------------------------------------

def test_member_lists_published_courses_only(client, org, catalog):
    response = client.get(API, headers=bearer(org.rep_a1a))

    assert titles(response) == ["Coaching the Coach", "Discovery Calls"]
    assert response.get_json()["meta"] == {"page": 1, "per_page": 50, "total": 2, "pages": 1}
    item = response.get_json()["items"][1]
    assert item["id"] == catalog["rep"].id and item["status"] == "published"
    assert item["audience"] == ["rep"] and item["version"] == 1 and item["has_draft"] is False


def test_member_asking_for_drafts_still_sees_no_draft(client, org, catalog):
    response = client.get(API + "?status=draft", headers=bearer(org.leader_a))

    assert titles(response) == []


def test_admin_lists_every_course_and_filters_by_status(client, org, catalog):
    headers = bearer(org.admin)

    assert titles(client.get(API, headers=headers)) == [
        "Coaching the Coach", "Discovery Calls", "Old Pitch", "Secret Draft"]
    assert titles(client.get(API + "?status=draft", headers=headers)) == ["Secret Draft"]
    assert titles(client.get(API + "?status=archived", headers=headers)) == ["Old Pitch"]


@pytest.mark.parametrize(("query", "expected"), [
    ("q=coach", ["Coaching the Coach"]),
    ("q=CALLS", ["Discovery Calls"]),
    ("q=%25", []),
    ("level=manager", ["Coaching the Coach"]),
    ("level=rep", ["Discovery Calls"]),
    ("tag=one-to-ones", ["Coaching the Coach"]),
    ("tag=one", []),
    ("per_page=1&page=2", ["Discovery Calls"]),
])
def test_list_searches_and_filters(client, org, catalog, query, expected):
    assert titles(client.get(f"{API}?{query}", headers=bearer(org.rep_a1a))) == expected


def test_list_query_arguments_are_checked(client, org):
    response = client.get(API + "?level=intern&per_page=500", headers=bearer(org.rep_a1a))

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"level", "per_page"}


def test_list_query_count_does_not_grow_with_courses(client, org, count_queries):
    headers = bearer(org.admin)
    counts = []
    for extra in (2, 6):
        for _ in range(extra):
            factories.course(by=org.admin)
            factories.course(published=False, by=org.admin)
        with count_queries() as counter:
            assert client.get(API, headers=headers).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_detail_gives_the_current_outline_and_prerequisites(client, org, catalog):
    course = catalog["rep"]
    authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION, catalog["manager"],
                               by=org.admin)
    draft = authoring.draft_for_editing(course, by=org.admin)
    authoring.add_module(course, "Only in the draft", by=org.admin)
    db.session.flush()

    body = client.get(f"{API}{course.id}", headers=bearer(org.rep_a1a)).get_json()

    assert body["version_status"] == "current" and body["version"] == 1
    assert body["has_draft"] is True
    assert [m["title"] for m in body["modules"]] == ["Module 1"]
    lessons = body["modules"][0]["lessons"]
    assert [lesson["key"] for lesson in lessons] == [
        lesson.key for lesson in course.current_version.lessons]
    assert set(lessons[0]) == {"key", "kind", "title", "is_required", "estimated_minutes"}
    assert body["prerequisites"] == [{
        "kind": "manager_completion", "course_id": catalog["manager"].id,
        "course_slug": catalog["manager"].slug, "course_title": "Coaching the Coach"}]
    admin_view = client.get(f"{API}{course.id}?version=draft", headers=bearer(org.admin))
    assert admin_view.get_json()["version"] == draft.number
    assert [m["title"] for m in admin_view.get_json()["modules"]] == [
        "Module 1", "Only in the draft"]


def test_only_admins_see_drafts(client, org, catalog):
    rep = bearer(org.rep_a1a)

    assert client.get(f"{API}{catalog['draft'].id}", headers=rep).status_code == 404
    assert client.get(f"{API}{catalog['rep'].id}?version=draft", headers=rep).status_code == 403
    draft = client.get(f"{API}{catalog['draft'].id}", headers=bearer(org.admin))
    assert draft.status_code == 200 and draft.get_json()["version_status"] == "draft"
    none = client.get(f"{API}{catalog['rep'].id}?version=draft", headers=bearer(org.admin))
    assert none.status_code == 404
    assert none.get_json() == {"errors": {"request": ["This course has no unpublished draft."]}}


# --- authoring ---------------------------------------------------------------------------------

def test_admin_creates_a_draft_course(client, org):
    response = client.post(API, json={"title": "Running 1:1s", "audience": ["manager"],
                                      "tags": ["Coaching"], "estimated_minutes": 50,
                                      "self_enrol": False},
                           headers=bearer(org.admin, WRITE))

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    course = db.session.get(Course, body["id"])
    assert course.slug == "running-1-1s" == body["slug"]
    assert course.status == CourseStatus.DRAFT and body["version_status"] == "draft"
    assert body["audience"] == ["manager"] and body["tags"] == ["coaching"]
    assert course.owner_id == org.admin.id and course.self_enrol is False


def test_admin_updates_details_into_a_draft(client, org, catalog):
    course = catalog["rep"]

    response = client.patch(f"{API}{course.id}", json={"summary": "Ask first.",
                                                       "slug": "discovery"},
                            headers=bearer(org.admin, WRITE))

    assert response.status_code == 200, response.get_json()
    assert course.slug == "discovery"
    assert course.draft_version.summary == "Ask first."
    assert course.draft_version.title == course.current_version.title  # untouched fields
    assert course.current_version.summary == ""  # learners see no change until publish
    assert response.get_json()["version_status"] == "draft"


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": "X", "bogus": 1}, "bogus"),
    ({"title": ""}, "title"),
    ({"title": "X", "audience": ["intern"]}, "audience.0"),
    ({"title": "X", "estimated_minutes": 0}, "estimated_minutes"),
    ({"title": "X", "id": 5}, "id"),
    ({"title": "X", "owner_id": 999_999}, "owner_id"),
    ({"title": "X", "slug": "Not A Slug"}, "slug"),
])
def test_create_refuses_bad_fields_in_the_error_shape(client, org, payload, field):
    before = db.session.scalar(select(func.count()).select_from(Course))

    response = client.post(API, json=payload, headers=bearer(org.admin, WRITE))

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]
    assert db.session.scalar(select(func.count()).select_from(Course)) == before


def test_duplicate_slug_is_a_field_error_and_changes_nothing(client, org, catalog):
    response = client.patch(f"{API}{catalog['rep'].id}",
                            json={"slug": catalog["manager"].slug, "title": "Renamed"},
                            headers=bearer(org.admin, WRITE))

    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["slug"]
    db.session.refresh(catalog["rep"])
    assert catalog["rep"].draft_version is None and catalog["rep"].title == "Discovery Calls"


def test_members_cannot_author(client, org, catalog):
    headers = bearer(org.leader_a, WRITE)
    course = catalog["rep"]

    assert client.post(API, json={"title": "Mine"}, headers=headers).status_code == 403
    assert client.patch(f"{API}{course.id}", json={"summary": "x"},
                        headers=headers).status_code == 403
    assert client.post(f"{API}{course.id}/publish", headers=headers).status_code == 403
    assert client.get(f"{API}{course.id}/export", headers=headers).status_code == 403


def test_read_scope_cannot_write(client, org):
    response = client.post(API, json={"title": "Nope"}, headers=bearer(org.admin, READ))

    assert response.status_code == 403
    assert "courses:write" in response.get_json()["errors"]["request"][0]


def test_admin_publishes_the_draft(client, org, catalog):
    course = catalog["draft"]

    response = client.post(f"{API}{course.id}/publish", headers=bearer(org.admin, WRITE))

    assert response.status_code == 200
    assert response.get_json()["status"] == "published"
    assert response.get_json()["version_status"] == "current"
    assert course.current_version.published_by_id == org.admin.id
    again = client.post(f"{API}{course.id}/publish", headers=bearer(org.admin, WRITE))
    assert again.status_code == 422
    assert again.get_json() == {"errors": {"request": ["There are no unpublished changes."]}}


def test_api_export_is_the_html_export(client, login, org, catalog):
    course = catalog["manager"]

    response = client.get(f"{API}{course.id}/export", headers=bearer(org.admin))

    assert response.status_code == 200
    assert response.get_json() == exchange.export_course(course)
    login(org.admin)
    assert client.get(f"/courses/manage/{course.id}/export.json").get_json() == (
        response.get_json())


# --- enrolments and progress -------------------------------------------------------------------

@pytest.fixture
def selling(org):
    course = factories.course(title="Discovery Calls", lessons=3, by=org.admin)
    for rep in (org.rep_a1a, org.rep_a1b, org.rep_b1a):
        enrolment.enrol(rep, course, by=org.admin)
    return course


def test_enrolments_list_the_subtree_with_progress(client, org, selling):
    mine = db.session.scalar(select(Enrollment).where(Enrollment.user_id == org.rep_a1a.id))
    player.complete_lesson(mine, selling.current_version.lessons[0], by=org.rep_a1a)
    mine.due_at = datetime(2000, 1, 1, tzinfo=UTC)
    db.session.flush()

    response = client.get(f"{API}{selling.id}/enrollments", headers=bearer(org.manager_a1))

    items = response.get_json()["items"]
    assert [item["user_name"] for item in items] == ["Rita Rep", "Ron Rep"]
    assert items[0]["progress"] == {"done": 1, "required": 3, "percent": 33}
    assert items[0]["overdue"] is True and items[0]["status"] == "active"
    assert items[0]["due_at"].startswith("2000-01-01")
    assert items[1]["progress"] == {"done": 0, "required": 3, "percent": 0}
    admin = client.get(f"{API}{selling.id}/enrollments", headers=bearer(org.admin))
    assert admin.get_json()["meta"]["total"] == 3
    own = client.get(f"{API}{selling.id}/enrollments", headers=bearer(org.rep_b1a))
    assert [item["user_name"] for item in own.get_json()["items"]] == ["Raj Rep"]


def test_enrolments_list_filters_by_status(client, org, selling):
    enrolled = db.session.scalar(select(Enrollment).where(Enrollment.user_id == org.rep_a1b.id))
    enrolment.unenrol(enrolled, by=org.admin)

    response = client.get(f"{API}{selling.id}/enrollments?status=withdrawn",
                          headers=bearer(org.admin))

    assert [item["user_name"] for item in response.get_json()["items"]] == ["Ron Rep"]


def test_enrolments_query_count_does_not_grow_with_rows(client, org, count_queries):
    course = factories.course(lessons=4, modules=2, by=org.admin)
    headers = bearer(org.admin)
    counts = []
    for extra in (1, 6):
        for _ in range(extra):
            learner = factories.person()
            # Self-enrolment sends no email, whose delivery would add queries of its own.
            mine = enrolment.enrol(learner, course, by=learner)
            player.complete_lesson(mine, course.current_version.lessons[0], by=learner)
        with count_queries() as counter:
            assert client.get(f"{API}{course.id}/enrollments", headers=headers).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_manager_enrols_their_reps_with_a_due_date(client, org, selling):
    course = factories.course(title="Objections", by=org.admin)

    response = client.post(f"{API}{course.id}/enrollments",
                           json={"user_ids": [org.rep_a1a.id, org.rep_a1b.id, org.rep_a1a.id],
                                 "due_at": "2030-06-30T17:00:00"},
                           headers=bearer(org.manager_a1, WRITE))

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"enrolled": 2, "reactivated": 0, "already": 0,
                                   "waiting": 0, "locked": 0}
    rows = db.session.scalars(select(Enrollment).where(Enrollment.course_id == course.id)).all()
    assert {row.user_id for row in rows} == {org.rep_a1a.id, org.rep_a1b.id}
    assert all(row.due_at == datetime(2030, 6, 30, 17, tzinfo=UTC) for row in rows)
    assert all(row.enrolled_by_id == org.manager_a1.id for row in rows)


def test_enrolling_someone_outside_the_subtree_names_them_and_writes_nothing(client, org):
    course = factories.course(by=org.admin)

    response = client.post(f"{API}{course.id}/enrollments",
                           json={"user_ids": [org.rep_a1a.id, org.rep_b1a.id, 999_999]},
                           headers=bearer(org.manager_a1, WRITE))

    assert response.status_code == 404
    assert response.get_json() == {"errors": {
        "user_ids.1": [f"No one with id {org.rep_b1a.id} is in your team."],
        "user_ids.2": ["No one with id 999999 is in your team."]}}
    assert db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course.id)) == 0


def test_reps_cannot_enrol_others(client, org):
    course = factories.course(by=org.admin)

    response = client.post(f"{API}{course.id}/enrollments", json={"user_ids": [org.rep_a1a.id]},
                           headers=bearer(org.rep_a1a, WRITE))

    assert response.status_code == 403


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "user_ids"),
    ({"user_ids": []}, "user_ids"),
    ({"user_ids": ["7"]}, "user_ids.0"),
    ({"user_ids": [1], "due_at": "soon"}, "due_at"),
    ({"user_ids": [1], "everyone": True}, "everyone"),
])
def test_enrol_body_is_checked(client, org, payload, field):
    course = factories.course(by=org.admin)

    response = client.post(f"{API}{course.id}/enrollments", json=payload,
                           headers=bearer(org.admin, WRITE))

    assert response.status_code == 422 and list(response.get_json()["errors"]) == [field]


def test_draft_course_takes_no_enrolments(client, org):
    course = factories.course(published=False, by=org.admin)

    response = client.post(f"{API}{course.id}/enrollments", json={"user_ids": [org.rep_a1a.id]},
                           headers=bearer(org.admin, WRITE))

    assert response.status_code == 422
    assert response.get_json()["errors"]["request"] == [
        "Only a published course takes enrolments."]


# --- the learner's own enrolments and completing lessons ---------------------------------------

@pytest.fixture
def locked(org):
    """A rep course that waits for the rep's manager to complete the manager course."""
    manager_course = factories.course(title="Coaching the Coach", audience=("manager",),
                                      by=org.admin)
    rep_course = factories.course(title="Discovery Calls", by=org.admin)
    authoring.add_prerequisite(rep_course, PrerequisiteKind.MANAGER_COMPLETION, manager_course,
                               by=org.admin)
    enrolment.enrol(org.rep_a1a, rep_course, by=org.manager_a1)
    return rep_course, manager_course


def test_my_enrolments_say_why_a_course_is_locked(client, org, locked):
    rep_course, _ = locked
    open_course = factories.course(title="Open Course", lessons=2, by=org.admin)
    mine = enrolment.enrol(org.rep_a1a, open_course, by=org.rep_a1a)
    player.complete_lesson(mine, open_course.current_version.lessons[0], by=org.rep_a1a)

    response = client.get(API + "me/enrollments", headers=bearer(org.rep_a1a))

    items = {item["course"]["title"]: item for item in response.get_json()["items"]}
    assert items["Discovery Calls"]["locked"] is True
    assert items["Discovery Calls"]["lock_reasons"] == [
        "Locked until your manager, Dana Reyes, completes “Coaching the Coach”."]
    assert items["Discovery Calls"]["course"]["id"] == rep_course.id
    assert items["Open Course"]["locked"] is False and items["Open Course"]["lock_reasons"] == []
    assert items["Open Course"]["progress"] == {"done": 1, "required": 2, "percent": 50}
    assert items["Open Course"]["resume_lesson_key"] == open_course.current_version.lessons[0].key


def test_my_enrolments_unlock_when_the_manager_completes(client, org, locked):
    rep_course, manager_course = locked
    theirs = enrolment.enrol(org.manager_a1, manager_course, by=org.manager_a1)
    for lesson in manager_course.current_version.lessons:
        player.complete_lesson(theirs, lesson, by=org.manager_a1)

    response = client.get(API + "me/enrollments", headers=bearer(org.rep_a1a))

    assert response.get_json()["items"][0]["locked"] is False


def test_my_enrolments_query_count_does_not_grow(client, org, count_queries):
    headers = bearer(org.rep_a1a)
    gate = factories.course(audience=("manager",), by=org.admin)
    counts = []
    for extra in (1, 5):
        for _ in range(extra):
            course = factories.course(by=org.admin)
            kind = (PrerequisiteKind.LEADER_COMPLETION if extra == 5
                    else PrerequisiteKind.MANAGER_COMPLETION)
            authoring.add_prerequisite(course, kind, gate, by=org.admin)
            enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
        with count_queries() as counter:
            assert client.get(API + "me/enrollments", headers=headers).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_learner_completes_a_lesson(client, org, selling):
    lessons = selling.current_version.lessons

    response = client.post(f"{API}{selling.id}/lessons/{lessons[1].key}/complete",
                           headers=bearer(org.rep_a1a, WRITE))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["lesson_key"] == lessons[1].key and body["status"] == "active"
    assert body["progress"] == {"done": 1, "required": 3, "percent": 33}
    assert db.session.scalar(select(LessonProgress.lesson_key)) == lessons[1].key


def test_completing_the_last_lesson_completes_the_course(client, org, selling):
    headers = bearer(org.rep_a1a, WRITE)
    for lesson in selling.current_version.lessons:
        response = client.post(f"{API}{selling.id}/lessons/{lesson.key}/complete",
                               headers=headers)

    assert response.get_json()["status"] == "completed"
    assert response.get_json()["completed_at"] is not None
    mine = db.session.scalar(select(Enrollment).where(Enrollment.user_id == org.rep_a1a.id))
    assert mine.status == EnrollmentStatus.COMPLETED


def test_completing_a_locked_course_is_a_conflict_with_the_reason(client, org, locked):
    rep_course, _ = locked
    key = rep_course.current_version.lessons[0].key

    response = client.post(f"{API}{rep_course.id}/lessons/{key}/complete",
                           headers=bearer(org.rep_a1a, WRITE))

    assert response.status_code == 409
    assert response.get_json() == {"errors": {"request": [
        "Locked until your manager, Dana Reyes, completes “Coaching the Coach”."]}}
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_completing_without_an_enrolment_is_refused(client, org, selling):
    key = selling.current_version.lessons[0].key
    withdrawn = db.session.scalar(select(Enrollment).where(Enrollment.user_id == org.rep_a1b.id))
    enrolment.unenrol(withdrawn, by=org.admin)

    stranger = client.post(f"{API}{selling.id}/lessons/{key}/complete",
                           headers=bearer(org.rep_a2a, WRITE))
    gone = client.post(f"{API}{selling.id}/lessons/{key}/complete",
                       headers=bearer(org.rep_a1b, WRITE))
    unknown = client.post(f"{API}{selling.id}/lessons/nope/complete",
                          headers=bearer(org.rep_a1a, WRITE))

    assert stranger.status_code == 409 and gone.status_code == 409
    assert stranger.get_json()["errors"]["request"] == ["You are not enrolled in this course."]
    assert unknown.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_completing_needs_the_write_scope(client, org, selling):
    key = selling.current_version.lessons[0].key

    response = client.post(f"{API}{selling.id}/lessons/{key}/complete",
                           headers=bearer(org.rep_a1a, READ))

    assert response.status_code == 403


def test_requests_without_a_token_get_401(client, org, selling):
    for method, url in (("GET", API), ("GET", f"{API}{selling.id}"),
                        ("GET", API + "me/enrollments"), ("POST", API)):
        response = client.open(url, method=method, json={})
        assert response.status_code == 401 and "errors" in response.get_json()


# --- the OpenAPI document ----------------------------------------------------------------------

def test_openapi_document_stays_valid_and_lists_every_course_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()

    validate(spec)
    routes = api_routes(app, "courses_api")
    documented = documented_routes(spec)
    assert len(routes) == 10
    assert routes <= documented, routes - documented
    create = spec["paths"]["/api/v1/courses/"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CourseCreate"}
    assert spec["components"]["schemas"]["CourseCreate"]["additionalProperties"] is False
    complete = spec["paths"]["/api/v1/courses/{course_id}/lessons/{key}/complete"]["post"]
    assert {"401", "403", "409"} <= set(complete["responses"])
