"""Course export and import: one self-contained JSON document per course.

Export writes the version an author works on (the draft if there is one, else the current
version), files embedded as base64, prerequisites by slug. Import reads such a document
into a new draft course, or into a new draft version of the course with the same slug when
asked to replace it. It is all or nothing: every problem is listed with its path in the
document (``modules[2].lessons[0].kind``) and nothing is created until there are none.

Import goes through the authoring services, so a document meets the same rules as the
editor; keys are kept, so progress on a replaced course carries over as on any new version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import marshmallow as ma
from sqlalchemy import select

from courses.models import Course, Lesson, LessonKind, PrerequisiteKind
from courses.schemas import FORMAT, FORMAT_VERSION, CourseDocumentSchema
from courses.services import authoring
from lms.audit import services as audit
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import Level, User
from lms.web import files
from lms.web.files import StoredFile

# Where a service's field lives in the document.
COURSE_FIELDS = {"title": "details.title", "summary": "details.summary",
                 "audience": "details.audience", "tags": "details.tags",
                 "estimated_minutes": "details.estimated_minutes", "slug": "slug"}
LESSON_FIELDS = {"body_markdown": "markdown"}
StoreFile = Callable[..., StoredFile]  # files.store_bytes(data, name, *, by) and its stand-in


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, at its place in it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ImportRejected(ValidationError):
    """The document has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        count = len(problems)
        super().__init__(f"Nothing was imported: the document has {count} "
                         f"problem{'s' if count != 1 else ''}.")
        self.problems = problems


# --- export ------------------------------------------------------------------------------------

def _file_of(lesson: Lesson) -> dict | None:
    stored = lesson.file
    if lesson.kind != LessonKind.FILE or stored is None:
        return None
    path = files.stored_path(stored)
    if not path.is_file():
        raise ValidationError(f"The file of “{lesson.title}” is missing from storage; upload "
                              "it again before exporting.")
    return {"name": stored.original_name, "content_type": stored.content_type,
            "data": path.read_bytes()}


def export_course(course: Course) -> dict:
    """Return ``course`` as an exchange document (plain JSON values)."""
    version = course.latest
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "slug": course.slug,
        "details": {"title": version.title, "summary": version.summary,
                    "audience": [level.value for level in version.audience_levels],
                    "tags": version.tag_list, "estimated_minutes": version.estimated_minutes,
                    "self_enrol": course.self_enrol},
        "modules": [{"key": module.key, "title": module.title, "lessons": [
            {"key": lesson.key, "kind": lesson.kind, "title": lesson.title,
             "markdown": lesson.body_markdown, "video_url": lesson.video_url,
             "is_required": lesson.is_required, "estimated_minutes": lesson.estimated_minutes,
             "file": _file_of(lesson)} for lesson in module.lessons]}
            for module in version.modules],
        "prerequisites": [{"kind": p.kind, "course": p.required_course.slug}
                          for p in course.prerequisites],
    }
    return CourseDocumentSchema().dump(document)


# --- reading and checking a document -----------------------------------------------------------

def _path(prefix: str, key) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if key == "_schema":
        return prefix or "document"
    return f"{prefix}.{key}" if prefix else str(key)


def _problems(messages, prefix: str = "") -> list[Problem]:
    """Flatten marshmallow's nested messages into one problem per message, with its path."""
    if isinstance(messages, dict):
        return [problem for key, value in messages.items()
                for problem in _problems(value, _path(prefix, key))]
    texts = messages if isinstance(messages, list) else [messages]
    return [Problem(prefix or "document", str(text)) for text in texts]


def _order(problem: Problem) -> list:
    """Sort problems in document order: numbers as numbers, so [10] comes after [9]."""
    return [int(part) if part.isdigit() else part
            for part in re.split(r"\[(\d+)\]", problem.path)]


def read_document(raw: bytes | str) -> dict:
    """Parse JSON text into a document object, or refuse it with one problem."""
    try:
        document = json.loads(raw)
    except UnicodeDecodeError as error:
        raise ImportRejected([Problem("document", "The file is not UTF-8 text.")]) from error
    except json.JSONDecodeError as error:
        raise ImportRejected([Problem("document", f"Not valid JSON: {error.msg} "
                                      f"(line {error.lineno}, column {error.colno}).")]
                             ) from error
    if not isinstance(document, dict):
        raise ImportRejected([Problem("document", "The document must be a JSON object.")])
    return document


def _prerequisite_problems(document: dict, slug: str) -> list[Problem]:
    """Required courses are named by slug; each must exist (and not be this course)."""
    items = document.get("prerequisites")
    if not isinstance(items, list):
        return []
    wanted = {index: item["course"] for index, item in enumerate(items)
              if isinstance(item, dict) and isinstance(item.get("course"), str)}
    known = set(db.session.scalars(select(Course.slug).where(
        Course.slug.in_(set(wanted.values())))))
    problems = []
    for index, required in wanted.items():
        if required == slug:
            problems.append(Problem(f"prerequisites[{index}].course",
                                    "A course cannot require itself."))
        elif required not in known:
            problems.append(Problem(f"prerequisites[{index}].course",
                                    f"No course has the address “{required}”."))
    return problems


def check_document(document: dict, *, slug: str | None = None) -> dict:
    """Validate ``document``; return its loaded data or raise with every problem found."""
    problems: list[Problem] = []
    try:
        data = CourseDocumentSchema().load(document)
    except ma.ValidationError as error:
        problems.extend(_problems(error.messages))
        data = None
    target = slug or document.get("slug")
    problems.extend(_prerequisite_problems(document, target if isinstance(target, str) else ""))
    if problems:
        raise ImportRejected(sorted(problems, key=_order))
    return data


# --- import ------------------------------------------------------------------------------------

def _course_data(data: dict, slug: str) -> authoring.CourseData:
    details = data["details"]
    return authoring.CourseData(
        title=details["title"], slug=slug, summary=details["summary"],
        audience=tuple(Level(level) for level in details["audience"]),
        tags=tuple(details["tags"]), estimated_minutes=details["estimated_minutes"],
        self_enrol=details["self_enrol"])


def _target(data: dict, slug: str, *, replace: bool, by: User) -> Course:
    """Create the course, or open a fresh draft of the one being replaced (emptied)."""
    existing = db.session.scalar(select(Course).where(Course.slug == slug.strip().lower()))
    if existing is None:
        return authoring.create_course(_course_data(data, slug), by=by)
    if not replace:
        raise ValidationError(f"Another course already uses the address “{existing.slug}”. "
                              "Tick “replace” to import this as a new draft version of it, or "
                              "choose another address.", field="slug")
    authoring.update_course(existing, _course_data(data, existing.slug), by=by)
    draft = existing.draft_version
    draft.modules.clear()
    db.session.flush()
    return existing


def _prerequisites(course: Course, items: list[dict], *, by: User) -> list[Problem]:
    wanted = [(PrerequisiteKind(item["kind"]), item["course"]) for item in items]
    if [(p.kind, p.required_course.slug) for p in course.prerequisites] == wanted:
        return []
    # Replaced in the document's order, so the next export lists them the same way.
    for prerequisite in list(course.prerequisites):
        authoring.remove_prerequisite(prerequisite, by=by)
    courses = {c.slug: c for c in db.session.scalars(
        select(Course).where(Course.slug.in_({slug for _kind, slug in wanted})))}
    problems = []
    for index, (kind, slug) in enumerate(wanted):
        try:
            authoring.add_prerequisite(course, kind, courses[slug], by=by)
        except ValidationError as error:
            problems.append(Problem(f"prerequisites[{index}].course", error.message))
    return problems


def _unsaved_file(data: bytes, name: str, *, by: User) -> StoredFile:
    """A file row with no bytes behind it, for the rehearsal of an import (rolled back)."""
    stored = StoredFile(sha256=hashlib.sha256(data).hexdigest(), original_name=name,
                        content_type="application/octet-stream", size=len(data),
                        uploaded_by_id=by.id)
    db.session.add(stored)
    db.session.flush()
    return stored


def _lesson_data(lesson: dict, *, by: User, store: StoreFile) -> authoring.LessonData:
    file_id = None
    if lesson["file"] is not None:
        upload = lesson["file"]
        file_id = store(upload["data"], upload["name"], by=by).id
    return authoring.LessonData(
        title=lesson["title"], kind=LessonKind(lesson["kind"]),
        body_markdown=lesson["markdown"], video_url=lesson["video_url"], file_id=file_id,
        is_required=lesson["is_required"], estimated_minutes=lesson["estimated_minutes"])


def _modules(course: Course, modules: list[dict], *, by: User,
             store: StoreFile) -> list[Problem]:
    problems = []
    for i, item in enumerate(modules):
        try:
            module = authoring.add_module(course, item["title"], by=by)
        except ValidationError as error:
            problems.append(Problem(f"modules[{i}].title", error.message))
            continue
        module.key = item["key"] or module.key
        for j, lesson_item in enumerate(item["lessons"]):
            try:
                lesson = authoring.add_lesson(
                    module, _lesson_data(lesson_item, by=by, store=store), by=by)
            except ValidationError as error:
                field = LESSON_FIELDS.get(error.field, error.field)
                problems.append(Problem(f"modules[{i}].lessons[{j}]" + (
                    f".{field}" if field else ""), error.message))
                continue
            lesson.key = lesson_item["key"] or lesson.key
    return problems


def _apply(data: dict, slug: str, *, replace: bool, by: User, store: StoreFile) -> Course:
    try:
        course = _target(data, slug, replace=replace, by=by)
    except ValidationError as error:
        # Without the course nothing else can be tried; the schema has checked the rest.
        raise ImportRejected([Problem(COURSE_FIELDS.get(error.field, "slug"),
                                      error.message)]) from error
    problems = _prerequisites(course, data["prerequisites"], by=by)
    problems += _modules(course, data["modules"], by=by, store=store)
    if problems:
        raise ImportRejected(sorted(problems, key=_order))
    return course


def import_course(raw: bytes | str | dict, *, by: User, replace: bool = False,
                  slug: str | None = None) -> Course:
    """Import a document as a draft (a new course, or a new draft of the one it replaces).

    ``slug`` imports under another address (a copy). Raises ``ImportRejected`` listing every
    problem; then nothing is created, in the database or in file storage.
    """
    document = raw if isinstance(raw, dict) else read_document(raw)
    slug = (slug or "").strip() or None
    data = check_document(document, slug=slug)
    target = slug or data["slug"]
    if any(lesson["file"] for module in data["modules"] for lesson in module["lessons"]):
        # Rehearse without writing file bytes, so a refused import leaves no file behind.
        rehearsal = db.session.begin_nested()
        try:
            _apply(data, target, replace=replace, by=by, store=_unsaved_file)
        finally:
            rehearsal.rollback()
    savepoint = db.session.begin_nested()
    try:
        course = _apply(data, target, replace=replace, by=by, store=files.store_bytes)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    version = course.draft_version
    audit.record(by, "course.import", course,
                 summary=f"Imported {version.title} as draft version {version.number}")
    return course
