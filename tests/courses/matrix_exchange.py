"""Authorization matrix entries for course export and import (see ``tests/authz_matrix.py``).

Only admins export and import; "member" (a leader, not an admin) sees published courses, so
they get 403 rather than 404.
"""

from __future__ import annotations

import io
import json

from courses import exchange
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, plain


def a_course(case: Case):
    return {"id": factories.course(title="Matrix export", by=case.org.admin).id}, {}


def a_document(case: Case):
    """A valid document, under an address no course has, uploaded through the form."""
    document = exchange.export_course(factories.course(title="Matrix import",
                                                       by=case.org.admin))
    document["slug"] = "matrix-imported"
    return {}, {"data": {"file": (io.BytesIO(json.dumps(document).encode()), "course.json")},
                "content_type": "multipart/form-data"}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses.export_json", "GET"): plain(403, 200, LOGIN, a_course),
    ("courses.import_json", "GET"): plain(403, 200, LOGIN),
    ("courses.import_json", "POST"): plain(403, 302, LOGIN, a_document),
}
