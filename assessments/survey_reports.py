"""Survey figures: a person's trend per section, and results by leadership level.

A person's trend is every response they gave, oldest first. Results by level count each
person's *latest* response once (someone who took it five times weighs as much as someone who
took it once), grouped by the level the person holds now. Each figure is a fixed number of
queries whatever the number of people or responses; whom results cover is a SELECT of person
ids (or ``None``: everyone), so the tree and permissions stay with the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select

from assessments.models import Survey, SurveyResponse, SurveySection, SurveySectionScore
from assessments.surveys import audience_of
from lms.extensions import db
from lms.people.models import Level, User
from lms.web.charts import Chart, line_chart
from lms.web.dates import format_date

LEVEL_ORDER = (Level.EXECUTIVE, Level.LEADER, Level.MANAGER, Level.REP)


def sections_of(survey: Survey) -> list[tuple[int, str]]:
    """``(id, title)`` of the survey's sections in order; one query."""
    return [tuple(row) for row in db.session.execute(
        select(SurveySection.id, SurveySection.title).where(SurveySection.survey_id == survey.id)
        .order_by(SurveySection.position, SurveySection.id))]


@dataclass
class Sitting:
    response_id: int
    submitted_at: datetime
    score: float
    sections: dict[int, float] = field(default_factory=dict)


@dataclass
class PersonTrend:
    sections: list[tuple[int, str]]
    sittings: list[Sitting]  # oldest first

    def charts(self) -> list[Chart]:
        """Overall, then one chart per section, on the same time axis."""
        if not self.sittings:
            return []
        start, end = self.sittings[0].submitted_at, self.sittings[-1].submitted_at

        def label(sitting: Sitting, value: float) -> str:
            return f"{format_date(sitting.submitted_at)}: {value:.2f}"
        charts = [line_chart("Overall", [(s.submitted_at, s.score, label(s, s.score))
                                         for s in self.sittings], start=start, end=end)]
        for section_id, title in self.sections:
            charts.append(line_chart(title, [
                (s.submitted_at, s.sections[section_id], label(s, s.sections[section_id]))
                for s in self.sittings if section_id in s.sections], start=start, end=end))
        return charts


def person_trend(survey: Survey, person_id: int) -> PersonTrend:
    """Every response of ``person_id`` to ``survey`` with its section scores; two queries."""
    stmt = (
        select(SurveyResponse.id, SurveyResponse.submitted_at, SurveyResponse.score,
               SurveySectionScore.section_id, SurveySectionScore.score)
        .outerjoin(SurveySectionScore, SurveySectionScore.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == person_id)
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id))
    sittings: dict[int, Sitting] = {}
    for rid, submitted_at, overall, section_id, score in db.session.execute(stmt):
        sitting = sittings.setdefault(rid, Sitting(rid, submitted_at, overall))
        if section_id is not None:
            sitting.sections[section_id] = score
    return PersonTrend(sections_of(survey), list(sittings.values()))


@dataclass
class LevelRow:
    level: str  # a Level value, or "all"
    in_audience: int = 0  # active people at this level who may take it
    respondents: int = 0
    overall: float | None = None
    sections: dict[int, float] = field(default_factory=dict)
    section_counts: dict[int, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return "All levels" if self.level == "all" else Level(self.level).label

    @property
    def response_rate(self) -> int | None:
        """Percent of the audience at this level who answered at least once."""
        return round(100 * self.respondents / self.in_audience) if self.in_audience else None


@dataclass
class LevelResults:
    sections: list[tuple[int, str]]
    rows: list[LevelRow]  # audience levels and any level that answered, highest first
    total: LevelRow


def _latest(survey: Survey, people: Select | None):
    """Each person's latest response to ``survey`` (a subquery of response ids)."""
    ranked = (select(SurveyResponse.id.label("id"), func.row_number().over(
        partition_by=SurveyResponse.user_id,
        order_by=(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())).label("rank"))
        .where(SurveyResponse.survey_id == survey.id))
    if people is not None:
        ranked = ranked.where(SurveyResponse.user_id.in_(people))
    ranked = ranked.subquery()
    return select(ranked.c.id).where(ranked.c.rank == 1)


def results_by_level(survey: Survey, people: Select | None) -> LevelResults:
    """Mean scores per level (overall and per section) over each person's latest response."""
    latest = _latest(survey, people)
    rows = {level.value: LevelRow(level.value) for level in LEVEL_ORDER}
    total = LevelRow("all")
    overall = (select(User.level, func.count(SurveyResponse.id), func.avg(SurveyResponse.score))
               .join(User, User.id == SurveyResponse.user_id)
               .where(SurveyResponse.id.in_(latest)).group_by(User.level))
    for level, count, mean in db.session.execute(overall):
        rows[level].respondents, rows[level].overall = count, float(mean)
    sections = (select(User.level, SurveySectionScore.section_id,
                       func.count(SurveySectionScore.id), func.avg(SurveySectionScore.score))
                .join(SurveyResponse, SurveyResponse.id == SurveySectionScore.response_id)
                .join(User, User.id == SurveyResponse.user_id)
                .where(SurveySectionScore.response_id.in_(latest))
                .group_by(User.level, SurveySectionScore.section_id))
    sums: dict[int, float] = {}
    for level, section_id, count, mean in db.session.execute(sections):
        rows[level].sections[section_id] = float(mean)
        rows[level].section_counts[section_id] = count
        total.section_counts[section_id] = total.section_counts.get(section_id, 0) + count
        sums[section_id] = sums.get(section_id, 0.0) + float(mean) * count
    audience = (select(User.level, func.count(User.id))
                .where(User.is_active.is_(True), User.level.in_(audience_of(survey)))
                .group_by(User.level))
    if people is not None:
        audience = audience.where(User.id.in_(people))
    for level, count in db.session.execute(audience):
        rows[level].in_audience = count
    _add_total(total, rows.values(), sums)
    shown = [row for row in rows.values()
             if row.level in audience_of(survey) or row.respondents]
    return LevelResults(sections_of(survey), shown, total)


def _add_total(total: LevelRow, rows, sums: dict[int, float]) -> None:
    """The all-levels row: counts add up; means weigh each person once."""
    weighted = 0.0
    for row in rows:
        total.in_audience += row.in_audience
        total.respondents += row.respondents
        if row.overall is not None:
            weighted += row.overall * row.respondents
    total.overall = weighted / total.respondents if total.respondents else None
    total.sections = {section_id: value / total.section_counts[section_id]
                      for section_id, value in sums.items()}
