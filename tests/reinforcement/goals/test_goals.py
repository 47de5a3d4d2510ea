"""Metrics and goals: the catalogue, proposing and agreeing, refusals, the gap and status of a
goal, the trend chart, who may do what, and the goal pages over HTTP."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms import authz
from lms.audit.models import AuditEntry
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.models import Notification
from reinforcement.goals import services as goals
from reinforcement.goals.models import Goal, Metric
from reinforcement.goals.progress import GoalStatus, goal_chart, measure, progress, team_table
from tests import csv_files, factories
from tests.reinforcement.goals import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

Y, N = True, False
MONDAY = date(2026, 3, 2)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def propose(org, person=None, *, key="proposals_sent", target=120.0, starts_on=MONDAY,
            weeks=12, by=None):
    person = person or org.rep_a1a
    return goals.propose_goal(person, make.metric(key), starts_on=starts_on,
                              ends_on=starts_on + timedelta(weeks=weeks, days=-1),
                              target=target, by=by or org.manager_a1)


# --- weeks and numbers (pure) --------------------------------------------------------------------

def test_weeks_run_monday_to_sunday_and_belong_to_the_period_of_their_monday():
    assert goals.monday_of(date(2026, 3, 4)) == MONDAY  # a Wednesday
    assert goals.monday_of(date(2026, 3, 8)) == MONDAY  # the Sunday
    assert goals.weeks_of(MONDAY, date(2026, 3, 29)) == [
        MONDAY, date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]
    # A period from a Wednesday starts with the next Monday's week.
    assert goals.weeks_of(date(2026, 3, 4), date(2026, 3, 16)) == [date(2026, 3, 9),
                                                                    date(2026, 3, 16)]
    assert goals.weeks_of(date(2026, 3, 3), date(2026, 3, 8)) == []


@pytest.mark.parametrize(("text", "number"), [("12", 12.0), ("12.5", 12.5), ("12,5", 12.5),
                                              (" 25% ", 25.0), ("-3", -3.0), (".5", 0.5),
                                              ("abc", None), ("1.2.3", None), ("", None),
                                              ("1e3", None), ("12 000", 12000.0)])
def test_numbers_are_read_as_people_type_them(text, number):
    assert goals.parse_number(text) == number


# --- the metrics catalogue -----------------------------------------------------------------------

def test_the_six_default_metrics_come_with_the_installation(session):
    rows = {m.key: (m.kind, m.unit) for m in db.session.scalars(select(Metric))}
    assert rows == {"proposals_sent": ("activity", "count"), "new_contacts": ("activity", "count"),
                    "meetings": ("activity", "count"), "close_ratio": ("proficiency", "percent"),
                    "average_sale_value": ("proficiency", "currency"),
                    "proposal_ratio": ("proficiency", "percent")}


def test_admin_adds_and_archives_a_metric_and_both_are_audited(org):
    metric = goals.create_metric(key="Demos_Given", name="Demos given", kind="activity",
                                 unit="count", by=org.admin)
    assert metric.key == "demos_given" and metric.higher_is_better
    goals.set_metric_archived(metric, True, by=org.admin)
    assert metric.is_archived
    assert [a.object_id for a in audits("metric.create")] == [metric.id]
    assert [a.changes for a in audits("metric.archive")] == [{"is_archived": [False, True]}]
    assert metric not in goals.metric_choices()


@pytest.mark.parametrize(("fields", "field"), [
    ({"key": "1bad"}, "key"), ({"key": "meetings"}, "key"), ({"name": " "}, "name"),
    ({"kind": "vibes"}, "kind"), ({"unit": "hours"}, "unit")])
def test_a_bad_metric_is_refused_and_nothing_is_written(org, fields, field):
    before = count(Metric)
    data = {"key": "demos_given", "name": "Demos", "kind": "activity", "unit": "count", **fields}
    with pytest.raises(ValidationError) as refused:
        goals.create_metric(**data, by=org.admin)
    assert refused.value.field == field and count(Metric) == before


def test_only_admins_manage_metrics(org):
    with pytest.raises(NotAllowedError):
        goals.create_metric(key="demos", name="Demos", kind="activity", unit="count",
                            by=org.leader_a)


# --- proposing and agreeing ----------------------------------------------------------------------

def test_the_coach_proposes_recording_their_agreement_and_the_person_agrees(org):
    goal = propose(org)
    assert goal.proposed_by_id == org.manager_a1.id
    assert goal.coach_agreed_at is not None and goal.coachee_agreed_at is None
    assert not goals.is_agreed(goal)
    goals.agree_goal(goal, by=org.rep_a1a)
    assert goal.coachee_agreed_at is not None and goals.is_agreed(goal)
    assert [a.actor_id for a in audits("goal.propose")] == [org.manager_a1.id]
    assert [a.actor_id for a in audits("goal.agree")] == [org.rep_a1a.id]


def test_a_goal_changed_after_agreement_needs_both_agreements_again(org):
    goal = propose(org)
    goals.agree_goal(goal, by=org.rep_a1a)
    goals.update_goal(goal, target=150, by=org.leader_a)  # a coach further up changes it
    assert goal.target == 150 and goal.proposed_by_id == org.leader_a.id
    assert goal.coachee_agreed_at is None and goal.coach_agreed_at is not None
    (entry,) = audits("goal.update")
    assert entry.changes["target"] == [120.0, 150] and entry.changes["coachee_agreed_at"][1] is None
    goals.agree_goal(goal, by=org.rep_a1a)
    assert goals.is_agreed(goal)


def test_the_person_is_told_of_a_proposal_and_of_a_change(org):
    goal = propose(org)
    goals.update_goal(goal, target=100, by=org.manager_a1)
    told = db.session.scalars(select(Notification).where(
        Notification.recipient_id == org.rep_a1a.id).order_by(Notification.id)).all()
    assert [n.subject for n in told] == ["Dana Reyes proposes your Proposals sent goal",
                                         "Dana Reyes changed your Proposals sent goal"]
    assert "Target 100 for Mon 2 Mar 2026" in told[1].body
    assert told[0].link == f"/reinforcement/people/{org.rep_a1a.id}/goals"


def test_the_demo_may_propose_without_telling_anyone(org):
    goals.propose_goal(org.rep_a1a, make.metric("meetings"), starts_on=MONDAY,
                       ends_on=MONDAY + timedelta(days=6), target=3, by=org.manager_a1,
                       tell=False)
    assert count(Notification) == 0


def test_a_change_that_changes_nothing_is_refused(org):
    goal = propose(org)
    with pytest.raises(ValidationError, match="Nothing changed"):
        goals.update_goal(goal, target=120, by=org.manager_a1)


@pytest.mark.parametrize(("by", "person"), [
    ("rep_a1a", "rep_a1a"),  # oneself
    ("manager_a1", "manager_a1"),  # a manager for themselves
    ("manager_a2", "rep_a1a"),  # a peer manager
    ("manager_b1", "rep_a1a"),  # another branch
    ("admin", "rep_a1a"),  # admins manage the catalogue, not people's goals
    ("rep_a1b", "rep_a1a"),  # a fellow rep
])
def test_only_a_coach_above_the_person_proposes(org, by, person):
    with pytest.raises(NotAllowedError):
        propose(org, getattr(org, person), by=getattr(org, by))
    assert count(Goal) == 0


def test_a_leader_may_propose_for_a_rep_deeper_down(org):
    assert propose(org, org.rep_a1a, by=org.leader_a).person_id == org.rep_a1a.id


def test_only_the_person_agrees_and_only_once(org):
    goal = propose(org)
    with pytest.raises(NotAllowedError):
        goals.agree_goal(goal, by=org.manager_a1)
    goals.agree_goal(goal, by=org.rep_a1a)
    with pytest.raises(ValidationError, match="already agreed"):
        goals.agree_goal(goal, by=org.rep_a1a)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"target": -5}, "target", "cannot be negative"),
    ({"target": 2.5}, "target", "whole number"),
    ({"key": "close_ratio", "target": 101}, "target", "between 0 and 100"),
    ({"key": "close_ratio", "target": -1}, "target", "between 0 and 100"),
    ({"key": "average_sale_value", "target": -100}, "target", "cannot be negative"),
    ({"target": float("nan")}, "target", "must be a number"),
    ({"ends_on": MONDAY - timedelta(days=1)}, "ends_on", "cannot end before it starts"),
    ({"starts_on": date(2026, 3, 3), "ends_on": date(2026, 3, 8)}, "ends_on", "Monday"),
    ({"ends_on": MONDAY + timedelta(days=400)}, "ends_on", "at most a year"),
])
def test_bad_goals_are_refused_with_a_clear_message_and_nothing_written(org, fields, field,
                                                                        message):
    key = fields.pop("key", "proposals_sent")
    starts_on = fields.pop("starts_on", MONDAY)
    ends_on = fields.pop("ends_on", MONDAY + timedelta(weeks=12, days=-1))
    with pytest.raises(ValidationError, match=message) as refused:
        goals.propose_goal(org.rep_a1a, make.metric(key), starts_on=starts_on, ends_on=ends_on,
                           target=fields.get("target", 10), by=org.manager_a1)
    assert refused.value.field == field
    assert count(Goal) == 0 and audits("goal.propose") == []


@pytest.mark.parametrize("starts_on", [MONDAY, MONDAY + timedelta(weeks=11)])
def test_overlapping_goals_for_the_same_person_and_metric_are_refused(org, starts_on):
    propose(org)
    with pytest.raises(ValidationError, match="overlaps") as refused:
        propose(org, starts_on=starts_on)
    assert refused.value.field == "starts_on" and count(Goal) == 1


def test_the_same_period_is_fine_for_another_metric_or_person(org):
    propose(org)
    propose(org, key="meetings")
    propose(org, org.rep_a1b)
    propose(org, starts_on=MONDAY + timedelta(weeks=12))  # the next period
    assert count(Goal) == 4


def test_an_archived_metric_takes_no_new_goal(org):
    metric = make.metric("meetings")
    metric.is_archived = True
    with pytest.raises(ValidationError, match="archived"):
        propose(org, key="meetings")


# --- gap and status ------------------------------------------------------------------------------

def _goal(key="proposals_sent", target=120.0, weeks=12, higher=True):
    metric = Metric(key=key, name=key, kind=make.metric(key).kind, unit=make.metric(key).unit,
                    higher_is_better=higher)
    return Goal(id=1, person_id=1, metric=metric, starts_on=MONDAY,
                ends_on=MONDAY + timedelta(weeks=weeks, days=-1), target=target)


def test_an_activity_target_is_due_week_by_week(session):
    goal = _goal()  # 120 over 12 weeks: 10 a week
    after_four = MONDAY + timedelta(weeks=4)  # four weeks are over
    behind = measure(goal, after_four, total=30, mean=7.5, recorded=4)
    assert (behind.due, behind.actual, behind.gap, behind.status) == (
        40, 30, 10, GoalStatus.BEHIND)
    assert behind.remaining == 90
    on_track = measure(goal, after_four, total=41, mean=10.25, recorded=4)
    assert on_track.gap == -1 and on_track.status == GoalStatus.ON_TRACK
    first_week = measure(goal, MONDAY + timedelta(days=3), total=2, mean=2, recorded=1)
    assert first_week.due == 0 and first_week.status == GoalStatus.ON_TRACK


def test_an_activity_goal_reached_early_is_met_and_one_short_at_the_end_missed(session):
    goal = _goal()
    assert measure(goal, MONDAY + timedelta(weeks=6), 125, 20, 6).status == GoalStatus.MET
    over = measure(goal, MONDAY + timedelta(weeks=13), 119, 10, 12)
    assert (over.due, over.gap, over.status) == (120, 1, GoalStatus.MISSED)


def test_a_proficiency_goal_compares_the_mean_of_the_weeks_with_the_whole_target(session):
    goal = _goal("close_ratio", target=25)
    where = measure(goal, MONDAY + timedelta(weeks=2), total=40, mean=20, recorded=2)
    assert (where.due, where.actual, where.gap, where.status) == (25, 20, 5, GoalStatus.BEHIND)
    assert where.remaining is None


def test_lower_is_better_turns_the_gap_around(session):
    goal = _goal("close_ratio", target=10, higher=False)  # e.g. a discount rate
    assert measure(goal, MONDAY + timedelta(weeks=2), 24, 12, 2).gap == 2
    assert measure(goal, MONDAY + timedelta(weeks=2), 16, 8, 2).status == GoalStatus.ON_TRACK


def test_no_week_recorded_means_no_gap_yet(session):
    where = measure(_goal(), MONDAY + timedelta(weeks=3), None, None, 0)
    assert where.gap is None and where.status == GoalStatus.NO_DATA


def test_progress_counts_only_the_weeks_of_the_period_up_to_the_day(org):
    goal = propose(org)  # 12 weeks from MONDAY
    for monday, value in ((MONDAY - timedelta(weeks=1), 50), (MONDAY, 8), (MONDAY + timedelta(
            weeks=1), 12), (MONDAY + timedelta(weeks=2), 9), (MONDAY + timedelta(weeks=12), 50)):
        make.actual(org.rep_a1a, monday, value)
    where = progress(goal, MONDAY + timedelta(weeks=2, days=2))  # two weeks over
    assert (where.actual, where.recorded, where.due, where.gap) == (29, 3, 20, -9)
    assert progress(goal, MONDAY + timedelta(days=9)).actual == 20  # the third week not yet


def test_progress_of_a_proficiency_goal_is_the_mean(org):
    goal = propose(org, key="close_ratio", target=30)
    make.actual(org.rep_a1a, MONDAY, 20, key="close_ratio")
    make.actual(org.rep_a1a, MONDAY + timedelta(weeks=1), 25, key="close_ratio")
    where = progress(goal, MONDAY + timedelta(weeks=3))
    assert (where.actual, where.gap, where.status) == (22.5, 7.5, GoalStatus.BEHIND)


def test_the_trend_chart_draws_each_week_and_the_weekly_target(org):
    goal = propose(org)  # 10 a week
    chart = goal_chart(goal, [(MONDAY, 5.0), (MONDAY + timedelta(weeks=1), 15.0)])
    first, second = chart.chart.points
    assert first.x == chart.chart.left and first.y > second.y  # 5 sits lower than 15
    top_y, top_label = chart.ticks[0]
    assert top_label == "20" and chart.ticks[-1][1] == "0"  # 0..20 for values up to 15
    assert second.y < chart.target_y < first.y  # the 10-a-week line between them
    assert chart.target_label == "10 a week" and "2 weeks recorded" in chart.summary
    assert "Week of Mon 9 Mar 2026: 15" in second.label
    empty = goal_chart(propose(org, key="close_ratio", target=25), [])
    assert empty.chart.points == [] and empty.ticks[0][1] == "100%"


# --- rules ---------------------------------------------------------------------------------------

GOAL_RULES = {
    # on rep_a1a's goal, by:  rep_a1a mgr_a1 leader_a exec mgr_a2 mgr_b1 rep_a1b admin
    "goal.view":             (Y,      Y,     Y,       Y,   N,     N,     N,      Y),
    "goal.propose":          (N,      Y,     Y,       Y,   N,     N,     N,      N),
    "goal.agree":            (Y,      N,     N,       N,   N,     N,     N,      N),
    "actual.enter":          (Y,      Y,     Y,       Y,   N,     N,     N,      N),
    "gap.review":            (N,      Y,     Y,       Y,   N,     N,     N,      N),
}
ACTORS = ("rep_a1a", "manager_a1", "leader_a", "exec", "manager_a2", "manager_b1", "rep_a1b",
          "admin")
GLOBAL_RULES = {
    # by:             rep manager leader admin (the test admin is leader-level: coaches by level)
    "goal.team":      (N, Y, Y, Y),
    "goal.propose":   (N, Y, Y, Y),
    "actual.import":  (N, Y, Y, Y),
    "gap.report":     (N, Y, Y, Y),
    "gap.review":     (N, Y, Y, Y),
    "metric.manage":  (N, N, N, Y),
}


def test_every_goal_rule_is_tested():
    mine = {a for a in authz.RULES if a.startswith(("goal.", "actual.", "gap.", "metric."))}
    assert mine == set(GOAL_RULES) | set(GLOBAL_RULES) | {"goal.view"}


@pytest.mark.parametrize("action", GOAL_RULES)
def test_goal_rule_follows_the_tree(org, action):
    goal = make.goal(org.rep_a1a)
    seen = tuple(authz.can(getattr(org, actor), action, goal) for actor in ACTORS)
    assert seen == GOAL_RULES[action]


@pytest.mark.parametrize("action", GLOBAL_RULES)
def test_rule_without_an_object_depends_on_the_level(org, action):
    actors = ("rep_a1a", "manager_a1", "leader_a", "admin")
    assert tuple(authz.can(getattr(org, a), action) for a in actors) == GLOBAL_RULES[action]


def test_goal_lists_are_scoped_to_the_subtree(org):
    mine, report, other = (make.goal(org.manager_a1), make.goal(org.rep_a1a),
                           make.goal(org.rep_b1a))
    def ids(user):
        return set(db.session.scalars(authz.visible(select(Goal.id), user, Goal)))
    assert ids(org.manager_a1) == {mine.id, report.id}
    assert ids(org.rep_a1a) == {report.id}
    assert ids(org.leader_b) == {other.id}
    assert ids(org.admin) == {mine.id, report.id, other.id}


def test_an_archived_metric_exists_only_for_admins(org):
    metric = make.metric("meetings")
    metric.is_archived = True
    assert authz.can_see(org.admin, metric) and not authz.can_see(org.leader_a, metric)


# --- pages ---------------------------------------------------------------------------------------

@pytest.fixture
def switch(client, login):
    def to(person):
        client.post("/logout")
        login(person)
    return to


def test_person_page_shows_the_gap_the_chart_and_the_agree_button_to_the_person(client, switch,
                                                                               org):
    goal = make.behind(org.rep_a1a, agreed=False)  # 1 proposal, 40 due after 4 weeks
    switch(org.rep_a1a)
    html = client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals").get_data(as_text=True)
    assert "Proposals sent" in html and "Behind" in html and "39 short" in html
    assert "<svg" in html and "target 10 a week" in html
    assert f"/reinforcement/goals/{goal.id}/agree" in html
    assert "Propose a goal" not in html and f"/reinforcement/goals/{goal.id}/edit" not in html
    assert "Review the gap" not in html
    response = client.post(f"/reinforcement/goals/{goal.id}/agree")
    assert response.status_code == 302 and goal.coachee_agreed_at is not None
    assert "Agreed by both" in client.get(response.location).get_data(as_text=True)


def test_the_coach_sees_propose_change_and_review_but_no_agree_button(client, switch, org):
    goal = make.behind(org.rep_a1a, agreed=False)
    switch(org.manager_a1)
    html = client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals").get_data(as_text=True)
    assert "Propose a goal" in html and f"/reinforcement/goals/{goal.id}/edit" in html
    assert f"/reinforcement/goals/{goal.id}/gap-reviews/new" in html
    assert f"/reinforcement/goals/{goal.id}/agree" not in html
    assert "Awaiting Rita Rep's agreement" in html
    assert client.post(f"/reinforcement/goals/{goal.id}/agree").status_code == 403


def test_proposing_through_the_form_creates_the_goal(client, switch, org):
    switch(org.manager_a1)
    starts = make.this_monday()
    response = client.post(f"/reinforcement/people/{org.rep_a1a.id}/goals/new", data={
        "metric": make.metric("close_ratio").id, "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(weeks=8, days=-1)).isoformat(), "target": "27,5"})
    assert response.status_code == 302
    goal = db.session.scalar(select(Goal))
    assert (goal.target, goal.person_id, goal.coachee_agreed_at) == (27.5, org.rep_a1a.id, None)


@pytest.mark.parametrize(("target", "message"), [("120", "between 0 and 100"),
                                                 ("lots", "Enter a number")])
def test_a_bad_proposal_shows_the_error_and_writes_nothing(client, switch, org, target, message):
    switch(org.manager_a1)
    starts = make.this_monday()
    response = client.post(f"/reinforcement/people/{org.rep_a1a.id}/goals/new", data={
        "metric": make.metric("close_ratio").id, "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=6)).isoformat(), "target": target})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(Goal) == 0


def test_changing_a_goal_through_the_form_asks_for_agreement_again(client, switch, org):
    goal = make.goal(org.rep_a1a, agreed=True)
    switch(org.manager_a1)
    response = client.post(f"/reinforcement/goals/{goal.id}/edit", data={
        "starts_on": goal.starts_on.isoformat(), "ends_on": goal.ends_on.isoformat(),
        "target": "90"})
    assert response.status_code == 302
    assert goal.target == 90 and goal.coachee_agreed_at is None


def test_goal_detail_lists_the_weeks_as_a_table_too(client, switch, org):
    goal = make.goal(org.rep_a1a)
    make.actual(org.rep_a1a, goal.starts_on, 7)
    switch(org.leader_a)
    html = client.get(f"/reinforcement/goals/{goal.id}").get_data(as_text=True)
    first = goal.starts_on  # a Monday, written "Mon 2 Nov 2026"
    assert (f'<th scope="row">Mon {first.day} {first:%b %Y}</th><td class="text-end">7</td>'
            in html)
    assert "Agreed by both" in html


def _team(size: int, org) -> None:
    for n in range(size):
        rep = factories.person(manager=org.manager_a1, name=f"Extra {n}")
        make.behind(rep)
        make.goal(rep, key="close_ratio", target=25)


def test_team_table_shows_each_report_and_metric_with_the_gap(client, switch, org):
    make.behind(org.rep_a1a)
    make.goal(org.rep_a1b, key="close_ratio", target=25)
    make.actual(org.rep_a1b, make.this_monday() - timedelta(weeks=1), 30, key="close_ratio")
    switch(org.manager_a1)
    html = client.get("/reinforcement/goals/team").get_data(as_text=True)
    assert "Rita Rep" in html and "Ron Rep" in html
    assert "39 short" in html and "5% ahead" in html and "No goal" in html
    csv = csv_files.text(client.get("/reinforcement/goals/team?format=csv").data)
    assert csv.splitlines()[0].startswith("person,email,metric,starts_on")
    assert "Rita Rep" in csv and ",behind," in csv and ",on_track," in csv


def test_team_table_costs_the_same_queries_for_a_bigger_team(client, switch, org,
                                                              count_queries):
    switch(org.manager_a1)
    _team(1, org)
    with count_queries() as small:
        assert client.get("/reinforcement/goals/team").status_code == 200
    _team(6, org)
    with count_queries() as big:
        html = client.get("/reinforcement/goals/team").get_data(as_text=True)
    assert html.count("Extra ") >= 7
    assert big.count == small.count


def test_team_table_service_is_three_queries(org, count_queries):
    _team(5, org)
    with count_queries() as counter:
        table = team_table(org.manager_a1, make.today())
    assert counter.count == 3
    assert len(table.rows) == 7 and [m.key for m in table.metrics] == ["proposals_sent",
                                                                       "close_ratio"]


def test_person_page_costs_the_same_queries_with_more_goals(client, switch, org, count_queries):
    switch(org.rep_a1a)
    make.behind(org.rep_a1a)
    with count_queries() as one:
        client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals")
    for key in ("meetings", "close_ratio", "new_contacts"):
        make.behind(org.rep_a1a, key=key, target=50)
    with count_queries() as four:
        html = client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals").get_data(as_text=True)
    assert html.count("<svg") == 4
    assert four.count == one.count


def test_admin_adds_a_metric_and_archives_it_through_the_pages(client, switch, org):
    switch(org.admin)
    response = client.post("/reinforcement/metrics", data={
        "name": "Demos given", "key": "demos_given", "kind": "activity", "unit": "count",
        "higher_is_better": "y"})
    assert response.status_code == 302
    metric = db.session.scalar(select(Metric).where(Metric.key == "demos_given"))
    assert client.post(f"/reinforcement/metrics/{metric.id}/archive").status_code == 302
    assert metric.is_archived
    switch(org.manager_a1)
    form = client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals/new").get_data(as_text=True)
    assert "Close ratio" in form and "Demos given" not in form


def test_home_asks_the_person_to_agree_to_waiting_goals(client, switch, org):
    make.goal(org.rep_a1a, agreed=False)
    make.goal(org.rep_a1a, key="meetings", agreed=True)
    switch(org.rep_a1a)
    html = client.get("/").get_data(as_text=True)
    assert "Agree to your goals" in html and "1 goal proposed by your coach" in html
    switch(org.manager_a1)
    assert "Agree to your goals" not in client.get("/").get_data(as_text=True)


def test_the_nav_link_and_tabs_show_what_each_person_may_open(client, switch, org):
    switch(org.rep_a1a)
    html = client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals").get_data(as_text=True)
    assert re.search(r'href="/reinforcement/people/\d+/goals">Goals</a>', html)
    for hidden in ("/reinforcement/goals/team", "/reinforcement/actuals/import",
                   "/reinforcement/gap-reviews/report", "/reinforcement/metrics"):
        assert hidden not in html
    assert client.get("/reinforcement/goals/team").status_code == 403
    switch(org.manager_a1)
    html = client.get(f"/reinforcement/people/{org.manager_a1.id}/goals").get_data(as_text=True)
    for shown in ("/reinforcement/goals/team", "/reinforcement/actuals/import",
                  "/reinforcement/gap-reviews/report"):
        assert shown in html
    assert "/reinforcement/metrics" not in html
