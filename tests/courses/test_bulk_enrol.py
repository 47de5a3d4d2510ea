"""Bulk enrolment from a course's admin page: the team picker, a preview that counts exactly
what the enrolment then does, refusals that write nothing, and Locked learners in the report."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courses import unlocking
from courses.models import Enrollment, PrerequisiteKind
from courses.services import authoring, enrolment
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from tests import factories
from tests.api_support import token_headers

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def manager_first(org):
    """Reps' "Discovery Calls" waits for their manager to complete "Coaching the Coach";
    of the four reps' managers only Dana Reyes (manager_a1) has."""
    coaching = factories.course(title="Coaching the Coach", audience=("manager",),
                                by=org.admin)
    discovery = factories.course(title="Discovery Calls", audience=("rep",), by=org.admin)
    authoring.add_prerequisite(discovery, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                               by=org.admin)
    enrolment.enrol(org.manager_a1, coaching, by=org.admin).completed_at = utcnow()
    db.session.flush()
    return coaching, discovery


def _count() -> int:
    return db.session.scalar(select(func.count(Enrollment.id)))


def _post(client, course, **data):
    return client.post(f"/courses/{course.slug}/enrol", data=data)


def test_preview_counts_equal_what_the_enrolment_does(client, login, org, manager_first):
    _coaching, discovery = manager_first
    enrolment.enrol(org.rep_a1b, discovery, by=org.admin)  # already enrolled
    before = _count()
    login(org.admin)
    form = {"mode": "team", "team": str(org.exec.id)}
    response = _post(client, discovery, action="preview", **form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Reps under the executive: Rita and Ron (open, Ron already in), Rosa and Raj waiting.
    assert "<strong>3 will be enrolled</strong>;\n      2 will wait for their manager" in html
    assert "1 already enrolled" in html
    assert _count() == before  # the preview writes nothing

    people = [org.rep_a1a, org.rep_a1b, org.rep_a2a, org.rep_b1a]
    plan = enrolment.plan_enrolment(people, discovery, by=org.admin)
    response = _post(client, discovery, action="enrol", **form)
    assert response.status_code == 302
    assert response.location.endswith(f"/courses/progress/course?course={discovery.id}")
    assert _count() == before + plan.enrolling == before + 3
    assert (plan.enrolling, len(plan.waiting_ids), len(plan.already)) == (3, 2, 1)
    assert plan.waiting_ids == {org.rep_a2a.id, org.rep_b1a.id}


def test_enrol_many_returns_the_plan_it_previewed(org, manager_first):
    _coaching, discovery = manager_first
    people = [org.rep_a1a, org.rep_a2a, org.rep_b1a]
    plan = enrolment.plan_enrolment(people, discovery, by=org.admin)
    result = enrolment.enrol_many(people, discovery, by=org.admin)
    assert result == plan.result()
    assert (result.enrolled, result.waiting, result.locked, result.already) == (3, 2, 0, 0)


def test_an_empty_selection_is_refused_and_writes_nothing(org, manager_first):
    _coaching, discovery = manager_first
    before = _count()
    with pytest.raises(ValidationError, match="Choose at least one active person"):
        enrolment.enrol_many([], discovery, by=org.admin)
    org.rep_a1a.is_active = False
    with pytest.raises(ValidationError, match="Choose at least one active person"):
        enrolment.plan_enrolment([org.rep_a1a], discovery, by=org.admin)
    assert _count() == before


def test_a_team_with_no_one_at_the_course_levels_is_a_form_error(client, login, org):
    course = factories.course(audience=("executive",), by=org.admin)
    before = _count()
    login(org.admin)
    response = _post(client, course, action="enrol", mode="team", team=str(org.manager_a1.id))
    assert response.status_code == 422
    assert "No one active matches that choice." in response.get_data(as_text=True)
    assert _count() == before


def test_the_team_picker_lists_only_teams_the_person_sees(client, login, org):
    course = factories.course(by=org.admin)
    login(org.leader_a)
    html = client.get(f"/courses/{course.slug}/enrol").get_data(as_text=True)
    assert "My own team" in html
    assert f'value="{org.manager_a1.id}"' in html and "Dana Reyes (Manager)" in html
    assert "Mia Manager" not in html and f'value="{org.rep_a1a.id}"' not in html


def test_api_refuses_an_empty_list_with_a_reason_and_reports_waiting(
        client, org, manager_first):
    _coaching, discovery = manager_first
    headers = token_headers(org.admin, ("courses:write",))
    before = _count()
    response = client.post(f"/api/v1/courses/{discovery.id}/enrollments",
                           json={"user_ids": []}, headers=headers)
    assert response.status_code == 422
    assert "Name between 1 and 1000 people to enrol." in str(response.get_json())
    assert _count() == before
    response = client.post(f"/api/v1/courses/{discovery.id}/enrollments",
                           json={"user_ids": [org.rep_a1a.id, org.rep_b1a.id]},
                           headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"enrolled": 2, "reactivated": 0, "already": 0,
                                   "waiting": 1, "locked": 0}


def test_course_report_shows_locked_learners_as_locked(client, login, org, manager_first):
    _coaching, discovery = manager_first
    enrolment.enrol_many([org.rep_a1a, org.rep_b1a], discovery, by=org.admin)
    login(org.admin)
    html = client.get("/courses/progress/course",
                      query_string={"course": discovery.id}).get_data(as_text=True)
    raj = html[html.index("Raj Rep"):html.index("Rita Rep")]  # rows by name
    rita = html[html.index("Rita Rep"):html.index("</table>", html.index("Rita Rep"))]
    assert ">Locked</span>" in raj and "Not started" not in raj
    assert ">Not started</span>" in rita and "Locked" not in rita
    rows = client.get("/courses/progress/course", query_string={
        "course": discovery.id, "format": "csv"}).get_data(as_text=True)
    assert "Raj Rep" in rows and ",locked," in rows.lower()


def test_course_admin_page_links_to_enrolment_and_progress(client, login, org):
    course = factories.course(by=org.admin)
    draft = factories.course(published=False, by=org.admin)
    login(org.admin)
    html = client.get(f"/courses/manage/{course.id}").get_data(as_text=True)
    assert f'href="/courses/{course.slug}/enrol"' in html
    assert f'href="/courses/progress/course?course={course.id}"' in html
    html = client.get(f"/courses/manage/{draft.id}").get_data(as_text=True)
    assert "/enrol" not in html and "Enrol people" not in html


def test_admin_must_choose_whose_team(client, login, org):
    course = factories.course(by=org.admin)
    before = _count()
    login(org.admin)
    response = _post(client, course, action="preview", mode="team", team="")
    assert response.status_code == 422
    assert "Choose whose team to enrol." in response.get_data(as_text=True)
    assert _count() == before


def test_team_report_and_its_csv_show_locked_learners(client, login, org, manager_first):
    _coaching, discovery = manager_first
    enrolment.enrol_many([org.rep_a1a, org.rep_a2a], discovery, by=org.admin)
    login(org.leader_a)
    html = client.get("/courses/progress/team", query_string={"scope": "all"}).get_data(
        as_text=True)
    rosa = html[html.index("Rosa Rep"):]
    rosa = rosa[:rosa.index("</tr>")]
    assert ">Locked</span>" in rosa and "Not started" not in rosa
    rita = html[html.index("Rita Rep"):]
    assert ">Not started</span>" in rita[:rita.index("</tr>")]
    rows = client.get("/courses/progress/team", query_string={
        "scope": "all", "format": "csv"}).get_data(as_text=True).splitlines()
    assert any("Rosa Rep" in row and ",Locked," in row for row in rows)


@pytest.mark.parametrize("kind", list(PrerequisiteKind))
def test_locked_pairs_agree_with_the_lock_reasons_learners_see(org, kind):
    required = factories.course(audience=("leader", "manager", "rep"), by=org.admin)
    locked_course = factories.course(by=org.admin)
    free_course = factories.course(by=org.admin)
    authoring.add_prerequisite(locked_course, kind, required, by=org.admin)
    for person in (org.rep_a1a, org.manager_a1, org.leader_a):
        enrolment.enrol(person, required, by=org.admin).completed_at = utcnow()
    db.session.flush()
    reps = [org.rep_a1a, org.rep_a1b, org.rep_a2a, org.rep_b1a]
    pairs = {(rep.id, course.id) for rep in reps for course in (locked_course, free_course)}
    expected = {(rep.id, locked_course.id) for rep, found in zip(
        reps, unlocking.lock_reasons(locked_course, reps).values(), strict=True) if found}
    assert unlocking.locked_pairs(pairs) == expected
    assert expected  # each kind locks someone here: rep_b1a's chain completed nothing
