"""Authorization matrix entries for the progress pages (see ``tests/authz_matrix.py``)."""

from __future__ import annotations

from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, plain


def a_course(case: Case):
    course = factories.course(title="Matrix course", by=case.org.admin)
    return {"course": course.id}, {}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses.progress_team", "GET"): plain(200, 200, LOGIN, a_course),
    ("courses.progress_levels", "GET"): plain(200, 200, LOGIN, a_course),
    ("courses.progress_course", "GET"): plain(200, 200, LOGIN, a_course),
}
