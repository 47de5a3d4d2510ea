"""Authoring services at their edges: drafts, ordering, publishing, files and prerequisites."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courses.models import (
    CourseStatus,
    CourseVersion,
    LessonKind,
    Prerequisite,
    PrerequisiteKind,
)
from courses.services import authoring
from lms.errors import ValidationError
from lms.people.models import Level
from lms.web import files
from lms.web.markdown import MAX_MARKDOWN
from tests import factories
from tests.courses.matrix_authoring import PDF


@pytest.fixture
def admin(session, ctx):
    return factories.admin()


def titles(items) -> list[str]:
    return [item.title for item in items]


def test_slug_is_made_from_the_title_and_a_clash_is_refused(admin):
    course = authoring.create_course(authoring.CourseData(title="Coaching the Coach!"), by=admin)
    assert course.slug == "coaching-the-coach"
    with pytest.raises(ValidationError) as clash:
        authoring.create_course(authoring.CourseData(title="Coaching the Coach"), by=admin)
    assert clash.value.field == "slug" and "coaching-the-coach" in clash.value.message


@pytest.mark.parametrize("slug", ["Has Spaces", "double--hyphen", "-edge", "ümlaut", "a" * 81])
def test_malformed_slug_is_refused(admin, slug):
    with pytest.raises(ValidationError) as refused:
        authoring.create_course(authoring.CourseData(title="T", slug=slug), by=admin)
    assert refused.value.field == "slug"


def test_course_without_audience_or_title_is_refused(admin):
    with pytest.raises(ValidationError) as no_audience:
        authoring.create_course(authoring.CourseData(title="T", audience=()), by=admin)
    assert no_audience.value.field == "audience"
    with pytest.raises(ValidationError) as no_title:
        authoring.create_course(authoring.CourseData(title="   "), by=admin)
    assert no_title.value.field == "title"


def test_tags_are_trimmed_lowered_and_deduplicated(admin):
    course = authoring.create_course(authoring.CourseData(
        title="T", tags=(" Coaching ", "coaching", "", "Pipeline  Review"),
        audience=(Level.MANAGER, Level.REP)), by=admin)
    version = course.draft_version
    assert version.tag_list == ["coaching", "pipeline review"]
    assert version.audience_levels == [Level.REP, Level.MANAGER]  # in level order


def test_editing_a_published_course_copies_it_into_a_draft_with_the_same_keys(admin):
    course = factories.course(modules=2, lessons=2, by=admin)
    current = course.current_version
    draft = authoring.draft_for_editing(course, by=admin)
    assert draft.number == 2 and draft is not current
    assert [lesson.key for lesson in draft.lessons] == [lesson.key for lesson in current.lessons]
    assert {lesson.id for lesson in draft.lessons}.isdisjoint(
        lesson.id for lesson in current.lessons)
    authoring.rename_module(draft.modules[0], "Renamed", by=admin)
    assert current.modules[0].title == "Module 1"
    assert authoring.draft_for_editing(course, by=admin) is draft  # one draft at a time


def test_archived_course_cannot_be_edited_or_published(admin):
    course = factories.course(by=admin)
    authoring.add_module(course, "Pending", by=admin)
    authoring.set_archived(course, True, by=admin)
    with pytest.raises(ValidationError, match="Restore"):
        authoring.add_module(course, "More", by=admin)
    with pytest.raises(ValidationError, match="Restore the course before publishing"):
        authoring.publish(course, by=admin)
    assert course.status == CourseStatus.ARCHIVED and course.current_version.number == 1


def test_publishing_needs_a_draft_with_lessons(admin):
    empty = factories.course(lessons=0, published=False, by=admin)
    with pytest.raises(ValidationError, match="at least one lesson"):
        authoring.publish(empty, by=admin)
    assert empty.status == CourseStatus.DRAFT and empty.current_version is None
    published = factories.course(by=admin)
    with pytest.raises(ValidationError, match="no unpublished changes"):
        authoring.publish(published, by=admin)


def test_discarding_a_never_published_draft_is_refused(admin):
    course = factories.course(published=False, by=admin)
    with pytest.raises(ValidationError, match="no draft to discard"):
        authoring.discard_draft(course, by=admin)
    assert course.draft_version is not None


def test_discarding_a_draft_deletes_that_version_only(admin, session):
    course = factories.course(by=admin)
    authoring.add_module(course, "Scrapped", by=admin)
    authoring.discard_draft(course, by=admin)
    numbers = session.scalars(select(CourseVersion.number)
                              .where(CourseVersion.course_id == course.id)).all()
    assert numbers == [1] and course.draft_version is None
    assert titles(course.latest.modules) == ["Module 1"]


def test_moving_past_either_end_is_refused_and_keeps_the_order(admin):
    course = factories.course(modules=3, lessons=1, published=False, by=admin)
    modules = course.draft_version.modules
    with pytest.raises(ValidationError, match="already at that end"):
        authoring.move(modules, modules[0], -1)
    with pytest.raises(ValidationError, match="already at that end"):
        authoring.move(modules, modules[-1], 1)
    authoring.move(modules, modules[0], 1)
    assert titles(modules) == ["Module 2", "Module 1", "Module 3"]
    assert [m.position for m in modules] == [0, 1, 2]


@pytest.mark.parametrize("change", ["missing", "duplicate", "foreign"])
def test_reorder_must_list_each_key_exactly_once(admin, change):
    course = factories.course(modules=3, lessons=1, published=False, by=admin)
    modules = course.draft_version.modules
    keys = [m.key for m in modules]
    bad = {"missing": keys[:2], "duplicate": [keys[0], *keys[:2]],
           "foreign": [*keys[:2], "0" * 32]}[change]
    with pytest.raises(ValidationError, match="exactly once"):
        authoring.reorder(modules, bad)
    assert titles(modules) == ["Module 1", "Module 2", "Module 3"]


def test_lesson_moves_to_another_module_of_the_same_version_only(admin):
    course = factories.course(modules=2, lessons=2, published=False, by=admin)
    first, second = course.draft_version.modules
    lesson = first.lessons[0]
    authoring.move_lesson_to(lesson, second, by=admin)
    assert titles(first.lessons) == ["Lesson 1.2"] and first.lessons[0].position == 0
    assert titles(second.lessons) == ["Lesson 2.1", "Lesson 2.2", "Lesson 1.1"]
    assert [item.position for item in second.lessons] == [0, 1, 2]
    other = factories.course(by=admin, published=False).draft_version.modules[0]
    with pytest.raises(ValidationError, match="within its course"):
        authoring.move_lesson_to(lesson, other, by=admin)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://media.example/intro.mp4",
                                 "intro.mp4", "https://media.example/a b.mp4", ""])
def test_video_lesson_needs_an_http_or_site_address(admin, url):
    module = factories.course(published=False, by=admin).draft_version.modules[0]
    with pytest.raises(ValidationError) as refused:
        authoring.add_lesson(module, authoring.LessonData(
            title="Video", kind=LessonKind.VIDEO, video_url=url), by=admin)
    assert refused.value.field == "video_url"
    assert titles(module.lessons) == ["Lesson 1.1", "Lesson 1.2"]


def test_file_lesson_needs_a_stored_file_and_keeps_it(admin):
    module = factories.course(published=False, by=admin).draft_version.modules[0]
    with pytest.raises(ValidationError) as refused:
        authoring.add_lesson(module, authoring.LessonData(title="Aid", kind=LessonKind.FILE),
                             by=admin)
    assert refused.value.field == "file"
    stored = files.store_bytes(PDF, "aid.pdf", by=admin)
    lesson = authoring.add_lesson(module, authoring.LessonData(
        title="Aid", kind=LessonKind.FILE, file_id=stored.id, video_url="https://x.test/v.mp4"),
        by=admin)
    assert lesson.file is stored and lesson.video_url == ""


def test_markdown_is_sanitised_and_too_long_text_changes_nothing(admin):
    module = factories.course(published=False, by=admin).draft_version.modules[0]
    lesson = module.lessons[0]
    authoring.update_lesson(lesson, authoring.LessonData(
        title="Safe", body_markdown=("**Bold** <script>alert(1)</script> "
                                     "<img src=x onerror=alert(1)> [x](javascript:alert(1))")),
        by=admin)
    assert "<strong>Bold</strong>" in lesson.body_html
    assert "<script" not in lesson.body_html and "onerror" not in lesson.body_html
    assert "javascript:" not in lesson.body_html
    with pytest.raises(ValidationError) as refused:
        authoring.update_lesson(lesson, authoring.LessonData(
            title="Long", body_markdown="x" * (MAX_MARKDOWN + 1)), by=admin)
    assert refused.value.field == "body_markdown"
    assert lesson.title == "Safe" and "<strong>Bold</strong>" in lesson.body_html


def count_prerequisites(session) -> int:
    return session.scalar(select(func.count()).select_from(Prerequisite))


def test_circular_prerequisites_are_refused_at_any_depth(admin, session):
    first, second, third = (factories.course(title=t, by=admin) for t in "ABC")
    authoring.add_prerequisite(second, PrerequisiteKind.OWN_COMPLETION, first, by=admin)
    authoring.add_prerequisite(third, PrerequisiteKind.MANAGER_COMPLETION, second, by=admin)
    before = count_prerequisites(session)
    for course, required in [(first, third), (first, second), (first, first)]:
        with pytest.raises(ValidationError, match="circle") as refused:
            authoring.add_prerequisite(course, PrerequisiteKind.LEADER_COMPLETION, required,
                                       by=admin)
        assert refused.value.field == "required_course_id"
    assert count_prerequisites(session) == before and first.prerequisites == []


def test_the_same_prerequisite_twice_is_refused_but_another_kind_is_not(admin):
    course, required = factories.course(by=admin), factories.course(by=admin)
    authoring.add_prerequisite(course, PrerequisiteKind.OWN_COMPLETION, required, by=admin)
    with pytest.raises(ValidationError, match="already set"):
        authoring.add_prerequisite(course, PrerequisiteKind.OWN_COMPLETION, required, by=admin)
    authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION, required, by=admin)
    assert [p.kind for p in course.prerequisites] == ["own_completion", "manager_completion"]


@pytest.mark.parametrize("slug", ["manage", "progress"])
def test_slug_of_a_cadence_page_is_refused(session, ctx, slug):
    admin = factories.admin()
    with pytest.raises(ValidationError) as refused:
        authoring.create_course(authoring.CourseData(title="Manage", slug=slug), by=admin)
    assert refused.value.field == "slug"
