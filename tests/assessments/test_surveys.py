"""Readiness self-assessments: authoring, scoring per section, repeat sittings and the trend,
results by level over a subtree, the pages, and Home's suggestion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessments import surveys
from assessments.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveySectionScore,
)
from assessments.survey_reports import person_trend, results_by_level
from lms import authz
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people import tree
from tests import factories
from tests.assessments import factories_scorecards as make

pytestmark = pytest.mark.usefixtures("ctx")

Y, N = True, False


@pytest.fixture
def survey(org):
    return make.survey(org.admin, title="Coaching readiness")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def question(survey, prompt: str) -> SurveyQuestion:
    return next(q for s in survey.sections for q in s.questions if q.prompt == prompt)


# --- authoring -------------------------------------------------------------------------------

def test_survey_keeps_sections_and_questions_in_order(org, survey):
    assert [s.title for s in survey.sections] == ["Goals", "Inspection"]
    assert [q.kind for q in survey.sections[1].questions] == ["likert", "text"]
    assert survey.audience == ",leader,manager,"
    assert surveys.audience_label(survey) == "Leaders and managers"


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: setattr(d, "audience", ()), "at least one audience level"),
    (lambda d: setattr(d, "audience", ("captain",)), "at least one audience level"),
    (lambda d: d.sections.clear(), "at least one section"),
    (lambda d: d.sections[1].questions.clear(), "“Inspection” has no questions"),
    (lambda d: setattr(d.sections[0].questions[0], "kind", "stars"), "neither a Likert"),
    (lambda d: setattr(d.sections[0].questions[1], "prompt", " "), "needs a wording"),
    (lambda d: setattr(d.sections[1], "title", ""), "Give section 2 a title"),
    (lambda d: [setattr(q, "kind", "text") for s in d.sections for q in s.questions],
     "at least one Likert statement"),
])
def test_bad_survey_is_refused_and_nothing_written(org, change, message):
    data = make.survey_data()
    change(data)
    with pytest.raises(ValidationError, match=message):
        surveys.create_survey(data, by=org.admin)
    assert count(Survey) == 0 and count(SurveyQuestion) == 0


def test_answered_survey_keeps_its_questions_but_may_change_audience(org, survey):
    make.respond(survey, org.leader_a, [4, 4, 4])
    data = make.survey_data(audience=("leader",), title="Renamed")
    data.sections[0].questions.pop()
    with pytest.raises(ValidationError, match="1 response: its sections and questions are fixed"):
        surveys.update_survey(survey, data, by=org.admin)
    surveys.update_survey(survey, make.survey_data(audience=("leader",), title="Renamed"),
                          by=org.admin)
    assert survey.title == "Renamed" and survey.audience == ",leader,"
    with pytest.raises(ValidationError, match="archive it instead"):
        surveys.delete_survey(survey, by=org.admin)


def test_unanswered_survey_is_restructured_copied_and_deleted(org, survey):
    data = make.survey_data(title="Coaching readiness")
    data.sections.pop()
    surveys.update_survey(survey, data, by=org.admin)
    db.session.flush()
    assert [s.title for s in survey.sections] == ["Goals"]
    copy = surveys.copy_survey(survey, by=org.admin)
    assert copy.title == "Copy of Coaching readiness" and len(copy.sections[0].questions) == 2
    surveys.delete_survey(copy, by=org.admin)
    assert db.session.scalars(select(Survey.id)).all() == [survey.id]


def test_default_coaching_survey_is_a_leaders_self_check(org):
    survey = surveys.default_coaching_survey(org.admin)
    assert surveys.audience_of(survey) == ["leader", "executive"]
    titles = [s.title for s in survey.sections]
    assert titles[:3] == ["Goals for every rep", "Managers review the numbers",
                          "Inspecting coaching itself"]
    prompts = " ".join(q.prompt for s in survey.sections for q in s.questions)
    assert "activity goals" in prompts and "proficiency goals" in prompts
    assert "coaching conversations" in prompts
    assert survey.sections[-1].questions[0].kind == "text"


# --- responses and scoring -------------------------------------------------------------------

def test_response_is_scored_per_section_and_overall(org, survey):
    response = make.respond(survey, org.manager_a1, [5, 2, 3], text="  Inspect calls weekly ")
    sections = {s.section_id: s.score for s in response.section_scores}
    assert sections == {survey.sections[0].id: 3.5, survey.sections[1].id: 3.0}
    assert response.score == 3.33  # the mean of the three statements
    text = next(a for a in response.answers if a.likert is None)
    assert text.text == "Inspect calls weekly"
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.object_type == "SurveyResponse")) == "survey.respond"


def test_optional_text_may_be_left_blank(org, survey):
    response = make.respond(survey, org.manager_a1, [3, 3, 3])
    assert count(SurveyAnswer) == 3 and response.score == 3.0


@pytest.mark.parametrize(("who", "likert", "text", "message", "field"), [
    ("manager_a1", [4, None, 4], "", "Answer “Every rep has proficiency goals.”", "answers.{1}"),
    ("manager_a1", [4, 6, 4], "", "from 1 to 5", "answers.{1}"),
    ("manager_a1", [4, 0, 4], "", "from 1 to 5", "answers.{1}"),
    ("manager_a1", [4, 4, 4], "x" * 4001, "under 4,000 characters", "answers.{3}"),
    ("rep_a1a", [4, 4, 4], "", "is for leaders and managers", None),
])
def test_bad_response_is_refused_and_nothing_written(org, survey, who, likert, text, message,
                                                      field):
    with pytest.raises(ValidationError, match=message) as raised:
        make.respond(survey, getattr(org, who), likert, text)
    ids = [q.id for s in survey.sections for q in s.questions]
    assert raised.value.field == (field.format(*ids) if field else None)
    assert count(SurveyResponse) == 0 and count(SurveyAnswer) == 0
    assert count(SurveySectionScore) == 0


def test_answers_must_belong_to_the_survey_once_each_and_of_the_right_kind(org, survey):
    other = make.survey(org.admin)
    foreign = surveys.AnswerData(other.sections[0].questions[0].id, likert=3)
    with pytest.raises(ValidationError, match="is not part of this survey"):
        surveys.submit_response(survey, [*make.answers(survey, [3, 3, 3]), foreign],
                                by=org.leader_a)
    first = survey.sections[0].questions[0]
    twice = surveys.AnswerData(first.id, likert=2)
    with pytest.raises(ValidationError, match="answered twice"):
        surveys.submit_response(survey, [*make.answers(survey, [3, 3, 3]), twice],
                                by=org.leader_a)
    text_q = question(survey, "What will you change?")
    wrong = [a if a.question_id != text_q.id else surveys.AnswerData(text_q.id, likert=3)
             for a in make.answers(survey, [3, 3, 3])]
    with pytest.raises(ValidationError, match="takes text, not a score"):
        surveys.submit_response(survey, wrong, by=org.leader_a)
    assert count(SurveyResponse) == 0


def test_archived_survey_takes_no_responses(org, survey):
    surveys.set_survey_archived(survey, True, by=org.admin)
    with pytest.raises(ValidationError, match="is closed"):
        make.respond(survey, org.leader_a, [3, 3, 3])
    assert not authz.can(org.leader_a, "survey.take", survey)


def test_person_trend_has_every_sitting_oldest_first(org, survey):
    first = make.respond(survey, org.leader_a, [2, 2, 1])
    first.submitted_at = utcnow() - timedelta(days=90)
    make.respond(survey, org.leader_a, [4, 3, 5])
    make.respond(survey, org.manager_a1, [5, 5, 5])
    db.session.flush()
    found = person_trend(survey, org.leader_a.id)
    assert [s.score for s in found.sittings] == [1.67, 4.0]
    goals, inspection = (s.id for s in survey.sections)
    assert [s.sections for s in found.sittings] == [{goals: 2.0, inspection: 1.0},
                                                    {goals: 3.5, inspection: 5.0}]
    overall, *per_section = found.charts()
    assert overall.title == "Overall" and len(overall.points) == 2
    assert [c.title for c in per_section] == ["Goals", "Inspection"]
    assert overall.points[0].x < overall.points[1].x


# --- results by level ----------------------------------------------------------------------------

def _answered_org(org, survey):
    """leader_a's branch answers; leader_a twice (the later sitting counts)."""
    old = make.respond(survey, org.leader_a, [1, 1, 1])
    old.submitted_at = utcnow() - timedelta(days=30)
    make.respond(survey, org.leader_a, [4, 4, 5])
    make.respond(survey, org.manager_a1, [3, 2, 2])
    make.respond(survey, org.manager_a2, [5, 4, 4])
    make.respond(survey, org.manager_b1, [1, 1, 1])  # another branch
    db.session.flush()


def test_results_by_level_count_each_persons_latest_response_once(org, survey):
    _answered_org(org, survey)
    results = results_by_level(survey, tree.subtree_ids(org.leader_a.id))
    rows = {row.level: row for row in results.rows}
    assert set(rows) == {"leader", "manager"}
    goals, inspection = (s.id for s in survey.sections)
    assert (rows["leader"].respondents, rows["leader"].in_audience) == (1, 1)
    assert rows["leader"].overall == pytest.approx(4.33)
    assert rows["leader"].sections == {goals: 4.0, inspection: 5.0}
    assert (rows["manager"].respondents, rows["manager"].in_audience) == (2, 2)
    assert rows["manager"].sections[goals] == pytest.approx(3.5)  # (2.5 + 4.5) / 2
    assert rows["manager"].response_rate == 100
    assert results.total.respondents == 3 and results.total.in_audience == 3
    assert results.total.overall == pytest.approx((4.33 + 2.33 + 4.33) / 3)
    assert results.total.sections[inspection] == pytest.approx((5 + 2 + 4) / 3)


def test_results_for_everyone_include_other_branches_and_the_audience_size(org, survey):
    _answered_org(org, survey)
    results = results_by_level(survey, None)
    rows = {row.level: row for row in results.rows}
    assert rows["manager"].respondents == 3 and rows["manager"].in_audience == 3
    assert rows["leader"].in_audience == 3  # leader_a, leader_b and the admin (a leader)
    assert rows["leader"].response_rate == 33


def test_results_queries_do_not_grow_with_people(org, survey, count_queries):
    counts = []
    for size in (2, 30):
        for _ in range(size):
            person = factories.person(level="manager", manager=org.leader_a)
            make.respond(survey, person, [3, 4, 5])
        db.session.flush()
        with count_queries() as counter:
            results_by_level(survey, tree.subtree_ids(org.leader_a.id))
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 4


# --- rules ------------------------------------------------------------------------------------

def test_survey_take_follows_the_audience(org, survey):
    seen = {who: authz.can(getattr(org, who), "survey.take", survey)
            for who in ("rep_a1a", "manager_a1", "leader_a", "exec")}
    assert seen == {"rep_a1a": N, "manager_a1": Y, "leader_a": Y, "exec": N}


def test_response_visibility_follows_the_tree(org, survey):
    response = make.respond(survey, org.manager_a1, [3, 3, 3])
    viewers = ("manager_a1", "leader_a", "exec", "manager_a2", "leader_b", "rep_a1a", "admin")
    seen = tuple(authz.can(getattr(org, who), "survey.response", response) for who in viewers)
    assert seen == (Y, Y, Y, N, N, N, Y)
    listed = tuple(response.id in db.session.scalars(authz.visible(
        select(SurveyResponse.id), getattr(org, who), SurveyResponse)).all() for who in viewers)
    assert listed == seen


def test_archived_survey_is_listed_for_admins_only(org, survey):
    surveys.set_survey_archived(survey, True, by=org.admin)
    listed = {who: survey.id in db.session.scalars(authz.visible(
        select(Survey.id), getattr(org, who), Survey)).all() for who in ("leader_a", "admin")}
    assert listed == {"leader_a": N, "admin": Y}
    assert authz.can(org.leader_a, "survey.view", survey)
