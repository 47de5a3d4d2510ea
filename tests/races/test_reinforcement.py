"""Leader reviews, goal agreement and starting a plan for a team, from requests racing each
other: each happens once, with one of every side effect; a team's check-ins are never
scheduled twice."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.people.models import Level
from reinforcement.checkins.models import CheckIn
from reinforcement.goals.models import Goal
from reinforcement.leaders.models import LeaderReview, ReviewDecision
from reinforcement.leaders.reviews import ACKNOWLEDGED_KIND, CONFIRMED_KIND, FEEDBACK_KIND
from reinforcement.plans.models import PlanTeam
from reinforcement.plans.services.teams import SCHEDULED_KIND
from reinforcement.resources.models import ResourceAcknowledgement
from tests import factories
from tests.races.conftest import post_all
from tests.reinforcement.goals import factories as factories_goals
from tests.reinforcement.leaders import factories as factories_leaders
from tests.reinforcement.plans import factories as factories_plans

LAST_MONTH = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)


def _leader_and_manager():
    leader = factories.person(level=Level.LEADER)
    return leader, factories.person(level=Level.MANAGER, manager=leader)


def test_a_leader_confirms_a_managers_coaching_once(live, crowd):
    def build():
        leader, manager = _leader_and_manager()
        return leader.email, leader.id, manager.id
    email, leader_id, manager_id = live.seed(build)

    post_all(live.signed_in(email),
             f"{live.url}/reinforcement/reviews/managers/{manager_id}/confirm", crowd,
             data={"month": f"{LAST_MONTH:%Y-%m}", "observation": "0",
                   "note": "Coached on the floor this month."})

    assert live.count(LeaderReview, LeaderReview.leader_id == leader_id) == 1
    review_id = live.read(lambda: db.session.scalar(
        select(LeaderReview.id).where(LeaderReview.leader_id == leader_id)))
    assert live.audits("review.confirm", review_id) == 1
    assert live.notifications(CONFIRMED_KIND, [manager_id]) == 1


def test_a_double_clicked_feedback_revision_tells_the_manager_once(live, crowd):
    def build():
        leader, manager = _leader_and_manager()
        review = factories_leaders.review(leader, manager, decision=ReviewDecision.FEEDBACK,
                                          month=LAST_MONTH)
        return leader.email, manager.id, review.id
    email, manager_id, review_id = live.seed(build)

    post_all(live.signed_in(email),
             f"{live.url}/reinforcement/reviews/managers/{manager_id}/feedback", crowd,
             data={"month": f"{LAST_MONTH:%Y-%m}", "observation": "0",
                   "feedback": "Prepare the agenda the day before."})

    assert live.audits("review.revise", review_id) == 1
    assert live.notifications(FEEDBACK_KIND, [manager_id]) == 1
    assert live.read(lambda: db.session.get(LeaderReview, review_id).feedback) == (
        "Prepare the agenda the day before.")


def test_a_manager_acknowledges_feedback_once(live, crowd):
    def build():
        leader, manager = _leader_and_manager()
        review = factories_leaders.review(leader, manager, decision=ReviewDecision.FEEDBACK,
                                          month=LAST_MONTH)
        return manager.email, leader.id, review.id
    email, leader_id, review_id = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/reinforcement/reviews/{review_id}/acknowledge",
             crowd)

    assert live.audits("review.acknowledge", review_id) == 1
    assert live.notifications(ACKNOWLEDGED_KIND, [leader_id]) == 1


def test_a_goal_is_agreed_once(live, crowd):
    def build():
        _leader, manager = _leader_and_manager()
        rep = factories.person(manager=manager)
        goal = factories_goals.goal(rep, agreed=False, coach=manager)
        return rep.email, goal.id
    email, goal_id = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/reinforcement/goals/{goal_id}/agree", crowd)

    assert live.audits("goal.agree", goal_id) == 1
    assert live.read(lambda: db.session.get(Goal, goal_id).coachee_agreed_at) is not None


def test_a_plan_starts_once_for_a_team(live, crowd):
    reps = 3

    def build():
        admin = factories.admin()
        _leader, manager = _leader_and_manager()
        team = [factories.person(manager=manager) for _ in range(reps)]
        plan = factories_plans.plan(admin, weeks=4)
        return manager.email, [rep.id for rep in team], plan.id
    email, team, plan_id = live.seed(build)
    starts_on = date.today() + timedelta(days=3)

    post_all(live.signed_in(email), f"{live.url}/reinforcement/plans/{plan_id}/start", crowd,
             data={"starts_on": starts_on.isoformat(), "local_time": "09:00"})

    # A weekly plan of four weeks: four check-ins with each rep, scheduled once.
    assert live.count(CheckIn, CheckIn.coachee_id.in_(team)) == reps * 4
    team_id = live.read(lambda: db.session.scalar(
        select(PlanTeam.id).where(PlanTeam.plan_id == plan_id)))
    assert live.audits("plan.start", team_id) == 1
    assert live.notifications(SCHEDULED_KIND, team) == reps
    assert live.emails(SCHEDULED_KIND, team) == reps


def test_a_resource_is_acknowledged_once(live, crowd):
    def build():
        admin = factories.admin()
        resource = factories_plans.resource(admin)
        return admin.email, resource.id, resource.current_version_id
    email, resource_id, version_id = live.seed(build)

    post_all(live.signed_in(email),
             f"{live.url}/reinforcement/resources/{resource_id}/acknowledge", crowd)

    assert live.count(ResourceAcknowledgement,
                      ResourceAcknowledgement.version_id == version_id) == 1
    acknowledgement_id = live.read(lambda: db.session.scalar(
        select(ResourceAcknowledgement.id).where(
            ResourceAcknowledgement.version_id == version_id)))
    assert live.audits("resource.acknowledge", acknowledgement_id) == 1
