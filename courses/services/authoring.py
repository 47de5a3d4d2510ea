"""Authoring: courses, draft versions, modules, lessons, publishing, prerequisites."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from courses.models import (
    Course,
    CourseModule,
    CourseStatus,
    CourseVersion,
    Lesson,
    LessonKind,
    Prerequisite,
    PrerequisiteKind,
)
from courses.unlocking import prerequisite_cycle
from lms.audit import services as audit
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import Level, User
from lms.web.files import StoredFile
from lms.web.markdown import render_markdown

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# /courses/<slug> shares its namespace with these pages.
RESERVED_SLUGS = frozenset({"manage", "progress", "import", "new"})
VIDEO_URL = re.compile(r"^(https?://[^\s\"'<>]+|/[^\s\"'<>]*)$")


@dataclass(frozen=True)
class CourseData:
    title: str
    slug: str = ""
    summary: str = ""
    audience: tuple[Level, ...] = (Level.REP,)
    tags: tuple[str, ...] = ()
    estimated_minutes: int = 30
    self_enrol: bool = True
    owner_id: int | None = None


@dataclass(frozen=True)
class LessonData:
    title: str
    kind: LessonKind = LessonKind.TEXT
    body_markdown: str = ""
    video_url: str = ""
    file_id: int | None = None
    is_required: bool = True
    estimated_minutes: int = 5


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].strip("-") or "course"


def _check_slug(slug: str, course: Course | None) -> str:
    slug = slug.strip().lower()
    if not SLUG.match(slug) or len(slug) > 80:
        raise ValidationError("Use lower-case letters, digits and single hyphens.", field="slug")
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"“{slug}” is taken by a Cadence page; choose another address.",
                              field="slug")
    clash = db.session.scalar(select(Course).where(Course.slug == slug))
    if clash is not None and clash is not course:
        raise ValidationError(f"Another course already uses the address “{slug}”.",
                              field="slug")
    return slug


def _apply_version(version: CourseVersion, data: CourseData) -> None:
    if not data.title.strip():
        raise ValidationError("A title is required.", field="title")
    if not data.audience:
        raise ValidationError("Choose at least one audience level.", field="audience")
    if not 1 <= data.estimated_minutes <= 10_000:
        raise ValidationError("Estimate between 1 and 10,000 minutes.",
                              field="estimated_minutes")
    version.title = data.title.strip()
    version.summary = data.summary.strip()
    version.audience_levels = data.audience
    version.tag_list = data.tags
    version.estimated_minutes = data.estimated_minutes


def create_course(data: CourseData, *, by: User) -> Course:
    """Create a draft course with its first version."""
    slug = _check_slug(data.slug or slugify(data.title), None)
    course = Course(slug=slug, owner_id=data.owner_id or by.id, self_enrol=data.self_enrol)
    version = CourseVersion(course=course, number=1, created_by_id=by.id)
    _apply_version(version, data)
    db.session.add_all([course, version])
    db.session.flush()
    course.draft_version = version
    audit.record(by, "course.create", course, summary=f"Created course {version.title}")
    return course


def draft_for_editing(course: Course, *, by: User) -> CourseVersion:
    """Return the course's draft, copying the current version into a new one if needed."""
    if course.status == CourseStatus.ARCHIVED:
        raise ValidationError("Restore the course before editing it.")
    if course.draft_version is not None:
        return course.draft_version
    current = course.current_version
    number = (db.session.scalar(select(func.max(CourseVersion.number))
                                .where(CourseVersion.course_id == course.id)) or 0) + 1
    draft = CourseVersion(course=course, number=number, created_by_id=by.id,
                          title=current.title, summary=current.summary,
                          audience=current.audience, tags=current.tags,
                          estimated_minutes=current.estimated_minutes)
    for module in current.modules:
        copy = CourseModule(key=module.key, position=module.position, title=module.title)
        for lesson in module.lessons:
            copy.lessons.append(Lesson(
                key=lesson.key, position=lesson.position, kind=lesson.kind,
                title=lesson.title, body_markdown=lesson.body_markdown,
                body_html=lesson.body_html, video_url=lesson.video_url,
                file_id=lesson.file_id, is_required=lesson.is_required,
                estimated_minutes=lesson.estimated_minutes))
        draft.modules.append(copy)
    db.session.add(draft)
    db.session.flush()
    course.draft_version = draft
    return draft


def update_course(course: Course, data: CourseData, *, by: User) -> Course:
    """Change a course's details; content details go into the draft version."""
    course.slug = _check_slug(data.slug or course.slug, course)
    course.self_enrol = data.self_enrol
    if data.owner_id is not None:
        course.owner_id = data.owner_id
    _apply_version(draft_for_editing(course, by=by), data)
    audit.record(by, "course.update", course, summary=f"Edited {data.title.strip()}")
    return course


def publish(course: Course, *, by: User) -> CourseVersion:
    """Make the draft the version learners follow; earlier versions stay as history."""
    if course.status == CourseStatus.ARCHIVED:
        # Publishing would quietly bring the course back into the catalog.
        raise ValidationError("Restore the course before publishing it.")
    draft = course.draft_version
    if draft is None:
        raise ValidationError("There are no unpublished changes.")
    if not draft.lessons:
        raise ValidationError("Add at least one lesson before publishing.")
    if not course.publish(draft):
        raise ValidationError("There are no unpublished changes.")
    draft.published_at = utcnow()
    draft.published_by_id = by.id
    db.session.flush()
    audit.record(by, "course.publish", course,
                 summary=f"Published version {draft.number} of {draft.title}",
                 changes={"version": [None, draft.number]})
    from courses.services.player import recheck_completions
    recheck_completions(course, by=by)
    return draft


def discard_draft(course: Course, *, by: User) -> None:
    """Throw away unpublished changes (a never-published course keeps its draft)."""
    if course.draft_version is None or course.current_version is None:
        raise ValidationError("There is no draft to discard.")
    draft = course.draft_version
    course.draft_version = None
    db.session.flush()
    db.session.delete(draft)
    audit.record(by, "course.discard_draft", course, summary="Discarded unpublished changes")


def set_archived(course: Course, archived: bool, *, by: User) -> Course:
    """Archive a course (hidden from the catalog, progress kept) or restore it."""
    course.archive() if archived else course.restore()
    audit.record(by, "course.archive" if archived else "course.restore", course,
                 summary=("Archived " if archived else "Restored ") + course.title)
    return course


# --- modules and lessons (always in the draft) -------------------------------------------------

def module_by_key(version: CourseVersion, key: str) -> CourseModule | None:
    return next((module for module in version.modules if module.key == key), None)


def lesson_by_key(version: CourseVersion, key: str) -> Lesson | None:
    return next((lesson for lesson in version.lessons if lesson.key == key), None)


def _renumber(items) -> None:
    for position, item in enumerate(items):
        item.position = position


def add_module(course: Course, title: str, *, by: User) -> CourseModule:
    if not title.strip():
        raise ValidationError("A module needs a title.", field="title")
    draft = draft_for_editing(course, by=by)
    module = CourseModule(title=title.strip(), position=len(draft.modules))
    draft.modules.append(module)
    db.session.flush()
    return module


def rename_module(module: CourseModule, title: str, *, by: User) -> CourseModule:
    if not title.strip():
        raise ValidationError("A module needs a title.", field="title")
    module.title = title.strip()
    return module


def delete_module(module: CourseModule, *, by: User) -> None:
    version = module.version
    version.modules.remove(module)
    _renumber(version.modules)
    db.session.flush()


def move(items: list, item, offset: int) -> None:
    """Move ``item`` up (-1) or down (+1) in ``items`` and renumber positions."""
    index = items.index(item)
    target = index + offset
    if not 0 <= target < len(items):
        raise ValidationError("It is already at that end.")
    items.insert(target, items.pop(index))
    _renumber(items)


def reorder(items: list, keys: list[str]) -> None:
    """Put ``items`` in the order of ``keys`` (a drag-and-drop result)."""
    if sorted(keys) != sorted(item.key for item in items):
        raise ValidationError("The new order must list each item exactly once.")
    rank = {key: position for position, key in enumerate(keys)}
    items.sort(key=lambda item: rank[item.key])
    _renumber(items)


def _apply_lesson(lesson: Lesson, data: LessonData) -> None:
    if not data.title.strip():
        raise ValidationError("A lesson needs a title.", field="title")
    if not 1 <= data.estimated_minutes <= 1_000:
        raise ValidationError("Estimate between 1 and 1,000 minutes.",
                              field="estimated_minutes")
    kind = LessonKind(data.kind)
    if kind == LessonKind.VIDEO and not VIDEO_URL.match(data.video_url.strip()):
        raise ValidationError("Give the address of a video file, starting with https:// "
                              "or /.", field="video_url")
    if kind == LessonKind.FILE:
        if data.file_id is None or db.session.get(StoredFile, data.file_id) is None:
            raise ValidationError("Upload the file learners should download.", field="file")
    try:
        html = render_markdown(data.body_markdown)
    except ValueError as error:
        raise ValidationError(f"The text cannot be used: {error}.",
                              field="body_markdown") from error
    lesson.title = data.title.strip()
    lesson.kind = kind
    lesson.body_markdown = data.body_markdown
    lesson.body_html = html
    lesson.video_url = data.video_url.strip() if kind == LessonKind.VIDEO else ""
    lesson.file_id = data.file_id if kind == LessonKind.FILE else None
    lesson.is_required = data.is_required
    lesson.estimated_minutes = data.estimated_minutes


def add_lesson(module: CourseModule, data: LessonData, *, by: User) -> Lesson:
    lesson = Lesson(position=len(module.lessons))
    _apply_lesson(lesson, data)
    module.lessons.append(lesson)
    db.session.flush()
    return lesson


def update_lesson(lesson: Lesson, data: LessonData, *, by: User) -> Lesson:
    _apply_lesson(lesson, data)
    return lesson


def delete_lesson(lesson: Lesson, *, by: User) -> None:
    module = lesson.module
    module.lessons.remove(lesson)
    _renumber(module.lessons)
    db.session.flush()


def move_lesson_to(lesson: Lesson, target: CourseModule, *, by: User) -> None:
    """Move a lesson to the end of another module of the same version."""
    if target.version_id != lesson.module.version_id:
        raise ValidationError("A lesson can only move within its course.")
    source = lesson.module
    source.lessons.remove(lesson)
    target.lessons.append(lesson)
    _renumber(source.lessons)
    _renumber(target.lessons)
    db.session.flush()


# --- prerequisites -----------------------------------------------------------------------------

def add_prerequisite(course: Course, kind: PrerequisiteKind, required: Course, *,
                     by: User) -> Prerequisite:
    """Require ``required`` (by the learner, their manager or their leader) for ``course``."""
    kind = PrerequisiteKind(kind)
    if prerequisite_cycle(course, required):
        raise ValidationError(f"“{required.title}” already depends on “{course.title}”: "
                              "that would be a circle.", field="required_course_id")
    if any(p.kind == kind and p.required_course_id == required.id
           for p in course.prerequisites):
        raise ValidationError("This prerequisite is already set.",
                              field="required_course_id")
    prerequisite = Prerequisite(kind=kind, required_course=required)
    course.prerequisites.append(prerequisite)
    db.session.flush()
    audit.record(by, "course.prerequisite.add", course,
                 summary=f"{course.title} now needs: {kind.label} {required.title}",
                 changes={"prerequisite": [None, f"{kind.value}:{required.slug}"]})
    return prerequisite


def remove_prerequisite(prerequisite: Prerequisite, *, by: User) -> None:
    course = prerequisite.course
    audit.record(by, "course.prerequisite.remove", course,
                 summary=f"Removed a prerequisite of {course.title}",
                 changes={"prerequisite": [f"{prerequisite.kind}:"
                                           f"{prerequisite.required_course.slug}", None]})
    course.prerequisites.remove(prerequisite)
    db.session.flush()
