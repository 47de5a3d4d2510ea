"""The demo's assessments content: a check people have taken, scorecards, self-checks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assessments import demo
from assessments.models import (
    Assessment,
    AssessmentStatus,
    Attempt,
    Observation,
    ObservationStatus,
    Question,
    SurveyResponse,
)
from lms.demo import DEMO_LOADERS, load_demo
from lms.extensions import db
from lms.people.models import Level


@pytest.fixture
def people(session, ctx):
    return load_demo()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_loader_is_registered_with_the_demo_organisation():
    assert demo._load_with_the_demo_organisation in DEMO_LOADERS


def test_a_published_check_with_every_question_type_taken_by_managers(people):
    assessment = db.session.scalar(select(Assessment))
    assert assessment.status == AssessmentStatus.PUBLISHED
    types = set(db.session.scalars(select(Question.type)))
    assert types == {"single", "multiple", "true_false", "short_text", "numeric"}
    attempts = list(db.session.scalars(select(Attempt).order_by(Attempt.id)))
    assert attempts and all(a.status == "submitted" for a in attempts)
    assert {a.user.level for a in attempts} == {Level.MANAGER}
    assert any(not a.passed for a in attempts) and any(a.passed for a in attempts)


def test_shared_scorecards_show_a_trend_and_a_leader_scored_coaching(people):
    shared = list(db.session.scalars(select(Observation).where(
        Observation.status == ObservationStatus.SHARED)))
    assert len(shared) == 19
    by_subject: dict[int, list[Observation]] = {}
    for observation in shared:
        by_subject.setdefault(observation.subject_id, []).append(observation)
    assert sum(len(o) == 3 for o in by_subject.values()) == 6  # three sittings per rep
    coaching = [o for o in shared if o.kind == "coaching"]
    assert len(coaching) == 1 and coaching[0].observer.level == Level.LEADER


def test_leaders_took_the_coaching_self_check_one_twice(people):
    responses = list(db.session.scalars(select(SurveyResponse)))
    assert {r.user.level for r in responses} == {Level.LEADER}
    assert len(responses) == 4 and all(r.score is not None for r in responses)


def test_loading_again_adds_nothing(people):
    admin = next(p for p in people if p.is_admin)
    before = _count(Observation)
    assert demo.load_demo_assessments(people, admin) is False
    assert _count(Observation) == before
