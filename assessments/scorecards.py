"""Observation scorecards: rubrics (admins) and observations scored against them.

A rubric's criteria are scored 1-5, each score with a descriptor. A manager observes a rep of
their subtree in a role-play or a real call; a leader observes a manager's coaching. The
observer saves a draft (theirs alone), then shares it: the observed person is told and sees it.

Services flush, never commit; every change is audited. Refusals raise ``ValidationError``
before anything is written. Once a rubric has been used its level and criteria are fixed, so
past scores keep their meaning: copy it to change them, archive it to retire it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import fmean

from sqlalchemy import func, select

from assessments import retiring
from assessments.models import (
    Observation,
    ObservationKind,
    ObservationScore,
    ObservationStatus,
    Rubric,
    RubricCriterion,
)
from lms.audit.services import pending_changes, record
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.preferences import register_kind
from lms.notify.services import notify
from lms.people import tree
from lms.people.models import Level, User
from lms.web.dates import format_date

register_kind("observation.shared", "A scorecard of an observation of you is shared with you")

DESCRIPTORS = 5  # one per score, 1 to 5
MAX_CRITERIA = 20
RUBRIC_LEVELS = (Level.REP.value, Level.MANAGER.value)
# What a rep and a manager are observed in.
KINDS_FOR = {Level.REP.value: (ObservationKind.ROLE_PLAY, ObservationKind.CALL),
             Level.MANAGER.value: (ObservationKind.COACHING,)}


def observation_path(observation: Observation) -> str:
    return f"/assessments/scorecards/{observation.id}"


# --- rubrics ---------------------------------------------------------------------------------

@dataclass
class CriterionData:
    title: str
    descriptors: list[str]


@dataclass
class RubricData:
    title: str
    description: str = ""
    subject_level: str = Level.REP.value
    criteria: list[CriterionData] = field(default_factory=list)


def _clean(data: RubricData) -> RubricData:
    return RubricData(
        title=(data.title or "").strip(), description=(data.description or "").strip(),
        subject_level=data.subject_level,
        criteria=[CriterionData((c.title or "").strip(), [(d or "").strip()
                                                          for d in c.descriptors])
                  for c in data.criteria])


def _check_rubric(data: RubricData) -> None:
    if not data.title or len(data.title) > 200:
        raise ValidationError("Give the rubric a title of at most 200 characters.",
                              field="title")
    if data.subject_level not in RUBRIC_LEVELS:
        raise ValidationError("A rubric observes reps or managers.", field="subject_level")
    if not data.criteria:
        raise ValidationError("Add at least one criterion.", field="criteria")
    if len(data.criteria) > MAX_CRITERIA:
        raise ValidationError(f"A rubric has at most {MAX_CRITERIA} criteria.",
                              field="criteria")
    seen: set[str] = set()
    for number, criterion in enumerate(data.criteria, start=1):
        if not criterion.title or len(criterion.title) > 200:
            raise ValidationError(f"Give criterion {number} a title of at most 200 "
                                  "characters.", field="criteria")
        if criterion.title.casefold() in seen:
            raise ValidationError(f"Two criteria are called “{criterion.title}”.",
                                  field="criteria")
        seen.add(criterion.title.casefold())
        if len(criterion.descriptors) != DESCRIPTORS or not all(criterion.descriptors):
            raise ValidationError(f"“{criterion.title}” needs exactly five descriptors, one "
                                  "for each score from 1 to 5.", field="criteria")
        if any(len(text) > 500 for text in criterion.descriptors):
            raise ValidationError(f"Keep each descriptor of “{criterion.title}” under 500 "
                                  "characters.", field="criteria")


def observation_count(rubric: Rubric) -> int:
    """How many observations (drafts included) were scored against ``rubric``."""
    return db.session.scalar(select(func.count()).select_from(Observation)
                             .where(Observation.rubric_id == rubric.id)) or 0


def _criteria_of(rubric: Rubric) -> list[tuple[str, list[str]]]:
    return [(c.title, list(c.descriptors)) for c in rubric.criteria]


def _set_criteria(rubric: Rubric, criteria: list[CriterionData]) -> None:
    rubric.criteria = [RubricCriterion(position=position, title=c.title,
                                       descriptors=list(c.descriptors))
                       for position, c in enumerate(criteria)]


def create_rubric(data: RubricData, *, by: User) -> Rubric:
    data = _clean(data)
    _check_rubric(data)
    rubric = Rubric(title=data.title, description=data.description,
                    subject_level=data.subject_level)
    _set_criteria(rubric, data.criteria)
    db.session.add(rubric)
    db.session.flush()
    record(by, "rubric.create", rubric, summary=rubric.title,
           changes={"criteria": [None, [c.title for c in data.criteria]]})
    return rubric


def update_rubric(rubric: Rubric, data: RubricData, *, by: User) -> Rubric:
    """Change a rubric; a used one keeps its level and criteria."""
    data = _clean(data)
    _check_rubric(data)
    wanted = [(c.title, c.descriptors) for c in data.criteria]
    structure_changes = (wanted != _criteria_of(rubric)
                         or data.subject_level != rubric.subject_level)
    used = observation_count(rubric) if structure_changes else 0
    if used:
        raise ValidationError(
            f"“{rubric.title}” has scored {used} observation{'s' if used != 1 else ''}: its "
            "level and criteria are fixed so past scores keep their meaning. Copy it to "
            "make a changed version.", field="criteria")
    rubric.title, rubric.description = data.title, data.description
    rubric.subject_level = data.subject_level
    changes = pending_changes(rubric)
    if wanted != _criteria_of(rubric):
        changes["criteria"] = [[title for title, _ in _criteria_of(rubric)],
                               [c.title for c in data.criteria]]
        _set_criteria(rubric, data.criteria)
    record(by, "rubric.update", rubric, summary=rubric.title, changes=changes)
    return rubric


def copy_rubric(rubric: Rubric, *, by: User) -> Rubric:
    """Start a new, editable rubric from ``rubric``'s criteria."""
    return create_rubric(RubricData(
        title=f"Copy of {rubric.title}"[:200], description=rubric.description,
        subject_level=rubric.subject_level,
        criteria=[CriterionData(c.title, list(c.descriptors)) for c in rubric.criteria]),
        by=by)


def set_rubric_archived(rubric: Rubric, archived: bool, *, by: User) -> Rubric:
    """Retire a rubric from new observations (its scorecards stay) or bring it back."""
    return retiring.set_archived(rubric, archived, kind="rubric", by=by)


def delete_rubric(rubric: Rubric, *, by: User) -> None:
    """Delete a rubric nobody has been scored against yet."""
    retiring.delete_unused(rubric, used=observation_count(rubric), kind="rubric", by=by,
                           refusal=f"“{rubric.title}” has been used for observations: "
                                   "archive it instead.")


# --- observations ----------------------------------------------------------------------------

@dataclass
class ScoreData:
    criterion_id: int
    score: int | None
    comment: str = ""


@dataclass
class ObservationData:
    subject: User | None
    kind: str
    observed_on: date | None
    scores: list[ScoreData]
    context: str = ""
    comments: str = ""


def may_observe(by: User, subject: User) -> bool:
    """Someone else in ``by``'s subtree (anyone for admins), by a manager or above."""
    if subject.id == by.id:
        return False
    if by.is_admin:
        return True
    return Level(by.level).rank >= Level.MANAGER.rank and tree.is_in_subtree(by.id, subject.id)


def _check_subject(rubric: Rubric, subject: User | None, by: User) -> User:
    if subject is None:
        raise ValidationError("Choose whom you observed.", field="subject")
    if subject.id == by.id:
        raise ValidationError("You cannot observe yourself.", field="subject")
    if not may_observe(by, subject):
        raise ValidationError(f"{subject.name} is not in your part of the organisation: you "
                              "can observe only people under you.", field="subject")
    if not subject.is_active:
        raise ValidationError(f"{subject.name} is deactivated.", field="subject")
    if subject.level != rubric.subject_level:
        raise ValidationError(
            f"“{rubric.title}” observes {rubric.subject_level}s; {subject.name} is a "
            f"{Level(subject.level).label.lower()}.", field="subject")
    return subject


def _check_kind(rubric: Rubric, kind: str) -> ObservationKind:
    allowed = KINDS_FOR[rubric.subject_level]
    if kind not in [k.value for k in allowed]:
        names = " or ".join(k.label.lower() for k in allowed)
        raise ValidationError(f"With “{rubric.title}” the observation is a {names}.",
                              field="kind")
    return ObservationKind(kind)


def _check_scores(rubric: Rubric, scores: list[ScoreData]) -> dict[int, ScoreData]:
    criteria = {criterion.id: criterion for criterion in rubric.criteria}
    given: dict[int, ScoreData] = {}
    for item in scores:
        criterion = criteria.get(item.criterion_id)
        if criterion is None:
            raise ValidationError(f"Criterion {item.criterion_id} is not part of "
                                  f"“{rubric.title}”.", field="scores")
        if item.criterion_id in given:
            raise ValidationError(f"“{criterion.title}” is scored twice.", field="scores")
        if item.score is not None and (isinstance(item.score, bool)
                                       or item.score not in range(1, 6)):
            raise ValidationError(f"Score “{criterion.title}” from 1 to 5.",
                                  field=f"scores.{criterion.id}")
        if len(item.comment or "") > 2000:
            raise ValidationError(f"Keep the comment on “{criterion.title}” under 2,000 "
                                  "characters.", field=f"scores.{criterion.id}")
        given[item.criterion_id] = item
    missing = [c for c in rubric.criteria if given.get(c.id) is None or given[c.id].score is None]
    if missing:
        names = ", ".join(f"“{c.title}”" for c in missing)
        raise ValidationError(f"Score every criterion from 1 to 5; not scored yet: {names}.",
                              field=f"scores.{missing[0].id}")
    return given


def _check_observation(rubric: Rubric, data: ObservationData, by: User) -> dict[int, ScoreData]:
    if rubric.is_archived:
        raise ValidationError(f"“{rubric.title}” is archived; choose another rubric.",
                              field="rubric")
    _check_subject(rubric, data.subject, by)
    _check_kind(rubric, data.kind)
    if data.observed_on is None:
        raise ValidationError("Give the date of the observation.", field="observed_on")
    # A day's grace: "today" somewhere in the world may already be tomorrow in UTC.
    if data.observed_on > utcnow().date() + timedelta(days=1):
        raise ValidationError("The observation cannot be in the future.", field="observed_on")
    if len(data.context or "") > 300:
        raise ValidationError("Keep the context under 300 characters.", field="context")
    if len(data.comments or "") > 5000:
        raise ValidationError("Keep the overall comments under 5,000 characters.",
                              field="comments")
    return _check_scores(rubric, data.scores)


def _apply(observation: Observation, rubric: Rubric, data: ObservationData,
           scores: dict[int, ScoreData]) -> None:
    observation.subject_id = data.subject.id
    observation.kind = ObservationKind(data.kind)
    observation.observed_on = data.observed_on
    observation.context = (data.context or "").strip()
    observation.comments = (data.comments or "").strip()
    existing = {score.criterion_id: score for score in observation.scores}
    rows = []
    for criterion in rubric.criteria:
        row = existing.get(criterion.id) or ObservationScore(criterion_id=criterion.id)
        row.score = scores[criterion.id].score
        row.comment = (scores[criterion.id].comment or "").strip()
        rows.append(row)
    observation.scores = rows
    observation.average = round(fmean(row.score for row in rows), 2)


def _summary(observation: Observation, rubric: Rubric, subject: User) -> str:
    return f"{rubric.title}: {subject.name}, {observation.observed_on:%Y-%m-%d}"


def create_observation(rubric: Rubric, data: ObservationData, *, by: User,
                       share: bool = False) -> Observation:
    """Score an observation of ``data.subject`` against ``rubric``; a draft unless shared."""
    scores = _check_observation(rubric, data, by)
    observation = Observation(rubric=rubric, observer_id=by.id,
                              status=ObservationStatus.DRAFT)
    _apply(observation, rubric, data, scores)
    db.session.add(observation)
    db.session.flush()
    record(by, "observation.create", observation,
           summary=_summary(observation, rubric, data.subject))
    if share:
        share_observation(observation, by=by)
    return observation


def _own_draft(observation: Observation, by: User) -> None:
    if observation.observer_id != by.id:
        raise NotAllowedError("Only the observer may change this scorecard.")
    if observation.status != ObservationStatus.DRAFT:
        raise ValidationError("This scorecard is shared and can no longer be changed.")


def update_observation(observation: Observation, data: ObservationData, *, by: User,
                       share: bool = False) -> Observation:
    """Change a draft (the observer's own); optionally share it."""
    _own_draft(observation, by)
    rubric = observation.rubric
    scores = _check_observation(rubric, data, by)
    before = {row.criterion_id: row.score for row in observation.scores}
    _apply(observation, rubric, data, scores)
    changes = pending_changes(observation)
    after = {row.criterion_id: row.score for row in observation.scores}
    if after != before:
        changes["scores"] = [list(before.values()), list(after.values())]
    record(by, "observation.update", observation,
           summary=_summary(observation, rubric, data.subject), changes=changes)
    if share:
        share_observation(observation, by=by)
    return observation


def share_observation(observation: Observation, *, by: User) -> Observation:
    """Show the scorecard to the observed person and tell them; sharing twice is a no-op."""
    if observation.status == ObservationStatus.SHARED and observation.observer_id == by.id:
        return observation
    _own_draft(observation, by)
    subject = db.session.get(User, observation.subject_id)
    if not may_observe(by, subject):
        raise ValidationError(f"{subject.name} is no longer in your part of the "
                              "organisation.", field="subject")
    observation.status = ObservationStatus.SHARED
    observation.shared_at = utcnow()
    rubric = observation.rubric
    record(by, "observation.share", observation,
           summary=_summary(observation, rubric, subject))
    notify(subject, kind="observation.shared", subject=f"New scorecard: {rubric.title}",
           body=(f"{by.name} shared the scorecard of your "
                 f"{ObservationKind(observation.kind).label.lower()} on "
                 f"{format_date(observation.observed_on)}: {observation.average:.1f} out of 5 "
                 "on average."),
           link=observation_path(observation))
    return observation


def discard_observation(observation: Observation, *, by: User) -> None:
    """Delete a draft (the observer's own)."""
    _own_draft(observation, by)
    record(by, "observation.discard", observation,
           summary=_summary(observation, observation.rubric, observation.subject),
           changes={})
    db.session.delete(observation)
    db.session.flush()
