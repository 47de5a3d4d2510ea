"""Attempts: draw, resume, the attempt limit, racing starts, the time limit, answering,
submitting once, the course step, and answers that never reach the browser early."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessments import quiz
from assessments.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    FeedbackPolicy,
    QuestionType,
)
from assessments.quiz import attempts as attempts_module
from courses.models import Enrollment, LessonProgress
from courses.services import enrolment
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from tests import factories
from tests.api_support import token_headers
from tests.assessments import factories_quiz as fq

ALL_TYPES = tuple(QuestionType)
NOW = utcnow().replace(microsecond=0)


def _answers(attempt: Attempt, right: bool = True) -> dict[int, object]:
    table = fq.RIGHT if right else fq.WRONG
    return {item.id: table[item.question.type] for item in quiz.items_of(attempt)}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- starting ---------------------------------------------------------------------------------

def test_start_draws_n_distinct_questions_from_the_pool_and_stores_them(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    questions = [fq.question(pool) for _ in range(6)]
    fq.question(pool, archived=True)  # never drawn
    found = fq.assessment(course, [pool], by=org.admin, count=4)
    enrolment.enrol(org.rep_a1a, course, by=org.admin)
    started = quiz.start_attempt(org.rep_a1a, found, now=NOW)
    items = quiz.items_of(started.attempt)
    assert not started.resumed and started.attempt.number == 1
    assert len(items) == 4 and len({i.question_id for i in items}) == 4
    assert {i.question_id for i in items} <= {q.id for q in questions}
    assert [i.position for i in items] == [1, 2, 3, 4]
    assert all(sorted(i.choice_order) == ["a", "b", "c"] for i in items)
    assert started.attempt.deadline_at is None


def test_choices_are_shuffled_per_attempt_unless_turned_off(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    many = {"choices": [f"Choice {n}" for n in range(12)], "correct": ["a"]}
    fq.question(pool, spec=many)
    shuffled = fq.assessment(course, [pool], by=org.admin, count=1)
    fixed = fq.assessment(course, [pool], by=org.admin, count=1, shuffle_choices=False)
    enrolment.enrol(org.rep_a1a, course, by=org.admin)
    in_order = [chr(ord("a") + n) for n in range(12)]
    orders = []
    for _ in range(3):
        attempt = quiz.start_attempt(org.rep_a1a, shuffled, now=NOW).attempt
        orders.append(quiz.items_of(attempt)[0].choice_order)
        quiz.submit(attempt, now=NOW)
    assert any(order != in_order for order in orders)  # 12! orders: never all in order
    attempt = quiz.start_attempt(org.rep_a1a, fixed, now=NOW).attempt
    assert quiz.items_of(attempt)[0].choice_order == in_order


def test_leaving_and_coming_back_resumes_the_same_paper(org):
    _course, found = fq.ready(org, types=ALL_TYPES)
    first = quiz.start_attempt(org.rep_a1a, found, now=NOW)
    paper = [(i.question_id, i.choice_order) for i in quiz.items_of(first.attempt)]
    again = quiz.start_attempt(org.rep_a1a, found, now=NOW + timedelta(hours=3))
    assert again.resumed and again.attempt.id == first.attempt.id
    assert [(i.question_id, i.choice_order) for i in quiz.items_of(again.attempt)] == paper
    assert _count(Attempt) == 1


def test_attempt_limit_refuses_one_more_and_writes_nothing(org):
    _course, found = fq.ready(org, attempt_limit=2)
    for _ in range(2):
        quiz.submit(quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt, now=NOW)
    with pytest.raises(ValidationError, match="used all 2 attempts") as refused:
        quiz.start_attempt(org.rep_a1a, found, now=NOW)
    assert refused.value.field == "attempt_limit"
    assert _count(Attempt) == 2


def test_only_enrolled_learners_of_an_open_course_start(org):
    course, found = fq.ready(org, enrol=())
    with pytest.raises(ValidationError, match="Enrol in"):
        quiz.start_attempt(org.rep_a1a, found, now=NOW)
    enrolment.enrol(org.rep_a1a, course, by=org.admin)
    quiz.archive_assessment(found, by=org.admin)
    with pytest.raises(ValidationError, match="not open"):
        quiz.start_attempt(org.rep_a1a, found, now=NOW)
    assert _count(Attempt) == 0


def test_a_locked_course_refuses_its_assessment(org):
    from courses.models import PrerequisiteKind
    from courses.services import authoring

    course, found = fq.ready(org)
    first = factories.course(audience=("manager",), by=org.admin)
    authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION, first, by=org.admin)
    with pytest.raises(NotAllowedError, match="Locked until your manager"):
        quiz.start_attempt(org.rep_a1a, found, now=NOW)


def test_a_pool_that_shrank_below_the_count_is_refused_clearly(org):
    _course, found = fq.ready(org)
    for source in found.sources:
        for question in source.bank.questions:
            question.is_archived = True
    db.session.flush()
    with pytest.raises(ValidationError, match="draws 2 questions but its banks hold 0"):
        quiz.start_attempt(org.rep_a1a, found, now=NOW)


def test_racing_starts_give_one_attempt_the_loser_resumes_it(org, monkeypatch):
    _course, found = fq.ready(org)
    winner = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    db.session.flush()
    # The second request read "no attempt in progress, none used" before the first wrote.
    monkeypatch.setattr(attempts_module, "in_progress", lambda person, assessment: None)
    monkeypatch.setattr(attempts_module, "_used", lambda person, assessment: (0, 0))
    loser = quiz.start_attempt(org.rep_a1a, found, now=NOW)
    assert loser.resumed and loser.attempt.id == winner.id
    assert _count(Attempt) == 1 and _count(AttemptItem) == 2
    assert winner.status == AttemptStatus.IN_PROGRESS  # the session is still usable


# --- answering --------------------------------------------------------------------------------

def test_answers_are_checked_and_saved_as_they_go(org):
    _course, found = fq.ready(org, types=ALL_TYPES)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    items = {i.question.type: i for i in quiz.items_of(attempt)}
    quiz.save_answer(attempt, items[QuestionType.NUMERIC], "4,242.5", now=NOW)
    quiz.save_answers(attempt, {items[QuestionType.MULTIPLE].id: ["c", "a", "a"],
                                items[QuestionType.TRUE_FALSE].id: "false"}, now=NOW)
    assert items[QuestionType.NUMERIC].response == 4242.5
    assert items[QuestionType.MULTIPLE].response == ["a", "c"]
    assert items[QuestionType.TRUE_FALSE].response is False
    assert items[QuestionType.NUMERIC].answered_at == NOW
    quiz.save_answer(attempt, items[QuestionType.NUMERIC], "", now=NOW)  # cleared
    assert items[QuestionType.NUMERIC].response is None


@pytest.mark.parametrize(("type_", "bad", "message"), [
    (QuestionType.SINGLE, "z", "Choose one of the answers"),
    (QuestionType.MULTIPLE, ["a", "nope"], "Choose among the answers shown"),
    (QuestionType.TRUE_FALSE, "maybe", "Answer true or false"),
    (QuestionType.NUMERIC, "lots", "Answer with a number"),
    (QuestionType.SHORT_TEXT, "x" * 501, "under 500 characters"),
])
def test_an_answer_that_does_not_fit_is_refused_and_nothing_is_saved(org, type_, bad, message):
    _course, found = fq.ready(org, types=ALL_TYPES)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    items = {i.question.type: i for i in quiz.items_of(attempt)}
    good = items[QuestionType.SINGLE if type_ != QuestionType.SINGLE else QuestionType.NUMERIC]
    with pytest.raises(quiz.AnswersError, match=message) as refused:
        quiz.save_answers(attempt, {good.id: fq.RIGHT[good.question.type],
                                    items[type_].id: bad}, now=NOW)
    assert list(refused.value.by_item) == [items[type_].id]
    db.session.expire_all()
    assert all(i.response is None for i in quiz.items_of(attempt))


def test_an_answer_for_a_question_of_another_attempt_is_refused(org):
    _course, found = fq.ready(org, enrol=(org.rep_a1a, org.rep_a1b))
    mine = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    theirs = quiz.start_attempt(org.rep_a1b, found, now=NOW).attempt
    other_item = quiz.items_of(theirs)[0]
    with pytest.raises(ValidationError, match="not part of this attempt"):
        quiz.save_answer(mine, other_item, "b", now=NOW)
    with pytest.raises(ValidationError, match="not part of this attempt"):
        quiz.save_answers(mine, {other_item.id: "b"}, now=NOW)
    assert other_item.response is None


# --- submitting -------------------------------------------------------------------------------

def test_submit_grades_every_item_with_points_and_passes_at_the_mark(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    fq.question(pool, QuestionType.SINGLE, points=3)
    fq.question(pool, QuestionType.NUMERIC, points=1)
    found = fq.assessment(course, [pool], by=org.admin, count=2, pass_mark=75)
    enrolment.enrol(org.rep_a1a, course, by=org.admin)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    answers = {i.id: fq.RIGHT[i.question.type] if i.question.type == QuestionType.SINGLE
               else fq.WRONG[i.question.type] for i in quiz.items_of(attempt)}
    quiz.save_answers(attempt, answers, now=NOW)
    quiz.submit(attempt, now=NOW + timedelta(minutes=5))
    assert (attempt.status, attempt.score, attempt.max_score) == (AttemptStatus.SUBMITTED, 3, 4)
    assert attempt.percent == 75.0 and attempt.passed is True
    assert attempt.submitted_at == NOW + timedelta(minutes=5) and not attempt.timed_out
    assert sorted((i.points_awarded, i.is_correct) for i in quiz.items_of(attempt)) == [
        (0.0, False), (3.0, True)]


def test_submitting_twice_answers_with_the_same_result(org):
    _course, found = fq.ready(org)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    quiz.save_answers(attempt, _answers(attempt), now=NOW)
    quiz.submit(attempt, now=NOW)
    first = (attempt.score, attempt.percent, attempt.submitted_at, attempt.graded_at)
    again = quiz.submit(attempt, now=NOW + timedelta(hours=1))
    assert again is attempt
    assert (attempt.score, attempt.percent, attempt.submitted_at, attempt.graded_at) == first


def test_a_submit_that_lost_the_race_keeps_the_winners_grade(org):
    _course, found = fq.ready(org)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    quiz.save_answers(attempt, _answers(attempt), now=NOW)
    db.session.flush()
    # Another request submitted it (conditional update) while this one still saw it open.
    db.session.execute(Attempt.__table__.update().where(Attempt.__table__.c.id == attempt.id)
                       .values(status="submitted", submitted_at=NOW, score=42.0))
    quiz.submit(attempt, now=NOW + timedelta(minutes=1))
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 42.0
    assert all(i.points_awarded is None for i in quiz.items_of(attempt))  # not graded twice


def test_answers_after_submission_are_refused(org):
    _course, found = fq.ready(org)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    quiz.submit(attempt, now=NOW)
    with pytest.raises(quiz.AttemptClosedError, match="already submitted"):
        quiz.save_answer(attempt, quiz.items_of(attempt)[0], "b", now=NOW)


def test_fifty_questions_cost_no_more_queries_than_five(org, count_queries):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    for n in range(50):
        fq.question(pool, (QuestionType.SINGLE, QuestionType.NUMERIC)[n % 2])
    small = fq.assessment(course, [pool], by=org.admin, count=5)
    large = fq.assessment(course, [pool], by=org.admin, count=50)
    enrolment.enrol(org.rep_a1a, course, by=org.admin)
    db.session.flush()
    counts = []
    for found in (small, large):
        db.session.expire_all()
        with count_queries() as started:
            attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
        with count_queries() as saved:
            quiz.save_answers(attempt, _answers(attempt), now=NOW)
        db.session.expire_all()
        with count_queries() as submitted:
            quiz.submit(attempt, now=NOW)
            db.session.flush()
        counts.append((started.count, saved.count, submitted.count))
        assert attempt.percent == 100.0 and len(quiz.items_of(attempt)) == found.question_count
    assert counts[0] == counts[1], counts
    assert counts[1][2] <= 6, counts  # load, claim, items, grades, assessment, totals


# --- the time limit ---------------------------------------------------------------------------

def test_the_deadline_follows_the_time_limit(org):
    _course, found = fq.ready(org, time_limit_minutes=20)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    assert attempt.deadline_at == NOW + timedelta(minutes=20)
    assert quiz.seconds_left(attempt, NOW + timedelta(minutes=5)) == 15 * 60


def test_an_answer_after_the_time_limit_is_refused(org):
    _course, found = fq.ready(org, time_limit_minutes=10)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    item = quiz.items_of(attempt)[0]
    late = NOW + timedelta(minutes=10) + quiz.GRACE + timedelta(seconds=1)
    with pytest.raises(quiz.AttemptClosedError, match="Time is up"):
        quiz.save_answer(attempt, item, "b", now=late)
    assert item.response is None
    # Within the grace a request sent just before the deadline still counts.
    quiz.save_answer(attempt, item, fq.RIGHT[item.question.type],
                     now=NOW + timedelta(minutes=10, seconds=5))
    assert item.response is not None


def test_after_the_time_limit_the_attempt_is_submitted_with_what_was_saved(org):
    _course, found = fq.ready(org, time_limit_minutes=10, pass_mark=50)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    first, second = quiz.items_of(attempt)
    quiz.save_answer(attempt, first, fq.RIGHT[first.question.type], now=NOW)
    assert not quiz.close_if_expired(attempt, now=NOW + timedelta(minutes=9))
    late = NOW + timedelta(minutes=30)
    assert quiz.close_if_expired(attempt, now=late)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.timed_out
    assert (attempt.score, attempt.percent, attempt.passed) == (1.0, 50.0, True)
    assert second.response is None and second.points_awarded == 0.0


def test_starting_again_after_the_time_ran_out_submits_the_old_one_first(org):
    _course, found = fq.ready(org, time_limit_minutes=10, attempt_limit=2)
    old = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    new = quiz.start_attempt(org.rep_a1a, found, now=NOW + timedelta(hours=1))
    assert not new.resumed and new.attempt.number == 2
    assert old.status == AttemptStatus.SUBMITTED and old.timed_out


# --- feedback and the course step -------------------------------------------------------------

@pytest.mark.parametrize(("policy", "after_fail", "after_pass"), [
    (FeedbackPolicy.NEVER, False, False),
    (FeedbackPolicy.AFTER_ATTEMPT, True, True),
    (FeedbackPolicy.AFTER_PASSING, False, True),
])
def test_feedback_policy_decides_when_answers_show(org, policy, after_fail, after_pass):
    _course, found = fq.ready(org, feedback_policy=policy)
    failed = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    assert not quiz.shows_answers(failed)  # never while open
    quiz.save_answers(failed, _answers(failed, right=False), now=NOW)
    quiz.submit(failed, now=NOW)
    assert quiz.shows_answers(failed) is after_fail
    passed = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    quiz.save_answers(passed, _answers(passed), now=NOW)
    quiz.submit(passed, now=NOW)
    assert quiz.shows_answers(passed) is after_pass
    assert quiz.shows_answers(failed) is after_pass  # once passed, earlier feedback too


def test_passing_completes_the_course_step_and_the_course(org):
    course, found = fq.ready(org, step=True)
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == org.rep_a1a.id))
    reading = course.current_version.lessons[0]
    from courses.services import player
    player.complete_lesson(enrollment, reading, by=org.rep_a1a)
    failed = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    quiz.save_answers(failed, _answers(failed, right=False), now=NOW)
    quiz.submit(failed, now=NOW)
    assert found.lesson_key not in player.done_keys(enrollment)
    assert enrollment.completed_at is None
    passed = quiz.start_attempt(org.rep_a1a, found, now=NOW).attempt
    quiz.save_answers(passed, _answers(passed), now=NOW)
    quiz.submit(passed, now=NOW)
    assert found.lesson_key in player.done_keys(enrollment)
    assert enrollment.completed_at is not None


def test_the_step_cannot_be_marked_done_by_hand(org):
    from courses.services import player

    course, _found = fq.ready(org, step=True)
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == org.rep_a1a.id))
    step = course.current_version.lessons[-1]
    with pytest.raises(ValidationError, match="pass the assessment"):
        player.complete_lesson(enrollment, step, by=org.rep_a1a)
    assert _count(LessonProgress) == 0


# --- correct answers never reach the browser before submission -------------------------------

SECRETS = ("Zephyrlike", "4242.5", "4242", "0.25", "tolerance", "accepted", "partial_credit",
           "Because of", "explanation", '"correct"', "is_correct", "correct_answer")


def _leaks(secret: str, text: str) -> bool:
    """Whether ``secret`` is in ``text``; a number only as a whole number, so a timestamp's
    digits ("…:10.254321") never pass for the tolerance 0.25."""
    if not secret[0].isdigit():
        return secret in text
    return re.search(rf"(?<![\d.]){re.escape(secret)}(?![\d])", text) is not None


def _assert_no_secrets(text: str) -> None:
    leaked = [secret for secret in SECRETS if _leaks(secret, text)]
    assert not leaked, leaked


def test_the_open_attempt_page_holds_no_answer_key(org, client, login):
    _course, found = fq.ready(org, types=ALL_TYPES)
    login(org.rep_a1a)
    response = client.post(f"/assessments/{found.id}/start")
    assert response.status_code == 302
    page = client.get(response.location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Question 5 of 5" in html
    assert "Ask about the problem first" in html and "Implication" in html  # choices shown
    _assert_no_secrets(html)


def test_the_open_attempt_page_stays_clean_with_answers_saved(org, client, login):
    _course, found = fq.ready(org, types=ALL_TYPES)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    quiz.save_answers(attempt, _answers(attempt, right=False), now=utcnow())
    db.session.commit()
    login(org.rep_a1a)
    html = client.get(f"/assessments/attempts/{attempt.id}").get_data(as_text=True)
    assert 'value="pitch"' in html  # the learner's own text answer comes back
    _assert_no_secrets(html)


def test_the_open_attempt_json_holds_no_answer_key(org, client, login):
    _course, found = fq.ready(org, types=ALL_TYPES)
    headers = token_headers(org.rep_a1a, ["assessments:read", "assessments:write"])
    started = client.post(f"/api/v1/assessments/{found.id}/attempts", headers=headers)
    assert started.status_code == 201
    body = client.get(f"/api/v1/assessments/attempts/{started.json['id']}", headers=headers)
    text = json.dumps(body.json)
    assert body.status_code == 200 and len(body.json["items"]) == 5
    assert {"a", "b", "c"} <= {c["key"] for item in body.json["items"] for c in item["choices"]}
    _assert_no_secrets(text)
    _assert_no_secrets(started.get_data(as_text=True))
    detail = client.get(f"/api/v1/assessments/{found.id}", headers=headers)
    _assert_no_secrets(detail.get_data(as_text=True))
