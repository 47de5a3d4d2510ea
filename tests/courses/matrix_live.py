"""Authorization matrix entries for live sessions (see ``tests/authz_matrix.py``).

The member is leader_a: not an admin and not the facilitator, so the roster is 403; a
rep of leader_a's is registered, so leader_a confirms (200) and disputes.
"""

from __future__ import annotations

from datetime import timedelta

from courses.live import services as live
from lms.db import utcnow
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, form, plain
from tests.courses.factories_live import begin


def _session(case: Case):
    facilitator = factories.person(level="manager", is_facilitator=True)
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    session = live.create_session(live.SessionData(
        title="Matrix session", starts_at=starts, ends_at=starts + timedelta(hours=2),
        facilitator=facilitator, segments=[("Opening", 15)]), by=case.org.admin)
    registration = live.register(case.org.rep_a1a, session, by=case.org.admin)
    return session, registration


def a_session(case: Case):
    session, _registration = _session(case)
    return {"id": session.id}, {}


def a_started_session(case: Case):
    session, _registration = _session(case)
    begin(session)  # leaders confirm once attendance could be taken
    return {"id": session.id}, {}


def a_dispute(case: Case):
    session, registration = _session(case)
    begin(session)
    confirmation = live.dispute(session, case.org.leader_a, registration, "Check this")
    return {"id": session.id, "confirmation_id": confirmation.id}, {
        "data": {"resolution": "Checked"}}


def dispute_rita(case: Case):
    session, registration = _session(case)
    begin(session)
    return {"id": session.id}, {"data": {"dispute-registration": registration.id,
                                         "dispute-note": "She stayed"}}


def roster_rita(case: Case):
    session, registration = _session(case)
    begin(session)  # attendance opens when the session starts
    return {"id": session.id}, {"data": {f"status-{registration.id}": "attended"}}


def walk_in(case: Case):
    session, _registration = _session(case)
    return {"id": session.id}, {"data": {"who": case.org.rep_a1b.email}}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses.session_list", "GET"): plain(200, 200, LOGIN),
    ("courses.session_detail", "GET"): plain(200, 200, LOGIN, a_session),
    ("courses.session_ics", "GET"): plain(200, 200, LOGIN, a_session),
    ("courses.session_create", "GET"): plain(403, 200, LOGIN),
    ("courses.session_create", "POST"): plain(403, 200, LOGIN, form({"title": ""})),
    ("courses.session_edit", "GET"): plain(403, 200, LOGIN, a_session),
    ("courses.session_edit", "POST"): plain(403, 200, LOGIN, a_session),
    ("courses.session_cancel", "POST"): plain(403, 302, LOGIN, a_session),
    ("courses.session_register", "POST"): plain(302, 302, LOGIN, a_session),
    ("courses.session_unregister", "POST"): plain(302, 302, LOGIN, a_session),
    ("courses.session_roster", "GET"): plain(403, 200, LOGIN, a_session),
    ("courses.session_roster", "POST"): plain(403, 302, LOGIN, roster_rita),
    ("courses.session_all_present", "POST"): plain(403, 302, LOGIN, a_session),
    ("courses.session_walk_in", "POST"): plain(403, 302, LOGIN, walk_in),
    ("courses.session_walk_in_people", "GET"): plain(403, 200, LOGIN, a_session),
    ("courses.session_resolve", "POST"): plain(403, 302, LOGIN, a_dispute),
    ("courses.session_confirm", "GET"): plain(200, 403, LOGIN, a_session),
    ("courses.session_confirm", "POST"): plain(302, 403, LOGIN, a_started_session),
    ("courses.session_dispute", "POST"): plain(302, 403, LOGIN, dispute_rita),
}
