"""The manager-first flow end to end through the services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courses.models import EnrollmentStatus, PrerequisiteKind
from courses.services import authoring, enrolment, player
from courses.unlocking import lock_reasons_for, waiting_on
from lms.notify.models import Notification
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")


def test_rep_course_unlocks_when_manager_completes(org, session, count_queries):
    coaching = factories.course(title="Coaching the Coach", audience=("manager",), by=org.admin)
    selling = factories.course(title="Discovery Calls", audience=("rep",), by=org.admin)
    authoring.add_prerequisite(selling, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                               by=org.admin)
    rep_enrolment = enrolment.enrol(org.rep_a1a, selling, by=org.manager_a1)
    enrolment.enrol(org.rep_a1b, selling, by=org.manager_a1)
    manager_enrolment = enrolment.enrol(org.manager_a1, coaching, by=org.manager_a1)

    reasons = lock_reasons_for(selling, org.rep_a1a)
    assert [r.message for r in reasons] == [
        "Locked until your manager, Dana Reyes, completes “Coaching the Coach”."]
    assert {(rep.name, course.title) for rep, course in waiting_on(org.manager_a1)} == {
        ("Rita Rep", "Discovery Calls"), ("Ron Rep", "Discovery Calls")}
    with pytest.raises(player.CourseLockedError):
        player.complete_lesson(rep_enrolment, selling.current_version.lessons[0],
                               by=org.rep_a1a)

    for lesson in coaching.current_version.lessons:
        player.complete_lesson(manager_enrolment, lesson, by=org.manager_a1)

    assert manager_enrolment.status == EnrollmentStatus.COMPLETED
    assert lock_reasons_for(selling, org.rep_a1a) == []
    unlocked = session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "course.unlocked")).all()
    assert sorted(unlocked) == sorted([org.rep_a1a.id, org.rep_a1b.id])
    assert waiting_on(org.manager_a1) == []


def test_progress_survives_a_new_version_for_lessons_that_still_exist(org):
    course = factories.course(lessons=3, by=org.admin)
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    first, second, third = course.current_version.lessons
    player.complete_lesson(mine, first, by=org.rep_a1a)
    player.complete_lesson(mine, second, by=org.rep_a1a)

    draft = authoring.draft_for_editing(course, by=org.admin)
    authoring.delete_lesson(authoring.lesson_by_key(draft, third.key), by=org.admin)
    authoring.publish(course, by=org.admin)

    assert course.current_version.number == 2
    # Only the two done lessons remain, so publishing completes the enrolment.
    assert mine.status == EnrollmentStatus.COMPLETED
