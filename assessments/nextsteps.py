"""Scorecard and survey suggestions for Home: a new scorecard, a survey never taken, drafts."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import exists, func, select

from assessments.models import (
    Observation,
    ObservationStatus,
    Rubric,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
)
from lms.db import utcnow
from lms.extensions import db
from lms.home.nextsteps import NextStep, provider
from lms.people.models import Level, User
from lms.web.dates import format_day

NEW_FOR = timedelta(days=14)  # a shared scorecard counts as new this long
MAX_STEPS = 3
MAX_LISTED = 50  # more new scorecards than this still read as one step


@provider
def assessment_steps(user: User) -> list[NextStep]:
    return [*_new_scorecards(user), *_surveys_to_take(user), *_drafts(user)]


def _new_scorecards(user: User) -> list[NextStep]:
    """Scorecards of the person shared with them in the last two weeks: the newest, or all."""
    rows = db.session.execute(
        select(Observation.id, Observation.observed_on, Observation.average, Rubric.title,
               User.name)
        .join(Rubric, Rubric.id == Observation.rubric_id)
        .outerjoin(User, User.id == Observation.observer_id)
        .where(Observation.subject_id == user.id,
               Observation.status == ObservationStatus.SHARED,
               Observation.shared_at >= utcnow() - NEW_FOR)
        .order_by(Observation.shared_at.desc(), Observation.id.desc()).limit(MAX_LISTED)).all()
    if len(rows) > 1:
        return [NextStep(f"Read your {len(rows)} new scorecards",
                         "Your observers shared them with you in the last two weeks.",
                         url_for("assessments.scorecard_index"), 25, "Read")]
    return [NextStep(f"Read your scorecard: “{title}”",
                     f"{observer or 'Your observer'} observed you on {format_day(observed_on)}; "
                     f"{average:.1f} out of 5 on average.",
                     url_for("assessments.scorecard_detail", id=oid), 25, "Read")
            for oid, observed_on, average, title, observer in rows]


def _surveys_to_take(user: User) -> list[NextStep]:
    """Open surveys meant for the person's level that they have never taken."""
    has_questions = (select(SurveyQuestion.id)
                     .join(SurveySection, SurveySection.id == SurveyQuestion.section_id)
                     .where(SurveySection.survey_id == Survey.id).exists())
    taken = exists().where(SurveyResponse.survey_id == Survey.id,
                           SurveyResponse.user_id == user.id)
    rows = db.session.execute(
        select(Survey.id, Survey.title)
        .where(Survey.is_archived.is_(False), Survey.audience.contains(f",{user.level},"),
               has_questions, ~taken)
        .order_by(Survey.created_at, Survey.id).limit(MAX_STEPS))
    return [NextStep(f"Take “{title}”", "A short self-assessment; you can retake it later to "
                     "see your trend.", url_for("assessments.survey_take", id=sid), 35, "Start")
            for sid, title in rows]


def _drafts(user: User) -> list[NextStep]:
    """Scorecards the person started as an observer and has not shared."""
    if Level(user.level).rank < Level.MANAGER.rank and not user.is_admin:
        return []
    count = db.session.scalar(
        select(func.count()).select_from(Observation)
        .where(Observation.observer_id == user.id,
               Observation.status == ObservationStatus.DRAFT)) or 0
    if not count:
        return []
    return [NextStep("Share your scorecard drafts",
                     f"{count} scorecard{'s' if count != 1 else ''} you started "
                     f"{'are' if count != 1 else 'is'} not shared yet.",
                     url_for("assessments.scorecard_index", show="made"), 45, "Open")]
