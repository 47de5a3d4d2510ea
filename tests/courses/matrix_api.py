"""Authorization matrix entries for the courses API (see ``tests/authz_matrix.py``).

The token holds every scope, so these check the permission layer: "member" (a leader, not
an admin) reads published courses, enrols their own subtree and takes their own courses;
authoring, publishing and export are for admins.
"""

from __future__ import annotations

from courses.services import authoring, enrolment
from tests import factories
from tests.authz_matrix import Case, Route, json_body, plain

EVERYONE = ("rep", "manager", "leader", "executive")


def a_course(case: Case):
    return {"course_id": factories.course(title="Matrix API", by=case.org.admin).id}, {}


def with_draft(case: Case):
    course = factories.course(title="Matrix API draft", by=case.org.admin)
    authoring.add_module(course, "Unpublished module", by=case.org.admin)
    return {"course_id": course.id}, {}


def own_lesson(case: Case):
    """A lesson of a course the actor is enrolled in (signed out: nobody is)."""
    course = factories.course(title="Matrix API lesson", audience=EVERYONE, by=case.org.admin)
    if case.actor is not None:
        enrolment.enrol(case.actor, course, by=case.actor)
    return {"course_id": course.id, "key": course.current_version.lessons[0].key}, {}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses_api.index", "GET"): plain(200, 200, 401),
    ("courses_api.detail", "GET"): plain(200, 200, 401, a_course),
    ("courses_api.create", "POST"): plain(403, 201, 401, json_body({"title": "Matrix new"})),
    ("courses_api.update", "PATCH"): plain(403, 200, 401,
                                           json_body({"summary": "Changed"}, a_course)),
    ("courses_api.publish", "POST"): plain(403, 200, 401, with_draft),
    ("courses_api.export", "GET"): plain(403, 200, 401, a_course),
    ("courses_api.enrollments", "GET"): plain(200, 200, 401, a_course),
    ("courses_api.enrol", "POST"): plain(200, 200, 401, json_body(
        lambda case: {"user_ids": [case.org.rep_a1a.id]}, a_course)),
    ("courses_api.my_enrollments", "GET"): plain(200, 200, 401),
    ("courses_api.complete", "POST"): plain(200, 200, 401, own_lesson),
}
