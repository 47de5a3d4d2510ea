"""The demo's reinforcement content: a plan five weeks in, goals, leader reviews, a council."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.db import utcnow
from lms.demo import DEMO_LOADERS, load_demo
from lms.extensions import db
from reinforcement import demo
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus
from reinforcement.councils.models import Council, CouncilMeeting
from reinforcement.goals.models import GapReview, Goal, MetricActual
from reinforcement.goals.progress import GoalStatus, progress
from reinforcement.leaders.models import LeaderReview, ReviewDecision
from reinforcement.plans.models import PlanStatus, PlanTeam, ReinforcementPlan


@pytest.fixture
def people(session, ctx):
    return load_demo()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _by_email(people, email):
    return next(p for p in people if p.email == email)


def test_the_loader_is_registered_after_the_lower_packages():
    assert demo._load_with_the_demo_organisation in DEMO_LOADERS
    assert demo._load_with_the_demo_organisation.demo_order == 30


def test_an_active_weekly_plan_with_focus_agenda_and_playbook(people):
    plan = db.session.scalar(select(ReinforcementPlan))
    assert plan.title == demo.PLAN_TITLE and plan.program.name == demo.PROGRAM_NAME
    assert plan.status == PlanStatus.ACTIVE and plan.weeks == 12 and plan.cadence == "weekly"
    assert len(plan.focus_activities.splitlines()) == 3
    assert plan.agenda_template.splitlines() == list(demo.AGENDA)
    assert [r.kind for r in plan.resources] == ["playbook"]
    assert "<h1>" in plan.resources[0].current_version.body_html


def test_started_for_the_first_two_east_managers_about_five_weeks_ago(people):
    teams = list(db.session.scalars(select(PlanTeam).order_by(PlanTeam.coach_id)))
    assert {t.coach.email for t in teams} == {"manager1@cadence.example",
                                             "manager2@cadence.example"}
    today = utcnow().date()
    assert all(30 <= (today - t.starts_on).days <= 36 for t in teams)
    assert _count(CheckIn) == 2 * 6 * 12


def test_past_check_ins_held_prepared_and_noted_but_one_missed(people):
    now = utcnow()
    past = list(db.session.scalars(select(CheckIn).where(CheckIn.scheduled_at < now)))
    assert len(past) == 2 * 6 * 5
    missed = [c for c in past if c.status == CheckInStatus.MISSED]
    held = [c for c in past if c.status == CheckInStatus.HELD]
    assert len(missed) == 1 and len(held) == len(past) - 1
    on_time = [c for c in held if c.held_at - c.scheduled_at < timedelta(hours=1)]
    assert len(on_time) == len(held) - 1
    assert all(c.agenda_prepared_at < c.scheduled_at and c.shared_notes for c in held)
    assert _count(CheckIn, CheckIn.scheduled_at >= now,
                  CheckIn.status != CheckInStatus.SCHEDULED) == 0


def test_action_items_one_overdue_some_done_and_one_private_note(people):
    today = utcnow().date()
    items = list(db.session.scalars(select(ActionItem).where(ActionItem.check_in_id.is_not(None),
                                                             ActionItem.coach_id.is_not(None))))
    assert sum(i.done_at is not None for i in items) == 2
    assert sum(i.done_at is None and i.due_on < today for i in items) == 1
    private = list(db.session.scalars(select(CheckIn).where(CheckIn.private_notes != "")))
    assert len(private) == 1 and private[0].coach.email == "manager1@cadence.example"


def test_agreed_goals_with_actuals_and_one_behind_reviewed(people):
    manager1 = _by_email(people, "manager1@cadence.example")
    reps = [p for p in people if p.manager_id == manager1.id]
    goals = list(db.session.scalars(select(Goal)))
    assert len(goals) == 2 * len(reps) == 12
    assert {g.person_id for g in goals} == {r.id for r in reps}
    assert all(g.coach_agreed_at and g.coachee_agreed_at for g in goals)
    assert _count(MetricActual) >= 12 * 4
    today = utcnow().date()
    behind = [g for g in goals if progress(g, today).status == GoalStatus.BEHIND]
    assert len(behind) == 1 and behind[0].metric.key == "close_ratio"
    review = db.session.scalar(select(GapReview))
    assert review.goal_id == behind[0].id and review.root_cause == "skills"
    assert review.action_item.owner_id == behind[0].person_id
    assert review.evaluated_at is not None and review.improved is True


def test_the_east_leader_confirms_manager1_and_writes_to_manager2(people):
    rows = {r.manager.email: r for r in db.session.scalars(select(LeaderReview))}
    assert set(rows) == {"manager1@cadence.example", "manager2@cadence.example"}
    assert rows["manager1@cadence.example"].decision == ReviewDecision.CONFIRMED
    assert rows["manager2@cadence.example"].decision == ReviewDecision.FEEDBACK
    assert rows["manager2@cadence.example"].feedback
    assert {r.leader.email for r in rows.values()} == {"leader1@cadence.example"}
    today = utcnow().date()
    assert all(r.period_start < today.replace(day=1) for r in rows.values())


def test_a_council_of_the_three_leaders_met_once_with_an_action(people):
    council = db.session.scalar(select(Council))
    assert sorted(m.email for m in council.members) == [
        f"leader{n}@cadence.example" for n in (1, 2, 3)]
    meetings = list(db.session.scalars(select(CouncilMeeting).order_by(
        CouncilMeeting.scheduled_at)))
    assert meetings[0].held_at is not None and meetings[0].notes
    assert meetings[1].held_at is None and meetings[1].scheduled_at > utcnow()
    assert _count(ActionItem, ActionItem.council_meeting_id == meetings[0].id) == 1


def test_loading_again_adds_nothing(people):
    admin = next(p for p in people if p.is_admin)
    before = (_count(CheckIn), _count(Goal), _count(Council))
    assert demo.load_demo_reinforcement(people, admin) is None
    assert (_count(CheckIn), _count(Goal), _count(Council)) == before
