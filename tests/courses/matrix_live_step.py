"""Authorization matrix entries for the sessions of a live-session step (authoring).

"member" is a leader who is not an admin: the published course exists for them (403); only
admins add a session to a course or take it out.
"""

from __future__ import annotations

from datetime import timedelta

from courses.live import services as live
from courses.models import LessonKind
from courses.services import authoring, player
from lms.db import utcnow
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, plain


def _live_course(case: Case):
    admin = case.org.admin
    course = factories.course(title="Matrix live step", lessons=1, by=admin, published=False)
    lesson = authoring.add_lesson(course.draft_version.modules[0], authoring.LessonData(
        title="Kick-off session", kind=LessonKind.LIVE), by=admin)
    authoring.publish(course, by=admin)
    starts = utcnow().replace(microsecond=0) + timedelta(days=6)
    session = live.create_session(live.SessionData(
        title="Matrix live session", starts_at=starts, ends_at=starts + timedelta(hours=1)),
        by=admin)
    return course, lesson, session


def course_session(case: Case):
    course, lesson, session = _live_course(case)
    player.link_session(course, session, by=case.org.admin)
    return {"id": course.id, "key": lesson.key, "session_id": session.id}, {}


def _link_form(case: Case):
    course, lesson, session = _live_course(case)
    return {"id": course.id, "key": lesson.key}, {"data": {"session": session.id}}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses.manage_link_session", "POST"): plain(403, 302, LOGIN, _link_form),
    ("courses.manage_unlink_session", "POST"): plain(403, 302, LOGIN, course_session),
}
