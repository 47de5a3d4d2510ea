"""Authorization matrix entries for the attendance-by-level pages (``tests/authz_matrix.py``)."""

from __future__ import annotations

from datetime import timedelta

from courses.live.models import LiveSession, Program
from lms.db import utcnow
from lms.extensions import db
from tests.authz_matrix import LOGIN, Case, Route, plain


def _session(_case: Case) -> LiveSession:
    now = utcnow()
    program = Program(name="Matrix program", starts_on=now.date(), ends_on=now.date())
    live = LiveSession(program=program, title="Matrix session", starts_at=now,
                       ends_at=now + timedelta(hours=1))
    db.session.add(live)
    db.session.flush()
    return live


def a_session(case: Case):
    return {"id": _session(case).id}, {}


def a_program(case: Case):
    return {"id": _session(case).program_id}, {}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses.attendance_index", "GET"): plain(200, 200, LOGIN),
    ("courses.attendance_session", "GET"): plain(200, 200, LOGIN, a_session),
    ("courses.attendance_program", "GET"): plain(200, 200, LOGIN, a_program),
    ("courses.attendance_subtree", "GET"): plain(200, 200, LOGIN),
}
