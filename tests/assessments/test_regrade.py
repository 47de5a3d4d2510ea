"""Regrading after a key is fixed: scores, passes, the course step, and its cost."""

from __future__ import annotations

from sqlalchemy import select

from assessments import grading, quiz
from assessments.models import Attempt, AttemptStatus, QuestionType
from courses.models import Enrollment
from courses.services import enrolment, player
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.extensions import db
from tests import factories
from tests.assessments import factories_quiz as fq

SINGLE = (QuestionType.SINGLE,)


def _take(person, found, answer: str) -> Attempt:
    attempt = quiz.start_attempt(person, found, now=utcnow()).attempt
    quiz.save_answers(attempt, {i.id: answer for i in quiz.items_of(attempt)}, now=utcnow())
    return quiz.submit(attempt, now=utcnow())


def _fix_key(question, correct: str) -> None:
    """What the banks editor does when an admin fixes the key: new spec, next key version."""
    question.spec = grading.check_spec(question.type, {**question.spec, "correct": [correct]})
    question.key_version += 1
    db.session.flush()


def _enrollment(person) -> Enrollment:
    return db.session.scalar(select(Enrollment).where(Enrollment.user_id == person.id))


def test_fixing_a_key_then_regrading_updates_scores_and_passes(org):
    _course, found = fq.ready(org, types=SINGLE, count=1, enrol=(org.rep_a1a, org.rep_a1b))
    chose_a = _take(org.rep_a1a, found, "a")  # wrong under the old key
    chose_b = _take(org.rep_a1b, found, "b")  # right under the old key
    assert (chose_a.passed, chose_b.passed) == (False, True)
    question = quiz.items_of(chose_a)[0].question
    _fix_key(question, "a")
    result = quiz.regrade(found, by=org.admin)
    assert (result.answers_changed, result.attempts_changed) == (2, 2)
    assert (result.now_passing, result.now_failing) == (1, 1)
    assert (chose_a.score, chose_a.percent, chose_a.passed) == (1.0, 100.0, True)
    assert (chose_b.score, chose_b.percent, chose_b.passed) == (0.0, 0.0, False)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.regrade"))
    assert entry.object_id == found.id and entry.changes["now_passing"] == [None, 1]


def test_a_regrade_with_nothing_to_change_writes_no_grade(org):
    _course, found = fq.ready(org, types=SINGLE, count=1)
    attempt = _take(org.rep_a1a, found, "b")
    graded_at = attempt.graded_at
    result = quiz.regrade(found, by=org.admin)
    assert result.answers_changed == 0 and result.summary == "No grade changed."
    assert attempt.graded_at == graded_at


def test_an_attempt_in_progress_is_left_alone(org):
    _course, found = fq.ready(org, types=SINGLE, count=1)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    quiz.save_answers(attempt, {i.id: "a" for i in quiz.items_of(attempt)}, now=utcnow())
    _fix_key(quiz.items_of(attempt)[0].question, "a")
    assert quiz.regrade(found, by=org.admin).answers_changed == 0
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.score is None


def test_a_question_regrade_reaches_every_assessment_that_drew_it(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    question = fq.question(pool)
    first = fq.assessment(course, [pool], by=org.admin, count=1)
    second = fq.assessment(course, [pool], by=org.admin, count=1)
    enrolment.enrol(org.rep_a1a, course, by=org.admin)
    attempts = [_take(org.rep_a1a, found, "c") for found in (first, second)]
    _fix_key(question, "c")
    result = quiz.regrade(question, by=org.admin)
    assert result.attempts_changed == 2 and all(a.passed for a in attempts)
    assert db.session.scalar(select(AuditEntry.object_type).where(
        AuditEntry.action == "question.regrade")) == "Question"


def test_changed_points_change_the_maximum(org):
    _course, found = fq.ready(org, types=(QuestionType.SINGLE, QuestionType.TRUE_FALSE))
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    quiz.save_answers(attempt, {i.id: fq.RIGHT[i.question.type] for i in quiz.items_of(attempt)},
                      now=utcnow())
    quiz.submit(attempt, now=utcnow())
    single = next(i for i in quiz.items_of(attempt) if i.question.type == QuestionType.SINGLE)
    single.question.points = 3
    db.session.flush()
    quiz.regrade(found, by=org.admin)
    assert (attempt.score, attempt.max_score, attempt.percent) == (4.0, 4.0, 100.0)


def test_a_learner_who_now_passes_completes_the_step_and_the_course(org):
    course, found = fq.ready(org, types=SINGLE, count=1, step=True, pass_mark=100)
    enrollment = _enrollment(org.rep_a1a)
    player.complete_lesson(enrollment, course.current_version.lessons[0], by=org.rep_a1a)
    attempt = _take(org.rep_a1a, found, "a")
    assert not attempt.passed and enrollment.completed_at is None
    _fix_key(quiz.items_of(attempt)[0].question, "a")
    result = quiz.regrade(found, by=org.admin)
    assert result.steps_completed == 1
    assert found.lesson_key in player.done_keys(enrollment)
    assert enrollment.completed_at is not None


def test_a_learner_who_now_fails_keeps_the_step_and_the_course(org):
    course, found = fq.ready(org, types=SINGLE, count=1, step=True)
    enrollment = _enrollment(org.rep_a1a)
    player.complete_lesson(enrollment, course.current_version.lessons[0], by=org.rep_a1a)
    attempt = _take(org.rep_a1a, found, "b")
    assert attempt.passed and enrollment.completed_at is not None
    _fix_key(quiz.items_of(attempt)[0].question, "a")
    result = quiz.regrade(found, by=org.admin)
    assert result.now_failing == 1 and attempt.passed is False
    assert found.lesson_key in player.done_keys(enrollment)
    assert enrollment.completed_at is not None


def test_regrading_costs_the_same_queries_for_four_or_twenty_attempts(org, count_queries):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    question = fq.question(pool)
    fq.question(pool)
    counts = []
    for people in (4, 20):
        found = fq.assessment(course, [pool], by=org.admin, count=2)
        for _ in range(people):
            rep = factories.person(manager=org.manager_a1)
            enrolment.enrol(rep, course, by=org.admin)
            _take(rep, found, "a")
        _fix_key(question, "a" if people == 4 else "c")
        db.session.expire_all()
        with count_queries() as counter:
            result = quiz.regrade(found, by=org.admin)
            db.session.flush()
        assert result.attempts_changed == people
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_regrade_button_reports_what_changed(org, client, login):
    _course, found = fq.ready(org, types=SINGLE, count=1)
    attempt = _take(org.rep_a1a, found, "a")
    _fix_key(quiz.items_of(attempt)[0].question, "a")
    db.session.commit()
    login(org.admin)
    response = client.post(f"/assessments/{found.id}/regrade", follow_redirects=True)
    assert "1 answer(s) in 1 attempt(s) regraded: 1 now pass, 0 now fail." in (
        response.get_data(as_text=True))
    db.session.expire_all()
    assert attempt.passed is True
