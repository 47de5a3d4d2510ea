"""Plan pages over HTTP: who sees what, starting for a team, admin forms, query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from reinforcement.checkins.models import CheckIn
from reinforcement.plans import services as plans
from reinforcement.plans.models import PlanPairing, PlanTeam, ReinforcementPlan
from tests.reinforcement.plans.factories import plan, program

pytestmark = pytest.mark.usefixtures("ctx")

SOON = date.today() + timedelta(days=7)


@pytest.fixture
def active(org):
    made = plan(org.admin)
    db.session.commit()
    return made


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def html(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def as_(client, login, person):
    client.post("/logout")
    login(person)
    return client


def test_a_manager_finds_the_plan_and_starts_it_for_their_team(client, login, org, active):
    as_(client, login, org.manager_a1)
    assert "Twelve weeks of coaching" in html(client.get("/reinforcement/plans"))
    page = html(client.get(f"/reinforcement/plans/{active.id}"))
    assert "Start for my team" in page and "Proposals sent" in page
    assert f"/reinforcement/plans/{active.id}/edit" not in page  # admins only
    assert "Who coaches whom" not in page
    form = html(client.get(f"/reinforcement/plans/{active.id}/start"))
    assert "Rita Rep" in form and "Ron Rep" in form

    response = client.post(f"/reinforcement/plans/{active.id}/start",
                           data={"starts_on": SOON.isoformat(), "local_time": "08:30"})

    assert response.status_code == 302
    assert count(CheckIn, CheckIn.coach_id == org.manager_a1.id) == 24
    page = html(client.get(response.location))
    assert "Running for your team" in page and "Start for my team" not in page
    assert "<td>24</td>" in page  # scheduled


def test_a_start_that_is_refused_shows_why_and_writes_nothing(client, login, org, active):
    as_(client, login, org.manager_a1)
    yesterday = date.today() - timedelta(days=1)

    page = html(client.post(f"/reinforcement/plans/{active.id}/start", data={
        "starts_on": yesterday.isoformat(), "local_time": "09:00"}), 422)

    assert "The start date has passed" in page
    assert count(PlanTeam) == 0 and count(CheckIn) == 0


def test_a_manager_cannot_start_it_for_someone_else(client, login, org, active):
    as_(client, login, org.leader_a)

    response = client.post(f"/reinforcement/plans/{active.id}/start", data={
        "coach_email": org.manager_a1.email, "starts_on": SOON.isoformat(),
        "local_time": "09:00"})

    assert response.status_code == 403
    assert count(PlanTeam) == 0


def test_an_admin_starts_it_for_a_coach_by_email(client, login, org, active):
    as_(client, login, org.admin)
    unknown = html(client.post(f"/reinforcement/plans/{active.id}/start", data={
        "coach_email": "nobody@example.test", "starts_on": SOON.isoformat(),
        "local_time": "09:00"}), 422)
    assert "Nobody has that email." in unknown

    response = client.post(f"/reinforcement/plans/{active.id}/start", data={
        "coach_email": org.manager_b1.email, "starts_on": SOON.isoformat(),
        "local_time": "09:00"})

    assert response.status_code == 302
    assert count(CheckIn, CheckIn.coach_id == org.manager_b1.id) == 12


def test_reps_see_no_plans(client, login, org, active):
    as_(client, login, org.rep_a1a)

    assert client.get("/reinforcement/plans").status_code == 403
    assert client.get(f"/reinforcement/plans/{active.id}").status_code == 404
    assert "Reinforcement plans" not in html(client.get("/reinforcement/resources"))


def test_a_leader_sees_their_managers_teams_only(client, login, org, active):
    plans.start_plan(active, org.manager_a1, starts_on=SOON, local_time="09:00", by=org.admin)
    plans.start_plan(active, org.manager_b1, starts_on=SOON, local_time="09:00", by=org.admin)
    db.session.commit()
    as_(client, login, org.leader_a)

    page = html(client.get(f"/reinforcement/plans/{active.id}"))

    assert "Dana Reyes" in page and "Mia Manager" not in page


def test_the_plan_page_costs_the_same_queries_for_more_teams(client, login, org, active,
                                                             count_queries):
    as_(client, login, org.admin)
    plans.start_plan(active, org.manager_a1, starts_on=SOON, local_time="09:00", by=org.admin)
    db.session.commit()
    html(client.get(f"/reinforcement/plans/{active.id}"))  # sends the queued emails
    with count_queries() as one:
        html(client.get(f"/reinforcement/plans/{active.id}"))
    for coach in (org.manager_a2, org.manager_b1, org.leader_a, org.leader_b):
        plans.start_plan(active, coach, starts_on=SOON, local_time="09:00", by=org.admin)
    db.session.commit()
    html(client.get(f"/reinforcement/plans/{active.id}"))

    with count_queries() as five:
        page = html(client.get(f"/reinforcement/plans/{active.id}"))

    assert "Lars Leader" in page
    assert five.count == one.count


def test_an_admin_writes_a_plan_and_is_told_about_too_many_focus_activities(
        client, login, org):
    the_program = program(org.admin)
    db.session.commit()
    as_(client, login, org.admin)
    data = {"program": str(the_program.id), "title": "Coaching after the rollout",
            "weeks": "10", "cadence": "biweekly", "check_in_minutes": "45",
            "focus_activities": "\n".join(f"Activity {n}" for n in range(6)),
            "agenda_template": "Wins\nObstacles"}

    page = html(client.post("/reinforcement/plans/new", data=data), 422)
    assert "at most 5, one per line (there are 6)" in page
    assert count(ReinforcementPlan) == 0

    response = client.post("/reinforcement/plans/new",
                           data={**data, "focus_activities": "Proposals\nMeetings"})
    assert response.status_code == 302
    made = db.session.scalars(select(ReinforcementPlan)).one()
    assert (made.weeks, made.cadence, made.status) == (10, "biweekly", "draft")
    programme_page = html(client.get(f"/courses/programs/{the_program.id}"))
    assert f"/reinforcement/plans?program={the_program.id}" in programme_page
    assert "Coaching after the rollout" in html(
        client.get(f"/reinforcement/plans?program={the_program.id}"))


def test_an_admin_changes_the_cadence_and_pairs_people(client, login, org, active):
    plans.start_plan(active, org.manager_a1, starts_on=SOON, local_time="09:00", by=org.admin)
    db.session.commit()
    as_(client, login, org.admin)

    page = html(client.post(f"/reinforcement/plans/{active.id}/cadence",
                            data={"cadence": "biweekly"}, follow_redirects=True))
    assert "Future check-ins rescheduled: 0 moved, 0 added, 12 removed." in page
    assert count(CheckIn) == 12

    refused = html(client.post(f"/reinforcement/plans/{active.id}/pairings", data={
        "coach_email": org.manager_a1.email, "coachee_email": org.rep_b1a.email},
        follow_redirects=True))
    assert "Raj Rep is not under Dana Reyes" in refused and count(PlanPairing) == 0
    done = html(client.post(f"/reinforcement/plans/{active.id}/pairings", data={
        "coach_email": org.leader_a.email, "coachee_email": org.rep_a1a.email},
        follow_redirects=True))
    assert "Lena Leader coaches Rita Rep in this plan." in done and count(PlanPairing) == 1


def test_home_asks_a_coach_to_start_an_active_plan_until_they_do(client, login, org, active):
    as_(client, login, org.manager_a1)
    assert "Start “Twelve weeks of coaching” for your team" in html(client.get("/"))

    plans.start_plan(active, org.manager_a1, starts_on=SOON, local_time="09:00",
                     by=org.manager_a1)
    db.session.commit()
    assert "Start “Twelve weeks of coaching”" not in html(client.get("/"))
    as_(client, login, org.rep_a1a)
    assert "Start “Twelve weeks of coaching”" not in html(client.get("/"))
