"""The rubric and survey buttons over HTTP: each goes where it says with the outcome flashed,
and a refusal goes back with its reason and changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from assessments.models import Rubric, Survey
from lms.extensions import db
from tests import factories
from tests.assessments import factories_scorecards as make

pytestmark = pytest.mark.usefixtures("ctx")


def test_deleting_a_used_rubric_goes_back_with_the_reason(client, login, org):
    rubric = make.rubric(org.admin, title="Discovery role-play")
    make.observation(rubric, org.manager_a1, org.rep_a1a)
    db.session.commit()
    login(org.admin)
    response = client.post(f"/assessments/rubrics/{rubric.id}/delete")
    assert response.headers["Location"] == f"/assessments/rubrics/{rubric.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has been used for observations: archive it instead." in page
    assert db.session.get(Rubric, rubric.id) is not None


def test_rubric_buttons_go_to_the_copy_the_list_and_back(client, login, org):
    rubric = make.rubric(org.admin, title="Discovery role-play")
    db.session.commit()
    login(org.admin)
    copied = client.post(f"/assessments/rubrics/{rubric.id}/copy")
    copy = db.session.scalar(select(Rubric).where(Rubric.title == "Copy of Discovery role-play"))
    assert copied.headers["Location"] == f"/assessments/rubrics/{copy.id}/edit"
    archived = client.post(f"/assessments/rubrics/{rubric.id}/archive", follow_redirects=True)
    assert archived.request.path == f"/assessments/rubrics/{rubric.id}"
    assert "archived: it is no longer offered" in archived.get_data(as_text=True)
    again = client.post(f"/assessments/rubrics/{rubric.id}/archive", follow_redirects=True)
    assert "It is already archived." in again.get_data(as_text=True)
    deleted = client.post(f"/assessments/rubrics/{copy.id}/delete", follow_redirects=True)
    assert deleted.request.path == "/assessments/rubrics/"
    assert "“Copy of Discovery role-play” deleted." in deleted.get_data(as_text=True)
    assert db.session.get(Rubric, copy.id) is None


def test_survey_buttons_return_to_the_list_or_open_the_copy(client, login, org):
    survey = make.survey(org.admin, title="Coaching readiness")
    make.respond(survey, org.manager_a1, [3, 3, 3])
    db.session.commit()
    login(org.admin)
    refused = client.post(f"/assessments/surveys/{survey.id}/delete", follow_redirects=True)
    assert refused.request.path == "/assessments/surveys/"
    assert "has responses: archive it instead." in refused.get_data(as_text=True)
    assert db.session.get(Survey, survey.id) is not None
    copied = client.post(f"/assessments/surveys/{survey.id}/copy")
    copy = db.session.scalar(select(Survey).where(Survey.title == "Copy of Coaching readiness"))
    assert copied.headers["Location"] == f"/assessments/surveys/{copy.id}/edit"


def test_a_button_post_without_the_csrf_token_is_refused(client, org, csrf_enabled):
    rubric = make.rubric(org.admin, title="Discovery role-play")
    db.session.commit()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": org.admin.email, "password": factories.PASSWORD,
                                "csrf_token": token})
    assert client.post(f"/assessments/rubrics/{rubric.id}/copy").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Rubric)) == 1
