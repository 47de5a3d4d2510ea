"""Authorization matrix entries for calendar feeds (see ``tests/authz_matrix.py``).

The feed needs no sign-in: its secret token is the credential, so everyone with a live
token gets 200 (tests/lms/test_calendar.py checks wrong and revoked tokens).
"""

from __future__ import annotations

from datetime import timedelta

from courses.calendar import due_uid
from courses.services import enrolment
from lms.calendar.services import create_feed
from lms.db import utcnow
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, plain


def a_feed(case: Case):
    _token, secret = create_feed(case.target)
    return {"token": secret}, {}


def an_event(case: Case):
    person = case.actor or case.target
    course = factories.course(audience=("leader", "rep"), by=case.org.admin)
    taken = enrolment.enrol(person, course, by=person)
    taken.due_at = utcnow() + timedelta(days=7)
    return {"uid": due_uid(taken.id)}, {}


ROUTES: dict[tuple[str, str], Route] = {
    ("calendar.index", "GET"): plain(200, 200, LOGIN),
    ("calendar.create", "POST"): plain(200, 200, LOGIN),
    ("calendar.revoke", "POST"): plain(302, 302, LOGIN),
    ("calendar.feed", "GET"): plain(200, 200, 200, a_feed),
    ("calendar.event", "GET"): plain(200, 200, LOGIN, an_event),
}
