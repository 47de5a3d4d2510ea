"""Gap reviews: root cause and corrective action (an action item of the pair), refusals, the
later evaluation from recorded actuals, the root-cause report, and the pages over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.models import Notification
from reinforcement.checkins import actions
from reinforcement.checkins.models import ActionItem, CheckInStatus
from reinforcement.goals.gaps import (
    Action,
    create_gap_review,
    evaluate_gap_review,
    root_cause_report,
)
from reinforcement.goals.models import GapReview, RootCause
from tests import csv_files, factories
from tests.reinforcement.checkins import factories as checkins
from tests.reinforcement.goals import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

MONDAY = date(2026, 3, 2)
TODAY = date(2026, 3, 18)  # a Wednesday in the third week
NOW = datetime(2026, 3, 18, 10, tzinfo=UTC)


@pytest.fixture
def goal(org):
    """Rita's 120 proposals over 12 weeks from MONDAY; 2 weeks over, 20 due, 5 done."""
    created = make.goal(org.rep_a1a, starts_on=MONDAY)
    make.actual(org.rep_a1a, MONDAY, 2)
    make.actual(org.rep_a1a, MONDAY + timedelta(weeks=1), 3)
    return created


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def review(org, goal, *, cause="skills", owner=None, due=TODAY + timedelta(days=7), by=None,
           check_in=None, title="Role-play the pricing talk twice", now=NOW, today=TODAY):
    return create_gap_review(goal, root_cause=cause, notes="Stalls when price comes up.",
                             action=Action(title, owner or org.rep_a1a, due),
                             by=by or org.manager_a1, check_in=check_in, now=now, today=today)


# --- recording ---------------------------------------------------------------------------------

def test_a_review_records_the_cause_the_gap_and_an_action_item_of_the_pair(org, goal):
    check_in = checkins.check_in(org.manager_a1, org.rep_a1a,
                                 at=datetime(2026, 3, 17, 9, tzinfo=UTC))
    created = review(org, goal, check_in=check_in)
    assert (created.root_cause, created.gap_at_review, created.coach_id) == (
        RootCause.SKILLS, 15, org.manager_a1.id)
    item = created.action_item
    assert (item.title, item.owner_id, item.due_on) == (
        "Role-play the pricing talk twice", org.rep_a1a.id, TODAY + timedelta(days=7))
    assert (item.coach_id, item.coachee_id, item.check_in_id) == (
        org.manager_a1.id, org.rep_a1a.id, check_in.id)
    actions_audited = db.session.scalars(select(AuditEntry.object_id).where(
        AuditEntry.action == "action_item.create")).all()
    assert actions_audited == [item.id]
    assert db.session.scalar(select(AuditEntry.changes).where(
        AuditEntry.action == "gap_review.create"))["root_cause"] == [None, "skills"]
    # It is an ordinary open item of the pair: it shows on their next check-in's agenda.
    later = checkins.check_in(org.manager_a1, org.rep_a1a, days=7)
    assert item in actions.carried_forward(later)
    note = db.session.scalar(select(Notification).where(
        Notification.recipient_id == org.rep_a1a.id))
    assert "close your Proposals sent gap" in note.body


def test_a_review_without_a_check_in_has_none(org, goal):
    created = review(org, goal, owner=org.manager_a1)
    assert created.check_in_id is None and created.action_item.check_in_id is None
    assert count(Notification) == 0  # the coach gave the action to themselves


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"cause": "laziness"}, "root_cause", "Choose the root cause"),
    ({"title": " "}, "action_title", "Write the corrective action"),
    ({"due": TODAY - timedelta(days=1)}, "action_due_on", "cannot be before"),
    ({"due": None}, "action_due_on", "due date"),
])
def test_a_bad_review_is_refused_and_nothing_is_written(org, goal, change, field, message):
    with pytest.raises(ValidationError, match=message) as refused:
        review(org, goal, **change)
    assert refused.value.field == field
    assert count(GapReview) == 0 and count(ActionItem) == 0


def test_the_action_belongs_to_the_coach_or_the_coachee(org, goal):
    with pytest.raises(ValidationError, match="owned by you or by Rita Rep"):
        review(org, goal, owner=org.rep_a1b)
    assert count(ActionItem) == 0


def test_the_due_date_may_not_precede_the_check_in(org, goal):
    check_in = checkins.check_in(org.manager_a1, org.rep_a1a,
                                 at=datetime(2026, 3, 20, 9, tzinfo=UTC))
    with pytest.raises(ValidationError, match="20 Mar 2026"):
        review(org, goal, check_in=check_in, due=date(2026, 3, 19))


@pytest.mark.parametrize("case", ["other pair", "cancelled"])
def test_the_check_in_must_be_the_coachs_with_the_person_and_still_stand(org, goal, case):
    coachee = org.rep_a1b if case == "other pair" else org.rep_a1a
    status = CheckInStatus.CANCELLED if case == "cancelled" else CheckInStatus.HELD
    check_in = checkins.check_in(org.manager_a1, coachee, days=-1, status=status)
    with pytest.raises(ValidationError) as refused:
        review(org, goal, check_in=check_in)
    assert refused.value.field == "check_in" and count(GapReview) == 0


def test_a_goal_on_track_or_without_actuals_has_no_gap_to_review(org):
    on_track = make.goal(org.rep_a1a, starts_on=MONDAY)
    make.actual(org.rep_a1a, MONDAY, 30)
    with pytest.raises(ValidationError, match="not behind target"):
        review(org, on_track)
    empty = make.goal(org.rep_a1b, starts_on=MONDAY)
    with pytest.raises(ValidationError, match="no actuals yet"):
        review(org, empty)
    assert count(GapReview) == 0 and count(ActionItem) == 0


@pytest.mark.parametrize("who", ["rep_a1a", "manager_a2", "admin", "rep_a1b"])
def test_only_a_coach_above_the_person_reviews(org, goal, who):
    with pytest.raises(NotAllowedError):
        review(org, goal, by=getattr(org, who), owner=org.rep_a1a)
    assert count(GapReview) == 0


def test_a_leader_above_may_review_too(org, goal):
    created = review(org, goal, by=org.leader_a, owner=org.leader_a)
    assert created.coach_id == org.leader_a.id
    assert created.action_item.coach_id == org.leader_a.id


# --- evaluating ----------------------------------------------------------------------------------

def test_evaluation_counts_improved_when_the_gap_shrank(org, goal):
    created = review(org, goal)  # 15 short
    make.actual(org.rep_a1a, MONDAY + timedelta(weeks=2), 14)  # 19 of 30 due a week later
    evaluate_gap_review(created, note="Two role-plays done.", by=org.manager_a1,
                        now=NOW + timedelta(days=7), today=TODAY + timedelta(days=7))
    assert (created.gap_at_evaluation, created.improved) == (11, True)
    assert created.evaluation_note == "Two role-plays done."
    assert db.session.scalar(select(AuditEntry.changes).where(
        AuditEntry.action == "gap_review.evaluate")) == {"gap_at_evaluation": [None, 11],
                                                         "improved": [None, True]}


def test_evaluation_is_not_improved_when_the_gap_grew(org, goal):
    created = review(org, goal)
    make.actual(org.rep_a1a, MONDAY + timedelta(weeks=2), 4)  # 9 of 30: 21 short
    evaluate_gap_review(created, note="", by=org.manager_a1, now=NOW + timedelta(days=7),
                        today=TODAY + timedelta(days=7))
    assert (created.gap_at_evaluation, created.improved) == (21, False)


def test_evaluation_waits_for_a_later_day_or_check_in_and_happens_once(org, goal):
    check_in = checkins.check_in(org.manager_a1, org.rep_a1a,
                                 at=datetime(2026, 3, 18, 9, tzinfo=UTC))
    created = review(org, goal, check_in=check_in)
    with pytest.raises(ValidationError, match="later day"):
        evaluate_gap_review(created, note="", by=org.manager_a1, now=NOW, today=TODAY)
    with pytest.raises(ValidationError, match="later check-in"):
        evaluate_gap_review(created, note="", by=org.manager_a1, check_in=check_in,
                            today=TODAY + timedelta(days=7))
    assert created.evaluated_at is None
    later = checkins.check_in(org.manager_a1, org.rep_a1a,
                              at=datetime(2026, 3, 25, 9, tzinfo=UTC))
    evaluate_gap_review(created, note="", by=org.manager_a1, check_in=later,
                        today=TODAY + timedelta(days=7))
    assert created.evaluated_check_in_id == later.id
    with pytest.raises(ValidationError, match="already been evaluated"):
        evaluate_gap_review(created, note="", by=org.manager_a1,
                            today=TODAY + timedelta(days=8))


def test_only_a_coach_evaluates(org, goal):
    created = review(org, goal)
    with pytest.raises(NotAllowedError):
        evaluate_gap_review(created, note="", by=org.rep_a1a, today=TODAY + timedelta(days=7))
    assert created.evaluated_at is None


# --- the root-cause report ---------------------------------------------------------------------

def _reviews(org) -> None:
    """skills x2 (rep, proposals) + commitment (rep, close ratio) under manager_a1; capacity
    (manager, meetings) under leader_a; environment in the other branch."""
    for person, key, cause, improved in (
            (org.rep_a1a, "proposals_sent", RootCause.SKILLS, True),
            (org.rep_a1b, "proposals_sent", RootCause.SKILLS, None),
            (org.rep_a1a, "close_ratio", RootCause.COMMITMENT, False),
            (org.manager_a1, "meetings", RootCause.CAPACITY, None),
            (org.rep_b1a, "proposals_sent", RootCause.ENVIRONMENT, None)):
        created = make.review(make.goal(person, key=key), person.manager, cause=cause)
        if improved is not None:
            created.evaluated_at, created.improved = NOW, improved
    db.session.flush()


def test_root_causes_are_counted_across_the_subtree_by_cause_level_and_metric(org):
    from lms.people import tree
    _reviews(org)
    report = root_cause_report(tree.subtree_ids(org.leader_a.id, include_root=False))
    assert report.total == 4
    assert {c: (n.reviews, n.evaluated, n.improved) for c, n in report.by_cause.items()} == {
        "skills": (2, 1, 1), "commitment": (1, 1, 0), "capacity": (1, 0, 0),
        "environment": (0, 0, 0), "knowledge": (0, 0, 0)}
    assert report.by_level["rep"]["skills"].reviews == 2
    assert report.by_level["manager"]["capacity"].reviews == 1
    assert list(report.by_level) == ["rep", "manager"]
    assert report.by_metric["Proposals sent"]["skills"].reviews == 2
    assert report.by_metric["Close ratio"]["commitment"].reviews == 1
    mine = root_cause_report(tree.subtree_ids(org.manager_a1.id, include_root=False))
    assert mine.total == 3 and mine.by_cause["capacity"].reviews == 0
    assert root_cause_report(None).total == 5


def test_the_report_is_one_query_whatever_the_number_of_reviews(org, count_queries):
    from lms.people import tree
    people = tree.subtree_ids(org.leader_a.id, include_root=False)
    _reviews(org)
    with count_queries() as few:
        root_cause_report(people)
    for _ in range(6):
        rep = factories.person(manager=org.manager_a2)
        make.review(make.goal(rep), org.manager_a2, cause=RootCause.KNOWLEDGE)
    with count_queries() as many:
        report = root_cause_report(people)
    assert few.count == many.count == 1 and report.by_cause["knowledge"].reviews == 6


def test_the_period_leaves_out_older_reviews(org):
    created = make.review(make.goal(org.rep_a1a), org.manager_a1, days_ago=200)
    assert root_cause_report(None, since=make.today() - timedelta(days=91)).total == 0
    assert root_cause_report(None, since=make.today() - timedelta(days=365)).total == 1
    assert created.id


# --- pages ---------------------------------------------------------------------------------------

@pytest.fixture
def switch(client, login):
    def to(person):
        client.post("/logout")
        login(person)
    return to


def test_the_coach_records_a_review_through_the_form_at_a_check_in(client, switch, org):
    goal = make.behind(org.rep_a1a)
    check_in = checkins.check_in(org.manager_a1, org.rep_a1a, days=-0.1)
    switch(org.manager_a1)
    url = f"/reinforcement/goals/{goal.id}/gap-reviews/new?check_in={check_in.id}"
    html = client.get(url).get_data(as_text=True)
    for label in ("Environment", "Commitment", "Capacity", "Skills", "Knowledge"):
        assert label in html
    response = client.post(url, data={
        "root_cause": "knowledge", "notes": "Has not seen the new price list.\nSend it.",
        "action_title": "Walk through the price list", "action_owner": str(org.manager_a1.id),
        "action_due_on": (make.today() + timedelta(days=3)).isoformat()})
    assert response.status_code == 302
    created = db.session.scalar(select(GapReview))
    assert created.check_in_id == check_in.id
    assert created.action_item.check_in_id == check_in.id
    detail = client.get(response.location).get_data(as_text=True)
    assert "Knowledge" in detail and "Walk through the price list" in detail
    assert "Has not seen the new price list.<br>Send it." in detail


def test_the_goals_page_opened_from_a_check_in_keeps_it_in_every_link(client, switch, org):
    goal = make.behind(org.rep_a1a)
    check_in = checkins.check_in(org.manager_a1, org.rep_a1a, days=-0.1)
    switch(org.manager_a1)
    html = client.get(f"/reinforcement/people/{org.rep_a1a.id}/goals?check_in={check_in.id}"
                      ).get_data(as_text=True)
    assert f'href="/reinforcement/check-ins/{check_in.id}">Back to the check-in' in html
    assert f"/reinforcement/goals/{goal.id}/gap-reviews/new?check_in={check_in.id}" in html
    assert f"/reinforcement/people/{org.rep_a1a.id}/actuals?check_in={check_in.id}" in html


def test_a_review_form_with_problems_writes_nothing(client, switch, org):
    goal = make.behind(org.rep_a1a)
    switch(org.manager_a1)
    response = client.post(f"/reinforcement/goals/{goal.id}/gap-reviews/new", data={
        "action_title": "Something", "action_owner": str(org.rep_a1a.id),
        "action_due_on": (make.today() - timedelta(days=3)).isoformat(), "root_cause": "skills"})
    assert response.status_code == 422
    assert "cannot be before" in response.get_data(as_text=True)
    assert count(GapReview) == 0 and count(ActionItem) == 0


def test_a_goal_on_track_offers_no_review_form(client, switch, org):
    goal = make.goal(org.rep_a1a)
    make.actual(org.rep_a1a, goal.starts_on, 100)
    switch(org.manager_a1)
    html = client.get(f"/reinforcement/goals/{goal.id}/gap-reviews/new").get_data(as_text=True)
    assert "not behind target" in html and 'name="root_cause"' not in html
    assert "Review the gap" not in client.get(f"/reinforcement/goals/{goal.id}").get_data(
        as_text=True)


def test_the_coach_evaluates_through_the_form_and_the_person_sees_the_outcome(client, switch,
                                                                              org):
    goal = make.behind(org.rep_a1a)  # 1 done; 40 due: 39 short
    created = make.review(goal, org.manager_a1, gap=45)
    switch(org.manager_a1)
    response = client.post(f"/reinforcement/gap-reviews/{created.id}/evaluate",
                           data={"note": "Better pipeline."})
    assert response.status_code == 302 and created.improved is True
    switch(org.rep_a1a)
    html = client.get(f"/reinforcement/goals/{goal.id}").get_data(as_text=True)
    assert "Improved" in html and "Better pipeline." in html
    assert f"/reinforcement/gap-reviews/{created.id}/evaluate" not in html


def test_root_cause_page_and_csv_for_a_leader(client, switch, org):
    _reviews(org)
    switch(org.leader_a)
    html = client.get("/reinforcement/gap-reviews/report").get_data(as_text=True)
    assert "the people under you" in html and "4 gap reviews" in html
    csv = csv_files.text(client.get("/reinforcement/gap-reviews/report?format=csv").data)
    lines = csv.splitlines()
    assert lines[0] == "root_cause,level,metric,reviews,evaluated,improved"
    assert "skills,rep,Proposals sent,2,1,1" in lines
    assert not any(line.startswith("environment") for line in lines)  # the other branch
    assert client.get(f"/reinforcement/gap-reviews/report?person={org.manager_b1.id}"
                      ).status_code == 404


def test_root_cause_page_costs_the_same_queries_with_more_reviews(client, switch, org,
                                                                  count_queries):
    switch(org.leader_a)
    _reviews(org)
    with count_queries() as few:
        client.get("/reinforcement/gap-reviews/report")
    for _ in range(5):
        make.review(make.goal(factories.person(manager=org.manager_a2)), org.manager_a2,
                    cause=RootCause.ENVIRONMENT)
    with count_queries() as many:
        client.get("/reinforcement/gap-reviews/report")
    assert few.count == many.count
