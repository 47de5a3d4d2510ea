"""Item analysis on a hand-built set of attempts: share correct, discrimination, the most
chosen wrong answer, and a constant number of queries."""

from __future__ import annotations

import pytest

from assessments.item_analysis import _wrong_labels, analyse, groups
from assessments.models import Attempt, AttemptItem, AttemptStatus, QuestionType
from lms.db import utcnow
from lms.extensions import db
from tests import factories
from tests.assessments import factories_quiz as fq

# percent, Q1 (single, right "b"), Q2 (true/false, right True); None: not answered.
SHEET = [
    (100, "b", True), (90, "b", True), (80, "b", False), (70, "a", True), (60, "b", None),
    (50, "c", True), (40, "a", False), (30, "a", True), (20, "c", True), (10, None, True),
]


def _sheet(org, rows=SHEET, *, people=None):
    """Submitted attempts written straight to the tables, with the grades of ``rows``."""
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    q1, q2 = fq.question(pool), fq.question(pool, QuestionType.TRUE_FALSE)
    found = fq.assessment(course, [pool], by=org.admin, count=2)
    for n, (percent, first, second) in enumerate(rows):
        person = people[n] if people else factories.person(password=None)
        db.session.add(Attempt(
            assessment=found, user=person, number=1, status=AttemptStatus.SUBMITTED,
            submitted_at=utcnow(), percent=percent, passed=percent >= 50, items=[
                AttemptItem(question_id=q1.id, position=1, choice_order=["a", "b", "c"],
                            response=first, is_correct=first == "b"),
                AttemptItem(question_id=q2.id, position=2, response=second,
                            is_correct=second is True)]))
    # An attempt still in progress does not count.
    db.session.add(Attempt(assessment=found, user=factories.person(password=None), number=1,
                           items=[AttemptItem(question_id=q1.id, position=1, response="a")]))
    db.session.flush()
    return found, q1, q2


def test_the_numbers_of_a_hand_built_set(org):
    found, q1, q2 = _sheet(org)
    by_question = {s.question.id: s for s in analyse(found)}
    first, second = by_question[q1.id], by_question[q2.id]
    assert (first.drawn, first.answered, first.correct) == (10, 9, 4)
    assert first.share_correct == pytest.approx(0.4)
    # Upper 27% of 10 = 3 attempts (100, 90, 80), lower 3 (30, 20, 10).
    assert (first.p_upper, first.p_lower) == (1.0, 0.0)
    assert first.discrimination == pytest.approx(1.0)
    assert (first.wrong_answer, first.wrong_count) == ("Ask about budget first", 3)
    assert (second.drawn, second.answered, second.correct) == (10, 9, 7)
    assert second.share_correct == pytest.approx(0.7)
    assert second.p_upper == pytest.approx(2 / 3) and second.p_lower == 1.0
    assert second.discrimination == pytest.approx(-1 / 3)  # a question to check
    assert (second.wrong_answer, second.wrong_count) == ("False", 2)


def test_groups_take_27_percent_with_one_at_least():
    assert groups([(1, 50.0)]) == (set(), set())
    assert groups([(1, 80.0), (2, 20.0)]) == ({1}, {2})
    ranked = [(n, float(n)) for n in range(1, 101)]
    upper, lower = groups(ranked)
    assert upper == set(range(74, 101)) and lower == set(range(1, 28))


def test_wrong_labels_read_as_the_learner_saw_them(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    multiple = fq.question(pool, QuestionType.MULTIPLE)
    text = fq.question(pool, QuestionType.SHORT_TEXT)
    number = fq.question(pool, QuestionType.NUMERIC)
    assert _wrong_labels(multiple, ["a", "b"]) == ["Weather"]  # only the wrong pick
    assert _wrong_labels(text, "  Pitch   First ") == ["pitch first"]
    assert _wrong_labels(number, 12.0) == ["12"]
    assert _wrong_labels(number, None) == []


def test_no_attempts_no_rows(org):
    _course, found = fq.ready(org)
    assert analyse(found) == []


def test_the_page_costs_the_same_queries_for_ten_or_forty_attempts(org, client, login,
                                                                    count_queries):
    small, *_ = _sheet(org)
    large, *_ = _sheet(org, SHEET * 4)
    db.session.commit()
    login(org.admin)
    counts = []
    for found in (small, large):
        with count_queries() as counter:
            page = client.get(f"/assessments/{found.id}/analysis")
        assert page.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    html = page.get_data(as_text=True)
    # 11 of 40 in each group: the upper one holds three attempts that got Q2 wrong.
    assert "Ask about budget first" in html and "(12×)" in html and "-0.27" in html
    assert "40%" in html and "check" in html
