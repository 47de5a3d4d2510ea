"""Survey pages over HTTP: authoring, taking (radio buttons 1-5), the personal trend, results
by level with CSV, and Home's suggestion."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessments.models import Survey, SurveyResponse
from lms.db import utcnow
from lms.extensions import db
from tests import csv_files, factories
from tests.assessments import factories_scorecards as make

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def survey(org):
    created = make.survey(org.admin, title="Coaching readiness")
    db.session.commit()
    return created


def responses() -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def take(survey, likert, text="") -> dict:
    values, data = iter(likert), {}
    for section in survey.sections:
        for question in section.questions:
            if question.kind == "likert":
                value = next(values)
                if value is not None:
                    data[f"q_{question.id}"] = str(value)
            else:
                data[f"q_{question.id}"] = text
    return data


def test_take_page_offers_five_labelled_radio_buttons_per_statement(client, login, org, survey):
    login(org.manager_a1)
    html = client.get(f"/assessments/surveys/{survey.id}/take").get_data(as_text=True)
    first = survey.sections[0].questions[0]
    assert html.count(f'name="q_{first.id}"') == 5
    assert f'for="q_{first.id}-4"><strong>5</strong> Strongly agree' in html
    assert "<legend" in html and "Every rep has activity goals." in html
    assert "For leaders and managers." in html


def test_taking_twice_builds_a_trend(client, login, org, survey):
    login(org.manager_a1)
    response = client.post(f"/assessments/surveys/{survey.id}/take",
                           data=take(survey, [2, 2, 1], "Review calls"))
    assert response.status_code == 302
    assert response.location.endswith(f"/assessments/surveys/{survey.id}/mine")
    first = db.session.scalar(select(SurveyResponse))
    first.submitted_at = utcnow() - timedelta(days=40)
    db.session.commit()
    client.post(f"/assessments/surveys/{survey.id}/take", data=take(survey, [4, 5, 5]))
    assert responses() == 2
    html = client.get(f"/assessments/surveys/{survey.id}/mine").get_data(as_text=True)
    assert html.count('role="img"') == 3  # overall and two sections
    assert 'aria-label="Overall: from 1.67 on' in html and "to 4.67 on" in html
    cells = re.findall(r'<td class="text-end fw-semibold">([\d.]+)</td>', html)
    assert cells == ["1.67", "4.67"]
    detail = client.get(f"/assessments/surveys/responses/{first.id}").get_data(as_text=True)
    assert "Review calls" in detail and "2 – Disagree" in detail


def test_missing_answer_is_shown_and_nothing_written(client, login, org, survey):
    login(org.manager_a1)
    response = client.post(f"/assessments/surveys/{survey.id}/take",
                           data=take(survey, [4, None, 4]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Answer “Every rep has proficiency goals.”" in html
    assert responses() == 0


def test_people_outside_the_audience_cannot_take_it(client, login, org, survey):
    login(org.rep_a1a)
    assert client.get(f"/assessments/surveys/{survey.id}/take").status_code == 403
    html = client.get("/assessments/surveys/").get_data(as_text=True)
    assert "Coaching readiness" in html
    assert f"/assessments/surveys/{survey.id}/take" not in html


def test_leader_sees_results_by_level_for_their_subtree_with_csv(client, login, org, survey):
    make.respond(survey, org.leader_a, [4, 4, 4])
    make.respond(survey, org.manager_a1, [2, 3, 1])
    make.respond(survey, org.manager_b1, [5, 5, 5])  # another branch
    db.session.commit()
    login(org.leader_a)
    html = client.get(f"/assessments/surveys/{survey.id}/results").get_data(as_text=True)
    assert "You and everyone under you." in html
    csv = client.get(f"/assessments/surveys/{survey.id}/results?format=csv")
    lines = csv_files.text(csv.data).strip().splitlines()
    assert lines[0] == "level,in_audience,respondents,response_rate,overall,Goals,Inspection"
    assert lines[1:] == ["Leader,1,1,100,4.0,4.0,4.0", "Manager,2,1,50,2.0,2.5,1.0",
                         "All levels,3,2,67,3.0,3.25,2.5"]
    assert client.get(f"/assessments/surveys/{survey.id}/results"
                      f"?person={org.manager_b1.id}").status_code == 404


def test_rep_cannot_see_results(client, login, org, survey):
    login(org.rep_a1a)
    assert client.get(f"/assessments/surveys/{survey.id}/results").status_code == 403


def test_admin_authors_a_survey_and_empty_rows_are_skipped(client, login, org):
    login(org.admin)
    page = client.get("/assessments/surveys/new").get_data(as_text=True)
    assert "sections-1-questions-2-prompt" in page  # two sections of three empty rows
    data = {"title": "Pipeline habits", "description": "", "audience": ["manager"],
            "sections-0-title": "Reviews",
            "sections-0-questions-0-kind": "likert",
            "sections-0-questions-0-prompt": "I review each rep's pipeline weekly.",
            "sections-0-questions-0-required": "y",
            "sections-0-questions-1-kind": "text", "sections-0-questions-1-prompt": "",
            "sections-1-title": ""}
    response = client.post("/assessments/surveys/new", data=data)
    created = db.session.scalar(select(Survey).where(Survey.title == "Pipeline habits"))
    assert response.status_code == 302 and created.audience == ",manager,"
    assert [(s.title, [q.prompt for q in s.questions]) for s in created.sections] == [
        ("Reviews", ["I review each rep's pipeline weekly."])]


def test_survey_without_a_statement_is_refused(client, login, org):
    login(org.admin)
    data = {"title": "Only text", "audience": ["leader"], "sections-0-title": "Notes",
            "sections-0-questions-0-kind": "text",
            "sections-0-questions-0-prompt": "Anything else?"}
    response = client.post("/assessments/surveys/new", data=data)
    assert "Add at least one Likert statement" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def test_manage_buttons_only_for_admins(client, login, switch, org, survey):
    login(org.leader_a)
    html = client.get("/assessments/surveys/").get_data(as_text=True)
    assert f"/assessments/surveys/{survey.id}/edit" not in html
    assert client.get(f"/assessments/surveys/{survey.id}/edit").status_code == 403
    switch(org.admin)
    html = client.get("/assessments/surveys/").get_data(as_text=True)
    assert f"/assessments/surveys/{survey.id}/edit" in html
    assert client.post(f"/assessments/surveys/{survey.id}/archive").status_code == 302
    assert survey.is_archived


def test_home_suggests_a_survey_never_taken(client, login, switch, org, survey):
    login(org.manager_a1)
    assert "Take “Coaching readiness”" in client.get("/").get_data(as_text=True)
    make.respond(survey, org.manager_a1, [3, 3, 3])
    db.session.commit()
    assert "Take “Coaching readiness”" not in client.get("/").get_data(as_text=True)
    switch(org.rep_a1a)  # not in the audience
    assert "Take “Coaching readiness”" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/assessments/surveys/{id}/results", "/assessments/surveys/",
                                  "/assessments/surveys/{id}/mine"])
def test_pages_query_count_does_not_grow(login, org, survey, page_queries, path):
    login(org.leader_a)
    url = path.format(id=survey.id)
    counts = []
    for more in (2, 25):
        for _ in range(more):
            manager = factories.person(level="manager", manager=org.leader_a)
            make.respond(survey, manager, [3, 4, 2])
            make.respond(survey, org.leader_a, [2, 2, 5])
            make.survey(org.admin)
        db.session.commit()
        counts.append(page_queries(url))
    assert counts[0] == counts[1]
