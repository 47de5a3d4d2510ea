"""Scorecard and survey rules for the one permission layer (registered into ``lms.authz``).

Rubrics and surveys exist for everyone signed in (lists hide archived ones from all but
admins). A scorecard draft is its observer's alone; once shared, the observed person, everyone
above them in the tree and admins see it too. A survey response follows the tree: its author,
the people above them, admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, or_

from assessments.models import (
    Observation,
    ObservationStatus,
    Rubric,
    Survey,
    SurveyResponse,
)
from lms.authz import in_subtree, rule, scope, visibility
from lms.people import tree
from lms.people.models import Level, User


def _rank(user: User) -> int:
    return Level(user.level).rank


def _observes(user: User) -> bool:
    """Admins, and managers and above (who have people under them to observe)."""
    return user.is_admin or _rank(user) >= Level.MANAGER.rank


# --- rubrics and surveys: the templates everyone works from ------------------------------------

@visibility(Rubric)
def _rubric_visible(user: User, rubric: Rubric) -> bool:
    return True  # old scorecards still show an archived rubric


@scope(Rubric)
def _rubric_scope(stmt: Select, user: User) -> Select:
    return stmt if user.is_admin else stmt.where(Rubric.is_archived.is_(False))


@visibility(Survey)
def _survey_visible(user: User, survey: Survey) -> bool:
    return True  # people keep their own trend of an archived survey


@scope(Survey)
def _survey_scope(stmt: Select, user: User) -> Select:
    return stmt if user.is_admin else stmt.where(Survey.is_archived.is_(False))


@rule("rubric.view")
def _rubric_view(user: User, _rubric: Any) -> bool:
    return True


@rule("rubric.manage")
def _rubric_manage(user: User, _rubric: Any) -> bool:
    return user.is_admin


# --- observations ------------------------------------------------------------------------------

@visibility(Observation)
def _observation_visible(user: User, observation: Observation) -> bool:
    if observation.observer_id == user.id:
        return True
    if observation.status != ObservationStatus.SHARED:
        return False  # a draft is the observer's alone
    return user.is_admin or in_subtree(user, observation.subject)


@scope(Observation)
def _observation_scope(stmt: Select, user: User) -> Select:
    shared = Observation.status == ObservationStatus.SHARED
    if user.is_admin:
        return stmt.where(or_(Observation.observer_id == user.id, shared))
    return stmt.where(or_(Observation.observer_id == user.id,
                          and_(shared, Observation.subject_id.in_(tree.subtree_ids(user.id)))))


@rule("observation.create")
def _observation_create(user: User, subject: User | None) -> bool:
    """Without a person: may observe anyone at all (menus); with one: that person."""
    return _observes(user) and (subject is None or subject.id != user.id)


@rule("observation.view")
def _observation_view(user: User, _observation: Any) -> bool:
    return True  # visibility already decided


@rule("observation.edit")
def _observation_edit(user: User, observation: Observation | None) -> bool:
    if observation is None:
        return _observes(user)
    return (observation.observer_id == user.id
            and observation.status == ObservationStatus.DRAFT)


@rule("observation.report")
def _observation_report(user: User, _obj: Any) -> bool:
    """The team's weakest criteria: managers and above (their subtree), and admins."""
    return _observes(user)


# --- readiness self-assessments --------------------------------------------------------------

@visibility(SurveyResponse)
def _response_visible(user: User, response: SurveyResponse) -> bool:
    return user.is_admin or in_subtree(user, response.user)


@scope(SurveyResponse)
def _response_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(SurveyResponse.user_id.in_(tree.subtree_ids(user.id)))


@rule("survey.view")
def _survey_view(user: User, _survey: Any) -> bool:
    return True


@rule("survey.manage")
def _survey_manage(user: User, _survey: Any) -> bool:
    return user.is_admin


@rule("survey.take")
def _survey_take(user: User, survey: Survey | None) -> bool:
    """Without a survey: may take surveys at all; with one: it is open and meant for them."""
    if survey is None:
        return True
    return not survey.is_archived and f",{user.level}," in survey.audience


@rule("survey.results")
def _survey_results(user: User, _survey: Any) -> bool:
    """Results by level: managers and above (their subtree), and admins (everyone)."""
    return _observes(user)


@rule("survey.response")
def _survey_response(user: User, _response: Any) -> bool:
    return True  # visibility already decided
