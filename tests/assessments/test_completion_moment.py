"""The result of a course's assessment step: the completion moment when the pass finished the
course, and another try when a failed attempt leaves attempts to spare."""

from __future__ import annotations

from sqlalchemy import select

from assessments import quiz
from assessments.models import Attempt, QuestionType
from courses.certificates.models import Certificate
from lms.extensions import db
from tests.assessments import factories_quiz as fq


def _page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _attempt(client, found, answer: str) -> str:
    """Start an attempt, answer its one question and submit; the result page's HTML."""
    started = client.post(f"/assessments/{found.id}/start")
    attempt = db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    item = quiz.items_of(attempt)[0]
    submitted = client.post(started.location, data={f"item-{item.id}": answer,
                                                    "action": "submit"})
    return _page(client.get(submitted.location))


def test_passing_the_final_step_shows_course_complete_with_the_certificate(org, client, login):
    course, found = fq.ready(org, step=True, types=(QuestionType.SINGLE,), count=1)
    reading = course.current_version.lessons[0]
    login(org.rep_a1a)
    client.post(f"/courses/{course.slug}/lessons/{reading.key}/complete")
    result = _attempt(client, found, "b")
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.user_id == org.rep_a1a.id))
    assert "Course complete" in result
    assert f'href="/certificates/{certificate.id}">View certificate</a>' in result
    assert f'href="/certificates/{certificate.id}/pdf" download>Download PDF' in result
    assert f'href="/courses/{course.slug}">Back to the course</a>' in result
    assert "Try again" not in result


def test_a_completed_course_page_offers_review_and_the_certificate_not_resume(
        org, client, login):
    course, found = fq.ready(org, step=True, types=(QuestionType.SINGLE,), count=1)
    login(org.rep_a1a)
    client.post(f"/courses/{course.slug}/lessons/{course.current_version.lessons[0].key}"
                "/complete")
    before = _page(client.get(f"/courses/{course.slug}"))
    assert "Resume" in before and "View certificate" not in before
    _attempt(client, found, "b")
    page = _page(client.get(f"/courses/{course.slug}"))
    assert ">Review<" in page and "View certificate" in page and "Download PDF" in page
    assert "Resume" not in page


def test_passing_a_step_before_the_end_is_not_a_completion(org, client, login):
    course, found = fq.ready(org, step=True, types=(QuestionType.SINGLE,), count=1)
    login(org.rep_a1a)  # the reading before the step is still to do
    result = _attempt(client, found, "b")
    assert "Passed" in result and "Course complete" not in result
    assert "View certificate" not in result
    assert f'href="/courses/{course.slug}">Back to the course</a>' in result


def test_a_failed_attempt_offers_try_again_until_the_attempts_run_out(org, client, login):
    _course, found = fq.ready(org, step=True, types=(QuestionType.SINGLE,), count=1,
                              attempt_limit=2)
    login(org.rep_a1a)
    first = _attempt(client, found, "a")
    assert "Not passed" in first
    assert f'action="/assessments/{found.id}/start"' in first
    assert ">Try again</button>" in first and "1 attempt left" in first
    last = _attempt(client, found, "a")
    assert "Try again" not in last and "You have used every attempt" in last


def test_after_a_pass_an_earlier_failed_attempt_offers_no_try_again(org, client, login):
    _course, found = fq.ready(org, step=True, types=(QuestionType.SINGLE,), count=1)
    login(org.rep_a1a)
    _attempt(client, found, "a")
    _attempt(client, found, "b")
    first = db.session.scalars(select(Attempt).order_by(Attempt.id)).first()
    page = _page(client.get(f"/assessments/attempts/{first.id}"))
    assert "Not passed" in page and "Try again" not in page


def test_a_manager_reading_a_reports_failed_result_is_not_offered_a_try(org, client, login):
    _course, found = fq.ready(org, step=True, types=(QuestionType.SINGLE,), count=1)
    login(org.rep_a1a)
    _attempt(client, found, "a")
    client.post("/logout")
    login(org.manager_a1)
    attempt = db.session.scalar(select(Attempt))
    page = _page(client.get(f"/assessments/attempts/{attempt.id}"))
    assert "Not passed" in page and "Try again" not in page
