"""Authorization matrix entries for the live sessions API (see ``tests/authz_matrix.py``).

The token holds every scope, so these check the permission layer: "member" (leader_a, not
an admin) reads the catalog, registers people of their subtree and reads their subtree's
attendance; scheduling and taking attendance are for admins (and the facilitator).
"""

from __future__ import annotations

from datetime import timedelta

from courses.live import services as live
from lms.db import utcnow
from tests.authz_matrix import Case, Route, json_body, plain
from tests.courses.factories_live import begin


def _session(case: Case, *, with_rep: bool = False):
    starts = utcnow().replace(microsecond=0) + timedelta(days=5)
    session = live.create_session(live.SessionData(
        title="Matrix session", starts_at=starts, ends_at=starts + timedelta(hours=1)),
        by=case.org.admin)
    registration = (live.register(case.org.rep_a1a, session, by=case.org.admin)
                    if with_rep else None)
    return session, registration


def a_session(case: Case):
    return {"session_id": _session(case)[0].id}, {}


def with_rep(case: Case):
    session, _registration = _session(case, with_rep=True)
    return {"session_id": session.id, "user_id": case.org.rep_a1a.id}, {}


def roster_of_one(case: Case):
    session, registration = _session(case, with_rep=True)
    begin(session)  # attendance opens when the session starts
    return {"session_id": session.id}, {"json": {"rows": [
        {"registration_id": registration.id, "status": "attended"}]}}


def new_session(case: Case) -> dict:
    starts = utcnow().replace(microsecond=0) + timedelta(days=9)
    return {"title": "Matrix new session", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat()}


ROUTES: dict[tuple[str, str], Route] = {
    ("sessions_api.index", "GET"): plain(200, 200, 401),
    ("sessions_api.detail", "GET"): plain(200, 200, 401, a_session),
    ("sessions_api.create", "POST"): plain(403, 201, 401, json_body(new_session)),
    ("sessions_api.update", "PATCH"): plain(403, 200, 401,
                                            json_body({"location": "Room 2"}, a_session)),
    ("sessions_api.register", "POST"): plain(201, 201, 401, json_body(
        lambda case: {"user_id": case.org.rep_a1a.id}, a_session)),
    ("sessions_api.unregister", "DELETE"): plain(200, 200, 401, with_rep),
    ("sessions_api.attendance", "GET"): plain(200, 200, 401, with_rep),
    ("sessions_api.take_attendance", "PUT"): plain(403, 200, 401, roster_of_one),
}
