"""Scorecard figures: a person's trend per criterion, a team's weakest criteria.

Only shared scorecards count. Each figure is one query whatever the number of observations or
people; whom a figure covers is passed in as a SELECT of person ids (or ``None``: everyone),
so the tree and permissions stay with the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, case, distinct, func, select

from assessments.models import (
    Observation,
    ObservationScore,
    ObservationStatus,
    Rubric,
    RubricCriterion,
)
from lms.extensions import db
from lms.web.charts import Chart, line_chart
from lms.web.dates import format_date


@dataclass
class CriterionTrend:
    criterion_id: int
    title: str
    descriptors: list[str]
    # (observed on, score, observation id), oldest first
    scores: list[tuple[date, int, int]] = field(default_factory=list)

    @property
    def latest(self) -> int | None:
        return self.scores[-1][1] if self.scores else None

    @property
    def change(self) -> int | None:
        """Latest score minus the first, once there are two."""
        return self.scores[-1][1] - self.scores[0][1] if len(self.scores) > 1 else None

    def chart(self, start: date, end: date) -> Chart:
        return line_chart(self.title, [
            (when, score, f"{format_date(when)}: {score} – {self.descriptors[score - 1]}")
            for when, score, _oid in self.scores], start=start, end=end)


@dataclass
class RubricTrend:
    rubric_id: int
    title: str
    criteria: list[CriterionTrend]
    observations: int
    first: date
    last: date

    def charts(self) -> list[tuple[CriterionTrend, Chart]]:
        return [(criterion, criterion.chart(self.first, self.last))
                for criterion in self.criteria]


def trend(person_id: int) -> list[RubricTrend]:
    """Every criterion ``person_id`` was scored on (shared scorecards), oldest score first."""
    stmt = (
        select(Rubric.id, Rubric.title, RubricCriterion.id, RubricCriterion.title,
               RubricCriterion.descriptors, Observation.id, Observation.observed_on,
               ObservationScore.score)
        .select_from(ObservationScore)
        .join(Observation, Observation.id == ObservationScore.observation_id)
        .join(RubricCriterion, RubricCriterion.id == ObservationScore.criterion_id)
        .join(Rubric, Rubric.id == Observation.rubric_id)
        .where(Observation.subject_id == person_id,
               Observation.status == ObservationStatus.SHARED)
        .order_by(Rubric.title, Rubric.id, RubricCriterion.position, RubricCriterion.id,
                  Observation.observed_on, Observation.id))
    rubrics: dict[int, RubricTrend] = {}
    criteria: dict[int, CriterionTrend] = {}
    seen: dict[int, set[int]] = {}
    for rid, rtitle, cid, ctitle, descriptors, oid, observed_on, score in db.session.execute(
            stmt):
        found = rubrics.get(rid)
        if found is None:
            found = rubrics[rid] = RubricTrend(rid, rtitle, [], 0, observed_on, observed_on)
            seen[rid] = set()
        if cid not in criteria:
            criteria[cid] = CriterionTrend(cid, ctitle, list(descriptors))
            found.criteria.append(criteria[cid])
        criteria[cid].scores.append((observed_on, score, oid))
        seen[rid].add(oid)
        found.first, found.last = min(found.first, observed_on), max(found.last, observed_on)
    for rid, found in rubrics.items():
        found.observations = len(seen[rid])
    return list(rubrics.values())


@dataclass(frozen=True)
class CriterionFigures:
    """The mean score of one criterion over the people covered, with how much it rests on."""

    rubric_id: int
    rubric_title: str
    criterion_id: int
    title: str
    mean: float
    scores: int  # shared scorecards that scored it
    people: int  # different people observed
    low: int  # scores of 1 or 2


def weakest_criteria(people: Select | None, *, since: date | None = None,
                     rubric_id: int | None = None) -> list[CriterionFigures]:
    """Mean score per criterion over ``people``'s shared scorecards, lowest first."""
    mean = func.avg(ObservationScore.score)
    low = func.sum(case((ObservationScore.score <= 2, 1), else_=0))
    stmt = (
        select(Rubric.id, Rubric.title, RubricCriterion.id, RubricCriterion.title, mean,
               func.count(ObservationScore.id), func.count(distinct(Observation.subject_id)),
               low)
        .select_from(ObservationScore)
        .join(Observation, Observation.id == ObservationScore.observation_id)
        .join(RubricCriterion, RubricCriterion.id == ObservationScore.criterion_id)
        .join(Rubric, Rubric.id == Observation.rubric_id)
        .where(Observation.status == ObservationStatus.SHARED)
        .group_by(Rubric.id, Rubric.title, RubricCriterion.id, RubricCriterion.title)
        .order_by(mean, func.count(ObservationScore.id).desc(), Rubric.title,
                  RubricCriterion.title))
    if people is not None:
        stmt = stmt.where(Observation.subject_id.in_(people))
    if since is not None:
        stmt = stmt.where(Observation.observed_on >= since)
    if rubric_id is not None:
        stmt = stmt.where(Observation.rubric_id == rubric_id)
    return [CriterionFigures(rid, rtitle, cid, title, round(float(avg), 2), count, persons,
                             int(lows or 0))
            for rid, rtitle, cid, title, avg, count, persons, lows in db.session.execute(stmt)]


def rubric_choices() -> list[tuple[int, str]]:
    """Rubrics that scored anything, for the report's filter; one query."""
    stmt = (select(Rubric.id, Rubric.title)
            .where(select(Observation.id).where(Observation.rubric_id == Rubric.id).exists())
            .order_by(Rubric.title, Rubric.id))
    return [(rid, title) for rid, title in db.session.execute(stmt)]
