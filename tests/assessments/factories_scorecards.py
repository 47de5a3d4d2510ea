"""Rubrics, scorecards and surveys for tests: plain functions that flush, never commit."""

from __future__ import annotations

import itertools
from datetime import date

from assessments import scorecards, surveys
from assessments.models import Observation, Rubric, Survey, SurveyResponse
from lms.people.models import User

_counter = itertools.count(1)
LEVEL_TEXT = ("Not yet", "Starting", "Solid", "Strong", "Exemplary")


def rubric_data(*, level: str = "rep", criteria: int = 3, title: str | None = None
                ) -> scorecards.RubricData:
    number = next(_counter)
    return scorecards.RubricData(
        title=title or f"Rubric {number}", description="How we observe.", subject_level=level,
        criteria=[scorecards.CriterionData(
            f"Criterion {n + 1}", [f"{text} at criterion {n + 1}" for text in LEVEL_TEXT])
            for n in range(criteria)])


def rubric(by: User, *, level: str = "rep", criteria: int = 3, title: str | None = None
           ) -> Rubric:
    return scorecards.create_rubric(rubric_data(level=level, criteria=criteria, title=title),
                                    by=by)


def scores(rubric: Rubric, values: int | list[int], comment: str = "") -> list:
    if isinstance(values, int):
        values = [values] * len(rubric.criteria)
    return [scorecards.ScoreData(c.id, value, comment)
            for c, value in zip(rubric.criteria, values, strict=True)]


def observation_data(rubric: Rubric, subject: User, values: int | list[int] = 3, *,
                     kind: str | None = None, observed_on: date | None = None,
                     **fields) -> scorecards.ObservationData:
    kind = kind or ("coaching" if rubric.subject_level == "manager" else "role_play")
    return scorecards.ObservationData(
        subject=subject, kind=kind, observed_on=observed_on or date.today(),
        scores=scores(rubric, values), **fields)


def observation(rubric: Rubric, observer: User, subject: User,
                values: int | list[int] = 3, *, share: bool = True,
                observed_on: date | None = None, **fields) -> Observation:
    return scorecards.create_observation(
        rubric, observation_data(rubric, subject, values, observed_on=observed_on, **fields),
        by=observer, share=share)


def survey_data(*, audience=("leader", "manager"), title: str | None = None
                ) -> surveys.SurveyData:
    number = next(_counter)
    return surveys.SurveyData(
        title=title or f"Readiness {number}", description="Rate yourself.",
        audience=tuple(audience), sections=[
            surveys.SectionData("Goals", [
                surveys.QuestionData("likert", "Every rep has activity goals."),
                surveys.QuestionData("likert", "Every rep has proficiency goals."),
            ]),
            surveys.SectionData("Inspection", [
                surveys.QuestionData("likert", "I review coaching, not only forecasts."),
                surveys.QuestionData("text", "What will you change?", required=False),
            ]),
        ])


def survey(by: User, *, audience=("leader", "manager"), title: str | None = None) -> Survey:
    return surveys.create_survey(survey_data(audience=audience, title=title), by=by)


def answers(survey: Survey, likert: list[int | None], text: str = "") -> list:
    """Answers in the survey's order: ``likert`` for the statements, ``text`` for the rest."""
    values = iter(likert)
    out = []
    for section in survey.sections:
        for question in section.questions:
            if question.kind == "likert":
                out.append(surveys.AnswerData(question.id, likert=next(values)))
            else:
                out.append(surveys.AnswerData(question.id, text=text))
    return out


def respond(survey: Survey, person: User, likert: list[int], text: str = "") -> SurveyResponse:
    return surveys.submit_response(survey, answers(survey, likert, text), by=person)
