"""Rubrics, observation scorecards and readiness surveys in the REST API.

The rules are the services' (``assessments.scorecards``, ``assessments.surveys``); these
views load, authorize, call them and commit once. Lists are scoped in SQL with ``visible``.
"""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from assessments import scorecards, surveys
from assessments.models import (
    Observation,
    ObservationScore,
    Rubric,
    Survey,
    SurveyResponse,
    SurveySection,
)
from assessments.scorecard_schemas import (
    ObservationCreateSchema,
    ObservationListSchema,
    ObservationQuerySchema,
    ObservationSchema,
    ResponseCreateSchema,
    ResponseListSchema,
    ResponseSchema,
    RubricCreateSchema,
    RubricListSchema,
    RubricQuerySchema,
    RubricSchema,
    RubricUpdateSchema,
    SurveyDetailSchema,
    SurveyListSchema,
)
from lms.api import PageArgsSchema, one_transaction, page_of, referenced, token_required
from lms.authz import can, load_visible, require, visible
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User

rubrics_blp = Blueprint("rubrics_api", __name__, url_prefix="/api/v1/rubrics",
                        description="Observation rubrics (admins write)")
observations_blp = Blueprint("observations_api", __name__, url_prefix="/api/v1/observations",
                             description="Observation scorecards")
surveys_blp = Blueprint("surveys_api", __name__, url_prefix="/api/v1/surveys",
                        description="Readiness self-assessments")
BLUEPRINTS = (rubrics_blp, observations_blp, surveys_blp)
READ, WRITE = "assessments:read", "assessments:write"


# --- rubrics ---------------------------------------------------------------------------------

def _rubric_data(payload: dict, rubric: Rubric | None = None) -> scorecards.RubricData:
    current = {"title": "", "description": "", "subject_level": "rep", "criteria": []}
    if rubric is not None:
        current = {"title": rubric.title, "description": rubric.description,
                   "subject_level": rubric.subject_level,
                   "criteria": [{"title": c.title, "descriptors": list(c.descriptors)}
                                for c in rubric.criteria]}
    current.update({key: value for key, value in payload.items() if key != "is_archived"})
    return scorecards.RubricData(
        current["title"], current["description"], current["subject_level"],
        [scorecards.CriterionData(c["title"], list(c["descriptors"]))
         for c in current["criteria"]])


@rubrics_blp.route("/")
@token_required(READ)
@rubrics_blp.arguments(RubricQuerySchema, location="query", unknown=ma.RAISE)
@rubrics_blp.response(200, RubricListSchema)
def rubric_index(args):
    """Rubrics to observe with; admins may ask for archived ones too."""
    stmt = (visible(select(Rubric), g.api_user).options(selectinload(Rubric.criteria))
            .order_by(Rubric.title, Rubric.id))
    if not args["archived"]:
        stmt = stmt.where(Rubric.is_archived.is_(False))
    return page_of(stmt, args)


@rubrics_blp.route("/<int:rubric_id>")
@token_required(READ)
@rubrics_blp.response(200, RubricSchema)
def rubric_detail(rubric_id):
    """One rubric with its criteria and their five descriptors."""
    return load_visible(Rubric, rubric_id, g.api_user)


@rubrics_blp.route("/", methods=["POST"])
@token_required(WRITE)
@rubrics_blp.arguments(RubricCreateSchema)
@rubrics_blp.response(201, RubricSchema)
def rubric_create(payload):
    """Create a rubric (admins): criteria each with exactly five descriptors."""
    require(g.api_user, "rubric.manage")
    with one_transaction():
        rubric = scorecards.create_rubric(_rubric_data(payload), by=g.api_user)
    return rubric


@rubrics_blp.route("/<int:rubric_id>", methods=["PATCH"])
@token_required(WRITE)
@rubrics_blp.arguments(RubricUpdateSchema)
@rubrics_blp.response(200, RubricSchema)
def rubric_update(payload, rubric_id):
    """Change a rubric (admins); ``is_archived`` retires or restores it."""
    rubric = load_visible(Rubric, rubric_id, g.api_user)
    require(g.api_user, "rubric.manage", rubric)
    with one_transaction():
        if set(payload) - {"is_archived"}:
            scorecards.update_rubric(rubric, _rubric_data(payload, rubric), by=g.api_user)
        if "is_archived" in payload and payload["is_archived"] != rubric.is_archived:
            scorecards.set_rubric_archived(rubric, payload["is_archived"], by=g.api_user)
    return rubric


@rubrics_blp.route("/<int:rubric_id>", methods=["DELETE"])
@token_required(WRITE)
@rubrics_blp.response(204)
def rubric_delete(rubric_id):
    """Delete a rubric nobody was scored against (admins); a used one is archived instead."""
    rubric = load_visible(Rubric, rubric_id, g.api_user)
    require(g.api_user, "rubric.manage", rubric)
    with one_transaction():
        scorecards.delete_rubric(rubric, by=g.api_user)


# --- observations ----------------------------------------------------------------------------

def _observation_out(observation: Observation) -> dict:
    return {
        "id": observation.id, "rubric_id": observation.rubric_id,
        "rubric": observation.rubric.title, "observer_id": observation.observer_id,
        "subject_id": observation.subject_id, "kind": observation.kind,
        "observed_on": observation.observed_on, "context": observation.context,
        "comments": observation.comments, "status": observation.status,
        "average": observation.average, "created_at": observation.created_at,
        "shared_at": observation.shared_at,
        "scores": [{"criterion_id": s.criterion_id, "criterion": s.criterion.title,
                    "score": s.score, "descriptor": s.criterion.descriptors[s.score - 1],
                    "comment": s.comment}
                   for s in sorted(observation.scores, key=lambda s: s.criterion.position)]}


def _with_scores(stmt):
    return stmt.options(joinedload(Observation.rubric),
                        selectinload(Observation.scores).joinedload(ObservationScore.criterion))


@observations_blp.route("/")
@token_required(READ)
@observations_blp.arguments(ObservationQuerySchema, location="query", unknown=ma.RAISE)
@observations_blp.response(200, ObservationListSchema)
def observation_index(args):
    """Scorecards you may see: your drafts, and shared ones of you and people under you."""
    stmt = _with_scores(visible(select(Observation), g.api_user)
                        .order_by(Observation.observed_on.desc(), Observation.id.desc()))
    if args["subject_id"] is not None:
        stmt = stmt.where(Observation.subject_id == args["subject_id"])
    if args["status"] is not None:
        stmt = stmt.where(Observation.status == args["status"])
    page = page_of(stmt, args)
    page["items"] = [_observation_out(observation) for observation in page["items"]]
    return page


@observations_blp.route("/", methods=["POST"])
@token_required(WRITE)
@observations_blp.arguments(ObservationCreateSchema)
@observations_blp.response(201, ObservationSchema)
def observation_create(payload):
    """Score an observation of someone under you; a draft unless ``share`` is true."""
    require(g.api_user, "observation.create")
    rubric = db.session.get(Rubric, payload["rubric_id"])
    if rubric is None:
        raise ValidationError("No rubric has that id.", field="rubric_id")
    subject = referenced(User, payload, "subject_id", "No one you can see has that id.")
    data = scorecards.ObservationData(
        subject=subject, kind=payload["kind"], observed_on=payload["observed_on"],
        context=payload["context"], comments=payload["comments"],
        scores=[scorecards.ScoreData(s["criterion_id"], s["score"], s["comment"])
                for s in payload["scores"]])
    with one_transaction():
        observation = scorecards.create_observation(rubric, data, by=g.api_user,
                                                    share=payload["share"])
    return _observation_out(observation)


@observations_blp.route("/<int:observation_id>")
@token_required(READ)
@observations_blp.response(200, ObservationSchema)
def observation_detail(observation_id):
    """One scorecard with every criterion's score, descriptor and comment."""
    return _observation_out(load_visible(Observation, observation_id, g.api_user))


@observations_blp.route("/<int:observation_id>/share", methods=["POST"])
@token_required(WRITE)
@observations_blp.response(200, ObservationSchema)
def observation_share(observation_id):
    """Share your draft: the observed person sees it and is told (sharing twice is a no-op)."""
    observation = load_visible(Observation, observation_id, g.api_user)
    if observation.observer_id != g.api_user.id:
        require(g.api_user, "observation.edit", observation)
    with one_transaction():
        scorecards.share_observation(observation, by=g.api_user)
    return _observation_out(observation)


# --- surveys ---------------------------------------------------------------------------------

def _survey_out(survey: Survey, detail: bool = False) -> dict:
    out = {"id": survey.id, "title": survey.title, "description": survey.description,
           "audience": surveys.audience_of(survey), "is_archived": survey.is_archived,
           "may_take": can(g.api_user, "survey.take", survey)}
    if detail:
        out["sections"] = survey.sections
    return out


def _response_out(response: SurveyResponse, titles: dict[int, str]) -> dict:
    return {"id": response.id, "survey_id": response.survey_id, "user_id": response.user_id,
            "submitted_at": response.submitted_at, "score": response.score,
            "sections": [{"section_id": s.section_id, "title": titles.get(s.section_id, ""),
                          "score": s.score} for s in response.section_scores]}


@surveys_blp.route("/")
@token_required(READ)
@surveys_blp.arguments(PageArgsSchema, location="query", unknown=ma.RAISE)
@surveys_blp.response(200, SurveyListSchema)
def survey_index(args):
    """Surveys (open ones; admins see archived ones too), with whether you may take each."""
    page = page_of(visible(select(Survey), g.api_user).order_by(Survey.title, Survey.id), args)
    page["items"] = [_survey_out(survey) for survey in page["items"]]
    return page


@surveys_blp.route("/<int:survey_id>")
@token_required(READ)
@surveys_blp.response(200, SurveyDetailSchema)
def survey_detail(survey_id):
    """One survey with its sections and questions."""
    return _survey_out(load_visible(Survey, survey_id, g.api_user), detail=True)


@surveys_blp.route("/<int:survey_id>/responses", methods=["POST"])
@token_required(WRITE)
@surveys_blp.arguments(ResponseCreateSchema)
@surveys_blp.response(201, ResponseSchema)
def survey_respond(payload, survey_id):
    """Submit your answers: scored per section and overall; repeat to build a trend."""
    survey = load_visible(Survey, survey_id, g.api_user)
    require(g.api_user, "survey.take", survey)
    answers = [surveys.AnswerData(a["question_id"], a["likert"], a["text"])
               for a in payload["answers"]]
    with one_transaction():
        response = surveys.submit_response(survey, answers, by=g.api_user)
    return _response_out(response, {s.id: s.title for s in survey.sections})


@surveys_blp.route("/<int:survey_id>/responses/mine")
@token_required(READ)
@surveys_blp.arguments(PageArgsSchema, location="query", unknown=ma.RAISE)
@surveys_blp.response(200, ResponseListSchema)
def survey_mine(args, survey_id):
    """Your own responses to the survey, newest first, with their section scores."""
    survey = load_visible(Survey, survey_id, g.api_user)
    titles = dict(db.session.execute(select(SurveySection.id, SurveySection.title)
                                     .where(SurveySection.survey_id == survey.id)).all())
    stmt = (select(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id,
                   SurveyResponse.user_id == g.api_user.id)
            .options(selectinload(SurveyResponse.section_scores))
            .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()))
    page = page_of(stmt, args)
    page["items"] = [_response_out(response, titles) for response in page["items"]]
    return page
