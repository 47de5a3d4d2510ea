"""The course player over HTTP: open, resume, move, complete, download, and refusals."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from courses.models import (
    Enrollment,
    EnrollmentStatus,
    LessonKind,
    LessonProgress,
    PrerequisiteKind,
)
from courses.services import authoring, enrolment, player
from lms.config import ConfigError, load_config
from lms.extensions import db
from lms.notify.models import Notification
from lms.security import policy
from lms.web import files
from tests import factories

JSON = {"Accept": "application/json"}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _page(response) -> str:
    return response.get_data(as_text=True)


def _done(enrollment) -> set[str]:
    return set(db.session.scalars(select(LessonProgress.lesson_key).where(
        LessonProgress.enrollment_id == enrollment.id)))


def _url(course, lesson, action: str = "") -> str:
    return f"/courses/{course.slug}/lessons/{lesson.key}" + (f"/{action}" if action else "")


@pytest.fixture
def taking(org, client, login):
    """Rita is enrolled in a three-lesson course and signed in."""
    course = factories.course(title="Discovery Calls", lessons=3, by=org.admin)
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    login(org.rep_a1a)
    return course, mine, course.current_version.lessons


def _manager_first(org):
    coaching = factories.course(title="Coaching the Coach", audience=("manager",), lessons=2,
                                by=org.admin)
    discovery = factories.course(title="Discovery Calls", audience=("rep",), by=org.admin)
    authoring.add_prerequisite(discovery, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                               by=org.admin)
    return coaching, discovery


def _with_lesson(org, data: authoring.LessonData, *, title: str = "Job Aids"):
    course = factories.course(title=title, published=False, lessons=1, by=org.admin)
    module = course.draft_version.modules[0]
    lesson = authoring.add_lesson(module, data, by=org.admin)
    authoring.publish(course, by=org.admin)
    return course, lesson


# --- opening, moving, resuming ----------------------------------------------------------------

def test_opening_a_lesson_shows_it_with_the_outline_and_records_where_you_are(client, taking):
    course, mine, (first, second, third) = taking
    response = client.get(_url(course, second))
    page = _page(response)
    assert response.status_code == 200
    assert '<h1 class="h3" id="lesson-title">Lesson 1.2' in page
    assert "<p>Read this, part 2.</p>" in page  # the sanitised HTML, not escaped
    for lesson in (first, second, third):
        assert f'data-lesson-key="{lesson.key}"' in page
    assert re.search(rf'href="{_url(course, second)}"\s+aria-current="page"', page)
    assert f'href="{_url(course, first)}" rel="prev"' in page
    assert f'href="{_url(course, third)}" rel="next"' in page
    assert mine.last_lesson_key == second.key and mine.started_at is not None
    assert _done(mine) == set()


def test_first_and_last_lessons_have_no_previous_or_next(client, taking):
    course, _mine, (first, _second, third) = taking
    assert 'rel="prev"' not in _page(client.get(_url(course, first)))
    page = _page(client.get(_url(course, third)))
    assert 'rel="next"' not in page and "Back to the course" in page


def test_course_page_resumes_at_the_last_lesson_opened(client, taking):
    course, _mine, (first, second, _third) = taking
    page = _page(client.get(f"/courses/{course.slug}"))
    assert re.search(rf'href="{_url(course, first)}">Start', page)
    client.get(_url(course, second))
    page = _page(client.get(f"/courses/{course.slug}"))
    assert re.search(rf'href="{_url(course, second)}">Resume', page)


def test_unknown_lesson_is_not_found(client, taking):
    course, _mine, _lessons = taking
    assert client.get(f"/courses/{course.slug}/lessons/nosuchkey").status_code == 404
    assert client.get("/courses/no-such-course/lessons/nosuchkey").status_code == 404


def test_outline_collapses_behind_a_button_on_small_screens(client, taking):
    course, _mine, (first, *_rest) = taking
    page = _page(client.get(_url(course, first)))
    assert 'data-bs-target="#course-outline"' in page
    assert 'aria-controls="course-outline"' in page
    assert 'id="course-outline" class="collapse d-lg-block' in page


# --- completing -------------------------------------------------------------------------------

def test_mark_complete_records_the_lesson_and_moves_to_the_next(client, taking):
    course, mine, (first, second, _third) = taking
    response = client.post(_url(course, first, "complete"))
    assert response.status_code == 302 and response.location.endswith(_url(course, second))
    assert _done(mine) == {first.key}
    page = _page(client.get(_url(course, first)))
    assert "Done</span>" in page and "Mark complete" not in page
    assert "1 of 3 required lessons done (33%)" in page


def test_completing_the_last_required_lesson_completes_the_course(client, taking):
    course, mine, lessons = taking
    for lesson in lessons[:-1]:
        client.post(_url(course, lesson, "complete"))
    assert mine.status == EnrollmentStatus.ACTIVE
    response = client.post(_url(course, lessons[-1], "complete"))
    assert mine.status == EnrollmentStatus.COMPLETED and mine.completed_at is not None
    page = _page(client.get(response.location))
    assert "Course complete" in page
    assert "Course complete" in _page(client.get(f"/courses/{course.slug}"))


def test_video_lesson_plays_with_the_browser_player_and_completes_by_script(
        client, login, org):
    course, video = _with_lesson(org, authoring.LessonData(
        title="Watch the call", kind=LessonKind.VIDEO,
        video_url="https://media.example.com/call.mp4"))
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    login(org.rep_a1a)
    page = _page(client.get(_url(course, video)))
    assert re.search(r'<video [^>]*controls[^>]*src="https://media.example.com/call.mp4"', page)
    assert f'data-complete-url="{_url(course, video, "complete")}"' in page
    assert 'data-csrf-token="' in page and "/static/js/player.js" in page
    assert "Mark as watched" in page  # the fallback without the script
    response = client.post(_url(course, video, "complete"), headers=JSON)
    assert response.status_code == 200
    assert response.get_json() == {"lesson": video.key, "done": True, "percent": 50,
                                   "required_done": 1, "required": 2,
                                   "course_complete": False, "message": "Marked as done."}
    assert _done(mine) == {video.key}


def test_video_completion_from_the_script_needs_the_csrf_token(client, login, org,
                                                              csrf_enabled):
    course, video = _with_lesson(org, authoring.LessonData(
        title="Watch the call", kind=LessonKind.VIDEO, video_url="/media/call.mp4"))
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    page = _page(client.get("/login"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": org.rep_a1a.email, "password": factories.PASSWORD,
                                "csrf_token": token})
    page = _page(client.get(_url(course, video)))
    header_token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    assert client.post(_url(course, video, "complete"), headers=JSON).status_code == 400
    assert _done(mine) == set()
    response = client.post(_url(course, video, "complete"),
                           headers={**JSON, "X-CSRFToken": header_token})
    assert response.status_code == 200 and _done(mine) == {video.key}


def test_file_lesson_completes_when_the_download_is_served(client, login, org):
    stored = files.store_bytes(PDF, "call-planner.pdf", by=org.admin)
    course, aid = _with_lesson(org, authoring.LessonData(
        title="Call planner", kind=LessonKind.FILE, file_id=stored.id))
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    login(org.rep_a1a)
    page = _page(client.get(_url(course, aid)))
    assert f'href="{_url(course, aid, "download")}"' in page and "Mark complete" not in page
    response = client.get(_url(course, aid, "download"))
    assert response.status_code == 200 and response.data == PDF
    assert "attachment" in response.headers["Content-Disposition"]
    assert _done(mine) == {aid.key}


def test_file_lesson_is_not_completed_without_the_download(client, login, org):
    stored = files.store_bytes(PDF, "call-planner.pdf", by=org.admin)
    course, aid = _with_lesson(org, authoring.LessonData(
        title="Call planner", kind=LessonKind.FILE, file_id=stored.id))
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    login(org.rep_a1a)
    response = client.post(_url(course, aid, "complete"))
    assert response.status_code == 422
    assert "Download the file" in _page(response)
    assert _done(mine) == set()


def test_download_of_a_missing_file_records_nothing(client, login, org):
    stored = files.store_bytes(PDF + b"gone", "gone.pdf", by=org.admin)
    course, aid = _with_lesson(org, authoring.LessonData(
        title="Gone", kind=LessonKind.FILE, file_id=stored.id))
    files.stored_path(stored).unlink()
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    login(org.rep_a1a)
    assert client.get(_url(course, aid, "download")).status_code == 404
    assert _done(mine) == set()


# --- refusals ---------------------------------------------------------------------------------

def test_not_enrolled_learner_is_refused_and_nothing_changes(client, login, org):
    course = factories.course(title="Discovery Calls", by=org.admin)
    lesson = course.current_version.lessons[0]
    login(org.rep_a1a)
    response = client.get(_url(course, lesson))
    assert response.status_code == 403
    assert "You are not enrolled in “Discovery Calls”" in _page(response)
    response = client.post(_url(course, lesson, "complete"))
    assert response.status_code == 403
    assert client.post(_url(course, lesson, "complete"), headers=JSON).get_json() == {
        "errors": {"request": ["You are not enrolled in “Discovery Calls”. "
                               "Enrol to open its lessons."]}}
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_withdrawn_learner_is_refused(client, taking):
    course, mine, (first, *_rest) = taking
    client.post(f"/courses/{course.slug}/leave")
    assert client.post(_url(course, first, "complete")).status_code == 403
    assert _done(mine) == set()


def test_locked_course_refuses_lessons_and_completion_with_the_reason(client, login, org):
    _coaching, discovery = _manager_first(org)
    mine = enrolment.enrol(org.rep_a1a, discovery, by=org.manager_a1)
    lesson = discovery.current_version.lessons[0]
    reason = "Locked until your manager, Dana Reyes, completes “Coaching the Coach”."
    login(org.rep_a1a)
    response = client.get(_url(discovery, lesson))
    assert response.status_code == 403 and reason in _page(response)
    response = client.post(_url(discovery, lesson, "complete"))
    assert response.status_code == 403 and reason in _page(response)
    response = client.post(_url(discovery, lesson, "complete"), headers=JSON)
    assert response.status_code == 403
    assert response.get_json() == {"errors": {"request": [reason]}}
    assert _done(mine) == set() and mine.last_lesson_key is None and mine.started_at is None


def test_rep_sees_why_and_the_course_opens_when_the_manager_completes(client, login, org):
    coaching, discovery = _manager_first(org)
    enrolment.enrol(org.rep_a1a, discovery, by=org.manager_a1)
    login(org.rep_a1a)
    page = _page(client.get(f"/courses/{discovery.slug}"))
    assert "This course is locked" in page
    assert "Locked until your manager, Dana Reyes, completes “Coaching the Coach”." in page
    assert ">Start" not in page
    client.post("/logout")

    login(org.manager_a1)
    assert client.post(f"/courses/{coaching.slug}/join").status_code == 302
    for lesson in coaching.current_version.lessons:
        assert client.post(_url(coaching, lesson, "complete")).status_code == 302
    client.post("/logout")

    login(org.rep_a1a)
    page = _page(client.get(f"/courses/{discovery.slug}"))
    assert "This course is locked" not in page and ">Start" in page
    unlocked = db.session.scalars(select(Notification).where(
        Notification.recipient_id == org.rep_a1a.id,
        Notification.kind == "course.unlocked")).all()
    assert [n.subject for n in unlocked] == ["“Discovery Calls” is open for you"]
    assert client.get(_url(discovery, discovery.current_version.lessons[0])).status_code == 200


# --- preview ----------------------------------------------------------------------------------

def test_preview_shows_the_draft_like_the_player_and_records_nothing(client, login, org):
    course = factories.course(title="Discovery Calls", lessons=2, by=org.admin)
    mine = enrolment.enrol(org.admin, course, by=org.admin)
    draft = authoring.draft_for_editing(course, by=org.admin)
    first, second = draft.lessons
    authoring.update_lesson(first, authoring.LessonData(
        title="Rewritten opening", body_markdown="New **draft** text."), by=org.admin)
    login(org.admin)
    response = client.get(f"/courses/manage/{course.id}/preview")
    page = _page(response)
    assert response.status_code == 200
    assert "<strong>Preview</strong>" in page and "unpublished draft" in page
    assert "Rewritten opening" in page and "<strong>draft</strong>" in page
    assert f'href="/courses/manage/{course.id}/preview/{second.key}" rel="next"' in page
    assert "/complete" not in page  # no form or script posts a completion
    page = _page(client.get(f"/courses/manage/{course.id}/preview/{second.key}"))
    assert "Lesson 1.2" in page
    assert _done(mine) == set() and mine.last_lesson_key is None
    # Learners still see the published version.
    assert "Rewritten opening" not in _page(client.get(f"/courses/{course.slug}"))


def test_preview_of_a_new_course_without_lessons_says_so(client, login, org):
    course = factories.course(title="Empty", lessons=0, published=False, by=org.admin)
    login(org.admin)
    response = client.get(f"/courses/manage/{course.id}/preview")
    assert response.status_code == 200
    assert "This course has no lessons yet." in _page(response)
    page = _page(client.get(f"/courses/{course.slug}"))
    assert "This course is not published yet." in page
    assert f'href="/courses/manage/{course.id}/preview"' in page


def test_preview_is_for_authors_only(client, login, org):
    course = factories.course(by=org.admin)
    login(org.leader_a)
    assert client.get(f"/courses/manage/{course.id}/preview").status_code == 403
    page = _page(client.get(f"/courses/{course.slug}"))
    assert "/preview" not in page


# --- guards -----------------------------------------------------------------------------------

def test_player_query_count_does_not_grow_with_lessons_or_modules(client, login, org,
                                                                 count_queries):
    coaching = factories.course(audience=("manager",), lessons=1, by=org.admin)
    managers = enrolment.enrol(org.manager_a1, coaching, by=org.manager_a1)
    player.complete_lesson(managers, coaching.current_version.lessons[0], by=org.manager_a1)
    counts = []
    for modules, lessons in ((1, 2), (6, 8)):
        course = factories.course(modules=modules, lessons=lessons, by=org.admin)
        # An open prerequisite, so the lock check runs its queries too.
        authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                                   by=org.admin)
        mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
        items = course.current_version.lessons
        player.complete_lesson(mine, items[0], by=org.rep_a1a)
        db.session.commit()
        login(org.rep_a1a)
        client.get(_url(course, items[0]))
        url = _url(course, items[1])
        db.session.expire_all()  # as in a fresh request: nothing cached from the set-up
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
        client.post("/logout")
    assert counts[0] == counts[1]


def test_media_src_allows_the_configured_video_origins(client, taking):
    course, _mine, (first, *_rest) = taking
    assert "media-src 'self'" in client.get(_url(course, first)).headers[
        "Content-Security-Policy"]
    assert policy("https://media.example.com https://cdn.example.com").endswith(
        "; media-src 'self' https://media.example.com https://cdn.example.com")


def test_media_origins_that_would_break_the_policy_are_refused(tmp_path):
    app = Flask("check", instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="MEDIA_ORIGINS"):
        load_config(app, {"SECRET_KEY": "x",
                          "MEDIA_ORIGINS": "https://ok.example.com 'unsafe-inline'; x"})
    load_config(app, {"SECRET_KEY": "x", "MEDIA_ORIGINS": "https://videos.example.com:8443"})
