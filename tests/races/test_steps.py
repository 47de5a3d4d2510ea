"""Steps that complete by themselves, from requests racing each other: a facilitator's "all
present" saved twice at once records the live-session step, completes the course and opens
the courses waiting on the leader's attendance once; a passing quiz submitted twice at once
completes its assessment step and the course once."""

from __future__ import annotations

from datetime import timedelta

from assessments import quiz
from assessments.models import QuestionType
from courses.certificates.models import Certificate
from courses.live import services as live_sessions
from courses.models import LessonKind, PrerequisiteKind
from courses.services import authoring, enrolment, player
from lms.db import utcnow
from lms.people.models import Level
from tests import factories
from tests.assessments import factories_quiz
from tests.courses.factories_live import begin
from tests.races.conftest import post_all


def _workshop_for_a_leader():
    """A leader one live step short of their course; a rep whose course waits on the leader
    attending; a facilitator running the session."""
    admin = factories.admin()
    facilitator = factories.person(level=Level.MANAGER, is_facilitator=True)
    leader = factories.person(level=Level.LEADER)
    rep = factories.person(manager=factories.person(level=Level.MANAGER, manager=leader))
    course = factories.course(audience=("leader",), lessons=1, published=False, by=admin)
    authoring.add_lesson(course.draft_version.modules[0], authoring.LessonData(
        title="Join the workshop", kind=LessonKind.LIVE, body_markdown="Practice."), by=admin)
    authoring.publish(course, by=admin)
    waiting = factories.course(audience=("rep",), published=False, by=admin)
    authoring.add_prerequisite(waiting, PrerequisiteKind.LEADER_ATTENDED, course, by=admin)
    authoring.publish(waiting, by=admin)
    enrolment.enrol(rep, waiting, by=admin, notify_person=False)
    starts = utcnow().replace(microsecond=0) + timedelta(days=1)
    session = live_sessions.create_session(live_sessions.SessionData(
        title="Coaching workshop", starts_at=starts, ends_at=starts + timedelta(hours=2),
        facilitator=facilitator, attended_threshold=90, location="Room 4", capacity=20),
        by=admin)
    player.link_session(course, session, by=admin)
    enrollment = enrolment.enrol(leader, course, by=leader)
    player.complete_lesson(enrollment, course.current_version.lessons[0], by=leader)
    live_sessions.register(leader, session, by=leader)
    begin(session)
    return facilitator.email, session.id, course.id, rep.id


def test_all_present_twice_at_once_completes_the_course_once(live, crowd):
    email, session_id, course_id, rep_id = live.seed(_workshop_for_a_leader)

    post_all(live.signed_in(email), f"{live.url}/courses/sessions/{session_id}/roster/all-present",
             crowd)

    assert live.audits("session.live_step", session_id) == 1
    assert live.audits("enrollment.complete_many", course_id) == 1
    assert live.count(Certificate, Certificate.course_id == course_id) == 1
    assert live.notifications("course.unlocked", [rep_id]) == 1
    assert live.emails("course.unlocked", [rep_id]) == 1


def _manager_one_quiz_short():
    """A manager whose course ends with an assessment step, their attempt answered right and
    not yet submitted; two reps whose course waits on the manager's."""
    admin = factories.admin()
    manager = factories.person(level=Level.MANAGER)
    reps = [factories.person(manager=manager) for _ in range(2)]
    course, key = factories_quiz.course_with_step(admin, audience=("manager",))
    pool = factories_quiz.bank(course)
    factories_quiz.question(pool, QuestionType.SINGLE)
    found = factories_quiz.assessment(course, [pool], by=admin, count=1, lesson_key=key)
    waiting = factories.course(audience=("rep",), published=False, by=admin)
    authoring.add_prerequisite(waiting, PrerequisiteKind.MANAGER_COMPLETION, course, by=admin)
    authoring.publish(waiting, by=admin)
    for rep in reps:
        enrolment.enrol(rep, waiting, by=admin, notify_person=False)
    enrollment = enrolment.enrol(manager, course, by=admin, notify_person=False)
    player.complete_lesson(enrollment, course.current_version.lessons[0], by=manager)
    attempt = quiz.start_attempt(manager, found, now=utcnow()).attempt
    item = quiz.items_of(attempt)[0]
    return (manager.email, enrollment.id, course.id, [rep.id for rep in reps], attempt.id,
            {f"item-{item.id}": factories_quiz.RIGHT[QuestionType.SINGLE], "action": "submit"})


def test_a_passing_submit_sent_twice_completes_the_assessment_step_once(live, crowd):
    email, enrollment_id, course_id, reps, attempt_id, form = live.seed(
        _manager_one_quiz_short)

    post_all(live.signed_in(email), f"{live.url}/assessments/attempts/{attempt_id}", crowd,
             data=form)

    assert live.audits("enrollment.complete", enrollment_id) == 1
    assert live.count(Certificate, Certificate.course_id == course_id) == 1
    assert live.notifications("course.unlocked", reps) == len(reps)
    assert live.emails("course.unlocked", reps) == len(reps)
