"""Authorization matrix entries for the learner pages (see ``tests/authz_matrix.py``).

"member" is leader_a, not an admin; each builder makes its own course and, where the page
is about taking it, enrols whoever is signed in, so the route answers for the actor alone.
"""

from __future__ import annotations

from courses.models import LessonKind
from courses.services import authoring, enrolment
from lms.web import files
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, form, plain

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _course(case: Case, **options):
    # Leaders and the admin (a leader too) are both in the audience.
    options.setdefault("audience", ("leader", "rep"))
    return factories.course(title="Matrix learner course", by=case.org.admin, **options)


def _enrolled(case: Case, course):
    if case.actor is not None:
        enrolment.enrol(case.actor, course, by=case.actor)
    return course


def a_course(case: Case):
    return {"slug": _course(case).slug}, {}


def enrolled(case: Case):
    return {"slug": _enrolled(case, _course(case)).slug}, {}


def a_lesson(case: Case):
    course = _enrolled(case, _course(case))
    return {"slug": course.slug, "key": course.current_version.lessons[0].key}, {}


def a_file(case: Case):
    admin = case.org.admin
    course = _course(case, lessons=0, published=False)
    stored = files.store_bytes(PDF, "guide.pdf", by=admin)
    lesson = authoring.add_lesson(course.draft_version.modules[0], authoring.LessonData(
        title="Guide", kind=LessonKind.FILE, file_id=stored.id), by=admin)
    authoring.publish(course, by=admin)
    _enrolled(case, course)
    return {"slug": course.slug, "key": lesson.key}, {}


def a_preview(case: Case):
    return {"course_id": _course(case).id}, {}


def a_preview_lesson(case: Case):
    course = _course(case)
    return {"course_id": course.id, "key": course.current_version.lessons[1].key}, {}


def enrol_form(case: Case):
    # rep_a1a is under leader_a, and anyone is in the admin's sight.
    return {"mode": "people", "emails": case.org.rep_a1a.email}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses.catalog", "GET"): plain(200, 200, LOGIN),
    ("courses.detail", "GET"): plain(200, 200, LOGIN, a_course),
    ("courses.join", "POST"): plain(302, 302, LOGIN, a_course),
    ("courses.leave", "POST"): plain(302, 302, LOGIN, enrolled),
    ("courses.progress", "GET"): plain(200, 200, LOGIN, enrolled),
    ("courses.lesson", "GET"): plain(200, 200, LOGIN, a_lesson),
    ("courses.complete", "POST"): plain(302, 302, LOGIN, a_lesson),
    ("courses.download", "GET"): plain(200, 200, LOGIN, a_file),
    ("courses.preview", "GET"): plain(403, 200, LOGIN, a_preview_lesson),
    ("courses.enrol", "GET"): plain(200, 200, LOGIN, a_course),
    ("courses.enrol", "POST"): plain(302, 302, LOGIN, form(enrol_form, a_course)),
}
