"""Authoring pages: every page and form for admins, bad input beside its field, 403 for others.

Data is set up before signing in: the sign-in request commits it, so a view that rolls back
a refused change cannot take the test's own set-up with it.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Lesson,
    LessonKind,
    Prerequisite,
    PrerequisiteKind,
)
from courses.services import authoring
from lms.audit.models import AuditEntry
from lms.web.files import StoredFile
from lms.web.markdown import MAX_MARKDOWN
from tests import factories
from tests.authz_matrix import Case
from tests.courses.matrix_authoring import PDF, file_course
from tests.courses.test_files import image

pytestmark = pytest.mark.usefixtures("ctx")

MANAGE = "/courses/manage"


@pytest.fixture
def admin_client(client, login, org):
    login(org.admin)
    return client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def post(client, url: str, data: dict | None = None, status: int = 302, **kwargs):
    response = client.post(url, data=data or {}, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error shown beside {field}"
    return match.group(1)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def course_form(**changes) -> dict:
    return {"title": "Coaching the Coach", "slug": "", "summary": "Run a weekly 1:1.",
            "audience": ["manager", "leader"], "tags": "Coaching, Rhythm ,coaching",
            "estimated_minutes": "90", "owner_email": "", "self_enrol": "y", **changes}


def lesson_form(**changes) -> dict:
    return {"title": "Why weekly", "body_markdown": "Keep the **rhythm**.",
            "estimated_minutes": "7", "is_required": "y", **changes}


def upload(data: bytes, name: str, **fields) -> dict:
    return {"data": {**lesson_form(title="Job aid", body_markdown=""), **fields,
                     "file": (io.BytesIO(data), name)},
            "content_type": "multipart/form-data"}


# --- the list ----------------------------------------------------------------------------------

def test_course_list_shows_every_course_with_status_version_and_publication(
        client, login, org):
    live = factories.course(title="Live course", by=org.admin)
    authoring.add_module(live, "Pending", by=org.admin)
    factories.course(title="Draft course", published=False, by=org.admin)
    old = factories.course(title="Old course", by=org.admin)
    authoring.set_archived(old, True, by=org.admin)
    login(org.admin)
    html = page(client, f"{MANAGE}/")
    for title in ("Live course", "Draft course", "Old course"):
        assert title in html
    assert "unpublished changes" in html and "draft v2" in html and "archived" in html
    assert "Never" in html  # the draft course's last publication
    only_archived = page(client, f"{MANAGE}/?status=archived")
    assert "Old course" in only_archived and "Live course" not in only_archived


def test_course_list_searches_titles_slugs_and_tags(client, login, org):
    factories.course(title="Inspecting Pipelines", by=org.admin)
    factories.course(title="Discovery Calls", by=org.admin)
    login(org.admin)
    html = page(client, f"{MANAGE}/?q=pipel")
    assert "Inspecting Pipelines" in html and "Discovery Calls" not in html
    assert "Discovery Calls" not in page(client, f"{MANAGE}/?q=100%25")


def test_course_list_query_count_does_not_grow_with_courses(
        client, login, org, session, count_queries):
    def measure(extra: int) -> int:
        for _ in range(extra):
            course = factories.course(by=org.admin)
            authoring.add_module(course, "Pending", by=org.admin)
        login(org.admin)
        session.expire_all()  # as on a server: nothing is loaded when the request starts
        with count_queries() as counter:
            page(client, f"{MANAGE}/")
        return counter.count
    assert measure(2) == measure(12)


# --- create and edit details -------------------------------------------------------------------

def test_admin_creates_a_course_with_every_detail(admin_client, org, session):
    response = post(admin_client, f"{MANAGE}/new", course_form(
        owner_email=org.leader_a.email, self_enrol=""))
    course = session.scalar(select(Course).where(Course.slug == "coaching-the-coach"))
    assert response.location.endswith(f"{MANAGE}/{course.id}")
    version = course.draft_version
    assert (version.title, version.summary, version.estimated_minutes, version.number) == (
        "Coaching the Coach", "Run a weekly 1:1.", 90, 1)
    assert version.audience == ",manager,leader," and version.tag_list == ["coaching", "rhythm"]
    assert course.owner_id == org.leader_a.id and course.self_enrol is False
    assert course.status == CourseStatus.DRAFT
    assert session.scalar(select(AuditEntry.action).where(
        AuditEntry.object_id == course.id, AuditEntry.object_type == "Course")) == "course.create"


def test_owner_defaults_to_the_author(admin_client, org, session):
    post(admin_client, f"{MANAGE}/new", course_form(title="Mine"))
    assert session.scalar(select(Course).where(Course.slug == "mine")).owner_id == org.admin.id


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"slug": "taken"}, "slug", "already uses the address"),
    ({"title": "Taken"}, "slug", "already uses the address"),  # the generated slug clashes
    ({"slug": "Not A Slug"}, "slug", "single hyphens"),
    ({"title": ""}, "title", "A title is required."),
    ({"audience": []}, "audience", "Choose at least one audience level."),
    ({"audience": ["wizard"]}, "audience", "not a valid choice"),
    ({"estimated_minutes": "0"}, "estimated_minutes", "minutes"),
    ({"owner_email": "nobody@example.test"}, "owner_email", "No one has that email."),
])
def test_bad_course_details_are_shown_beside_the_field_and_create_nothing(
        client, login, org, session, changes, field, message):
    factories.course(title="Taken", by=org.admin).slug = "taken"
    session.flush()
    login(org.admin)
    before = count(session, Course)
    html = post(client, f"{MANAGE}/new", course_form(**changes), status=422).get_data(
        as_text=True)
    assert message in field_error(html, field)
    assert count(session, Course) == before


def test_editing_details_of_a_published_course_goes_to_a_draft(client, login, org):
    course = factories.course(title="Discovery Calls", by=org.admin)
    login(org.admin)
    form_html = page(client, f"{MANAGE}/{course.id}/details")
    assert 'value="Discovery Calls"' in form_html
    assert re.search(r'<input[^>]*value="rep"[^>]* checked', form_html)
    assert not re.search(r'<input[^>]*value="manager"[^>]* checked', form_html)
    post(client, f"{MANAGE}/{course.id}/details",
         course_form(title="Discovery Calls, revised", slug="discovery"))
    assert course.current_version.title == "Discovery Calls"
    assert course.draft_version.title == "Discovery Calls, revised"
    assert course.slug == "discovery"
    html = page(client, f"{MANAGE}/{course.id}")
    assert "Unpublished changes" in html
    assert "learners follow version 1" in html and "draft version 2" in html


def test_duplicate_slug_on_edit_changes_nothing(client, login, org, session):
    factories.course(by=org.admin).slug = "taken"
    course = factories.course(title="Mine", by=org.admin)
    session.flush()
    login(org.admin)
    html = post(client, f"{MANAGE}/{course.id}/details", course_form(slug="taken"),
                status=422).get_data(as_text=True)
    assert "already uses" in field_error(html, "slug")
    assert course.slug != "taken" and course.draft_version_id is None


# --- the editor --------------------------------------------------------------------------------

def test_editor_shows_modules_and_lessons_in_order_with_their_controls(client, login, org):
    course = factories.course(modules=2, lessons=2, by=org.admin)
    login(org.admin)
    html = page(client, f"{MANAGE}/{course.id}")
    positions = [html.index(f"Lesson {m}.{n}") for m in (1, 2) for n in (1, 2)]
    assert positions == sorted(positions)
    first = course.current_version.modules[0]
    assert f"/modules/{first.key}/move/down" in html and f"/modules/{first.key}/move/up" not in html
    assert f"/modules/{first.key}/lessons/new?kind=video" in html
    assert 'id="reorder-csrf"' in html and "js/reorder.js" in html
    assert "Published</strong> — version 1" in html


def test_editor_links_to_preview_and_export(client, login, org):
    course = factories.course(by=org.admin)
    login(org.admin)
    html = page(client, f"{MANAGE}/{course.id}")
    assert f'href="/courses/manage/{course.id}/preview"' in html
    assert f'href="/courses/manage/{course.id}/export.json"' in html


def test_editor_query_count_does_not_grow_with_modules_and_lessons(
        client, login, org, session, count_queries):
    def measure(modules: int, lessons: int) -> int:
        course = factories.course(modules=modules, lessons=lessons, by=org.admin)
        other = factories.course(by=org.admin)
        authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION, other,
                                   by=org.admin)
        authoring.add_module(course, "Draft module", by=org.admin)
        login(org.admin)
        session.expire_all()  # as on a server: nothing is loaded when the request starts
        with count_queries() as counter:
            page(client, f"{MANAGE}/{course.id}")
        return counter.count
    assert measure(2, 2) == measure(6, 8)


def test_non_admin_gets_403_on_a_published_course_and_404_on_a_draft(client, login, org):
    published = factories.course(by=org.admin)
    draft = factories.course(published=False, by=org.admin)
    login(org.manager_a1)
    assert client.get(f"{MANAGE}/").status_code == 403
    assert client.get(f"{MANAGE}/{published.id}").status_code == 403
    assert client.post(f"{MANAGE}/{published.id}/publish").status_code == 403
    assert client.get(f"{MANAGE}/{draft.id}").status_code == 404
    assert client.post(f"{MANAGE}/{draft.id}/modules", data={"title": "x"}).status_code == 404
    assert published.draft_version_id is None


# --- modules -----------------------------------------------------------------------------------

def test_adding_a_module_to_a_published_course_leaves_learners_version_alone(client, login, org):
    course = factories.course(modules=1, by=org.admin)
    login(org.admin)
    response = post(client, f"{MANAGE}/{course.id}/modules", {"title": "Inspecting pipelines"})
    new = course.draft_version.modules[-1]
    assert response.location.endswith(f"#module-{new.key}")
    assert [m.title for m in course.current_version.modules] == ["Module 1"]
    assert [m.title for m in course.draft_version.modules] == ["Module 1", "Inspecting pipelines"]


def test_module_without_title_is_refused_beside_the_field_and_starts_no_draft(
        client, login, org):
    course = factories.course(by=org.admin)
    login(org.admin)
    html = post(client, f"{MANAGE}/{course.id}/modules", {"title": "  "}, status=422).get_data(
        as_text=True)
    assert "A module needs a title." in field_error(html, "title")
    assert course.draft_version_id is None


def test_renaming_a_module(client, login, org):
    course = factories.course(by=org.admin)
    key = course.current_version.modules[0].key
    login(org.admin)
    assert 'value="Module 1"' in page(client, f"{MANAGE}/{course.id}/modules/{key}/edit")
    html = post(client, f"{MANAGE}/{course.id}/modules/{key}/edit", {"title": ""},
                status=422).get_data(as_text=True)
    assert "A module needs a title." in field_error(html, "title")
    assert course.draft_version_id is None
    post(client, f"{MANAGE}/{course.id}/modules/{key}/edit", {"title": "Opening"})
    assert course.draft_version.modules[0].title == "Opening"
    assert course.current_version.modules[0].title == "Module 1"


def test_deleting_a_module_removes_its_lessons_from_the_draft(client, login, org):
    course = factories.course(modules=2, lessons=2, by=org.admin)
    key = course.current_version.modules[0].key
    login(org.admin)
    post(client, f"{MANAGE}/{course.id}/modules/{key}/delete")
    assert [lesson.title for lesson in course.draft_version.lessons] == [
        "Lesson 2.1", "Lesson 2.2"]
    assert len(course.current_version.lessons) == 4


def test_moving_modules_up_and_down_and_not_past_the_end(client, login, org):
    course = factories.course(modules=3, lessons=1, published=False, by=org.admin)
    first, _second, third = course.draft_version.modules
    login(org.admin)
    post(client, f"{MANAGE}/{course.id}/modules/{first.key}/move/down")
    post(client, f"{MANAGE}/{course.id}/modules/{third.key}/move/up")
    assert [m.title for m in course.draft_version.modules] == [
        "Module 2", "Module 3", "Module 1"]
    post(client, f"{MANAGE}/{course.id}/modules/{first.key}/move/down")
    assert "already at that end" in page(client, f"{MANAGE}/{course.id}")
    assert [m.position for m in course.draft_version.modules] == [0, 1, 2]


def test_unknown_module_or_lesson_key_is_404(client, login, org):
    course = factories.course(by=org.admin)
    login(org.admin)
    assert client.post(f"{MANAGE}/{course.id}/modules/nope/delete").status_code == 404
    assert client.get(f"{MANAGE}/{course.id}/lessons/nope/edit").status_code == 404
    other = factories.course(by=org.admin).current_version.lessons[0]
    assert client.post(f"{MANAGE}/{course.id}/lessons/{other.key}/delete").status_code == 404
    assert course.draft_version_id is None


# --- drag-and-drop reorder ---------------------------------------------------------------------

def test_reorder_saves_the_dragged_module_order_in_a_draft(client, login, org):
    course = factories.course(modules=3, lessons=1, by=org.admin)
    keys = [m.key for m in course.current_version.modules]
    login(org.admin)
    response = client.post(f"{MANAGE}/{course.id}/reorder",
                           json={"module": None, "keys": keys[::-1]})
    assert response.status_code == 200
    assert response.get_json() == {"keys": keys[::-1], "draft_version": 2}
    assert [m.title for m in course.draft_version.modules] == ["Module 3", "Module 2", "Module 1"]
    assert [m.title for m in course.current_version.modules] == [
        "Module 1", "Module 2", "Module 3"]


def test_reorder_of_lessons_within_a_module(client, login, org):
    course = factories.course(modules=2, lessons=3, published=False, by=org.admin)
    module = course.draft_version.modules[1]
    keys = [lesson.key for lesson in module.lessons]
    login(org.admin)
    response = client.post(f"{MANAGE}/{course.id}/reorder",
                           json={"module": module.key, "keys": [keys[2], keys[0], keys[1]]})
    assert response.status_code == 200
    assert [lesson.title for lesson in module.lessons] == ["Lesson 2.3", "Lesson 2.1",
                                                           "Lesson 2.2"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"module": None, "keys": "abc"}, 422, "keys"),
    ({"module": 7, "keys": []}, 422, "keys"),
    ("not an object", 422, "keys"),
    ({"module": None, "keys": ["0" * 32]}, 422, "keys"),
    ({"module": "f" * 32, "keys": []}, 404, "module"),
])
def test_bad_reorder_is_refused_and_changes_nothing(client, login, org, body, status, field):
    course = factories.course(modules=2, lessons=1, by=org.admin)
    login(org.admin)
    response = client.post(f"{MANAGE}/{course.id}/reorder", json=body)
    assert response.status_code == status
    assert field in response.get_json()["errors"]
    assert course.draft_version_id is None


def test_reorder_needs_the_csrf_token_from_the_page(client, org, csrf_enabled):
    course = factories.course(modules=2, lessons=1, by=org.admin)
    keys = [m.key for m in course.current_version.modules][::-1]
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": org.admin.email, "password": factories.PASSWORD,
                                "csrf_token": token})
    url = f"{MANAGE}/{course.id}/reorder"
    assert client.post(url, json={"module": None, "keys": keys}).status_code == 400
    editor = page(client, f"{MANAGE}/{course.id}")
    token = re.search(r'id="reorder-csrf" value="([^"]+)"', editor).group(1)
    response = client.post(url, json={"module": None, "keys": keys},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert [m.key for m in course.draft_version.modules] == keys


# --- lessons -----------------------------------------------------------------------------------

def test_text_lesson_shows_a_sanitised_preview_after_saving(client, login, org):
    course = factories.course(lessons=1, published=False, by=org.admin)
    module = course.draft_version.modules[0]
    login(org.admin)
    response = post(client, f"{MANAGE}/{course.id}/modules/{module.key}/lessons/new",
                    lesson_form(body_markdown="Keep the **rhythm**. <script>alert(1)</script>"
                                              "[go](javascript:alert(1)) <b onclick=x()>b</b>"))
    lesson = module.lessons[-1]
    assert response.location.endswith(f"/manage/{course.id}?added={lesson.key}#lesson-{lesson.key}")
    assert (lesson.kind, lesson.estimated_minutes, lesson.is_required) == ("text", 7, True)
    html = page(client, f"{MANAGE}/{course.id}/lessons/{lesson.key}/edit")
    preview = html[html.index('id="preview"'):]
    assert "<strong>rhythm</strong>" in preview
    assert "<script>alert" not in html and "javascript:alert" not in preview
    assert "onclick" not in preview


def test_editing_a_lesson_of_a_published_course_changes_only_the_draft(client, login, org):
    course = factories.course(lessons=1, by=org.admin)
    lesson = course.current_version.lessons[0]
    login(org.admin)
    assert 'value="Lesson 1.1"' in page(client, f"{MANAGE}/{course.id}/lessons/{lesson.key}/edit")
    post(client, f"{MANAGE}/{course.id}/lessons/{lesson.key}/edit",
         lesson_form(title="Revised", is_required=""))
    draft_lesson = authoring.lesson_by_key(course.draft_version, lesson.key)
    assert (draft_lesson.title, draft_lesson.is_required) == ("Revised", False)
    assert (lesson.title, lesson.is_required) == ("Lesson 1.1", True)


def test_too_long_markdown_is_refused_beside_the_field_and_changes_nothing(
        client, login, org):
    course = factories.course(lessons=1, by=org.admin)
    lesson = course.current_version.lessons[0]
    login(org.admin)
    html = post(client, f"{MANAGE}/{course.id}/lessons/{lesson.key}/edit",
                lesson_form(body_markdown="x" * (MAX_MARKDOWN + 1)), status=422).get_data(
        as_text=True)
    assert "longer than 200,000 characters" in field_error(html, "body_markdown")
    assert course.draft_version_id is None and lesson.body_markdown == "Read this, part 1."


def test_video_lesson_with_a_file_address(client, login, org):
    course = factories.course(lessons=0, published=False, by=org.admin)
    module = course.draft_version.modules[0]
    login(org.admin)
    url = f"{MANAGE}/{course.id}/modules/{module.key}/lessons/new?kind=video"
    assert 'name="video_url"' in page(client, url)
    html = post(client, url, lesson_form(video_url="javascript:alert(1)"), status=422).get_data(
        as_text=True)
    assert "address of a video file" in field_error(html, "video_url")
    assert module.lessons == []
    response = post(client, url, lesson_form(video_url="https://media.example.test/1on1.mp4"))
    lesson = module.lessons[0]
    assert lesson.kind == LessonKind.VIDEO and f"added={lesson.key}" in response.location
    assert '<video class="w-100 mb-2" controls' in page(
        client, f"{MANAGE}/{course.id}/lessons/{lesson.key}/edit")


def test_unknown_lesson_kind_is_404(client, login, org):
    course = factories.course(by=org.admin)
    login(org.admin)
    key = course.current_version.modules[0].key
    assert client.get(f"{MANAGE}/{course.id}/modules/{key}/lessons/new?kind=quiz").status_code \
        == 404


def test_file_lesson_upload_is_stored_and_downloadable_by_the_admin(client, login, org):
    course = factories.course(lessons=0, published=False, by=org.admin)
    module = course.draft_version.modules[0]
    login(org.admin)
    response = post(client, f"{MANAGE}/{course.id}/modules/{module.key}/lessons/new?kind=file",
                    **upload(PDF, "Pipeline checklist.pdf"))
    lesson = module.lessons[0]
    assert (lesson.kind, lesson.file.content_type) == ("file", "application/pdf")
    html = page(client, response.location)
    assert "Pipeline checklist.pdf" in html
    download = client.get(f"{MANAGE}/{course.id}/lessons/{lesson.key}/file")
    assert download.status_code == 200 and download.get_data() == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Security-Policy"] == "sandbox"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"MZ\x90\x00" + bytes(200), "checklist.pdf", "not an allowed type"),
    (b"<html><body onload=alert(1)>hi</body></html>", "checklist.pdf", "web page"),
    (PDF + bytes(400), "big.pdf", "larger than the limit of 380 bytes"),
    (b"", "empty.pdf", "The file is empty."),
])
def test_disguised_oversized_or_missing_upload_is_refused_beside_the_field(
        app, client, login, org, session, monkeypatch, data, name, message):
    monkeypatch.setitem(app.config, "COURSE_FILE_MAX_BYTES", 380)
    course = factories.course(lessons=0, published=False, by=org.admin)
    module = course.draft_version.modules[0]
    login(org.admin)
    before = count(session, StoredFile), count(session, Lesson)
    html = post(client, f"{MANAGE}/{course.id}/modules/{module.key}/lessons/new?kind=file",
                status=422, **upload(data, name)).get_data(as_text=True)
    assert message in field_error(html, "file")
    assert (count(session, StoredFile), count(session, Lesson)) == before


def test_file_lesson_without_a_file_is_refused(client, login, org, session):
    course = factories.course(lessons=0, published=False, by=org.admin)
    module = course.draft_version.modules[0]
    login(org.admin)
    html = post(client, f"{MANAGE}/{course.id}/modules/{module.key}/lessons/new?kind=file",
                lesson_form(), status=422).get_data(as_text=True)
    assert "Upload the file learners should download." in field_error(html, "file")
    assert module.lessons == []


def test_saving_a_file_lesson_without_a_new_file_keeps_the_old_one(client, login, org):
    course, lesson = file_course(Case(org, org.admin, org.admin))
    login(org.admin)
    post(client, f"{MANAGE}/{course.id}/lessons/{lesson.key}/edit",
         lesson_form(title="Renamed guide"), content_type="multipart/form-data")
    draft_lesson = authoring.lesson_by_key(course.draft_version, lesson.key)
    assert draft_lesson.title == "Renamed guide" and draft_lesson.file_id == lesson.file_id


def test_image_file_lesson_gets_an_inline_preview(client, login, org):
    course = factories.course(lessons=0, published=False, by=org.admin)
    module = course.draft_version.modules[0]
    login(org.admin)
    response = post(client, f"{MANAGE}/{course.id}/modules/{module.key}/lessons/new?kind=file",
                    **upload(image("PNG"), "funnel.png"))
    assert response.status_code == 302
    html = page(client, f"{MANAGE}/{course.id}/lessons/{module.lessons[0].key}/edit")
    assert f'<img class="img-fluid mb-2" src="{MANAGE}/{course.id}/lessons/' in html


def test_deleting_and_moving_lessons(client, login, org):
    course = factories.course(modules=2, lessons=2, published=False, by=org.admin)
    first, second = course.draft_version.modules
    one, two = first.lessons
    login(org.admin)
    post(client, f"{MANAGE}/{course.id}/lessons/{one.key}/move/down")
    assert [lesson.title for lesson in first.lessons] == ["Lesson 1.2", "Lesson 1.1"]
    post(client, f"{MANAGE}/{course.id}/lessons/{one.key}/module",
         {"module_key": second.key})
    assert [lesson.title for lesson in second.lessons] == ["Lesson 2.1", "Lesson 2.2",
                                                           "Lesson 1.1"]
    post(client, f"{MANAGE}/{course.id}/lessons/{two.key}/delete")
    assert first.lessons == []
    assert f"/lessons/{two.key}/edit" not in page(client, f"{MANAGE}/{course.id}")


def test_lesson_page_offers_moving_to_the_other_modules(client, login, org):
    course = factories.course(modules=2, lessons=1, by=org.admin)
    first, second = course.current_version.modules
    login(org.admin)
    html = page(client, f"{MANAGE}/{course.id}/lessons/{first.lessons[0].key}/edit")
    assert f'value="{second.key}"' in html and f'value="{first.key}"' not in html


# --- publish, discard, archive, history --------------------------------------------------------

def test_publish_makes_the_draft_current_and_history_says_who_and_when(client, login, org):
    course = factories.course(by=org.admin)
    authoring.add_module(course, "New module", by=org.admin)
    authoring.add_lesson(course.draft_version.modules[-1],
                         authoring.LessonData(title="New lesson"), by=org.admin)
    login(org.admin)
    post(client, f"{MANAGE}/{course.id}/publish")
    assert course.current_version.number == 2 and course.draft_version_id is None
    assert course.current_version.published_by_id == org.admin.id
    html = page(client, f"{MANAGE}/{course.id}/history")
    assert "v2" in html and "v1" in html and "current" in html
    assert html.count("Ada Admin") >= 2
    assert "Published version 2" in html and "course.publish" in html


def test_publishing_a_course_without_lessons_is_refused(client, login, org):
    course = factories.course(lessons=0, published=False, by=org.admin)
    login(org.admin)
    post(client, f"{MANAGE}/{course.id}/publish")
    assert "Add at least one lesson" in page(client, f"{MANAGE}/{course.id}")
    assert course.status == CourseStatus.DRAFT and course.current_version_id is None


def test_discard_throws_the_draft_away(client, login, org, session):
    course = factories.course(by=org.admin)
    authoring.add_module(course, "Scrapped", by=org.admin)
    login(org.admin)
    post(client, f"{MANAGE}/{course.id}/discard")
    assert course.draft_version_id is None
    assert session.scalars(select(CourseVersion.number).where(
        CourseVersion.course_id == course.id)).all() == [1]
    assert "Scrapped" not in page(client, f"{MANAGE}/{course.id}")


def test_archive_hides_editing_until_restored(client, login, org):
    course = factories.course(by=org.admin)
    module = course.current_version.modules[0]
    login(org.admin)
    post(client, f"{MANAGE}/{course.id}/archive")
    html = page(client, f"{MANAGE}/{course.id}")
    assert course.status == CourseStatus.ARCHIVED
    assert "Archived." in html and f"/manage/{course.id}/restore" in html
    assert f"/modules/{module.key}/delete" not in html
    refused = post(client, f"{MANAGE}/{course.id}/modules", {"title": "Sneaky"}, status=422)
    assert "Restore the course before editing it." in refused.get_data(as_text=True)
    post(client, f"{MANAGE}/{course.id}/modules/{module.key}/delete")
    assert "Restore the course before editing it." in page(client, f"{MANAGE}/{course.id}")
    assert course.draft_version_id is None
    post(client, f"{MANAGE}/{course.id}/restore")
    assert course.status == CourseStatus.PUBLISHED


# --- prerequisites -----------------------------------------------------------------------------

def test_adding_and_removing_a_prerequisite(client, login, org, session):
    coaching = factories.course(title="Coaching the Coach", audience=("manager",), by=org.admin)
    discovery = factories.course(title="Discovery Calls", by=org.admin)
    login(org.admin)
    html = page(client, f"{MANAGE}/{discovery.id}")
    assert f'<option value="{coaching.id}">Coaching the Coach</option>' in html
    assert f'<option value="{discovery.id}">' not in html  # not itself
    post(client, f"{MANAGE}/{discovery.id}/prerequisites",
         {"kind": "manager_completion", "required_course_id": str(coaching.id)})
    prerequisite = discovery.prerequisites[0]
    assert (prerequisite.kind, prerequisite.required_course_id) == (
        "manager_completion", coaching.id)
    assert "The learner&#39;s manager completed" in page(client, f"{MANAGE}/{discovery.id}")
    post(client, f"{MANAGE}/{discovery.id}/prerequisites/{prerequisite.id}/delete")
    assert count(session, Prerequisite) == 0


def test_circular_prerequisite_is_refused_beside_the_field_and_changes_nothing(
        client, login, org, session):
    first = factories.course(title="First", by=org.admin)
    second = factories.course(title="Second", by=org.admin)
    authoring.add_prerequisite(second, PrerequisiteKind.OWN_COMPLETION, first, by=org.admin)
    login(org.admin)
    html = post(client, f"{MANAGE}/{first.id}/prerequisites",
                {"kind": "leader_completion", "required_course_id": str(second.id)},
                status=422).get_data(as_text=True)
    assert "would be a circle" in field_error(html, "required_course_id")
    assert count(session, Prerequisite) == 1 and first.prerequisites == []


def test_prerequisite_of_another_course_cannot_be_removed_through_this_one(
        client, login, org, session):
    first, second, third = (factories.course(by=org.admin) for _ in range(3))
    other = authoring.add_prerequisite(second, PrerequisiteKind.OWN_COMPLETION, third,
                                       by=org.admin)
    login(org.admin)
    url = f"{MANAGE}/{first.id}/prerequisites/{other.id}/delete"
    assert client.post(url).status_code == 404
    assert count(session, Prerequisite) == 1

