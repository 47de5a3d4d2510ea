"""Authorization matrix entries for scorecards, rubrics and surveys (``tests/authz_matrix.py``).

"member" is leader_a (a leader, not an admin): they observe and see results for their
subtree but author nothing. Scorecards and survey responses of a person follow the tree;
a scorecard draft is its observer's alone, even for admins.
"""

from __future__ import annotations

from datetime import date

from assessments.models import (
    Observation,
    ObservationScore,
    ObservationStatus,
    SurveyAnswer,
    SurveyResponse,
)
from lms.db import utcnow
from lms.extensions import db
from tests.assessments import factories_scorecards as make
from tests.authz_matrix import LOGIN, Case, Route, form, json_body, on_person, owned, plain


def _rubric(case: Case, archived: bool = False):
    rubric = make.rubric(case.org.admin, title="Matrix rubric")
    rubric.is_archived = archived
    db.session.flush()
    return rubric


def a_rubric(case: Case):
    return {"id": _rubric(case).id}, {}


def an_archived_rubric(case: Case):
    return {"id": _rubric(case, archived=True).id}, {}


def api_rubric(case: Case):
    return {"rubric_id": _rubric(case).id}, {}


def _observation(case: Case, *, observer, subject, shared: bool) -> Observation:
    rubric = _rubric(case)
    observation = Observation(
        rubric=rubric, observer_id=observer.id, subject_id=subject.id, kind="role_play",
        observed_on=date.today(), average=3.0,
        status=ObservationStatus.SHARED if shared else ObservationStatus.DRAFT,
        shared_at=utcnow() if shared else None,
        scores=[ObservationScore(criterion_id=c.id, score=3) for c in rubric.criteria])
    db.session.add(observation)
    db.session.flush()
    return observation


def _of_target(case: Case) -> Observation:
    """A shared scorecard of the target, by an admin."""
    return _observation(case, observer=case.org.admin, subject=case.target, shared=True)


def _targets_draft(case: Case) -> Observation:
    """A draft the target started about a rep under leader_a (or anyone, for admins)."""
    return _observation(case, observer=case.target, subject=case.org.rep_a1a, shared=False)


def shared_of_target(case: Case):
    return {"id": _of_target(case).id}, {}


def api_shared_of_target(case: Case):
    return {"observation_id": _of_target(case).id}, {}


def targets_draft(case: Case):
    return {"id": _targets_draft(case).id}, {}


def api_targets_draft(case: Case):
    return {"observation_id": _targets_draft(case).id}, {}


def _scoring(rubric, subject) -> dict:
    data = {"subject": subject.id, "kind": "role_play", "observed_on": date.today().isoformat(),
            "save": "Save draft"}
    data.update({f"score_{c.id}": "3" for c in rubric.criteria})
    return data


def score_form(case: Case):
    rubric = _rubric(case)
    return {"id": rubric.id}, {"data": _scoring(rubric, case.org.rep_a1a)}


def edit_draft_form(case: Case):
    observation = _targets_draft(case)
    return {"id": observation.id}, {"data": _scoring(observation.rubric, case.org.rep_a1a)}


def rubric_form(case: Case) -> dict:
    data = {"title": "Matrix form rubric", "subject_level": "rep",
            "criteria-0-title": "Opening"}
    data.update({f"criteria-0-descriptors-{n}": f"Level {n + 1}" for n in range(5)})
    return data


def edit_rubric_form(case: Case):
    return a_rubric(case)[0], {"data": rubric_form(case)}


def api_observation(case: Case) -> dict:
    rubric = _rubric(case)
    return {"rubric_id": rubric.id, "subject_id": case.org.rep_a1a.id, "kind": "call",
            "observed_on": date.today().isoformat(),
            "scores": [{"criterion_id": c.id, "score": 4} for c in rubric.criteria]}


def api_rubric_body(case: Case) -> dict:
    return {"title": "Matrix API rubric",
            "criteria": [{"title": "Opening", "descriptors": list("abcde")}]}


# --- surveys ---------------------------------------------------------------------------------

def _survey(case: Case, archived: bool = False):
    survey = make.survey(case.org.admin, title="Matrix survey")
    survey.is_archived = archived
    db.session.flush()
    return survey


def a_survey(case: Case):
    return {"id": _survey(case).id}, {}


def an_archived_survey(case: Case):
    return {"id": _survey(case, archived=True).id}, {}


def api_survey(case: Case):
    return {"survey_id": _survey(case).id}, {}


def survey_form(case: Case) -> dict:
    return {"title": "Matrix form survey", "audience": ["leader"], "sections-0-title": "Goals",
            "sections-0-questions-0-kind": "likert",
            "sections-0-questions-0-prompt": "Goals are set.",
            "sections-0-questions-0-required": "y"}


def edit_survey_form(case: Case):
    return a_survey(case)[0], {"data": survey_form(case)}


def take_form(case: Case):
    survey = _survey(case)
    data = {f"q_{q.id}": "4" for s in survey.sections for q in s.questions if q.kind == "likert"}
    return {"id": survey.id}, {"data": data}


def api_answers(case: Case):
    survey = _survey(case)
    answers = [{"question_id": q.id, "likert": 4} for s in survey.sections
               for q in s.questions if q.kind == "likert"]
    return {"survey_id": survey.id}, {"json": {"answers": answers}}


def survey_of_target(case: Case):
    return {"id": _survey(case).id, "person": case.target.id}, {}


def response_of_target(case: Case):
    survey = _survey(case)
    question = survey.sections[0].questions[0]
    response = SurveyResponse(survey=survey, user_id=case.target.id, score=4.0,
                              answers=[SurveyAnswer(question_id=question.id, likert=4)])
    db.session.add(response)
    db.session.flush()
    return {"id": response.id}, {}


def _owned_api(own) -> dict:
    return {"self": own, "direct report": 404, "deeper report": 404, "own manager": 404,
            "peer": 404, "other branch": 404, "admin": 404, "signed out": 401}


ROUTES: dict[tuple[str, str], Route] = {
    # scorecards
    ("assessments.scorecard_index", "GET"): plain(200, 200, LOGIN),
    ("assessments.scorecard_new", "GET"): plain(200, 200, LOGIN),
    ("assessments.scorecard_create", "GET"): plain(200, 200, LOGIN, a_rubric),
    ("assessments.scorecard_create", "POST"): plain(302, 302, LOGIN, score_form),
    ("assessments.scorecard_detail", "GET"): on_person(200, 200, shared_of_target),
    ("assessments.scorecard_edit", "GET"): owned(200, targets_draft),
    ("assessments.scorecard_edit", "POST"): owned(302, edit_draft_form),
    ("assessments.scorecard_share", "POST"): owned(302, targets_draft),
    ("assessments.scorecard_discard", "POST"): owned(302, targets_draft),
    ("assessments.scorecard_trend", "GET"): on_person(
        200, 200, lambda case: ({"person": case.target.id}, {})),
    ("assessments.scorecard_team", "GET"): plain(200, 200, LOGIN),
    # rubrics
    ("assessments.rubric_index", "GET"): plain(403, 200, LOGIN),
    ("assessments.rubric_detail", "GET"): plain(200, 200, LOGIN, a_rubric),
    ("assessments.rubric_create", "GET"): plain(403, 200, LOGIN),
    ("assessments.rubric_create", "POST"): plain(403, 302, LOGIN, form(rubric_form)),
    ("assessments.rubric_edit", "GET"): plain(403, 200, LOGIN, a_rubric),
    ("assessments.rubric_edit", "POST"): plain(403, 302, LOGIN, edit_rubric_form),
    ("assessments.rubric_archive", "POST"): plain(403, 302, LOGIN, a_rubric),
    ("assessments.rubric_restore", "POST"): plain(403, 302, LOGIN, an_archived_rubric),
    ("assessments.rubric_copy", "POST"): plain(403, 302, LOGIN, a_rubric),
    ("assessments.rubric_delete", "POST"): plain(403, 302, LOGIN, a_rubric),
    # surveys
    ("assessments.survey_index", "GET"): plain(200, 200, LOGIN),
    ("assessments.survey_create", "GET"): plain(403, 200, LOGIN),
    ("assessments.survey_create", "POST"): plain(403, 302, LOGIN, form(survey_form)),
    ("assessments.survey_edit", "GET"): plain(403, 200, LOGIN, a_survey),
    ("assessments.survey_edit", "POST"): plain(403, 302, LOGIN, edit_survey_form),
    ("assessments.survey_archive", "POST"): plain(403, 302, LOGIN, a_survey),
    ("assessments.survey_restore", "POST"): plain(403, 302, LOGIN, an_archived_survey),
    ("assessments.survey_copy", "POST"): plain(403, 302, LOGIN, a_survey),
    ("assessments.survey_delete", "POST"): plain(403, 302, LOGIN, a_survey),
    ("assessments.survey_take", "GET"): plain(200, 200, LOGIN, a_survey),
    ("assessments.survey_take", "POST"): plain(302, 302, LOGIN, take_form),
    ("assessments.survey_mine", "GET"): on_person(200, 200, survey_of_target),
    ("assessments.survey_response", "GET"): on_person(200, 200, response_of_target),
    ("assessments.survey_results", "GET"): plain(200, 200, LOGIN, a_survey),
    # API
    ("rubrics_api.rubric_index", "GET"): plain(200, 200, 401),
    ("rubrics_api.rubric_detail", "GET"): plain(200, 200, 401, api_rubric),
    ("rubrics_api.rubric_create", "POST"): plain(403, 201, 401, json_body(api_rubric_body)),
    ("rubrics_api.rubric_update", "PATCH"): plain(
        403, 200, 401, json_body({"title": "Renamed"}, api_rubric)),
    ("rubrics_api.rubric_delete", "DELETE"): plain(403, 204, 401, api_rubric),
    ("observations_api.observation_index", "GET"): plain(200, 200, 401),
    ("observations_api.observation_create", "POST"): plain(
        201, 201, 401, json_body(api_observation)),
    ("observations_api.observation_detail", "GET"): on_person(
        200, 200, api_shared_of_target, api=True),
    ("observations_api.observation_share", "POST"): Route(api_targets_draft, _owned_api(200)),
    ("surveys_api.survey_index", "GET"): plain(200, 200, 401),
    ("surveys_api.survey_detail", "GET"): plain(200, 200, 401, api_survey),
    ("surveys_api.survey_respond", "POST"): plain(201, 201, 401, api_answers),
    ("surveys_api.survey_mine", "GET"): plain(200, 200, 401, api_survey),
}
