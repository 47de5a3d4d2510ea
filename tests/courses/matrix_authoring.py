"""Authorization matrix entries for the authoring pages (see ``tests/authz_matrix.py``).

"member" is a leader who is not an admin: published courses exist for them (403), the
admin may do everything. Each builder makes its own course, so no call sees another's.
"""

from __future__ import annotations

from courses.models import LessonKind, PrerequisiteKind
from courses.services import authoring
from lms.web import files
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, form, plain

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def published(case: Case, **options):
    options.setdefault("modules", 2)
    return factories.course(title="Matrix course", by=case.org.admin, **options)


def a_course(case: Case):
    return {"id": published(case).id}, {}


def with_draft(case: Case):
    course = published(case)
    authoring.add_module(course, "Unpublished module", by=case.org.admin)
    return {"id": course.id}, {}


def archived(case: Case):
    course = published(case)
    authoring.set_archived(course, True, by=case.org.admin)
    return {"id": course.id}, {}


def a_module(case: Case, **values):
    course = published(case)
    return {"id": course.id, "key": course.latest.modules[0].key, **values}, {}


def a_lesson(case: Case, **values):
    course = published(case)
    return {"id": course.id, "key": course.latest.lessons[0].key, **values}, {}


def file_course(case: Case):
    """A published course whose only lesson is a PDF download."""
    admin = case.org.admin
    course = factories.course(title="Matrix files", lessons=0, by=admin, published=False)
    stored = files.store_bytes(PDF, "guide.pdf", by=admin)
    lesson = authoring.add_lesson(course.draft_version.modules[0], authoring.LessonData(
        title="Guide", kind=LessonKind.FILE, file_id=stored.id), by=admin)
    authoring.publish(course, by=admin)
    return course, lesson


def a_file(case: Case):
    course, lesson = file_course(case)
    return {"id": course.id, "key": lesson.key}, {}


def reorder(case: Case):
    course = published(case)
    keys = [module.key for module in reversed(course.latest.modules)]
    return {"id": course.id}, {"json": {"module": None, "keys": keys}}


def move_to(case: Case):
    course = published(case)
    first, second = course.latest.modules
    return ({"id": course.id, "key": first.lessons[0].key},
            {"data": {"module_key": second.key}})


def prerequisite_form(case: Case):
    course, required = published(case), published(case)
    return ({"id": course.id},
            {"data": {"kind": PrerequisiteKind.MANAGER_COMPLETION.value,
                      "required_course_id": str(required.id)}})


def a_prerequisite(case: Case):
    course, required = published(case), published(case)
    prerequisite = authoring.add_prerequisite(course, PrerequisiteKind.OWN_COMPLETION, required,
                                              by=case.org.admin)
    return {"id": course.id, "prerequisite_id": prerequisite.id}, {}


COURSE_FORM = {"title": "Matrix authored", "audience": ["rep", "manager"],
               "estimated_minutes": "45", "tags": "matrix", "self_enrol": "y"}
LESSON_FORM = {"title": "Matrix lesson", "body_markdown": "Some *text*.",
               "estimated_minutes": "5", "is_required": "y"}

ROUTES: dict[tuple[str, str], Route] = {
    ("courses.manage_index", "GET"): plain(403, 200, LOGIN),
    ("courses.manage_create", "GET"): plain(403, 200, LOGIN),
    ("courses.manage_create", "POST"): plain(403, 302, LOGIN, form(COURSE_FORM)),
    ("courses.manage_editor", "GET"): plain(403, 200, LOGIN, a_course),
    ("courses.manage_edit", "GET"): plain(403, 200, LOGIN, a_course),
    ("courses.manage_edit", "POST"): plain(403, 302, LOGIN, form(COURSE_FORM, a_course)),
    ("courses.manage_history", "GET"): plain(403, 200, LOGIN, a_course),
    ("courses.manage_publish", "POST"): plain(403, 302, LOGIN, with_draft),
    ("courses.manage_discard", "POST"): plain(403, 302, LOGIN, with_draft),
    ("courses.manage_archive", "POST"): plain(403, 302, LOGIN, a_course),
    ("courses.manage_restore", "POST"): plain(403, 302, LOGIN, archived),
    ("courses.manage_add_module", "POST"): plain(
        403, 302, LOGIN, form({"title": "Matrix module"}, a_course)),
    ("courses.manage_rename_module", "GET"): plain(403, 200, LOGIN, a_module),
    ("courses.manage_rename_module", "POST"): plain(
        403, 302, LOGIN, form({"title": "Renamed module"}, a_module)),
    ("courses.manage_delete_module", "POST"): plain(403, 302, LOGIN, a_module),
    ("courses.manage_move_module", "POST"): plain(
        403, 302, LOGIN, lambda case: a_module(case, direction="down")),
    ("courses.manage_reorder", "POST"): plain(403, 200, LOGIN, reorder),
    ("courses.manage_add_lesson", "GET"): plain(403, 200, LOGIN, a_module),
    ("courses.manage_add_lesson", "POST"): plain(403, 302, LOGIN, form(LESSON_FORM, a_module)),
    ("courses.manage_edit_lesson", "GET"): plain(403, 200, LOGIN, a_lesson),
    ("courses.manage_edit_lesson", "POST"): plain(403, 302, LOGIN, form(LESSON_FORM, a_lesson)),
    ("courses.manage_delete_lesson", "POST"): plain(403, 302, LOGIN, a_lesson),
    ("courses.manage_move_lesson", "POST"): plain(
        403, 302, LOGIN, lambda case: a_lesson(case, direction="down")),
    ("courses.manage_move_lesson_to", "POST"): plain(403, 302, LOGIN, move_to),
    ("courses.manage_lesson_file", "GET"): plain(403, 200, LOGIN, a_file),
    ("courses.manage_add_prerequisite", "POST"): plain(403, 302, LOGIN, prerequisite_form),
    ("courses.manage_remove_prerequisite", "POST"): plain(403, 302, LOGIN, a_prerequisite),
}
