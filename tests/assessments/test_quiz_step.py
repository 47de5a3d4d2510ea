"""A quiz step added from the course outline: the outline offers it because assessments
registered it, the step comes with a bank and a draft quiz, and its questions are written
from the quiz page and lead back to it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assessments.models import Assessment, AssessmentStatus, QuestionBank
from courses.models import LessonKind
from courses.steps import ADDERS
from lms.extensions import db

pytestmark = pytest.mark.usefixtures("ctx")

MANAGE = "/courses/manage"


def test_outline_offers_a_quiz_beside_the_built_in_kinds(client, login, org, course):
    assert "assessment" in ADDERS  # registered by assessments, not known to courses
    module = course.latest.modules[0]
    login(org.admin)
    html = client.get(f"{MANAGE}/{course.id}").get_data(as_text=True)
    labels = ["Add a reading", "Add a video", "Add a file", "Add a live session", "Add a quiz"]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    assert (f'href="/assessments/courses/{course.id}/modules/{module.key}/quiz">'
            f'Add a quiz') in html


def test_adding_a_quiz_step_creates_the_step_its_bank_and_a_draft(client, login, org, course):
    module = course.latest.modules[0]
    url = f"/assessments/courses/{course.id}/modules/{module.key}/quiz"
    login(org.admin)
    assert "Add a quiz to “Module 1”" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"title": "Discovery check", "pass_mark": "70"})
    assert response.status_code == 302
    assessment = db.session.scalar(select(Assessment).where(Assessment.course_id == course.id))
    assert response.location == f"/assessments/{assessment.id}/edit#questions"
    step = course.latest.lessons[-1]
    assert (step.kind, step.title, step.module.key) == (
        LessonKind.ASSESSMENT, "Discovery check", module.key)
    assert (assessment.lesson_key, assessment.status, assessment.pass_mark) == (
        step.key, AssessmentStatus.DRAFT, 70)
    bank = db.session.get(QuestionBank, assessment.sources[0].bank_id)
    assert bank.title == "Discovery check questions" and bank.course_id == course.id
    # The quiz page leads to writing its questions, in its own bank.
    html = client.get(response.location).get_data(as_text=True)
    assert "<strong>0 questions</strong>" in html
    write = f"/assessments/banks/{bank.id}/questions/new/true_false?quiz={assessment.id}"
    assert f'href="{write}"' in html
    # Publishing waits for the questions.
    client.post(f"/assessments/{assessment.id}/publish", data={})
    assert assessment.status == AssessmentStatus.DRAFT


def test_a_question_written_from_the_quiz_returns_to_it(client, login, org, course):
    module = course.latest.modules[0]
    login(org.admin)
    client.post(f"/assessments/courses/{course.id}/modules/{module.key}/quiz",
                data={"title": "Discovery check", "pass_mark": "80"})
    assessment = db.session.scalar(select(Assessment).where(Assessment.course_id == course.id))
    bank_id = assessment.sources[0].bank_id
    write = f"/assessments/banks/{bank_id}/questions/new/true_false?quiz={assessment.id}"
    assert "Back to the quiz “Discovery check”" in client.get(write).get_data(as_text=True)
    response = client.post(write, data={"prompt": "Discovery comes before the demo.",
                                        "points": "1", "correct": "true"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.location == f"/assessments/{assessment.id}/edit#questions"
    assert "<strong>1 question</strong>" in client.get(response.location).get_data(
        as_text=True)
    assert client.post(f"/assessments/{assessment.id}/publish").status_code == 302
    assert assessment.status == AssessmentStatus.PUBLISHED


def test_a_quiz_for_another_bank_does_not_redirect_there(client, login, org, course, bank):
    module = course.latest.modules[0]
    login(org.admin)
    client.post(f"/assessments/courses/{course.id}/modules/{module.key}/quiz",
                data={"title": "Discovery check", "pass_mark": "80"})
    assessment = db.session.scalar(select(Assessment).where(Assessment.course_id == course.id))
    response = client.post(
        f"/assessments/banks/{bank.id}/questions/new/true_false?quiz={assessment.id}",
        data={"prompt": "Discovery comes first.", "points": "1", "correct": "true"})
    assert response.location.startswith(f"/assessments/banks/{bank.id}")


def test_a_quiz_step_needs_a_title_and_a_known_module(client, login, org, course):
    module = course.latest.modules[0]
    login(org.admin)
    before = len(course.latest.lessons)
    response = client.post(f"/assessments/courses/{course.id}/modules/{module.key}/quiz",
                           data={"title": "", "pass_mark": "80"})
    assert response.status_code == 422 and "A quiz needs a title." in response.get_data(
        as_text=True)
    response = client.post(f"/assessments/courses/{course.id}/modules/{module.key}/quiz",
                           data={"title": "Check", "pass_mark": "0"})
    assert response.status_code == 422
    assert "pass mark is a percentage" in response.get_data(as_text=True)
    assert len(course.latest.lessons) == before
    assert db.session.scalar(select(Assessment)) is None
    assert client.get(f"/assessments/courses/{course.id}/modules/nonesuch/quiz"
                      ).status_code == 404


def test_only_admins_add_quiz_steps(client, login, org, course):
    module = course.latest.modules[0]
    login(org.manager_a1)
    assert client.get(f"/assessments/courses/{course.id}/modules/{module.key}/quiz"
                      ).status_code in (403, 404)
