"""Scorecard and rubric pages over HTTP: the phone-friendly scoring form, drafts and sharing,
what each person sees, trends, the weakest criteria, and Home's suggestions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from assessments.models import Observation, ObservationStatus, Rubric
from lms.extensions import db
from lms.notify.models import Notification
from tests import csv_files, factories
from tests.assessments import factories_scorecards as make

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def rubric(org):
    return make.rubric(org.admin, title="Discovery role-play")


def observations() -> int:
    return db.session.scalar(select(func.count()).select_from(Observation))


def scoring(rubric, subject, values, **fields) -> dict:
    data = {"subject": subject.id, "kind": "role_play", "observed_on": date.today().isoformat(),
            "context": "Pricing objection", "comments": "Good energy."}
    for criterion, value in zip(rubric.criteria, values, strict=True):
        if value is not None:
            data[f"score_{criterion.id}"] = str(value)
        data[f"note_{criterion.id}"] = f"Note on {criterion.title}"
    data.update(fields)
    return data


# --- scoring ---------------------------------------------------------------------------------

def test_scoring_form_has_radio_buttons_with_descriptors_for_the_team_only(client, login, org,
                                                                             rubric):
    login(org.manager_a1)
    html = client.get(f"/assessments/scorecards/new/{rubric.id}").get_data(as_text=True)
    first = rubric.criteria[0]
    for score in range(1, 6):
        assert f'name="score_{first.id}" type="radio" value="{score}"' in html
    assert html.count(f'name="score_{first.id}"') == 5
    assert f'for="score_{first.id}-4"><strong>5</strong> – Exemplary at criterion 1' in html
    assert 'name="viewport" content="width=device-width' in html
    options = re.search(r'<select[^>]*name="subject".*?</select>', html, re.S).group(0)
    assert org.rep_a1a.name in options and org.rep_a1b.name in options
    assert org.rep_a2a.name not in options and org.manager_a1.name not in options


def test_draft_is_the_observers_until_shared(client, login, switch, org, rubric):
    login(org.manager_a1)
    response = client.post(f"/assessments/scorecards/new/{rubric.id}",
                           data=scoring(rubric, org.rep_a1a, [2, 4, 3], save="Save draft"))
    observation = db.session.scalar(select(Observation))
    assert response.status_code == 302 and response.location.endswith(
        f"/assessments/scorecards/{observation.id}")
    assert observation.status == ObservationStatus.DRAFT and observation.average == 3.0
    assert observation.scores[0].comment == "Note on Criterion 1"
    page = client.get(f"/assessments/scorecards/{observation.id}").get_data(as_text=True)
    assert "Draft: only you can see it." in page
    assert f"/assessments/scorecards/{observation.id}/share" in page

    switch(org.rep_a1a)
    assert client.get(f"/assessments/scorecards/{observation.id}").status_code == 404
    switch(org.manager_a1)
    assert client.post(f"/assessments/scorecards/{observation.id}/share").status_code == 302
    assert observation.status == ObservationStatus.SHARED
    switch(org.rep_a1a)
    page = client.get(f"/assessments/scorecards/{observation.id}").get_data(as_text=True)
    assert "Starting at criterion 1" in page and "Note on Criterion 1" in page
    assert "Good energy." in page and "/share" not in page and "/edit" not in page
    listed = client.get("/assessments/scorecards/").get_data(as_text=True)
    assert f"/assessments/scorecards/{observation.id}" in listed


def test_save_and_share_at_once_tells_the_person(client, login, org, rubric):
    login(org.manager_a1)
    client.post(f"/assessments/scorecards/new/{rubric.id}",
                data=scoring(rubric, org.rep_a1a, [5, 5, 4], share="Save and share"))
    observation = db.session.scalar(select(Observation))
    assert observation.status == ObservationStatus.SHARED
    note = db.session.scalar(select(Notification).where(
        Notification.recipient_id == org.rep_a1a.id))
    assert note.kind == "observation.shared" and "Discovery role-play" in note.subject


@pytest.mark.parametrize(("values", "fields", "message"), [
    ([3, None, 4], {}, "not scored yet: “Criterion 2”"),
    ([3, 9, 4], {}, "Score “Criterion 2” from 1 to 5"),
    ([3, 3, 3], {"kind": "coaching"}, "Not a valid choice"),
    ([3, 3, 3], {"observed_on": ""}, "Give the date of the observation"),
])
def test_bad_scoring_shows_the_message_and_writes_nothing(client, login, org, rubric, values,
                                                          fields, message):
    login(org.manager_a1)
    response = client.post(f"/assessments/scorecards/new/{rubric.id}",
                           data=scoring(rubric, org.rep_a1a, values, **fields))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert observations() == 0


def test_someone_out_of_sight_or_nobody_cannot_be_scored(client, login, org, rubric):
    login(org.manager_a1)
    response = client.post(f"/assessments/scorecards/new/{rubric.id}",
                           data=scoring(rubric, org.rep_b1a, [3, 3, 3]))
    assert "Not a valid choice" in response.get_data(as_text=True)
    nobody = {**scoring(rubric, org.rep_b1a, [3, 3, 3]), "subject": "0"}
    response = client.post(f"/assessments/scorecards/new/{rubric.id}", data=nobody)
    assert "Choose whom you observed" in response.get_data(as_text=True)
    assert observations() == 0


def test_draft_is_edited_and_discarded_and_a_shared_one_is_locked(client, login, org, rubric):
    draft = make.observation(rubric, org.manager_a1, org.rep_a1a, 2, share=False)
    shared = make.observation(rubric, org.manager_a1, org.rep_a1b, 3)
    db.session.commit()
    login(org.manager_a1)
    page = client.get(f"/assessments/scorecards/{draft.id}/edit").get_data(as_text=True)
    first = rubric.criteria[0].id
    assert re.findall(rf'<input checked[^>]*name="score_{first}"[^>]*value="(\d)"', page) == ["2"]
    client.post(f"/assessments/scorecards/{draft.id}/edit",
                data=scoring(rubric, org.rep_a1a, [5, 5, 5], save="Save draft"))
    assert draft.average == 5.0 and draft.status == ObservationStatus.DRAFT
    assert client.get(f"/assessments/scorecards/{shared.id}/edit").status_code == 403
    assert client.post(f"/assessments/scorecards/{shared.id}/discard").status_code == 403
    assert client.post(f"/assessments/scorecards/{draft.id}/discard").status_code == 302
    assert db.session.get(Observation, draft.id) is None


def test_rep_cannot_open_the_scoring_pages(client, login, org, rubric):
    login(org.rep_a1a)
    assert client.get("/assessments/scorecards/new").status_code == 403
    assert client.get(f"/assessments/scorecards/new/{rubric.id}").status_code == 403
    assert client.get("/assessments/scorecards/team").status_code == 403
    html = client.get("/assessments/scorecards/").get_data(as_text=True)
    assert "/assessments/scorecards/new" not in html and "Weakest criteria" not in html


# --- trend and weakest criteria ------------------------------------------------------------------

def _history(org, rubric):
    start = date.today() - timedelta(days=90)
    make.observation(rubric, org.manager_a1, org.rep_a1a, [1, 2, 3], observed_on=start)
    make.observation(rubric, org.manager_a1, org.rep_a1a, [3, 3, 4],
                     observed_on=start + timedelta(days=45))
    make.observation(rubric, org.manager_a1, org.rep_a1b, [2, 5, 5])
    db.session.commit()


def test_observed_person_sees_a_trend_chart_per_criterion(client, login, switch, org, rubric):
    _history(org, rubric)
    login(org.rep_a1a)
    html = client.get("/assessments/scorecards/trend").get_data(as_text=True)
    assert html.count('role="img"') == 3 and "<polyline" in html
    assert 'aria-label="Criterion 1: from 1 on' in html and "to 3 on" in html
    assert "<script" not in html.split("</main>")[0]
    assert re.search(r'<th scope="row">Criterion 1</th>\s*<td>.*?>1</a> → .*?>3</a>', html, re.S)
    switch(org.manager_a1)
    assert client.get(f"/assessments/scorecards/trend?person={org.rep_a1a.id}").status_code == 200
    assert client.get(f"/assessments/scorecards/trend?person={org.rep_b1a.id}").status_code == 404


def test_manager_sees_the_teams_weakest_criteria_and_csv(client, login, org, rubric):
    _history(org, rubric)
    login(org.manager_a1)
    html = client.get("/assessments/scorecards/team").get_data(as_text=True)
    rows = re.findall(r'<th scope="row">(Criterion \d)</th><td>[^<]*</td>\s*'
                      r'<td class="text-end"><strong>([\d.]+)</strong></td><td class="text-end">'
                      r'(\d+)</td>\s*<td class="text-end">(\d+)</td>', html)
    assert rows == [("Criterion 1", "2.00", "3", "2"), ("Criterion 2", "3.33", "3", "2"),
                    ("Criterion 3", "4.00", "3", "2")]
    csv = csv_files.text(client.get("/assessments/scorecards/team?format=csv").data)
    lines = csv.strip().splitlines()
    assert lines[0] == "rubric,criterion,mean_score,scores,people,scores_1_or_2"
    assert lines[1] == "Discovery role-play,Criterion 1,2.0,3,2,2"


@pytest.mark.parametrize("path", ["/assessments/scorecards/team",
                                  "/assessments/scorecards/?show=team",
                                  "/assessments/scorecards/trend?person={rep}",
                                  "/assessments/rubrics/", "/assessments/scorecards/new"])
def test_pages_query_counts_do_not_grow(login, org, rubric, page_queries, path):
    login(org.admin if "rubrics" in path else org.manager_a1)
    url = path.format(rep=org.rep_a1a.id)
    counts = []
    for more in (2, 20):
        for n in range(more):
            rep = factories.person(manager=org.manager_a1)
            make.observation(rubric, org.manager_a1, rep, [1 + n % 5, 3, 4])
            make.observation(rubric, org.manager_a1, org.rep_a1a, [2, 3, 1 + n % 5],
                             observed_on=date.today() - timedelta(days=n))
            make.rubric(org.admin, criteria=2)
        db.session.commit()
        counts.append(page_queries(url))
    assert counts[0] == counts[1]


# --- rubrics ---------------------------------------------------------------------------------

def rubric_form(*rows: list[str], title: str = "Coaching call") -> dict:
    data = {"title": title, "description": "", "subject_level": "rep"}
    for n, row in enumerate(rows):
        data[f"criteria-{n}-title"] = row[0]
        for i, text in enumerate(row[1:]):
            data[f"criteria-{n}-descriptors-{i}"] = text
    return data


def test_admin_authors_a_rubric_and_blank_rows_are_skipped(client, login, org):
    login(org.admin)
    page = client.get("/assessments/rubrics/new").get_data(as_text=True)
    assert page.count("criteria-2-descriptors-4") >= 1  # three empty rows to fill
    response = client.post("/assessments/rubrics/new", data=rubric_form(
        ["Opening", "Rushed", "Thin", "Clear", "Crisp", "Compelling"], [""] * 6))
    created = db.session.scalar(select(Rubric))
    assert response.status_code == 302 and created.title == "Coaching call"
    assert [(c.title, c.descriptors[4]) for c in created.criteria] == [("Opening", "Compelling")]
    detail = client.get(f"/assessments/rubrics/{created.id}").get_data(as_text=True)
    assert "Compelling" in detail and f"/assessments/rubrics/{created.id}/delete" in detail


def test_rubric_with_four_descriptors_is_refused(client, login, org):
    login(org.admin)
    response = client.post("/assessments/rubrics/new", data=rubric_form(
        ["Opening", "Rushed", "Thin", "Clear", "Crisp", ""]))
    assert "exactly five descriptors" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Rubric)) == 0


def test_used_rubric_page_offers_archive_not_delete(client, login, org, rubric):
    make.observation(rubric, org.manager_a1, org.rep_a1a)
    db.session.commit()
    login(org.admin)
    detail = client.get(f"/assessments/rubrics/{rubric.id}").get_data(as_text=True)
    assert "/archive" in detail and "/delete" not in detail
    edit = client.get(f"/assessments/rubrics/{rubric.id}/edit").get_data(as_text=True)
    assert "its level and criteria are fixed" in edit
    assert client.post(f"/assessments/rubrics/{rubric.id}/archive").status_code == 302
    assert rubric.is_archived
    chooser = client.get("/assessments/scorecards/new").get_data(as_text=True)
    assert f"/assessments/scorecards/new/{rubric.id}" not in chooser


def test_rubric_admin_links_only_for_admins(client, login, switch, org, rubric):
    login(org.leader_a)
    assert client.get("/assessments/rubrics/").status_code == 403
    html = client.get("/assessments/scorecards/").get_data(as_text=True)
    assert "/assessments/rubrics/" not in html
    assert "/edit" not in client.get(f"/assessments/rubrics/{rubric.id}").get_data(as_text=True)
    switch(org.admin)
    assert "/assessments/rubrics/" in client.get("/assessments/scorecards/").get_data(as_text=True)


# --- Home ------------------------------------------------------------------------------------

def test_home_suggests_a_new_scorecard_and_unshared_drafts(client, login, switch, org, rubric):
    shared = make.observation(rubric, org.manager_a1, org.rep_a1a, 4)
    make.observation(rubric, org.manager_a1, org.rep_a1b, 2, share=False)
    db.session.commit()
    login(org.rep_a1a)
    html = client.get("/").get_data(as_text=True)
    assert "Read your scorecard: “Discovery role-play”" in html
    assert f"/assessments/scorecards/{shared.id}" in html
    make.observation(rubric, org.manager_a1, org.rep_a1a, 3)
    db.session.commit()
    assert "Read your 2 new scorecards" in client.get("/").get_data(as_text=True)
    switch(org.manager_a1)
    assert "1 scorecard you started is not shared yet" in client.get("/").get_data(as_text=True)
    for observation in db.session.scalars(select(Observation).where(
            Observation.subject_id == org.rep_a1a.id)):
        observation.shared_at -= timedelta(days=30)
    db.session.commit()
    switch(org.rep_a1a)
    assert "scorecard" not in client.get("/").get_data(as_text=True).split("<main")[1]

