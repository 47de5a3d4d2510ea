"""Completing a course's last lesson from many requests at once completes it once.

The manager's five reps wait on the manager's course; whoever wins the race completes the
enrolment, and the others find it done: one audit entry, one certificate, one "course
unlocked" notification and one email per waiting rep, and ``completed_at`` never rewritten.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courses.certificates.models import Certificate
from courses.models import Enrollment, PrerequisiteKind
from courses.services import authoring, enrolment, player
from lms.extensions import db
from lms.people.models import Level
from tests import factories
from tests.races.conftest import post_all

REPS = 5


def _manager_waited_on(live):
    """A manager one lesson short of their course, five reps whose course waits on it."""
    def build():
        admin = factories.admin()
        manager = factories.person(level=Level.MANAGER)
        reps = [factories.person(manager=manager) for _ in range(REPS)]
        first = factories.course(audience=("manager",), by=admin)
        second = factories.course(audience=("rep",), published=False, by=admin)
        authoring.add_prerequisite(second, PrerequisiteKind.MANAGER_COMPLETION, first, by=admin)
        authoring.publish(second, by=admin)
        for rep in reps:
            enrolment.enrol(rep, second, by=admin, notify_person=False)
        enrollment = enrolment.enrol(manager, first, by=manager)
        lessons = first.current_version.lessons
        player.complete_lesson(enrollment, lessons[0], by=manager)
        return (manager.email, enrollment.id, [rep.id for rep in reps], first.id,
                f"/courses/{first.slug}/lessons/{lessons[-1].key}/complete")
    return live.seed(build)


@pytest.mark.parametrize("crowd", [2, 50], ids=["double-click", "fifty"])
def test_last_lesson_completes_the_course_once(live, crowd):
    email, enrollment_id, reps, course_id, url = _manager_waited_on(live)
    browser = live.signed_in(email)

    post_all(browser, live.url + url, crowd)

    enrollment = live.read(lambda: db.session.get(Enrollment, enrollment_id))
    issued_at = live.read(lambda: db.session.scalar(
        select(Certificate.issued_at).where(Certificate.course_id == course_id)))
    effects = {
        "enrollment.complete audits": live.audits("enrollment.complete", enrollment_id),
        "certificates": live.count(Certificate, Certificate.course_id == course_id),
        "unlocked notifications": live.notifications("course.unlocked", reps),
        "unlocked emails": live.emails("course.unlocked", reps),
        # The certificate keeps the first completion's moment; a rewrite would differ.
        "completed_at kept": enrollment.completed_at == issued_at,
    }
    assert effects == {"enrollment.complete audits": 1, "certificates": 1,
                       "unlocked notifications": REPS, "unlocked emails": REPS,
                       "completed_at kept": True}
    assert enrollment.status == "completed"

    post_all(browser, live.url + url, 1)  # done again later: nothing changes
    assert live.audits("enrollment.complete", enrollment_id) == 1
    assert live.read(lambda: db.session.get(Enrollment, enrollment_id).completed_at) == (
        issued_at)
