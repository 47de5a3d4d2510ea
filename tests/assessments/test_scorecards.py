"""Observation scorecards: rubric rules, scoring and sharing, who sees what, trends, weakest
criteria, and the chart geometry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from assessments import scorecards
from assessments.models import (
    Observation,
    ObservationScore,
    ObservationStatus,
    Rubric,
    RubricCriterion,
)
from assessments.scorecard_reports import trend, weakest_criteria
from lms import authz
from lms.audit.models import AuditEntry
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.models import Notification
from lms.people import tree
from lms.web.charts import HEIGHT, PAD_BOTTOM, PAD_TOP, line_chart
from tests.assessments import factories_scorecards as make

pytestmark = pytest.mark.usefixtures("ctx")

Y, N = True, False


@pytest.fixture
def rep_rubric(org):
    return make.rubric(org.admin, title="Discovery role-play")


@pytest.fixture
def coaching_rubric(org):
    return make.rubric(org.admin, level="manager", criteria=2, title="Coaching conversation")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audited(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action))


# --- rubrics ---------------------------------------------------------------------------------

def test_rubric_keeps_criteria_in_order_with_five_descriptors(org):
    rubric = make.rubric(org.admin, criteria=3, title="Calls")
    assert [c.title for c in rubric.criteria] == ["Criterion 1", "Criterion 2", "Criterion 3"]
    assert all(len(c.descriptors) == 5 for c in rubric.criteria)
    assert rubric.criteria[1].descriptors[4] == "Exemplary at criterion 2"
    assert audited("rubric.create") == 1


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.criteria[0].descriptors.pop(), "exactly five descriptors"),
    (lambda d: d.criteria[0].descriptors.append("More"), "exactly five descriptors"),
    (lambda d: d.criteria[1].descriptors.__setitem__(2, "  "), "exactly five descriptors"),
    (lambda d: setattr(d.criteria[1], "title", "Criterion 1"), "Two criteria are called"),
    (lambda d: setattr(d.criteria[2], "title", ""), "Give criterion 3 a title"),
    (lambda d: d.criteria.clear(), "at least one criterion"),
    (lambda d: setattr(d, "subject_level", "leader"), "reps or managers"),
    (lambda d: setattr(d, "title", " "), "Give the rubric a title"),
])
def test_bad_rubric_is_refused_and_nothing_written(org, change, message):
    data = make.rubric_data()
    change(data)
    with pytest.raises(ValidationError, match=message):
        scorecards.create_rubric(data, by=org.admin)
    assert count(Rubric) == 0 and count(RubricCriterion) == 0


def test_unused_rubric_criteria_can_be_replaced(org, rep_rubric):
    data = make.rubric_data(criteria=2, title="Renamed")
    scorecards.update_rubric(rep_rubric, data, by=org.admin)
    db.session.flush()
    assert rep_rubric.title == "Renamed" and len(rep_rubric.criteria) == 2
    assert count(RubricCriterion) == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rubric.update"))
    assert entry.changes["criteria"][1] == ["Criterion 1", "Criterion 2"]


def test_used_rubric_keeps_its_criteria_but_may_be_renamed(org, rep_rubric):
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a, share=False)
    data = make.rubric_data(criteria=3, title="New title")
    data.criteria[0].descriptors[0] = "Changed wording"
    with pytest.raises(ValidationError, match="1 observation: its level and criteria are fixed"):
        scorecards.update_rubric(rep_rubric, data, by=org.admin)
    same = make.rubric_data(criteria=3, title="New title")
    scorecards.update_rubric(rep_rubric, same, by=org.admin)
    assert rep_rubric.title == "New title"
    assert rep_rubric.criteria[0].descriptors[0] == "Not yet at criterion 1"


def test_copy_archive_and_delete(org, rep_rubric):
    copy = scorecards.copy_rubric(rep_rubric, by=org.admin)
    assert copy.title == f"Copy of {rep_rubric.title}"
    assert [c.title for c in copy.criteria] == [c.title for c in rep_rubric.criteria]
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a)
    with pytest.raises(ValidationError, match="archive it instead"):
        scorecards.delete_rubric(rep_rubric, by=org.admin)
    scorecards.set_rubric_archived(rep_rubric, True, by=org.admin)
    with pytest.raises(ValidationError, match="already archived"):
        scorecards.set_rubric_archived(rep_rubric, True, by=org.admin)
    scorecards.delete_rubric(copy, by=org.admin)
    assert db.session.scalars(select(Rubric.id)).all() == [rep_rubric.id]
    assert audited("rubric.archive") == 1 and audited("rubric.delete") == 1


# --- observations ----------------------------------------------------------------------------

def test_manager_scores_a_rep_as_a_draft_then_shares_it(org, rep_rubric):
    observation = make.observation(rep_rubric, org.manager_a1, org.rep_a1a, [2, 3, 5],
                                   share=False, context="Pricing role-play")
    assert observation.status == ObservationStatus.DRAFT and observation.average == 3.33
    assert not authz.can_see(org.rep_a1a, observation)
    assert count(Notification) == 0

    scorecards.share_observation(observation, by=org.manager_a1)
    assert observation.status == ObservationStatus.SHARED and observation.shared_at
    assert authz.can(org.rep_a1a, "observation.view", observation)
    note = db.session.scalar(select(Notification))
    assert note.recipient_id == org.rep_a1a.id and note.kind == "observation.shared"
    assert note.link == f"/assessments/scorecards/{observation.id}"
    assert "3.3 out of 5" in note.body
    scorecards.share_observation(observation, by=org.manager_a1)  # twice: nothing new
    assert count(Notification) == 1
    assert audited("observation.create") == 1 and audited("observation.share") == 1


def test_leader_observes_a_managers_coaching(org, coaching_rubric):
    observation = make.observation(coaching_rubric, org.leader_a, org.manager_a2, [4, 5])
    assert observation.kind == "coaching" and observation.average == 4.5
    assert authz.can_see(org.manager_a2, observation)


def test_admin_may_observe_anyone(org, rep_rubric):
    observation = make.observation(rep_rubric, org.admin, org.rep_b1a, 4)
    assert observation.observer_id == org.admin.id


@pytest.mark.parametrize(("observer", "subject", "change", "message", "field"), [
    ("manager_a1", "rep_a2a", {}, "not in your part of the organisation", "subject"),
    ("manager_a1", "manager_a1", {}, "cannot observe yourself", "subject"),
    ("rep_a1b", "rep_a1a", {}, "not in your part", "subject"),
    ("leader_a", "manager_a1", {}, "observes reps; Dana Reyes is a manager", "subject"),
    ("manager_a1", "rep_a1a", {"kind": "coaching"}, "role-play or real call", "kind"),
    ("manager_a1", "rep_a1a", {"observed_on": date.today() + timedelta(days=3)},
     "cannot be in the future", "observed_on"),
    ("manager_a1", "rep_a1a", {"values": [3, 0, 3]}, "Score “Criterion 2” from 1 to 5",
     "scores.{1}"),
    ("manager_a1", "rep_a1a", {"values": [3, 3, 6]}, "from 1 to 5", "scores.{2}"),
    ("manager_a1", "rep_a1a", {"values": [3, True, 3]}, "from 1 to 5", "scores.{1}"),
    ("manager_a1", "rep_a1a", {"values": [3, None, None]},
     "not scored yet: “Criterion 2”, “Criterion 3”", "scores.{1}"),
    ("manager_a1", "rep_a1a", {"context": "x" * 301}, "context", "context"),
])
def test_bad_observation_is_refused_and_nothing_written(org, rep_rubric, observer, subject,
                                                         change, message, field):
    values = change.pop("values", 3)
    data = make.observation_data(rep_rubric, getattr(org, subject), values, **change)
    with pytest.raises(ValidationError, match=message) as raised:
        scorecards.create_observation(rep_rubric, data, by=getattr(org, observer))
    ids = [c.id for c in rep_rubric.criteria]
    assert raised.value.field == field.format(*ids)
    assert count(Observation) == 0 and count(ObservationScore) == 0


def test_missing_unknown_and_repeated_criteria_are_refused(org, rep_rubric):
    data = make.observation_data(rep_rubric, org.rep_a1a, 3)
    data.scores.pop()
    with pytest.raises(ValidationError, match="not scored yet: “Criterion 3”"):
        scorecards.create_observation(rep_rubric, data, by=org.manager_a1)
    data.scores.append(scorecards.ScoreData(999_999, 3))
    with pytest.raises(ValidationError, match="Criterion 999999 is not part of"):
        scorecards.create_observation(rep_rubric, data, by=org.manager_a1)
    data.scores[-1] = scorecards.ScoreData(rep_rubric.criteria[0].id, 3)
    with pytest.raises(ValidationError, match="“Criterion 1” is scored twice"):
        scorecards.create_observation(rep_rubric, data, by=org.manager_a1)
    assert count(Observation) == 0


def test_archived_rubric_takes_no_new_observations(org, rep_rubric):
    scorecards.set_rubric_archived(rep_rubric, True, by=org.admin)
    with pytest.raises(ValidationError, match="archived; choose another"):
        make.observation(rep_rubric, org.manager_a1, org.rep_a1a)


def test_draft_can_be_changed_by_its_observer_only_until_shared(org, rep_rubric):
    observation = make.observation(rep_rubric, org.manager_a1, org.rep_a1a, 2, share=False)
    scorecards.update_observation(
        observation, make.observation_data(rep_rubric, org.rep_a1b, [4, 4, 5], kind="call"),
        by=org.manager_a1)
    assert observation.subject_id == org.rep_a1b.id and observation.average == 4.33
    assert sorted(s.score for s in observation.scores) == [4, 4, 5]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "observation.update"))
    assert entry.changes["scores"] == [[2, 2, 2], [4, 4, 5]]
    with pytest.raises(NotAllowedError):
        scorecards.update_observation(
            observation, make.observation_data(rep_rubric, org.rep_a1b, 1), by=org.leader_a)
    scorecards.share_observation(observation, by=org.manager_a1)
    with pytest.raises(ValidationError, match="shared and can no longer be changed"):
        scorecards.update_observation(
            observation, make.observation_data(rep_rubric, org.rep_a1b, 1), by=org.manager_a1)
    with pytest.raises(ValidationError, match="no longer be changed"):
        scorecards.discard_observation(observation, by=org.manager_a1)


def test_draft_is_discarded_with_its_scores(org, rep_rubric):
    observation = make.observation(rep_rubric, org.manager_a1, org.rep_a1a, share=False)
    scorecards.discard_observation(observation, by=org.manager_a1)
    assert count(Observation) == 0 and count(ObservationScore) == 0
    assert audited("observation.discard") == 1


def test_sharing_refused_once_the_person_moved_out_of_the_subtree(org, rep_rubric):
    observation = make.observation(rep_rubric, org.manager_a1, org.rep_a1a, share=False)
    org.rep_a1a.manager = org.manager_b1
    db.session.flush()
    with pytest.raises(ValidationError, match="no longer in your part"):
        scorecards.share_observation(observation, by=org.manager_a1)
    assert observation.status == ObservationStatus.DRAFT and count(Notification) == 0


# --- rules ------------------------------------------------------------------------------------

SCORECARD_RULES = {"rubric.view", "rubric.manage", "observation.create", "observation.view",
                   "observation.edit", "observation.report", "survey.view", "survey.manage",
                   "survey.take", "survey.results", "survey.response"}


def test_every_scorecard_and_survey_rule_is_tested():
    mine = {a for a in authz.RULES if a.startswith(("rubric.", "observation.", "survey."))}
    assert mine == SCORECARD_RULES


VIEWERS = ("manager_a1", "rep_a1a", "rep_a1b", "leader_a", "exec", "manager_a2", "leader_b",
           "admin")
# rep_a1a observed by manager_a1, seen by each viewer:
DRAFT_SEEN = (Y, N, N, N, N, N, N, N)  # the observer's alone, even for admins
SHARED_SEEN = (Y, Y, N, Y, Y, N, N, Y)  # observer, subject, chain above, admins


@pytest.mark.parametrize(("share", "expected"), [(False, DRAFT_SEEN), (True, SHARED_SEEN)])
def test_observation_visibility_follows_status_and_tree(org, rep_rubric, share, expected):
    observation = make.observation(rep_rubric, org.manager_a1, org.rep_a1a, share=share)
    seen = tuple(authz.can(getattr(org, viewer), "observation.view", observation)
                 for viewer in VIEWERS)
    assert seen == expected
    listed = tuple(observation.id in db.session.scalars(authz.visible(
        select(Observation.id), getattr(org, viewer), Observation)).all() for viewer in VIEWERS)
    assert listed == expected


def test_edit_rule_is_the_observers_on_a_draft(org, rep_rubric):
    draft = make.observation(rep_rubric, org.manager_a1, org.rep_a1a, share=False)
    shared = make.observation(rep_rubric, org.manager_a1, org.rep_a1b)
    assert authz.can(org.manager_a1, "observation.edit", draft)
    assert not authz.can(org.manager_a1, "observation.edit", shared)
    assert not any(authz.can(getattr(org, who), "observation.edit", o)
                   for who in ("rep_a1a", "rep_a1b", "leader_a", "admin")
                   for o in (draft, shared))


ACTORS = ("rep_a1a", "manager_a1", "leader_a", "exec", "admin")
GLOBAL_RULES = {
    #                       rep manager leader exec admin
    "rubric.view":          (Y, Y,      Y,     Y,   Y),
    "rubric.manage":        (N, N,      N,     N,   Y),
    "observation.create":   (N, Y,      Y,     Y,   Y),
    "observation.view":     (Y, Y,      Y,     Y,   Y),
    "observation.edit":     (N, Y,      Y,     Y,   Y),
    "observation.report":   (N, Y,      Y,     Y,   Y),
    "survey.view":          (Y, Y,      Y,     Y,   Y),
    "survey.manage":        (N, N,      N,     N,   Y),
    "survey.take":          (Y, Y,      Y,     Y,   Y),
    "survey.results":       (N, Y,      Y,     Y,   Y),
}


@pytest.mark.parametrize("action", GLOBAL_RULES)
def test_rule_without_an_object_by_actor(org, action):
    assert tuple(authz.can(getattr(org, a), action) for a in ACTORS) == GLOBAL_RULES[action]


def test_observation_create_on_a_person_follows_the_tree(org):
    seen = {(who, whom): authz.can(getattr(org, who), "observation.create", getattr(org, whom))
            for who, whom in [("manager_a1", "rep_a1a"), ("manager_a1", "manager_a1"),
                              ("manager_a1", "rep_a2a"), ("leader_a", "manager_a2"),
                              ("leader_a", "rep_b1a"), ("rep_a1a", "rep_a1a"),
                              ("admin", "rep_b1a")]}
    assert seen == {("manager_a1", "rep_a1a"): Y, ("manager_a1", "manager_a1"): N,
                    ("manager_a1", "rep_a2a"): N, ("leader_a", "manager_a2"): Y,
                    ("leader_a", "rep_b1a"): N, ("rep_a1a", "rep_a1a"): N,
                    ("admin", "rep_b1a"): Y}


def test_archived_rubric_is_listed_for_admins_only_but_stays_readable(org, rep_rubric):
    scorecards.set_rubric_archived(rep_rubric, True, by=org.admin)
    assert authz.can(org.rep_a1a, "rubric.view", rep_rubric)
    listed = {who: rep_rubric.id in db.session.scalars(authz.visible(
        select(Rubric.id), getattr(org, who), Rubric)).all() for who in ("manager_a1", "admin")}
    assert listed == {"manager_a1": N, "admin": Y}


# --- trends and weakest criteria ---------------------------------------------------------------

def test_trend_lists_shared_scores_per_criterion_oldest_first(org, rep_rubric):
    start = date.today() - timedelta(days=60)
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a, [1, 2, 3], observed_on=start)
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a, [3, 2, 5],
                     observed_on=start + timedelta(days=30))
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a, [5, 5, 5], share=False)
    make.observation(rep_rubric, org.manager_a1, org.rep_a1b, [4, 4, 4])
    (found,) = trend(org.rep_a1a.id)
    assert found.title == "Discovery role-play" and found.observations == 2
    assert [[s for _d, s, _o in c.scores] for c in found.criteria] == [[1, 3], [2, 2], [3, 5]]
    assert [c.change for c in found.criteria] == [2, 0, 2]
    assert (found.first, found.last) == (start, start + timedelta(days=30))
    charts = found.charts()
    assert [point.x for point in charts[0][1].points] == [26.0, 310.0]
    assert "3 – Solid at criterion 1" in charts[0][1].points[1].label


def test_weakest_criteria_over_the_subtree_lowest_first_with_counts(org, rep_rubric):
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a, [1, 4, 3])
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a, [2, 5, 3])
    make.observation(rep_rubric, org.manager_a1, org.rep_a1b, [3, 5, 3])
    make.observation(rep_rubric, org.manager_a1, org.rep_a1b, [1, 1, 1], share=False)
    make.observation(rep_rubric, org.manager_b1, org.rep_b1a, [5, 1, 5])  # other branch
    figures = weakest_criteria(tree.subtree_ids(org.manager_a1.id, include_root=False))
    assert [(f.title, f.mean, f.scores, f.people, f.low) for f in figures] == [
        ("Criterion 1", 2.0, 3, 2, 2), ("Criterion 3", 3.0, 3, 2, 0),
        ("Criterion 2", 4.67, 3, 2, 0)]
    everyone = weakest_criteria(None)
    assert everyone[0].title == "Criterion 1" and everyone[0].scores == 4


def test_weakest_criteria_filters_by_period_and_rubric(org, rep_rubric):
    other = make.rubric(org.admin, criteria=1, title="Calls")
    old = date.today() - timedelta(days=400)
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a, 1, observed_on=old)
    make.observation(rep_rubric, org.manager_a1, org.rep_a1a, 4)
    make.observation(other, org.manager_a1, org.rep_a1a, 2)
    recent = weakest_criteria(None, since=date.today() - timedelta(days=365))
    assert [(f.rubric_title, f.mean) for f in recent] == [
        ("Calls", 2.0), ("Discovery role-play", 4.0), ("Discovery role-play", 4.0),
        ("Discovery role-play", 4.0)]
    only = weakest_criteria(None, rubric_id=rep_rubric.id)
    assert {f.rubric_id for f in only} == {rep_rubric.id} and only[0].mean == 2.5


# --- chart geometry (pure) ----------------------------------------------------------------------

def test_line_chart_places_values_in_time_and_on_the_1_to_5_scale():
    start = date(2026, 1, 1)
    chart = line_chart("Opening", [(start, 1, "a"), (date(2026, 1, 11), 5, "b"),
                                   (date(2026, 1, 21), 3, "c")],
                       start=start, end=date(2026, 1, 21))
    xs = [p.x for p in chart.points]
    assert xs[0] == chart.left and xs[2] == chart.right and xs[1] == (xs[0] + xs[2]) / 2
    assert [p.y for p in chart.points] == [HEIGHT - PAD_BOTTOM, PAD_TOP,
                                           (HEIGHT - PAD_BOTTOM + PAD_TOP) / 2]
    assert chart.summary == "Opening: from 1 on Thu 1 Jan 2026 to 3 on Wed 21 Jan 2026, 3 scores"
    assert chart.polyline.startswith(f"{chart.left:.1f},{HEIGHT - PAD_BOTTOM:.1f} ")


def test_line_chart_with_one_moment_centres_it_and_clamps():
    day = date(2026, 3, 1)
    chart = line_chart("Close", [(day, 7, "x")], start=day, end=day)
    (point,) = chart.points
    assert point.x == (chart.left + chart.right) / 2 and point.y == PAD_TOP
    assert chart.summary == "Close: 7 on Sun 1 Mar 2026"
    assert line_chart("Empty", [], start=day, end=day).summary == "Empty: no scores yet"
