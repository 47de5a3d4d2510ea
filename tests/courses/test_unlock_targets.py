"""Target: a manager's completion unlocks and notifies every rep in a constant number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from courses.live import programs
from courses.models import Enrollment, EnrollmentStatus, PrerequisiteKind
from courses.services import authoring, enrolment, player
from courses.unlocking import lock_reasons
from lms.db import utcnow
from lms.extensions import db
from lms.notify.models import Notification, OutboxMessage
from lms.people.models import Level
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")


def _team(leader, size: int, manager_course, rep_course):
    """A manager one lesson short of ``manager_course`` and ``size`` reps waiting on them."""
    manager = factories.person(level=Level.MANAGER, manager=leader)
    reps = [factories.person(manager=manager, password=None) for _ in range(size)]
    db.session.execute(insert(Enrollment), [
        {"course_id": rep_course.id, "user_id": rep.id, "status": EnrollmentStatus.ACTIVE,
         "enrolled_at": utcnow()} for rep in reps])
    taking = enrolment.enrol(manager, manager_course, by=manager)
    for lesson in manager_course.current_version.lessons[:-1]:
        player.complete_lesson(taking, lesson, by=manager)
    return manager, reps, taking


def test_completing_the_last_lesson_unlocks_5_or_50_reps_in_the_same_number_of_queries(
        org, count_queries):
    manager_course = factories.course(title="Coach first", audience=("manager",), lessons=3,
                                      by=org.admin)
    rep_course = factories.course(title="Reps after", by=org.admin)
    authoring.add_prerequisite(rep_course, PrerequisiteKind.MANAGER_COMPLETION, manager_course,
                               by=org.admin)
    counts = []
    for size in (5, 50):
        manager, reps, taking = _team(org.leader_a, size, manager_course, rep_course)
        db.session.flush()
        with count_queries() as counter:
            player.complete_lesson(taking, manager_course.current_version.lessons[-1],
                                   by=manager)
            db.session.flush()
        counts.append(counter.count)

        assert not any(lock_reasons(rep_course, reps).values())
        told = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "course.unlocked",
            Notification.recipient_id.in_([rep.id for rep in reps])))
        emailed = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.subject == "“Reps after” is open for you",
            OutboxMessage.recipient_id.in_([rep.id for rep in reps])))
        assert told == emailed == size
    assert counts[0] == counts[1], counts


def test_completing_wave_1_unlocks_5_or_50_reps_of_wave_2_in_the_same_number_of_queries(
        org, count_queries):
    manager_course = factories.course(title="Coach first", audience=("manager",), lessons=3,
                                      by=org.admin)
    rep_course = factories.course(title="Reps after", by=org.admin)
    program = programs.create_program(programs.ProgramData(
        name="Rollout", starts_on=date.today() - timedelta(days=1),
        ends_on=date.today() + timedelta(days=60)), by=org.admin)
    programs.default_waves(program, [manager_course], [rep_course], by=org.admin)
    programs.set_status(program, "active", by=org.admin)
    counts = []
    for size in (5, 50):
        manager, reps, taking = _team(org.leader_a, size, manager_course, rep_course)
        db.session.flush()
        assert all(lock_reasons(rep_course, reps).values())
        with count_queries() as counter:
            player.complete_lesson(taking, manager_course.current_version.lessons[-1],
                                   by=manager)
            db.session.flush()
        counts.append(counter.count)
        assert not any(lock_reasons(rep_course, reps).values())
        told = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "course.unlocked",
            Notification.recipient_id.in_([rep.id for rep in reps])))
        assert told == size
    assert counts[0] == counts[1], counts
