"""Authorization matrix entries for assessments and attempts (see ``tests/authz_matrix.py``).

The member is leader_a: not an admin, so authoring is 403; enrolled in the course, so they
start attempts; a leader, so they see their subtree's results. An attempt belongs to the
case's target: its owner answers it, the managers above see it (403 to answer), anyone else
does not see it (404); admins see every attempt but answer none.
"""

from __future__ import annotations

from assessments import quiz
from assessments.models import Assessment
from courses.services import enrolment
from lms.db import utcnow
from lms.people.models import User
from tests import factories
from tests.assessments import factories_quiz as fq
from tests.authz_matrix import LOGIN, Case, Route, on_person, plain

EVERY_LEVEL = ("rep", "manager", "leader", "executive")


def _quiz(case: Case, *, publish: bool = True,
          enrol: tuple[User, ...] = ()) -> Assessment:
    course = factories.course(lessons=1, audience=EVERY_LEVEL, by=case.org.admin)
    pool = fq.bank(course)
    fq.question(pool)
    fq.question(pool, "true_false")
    found = fq.assessment(course, [pool], by=case.org.admin, publish=publish)
    for person in {case.org.leader_a, case.org.admin, *enrol}:
        enrolment.enrol(person, course, by=case.org.admin)
    return found


def a_course(case: Case):
    return {"course_id": _quiz(case).course_id}, {}


def new_quiz(case: Case):
    found = _quiz(case)
    return {"course_id": found.course_id}, {"data": {
        "title": "Matrix quiz", "sources": [found.sources[0].bank_id], "question_count": 1,
        "pass_mark": 50, "feedback_policy": "after_attempt"}}


def a_module(case: Case):
    found = _quiz(case)
    return {"course_id": found.course_id, "key": found.course.latest.modules[0].key}, {}


def new_quiz_step(case: Case):
    values, _ = a_module(case)
    return values, {"data": {"title": "Matrix quiz step", "pass_mark": 80}}


def a_quiz(case: Case):
    return {"id": _quiz(case).id}, {}


def a_draft(case: Case):
    return {"id": _quiz(case, publish=False).id}, {}


def edit_quiz(case: Case):
    found = _quiz(case)
    return {"id": found.id}, {"data": {
        "title": "Renamed", "sources": [found.sources[0].bank_id], "question_count": 2,
        "pass_mark": 60, "feedback_policy": "never"}}


def api_quiz(case: Case):
    return {"assessment_id": _quiz(case).id}, {}


def _attempt(case: Case):
    found = _quiz(case, enrol=(case.target,))
    return quiz.start_attempt(case.target, found, now=utcnow()).attempt


def an_attempt(case: Case):
    return {"id": _attempt(case).id}, {}


def save_attempt(case: Case):
    attempt = _attempt(case)
    item = quiz.items_of(attempt)[0]
    answer = item.choice_order[0] if item.choice_order else "true"
    return {"id": attempt.id}, {"data": {f"item-{item.id}": answer, "action": "save"}}


def answer_item(case: Case):
    attempt = _attempt(case)
    item = quiz.items_of(attempt)[0]
    return {"id": attempt.id, "item_id": item.id}, {"data": {
        f"item-{item.id}": item.choice_order[0] if item.choice_order else "true"}}


def api_attempt(case: Case):
    return {"attempt_id": _attempt(case).id}, {}


def api_answer(case: Case):
    attempt = _attempt(case)
    item = quiz.items_of(attempt)[0]
    answer = item.choice_order[0] if item.choice_order else True
    return {"attempt_id": attempt.id, "item_id": item.id}, {"json": {"response": answer}}


def owner_only(own, *, api: bool = False) -> dict:
    """Only the attempt's owner acts on it; the chain above sees it (403), others do not."""
    return {"self": own, "direct report": 403, "deeper report": 403, "own manager": 404,
            "peer": 404, "other branch": 404, "admin": 403, "signed out": 401 if api else LOGIN}


ROUTES: dict[tuple[str, str], Route] = {
    # authoring (admins)
    ("assessments.quiz_index", "GET"): plain(403, 200, LOGIN, a_course),
    ("assessments.quiz_create", "GET"): plain(403, 200, LOGIN, a_course),
    ("assessments.quiz_create", "POST"): plain(403, 302, LOGIN, new_quiz),
    ("assessments.quiz_step_create", "GET"): plain(403, 200, LOGIN, a_module),
    ("assessments.quiz_step_create", "POST"): plain(403, 302, LOGIN, new_quiz_step),
    ("assessments.quiz_edit", "GET"): plain(403, 200, LOGIN, a_quiz),
    ("assessments.quiz_edit", "POST"): plain(403, 302, LOGIN, edit_quiz),
    ("assessments.quiz_publish", "POST"): plain(404, 302, LOGIN, a_draft),  # drafts: admins
    ("assessments.quiz_archive", "POST"): plain(403, 302, LOGIN, a_quiz),
    ("assessments.quiz_regrade", "POST"): plain(403, 302, LOGIN, a_quiz),
    ("assessments.quiz_analysis", "GET"): plain(403, 200, LOGIN, a_quiz),
    # learners
    ("assessments.quiz_detail", "GET"): plain(200, 200, LOGIN, a_quiz),
    ("assessments.quiz_start", "POST"): plain(302, 302, LOGIN, a_quiz),
    ("assessments.quiz_mine", "GET"): plain(200, 200, LOGIN),
    ("assessments.attempt_detail", "GET"): on_person(200, 200, an_attempt),
    ("assessments.attempt_save", "POST"): Route(save_attempt, owner_only(302)),
    ("assessments.attempt_answer", "POST"): Route(answer_item, owner_only(302)),
    # results (managers and leaders for their subtree, admins)
    ("assessments.quiz_results_index", "GET"): plain(200, 200, LOGIN),
    ("assessments.quiz_results", "GET"): plain(200, 200, LOGIN, a_quiz),
    # the API
    ("assessments_api.index", "GET"): plain(200, 200, 401),
    ("assessments_api.detail", "GET"): plain(200, 200, 401, api_quiz),
    ("assessments_api.start", "POST"): plain(201, 201, 401, api_quiz),
    ("assessments_api.results", "GET"): plain(200, 200, 401, api_quiz),
    ("assessments_api.regrade", "POST"): plain(403, 200, 401, api_quiz),
    ("assessments_api.attempt", "GET"): on_person(200, 200, api_attempt, api=True),
    ("assessments_api.answer", "PUT"): Route(api_answer, owner_only(200, api=True)),
    ("assessments_api.submit", "POST"): Route(api_attempt, owner_only(200, api=True)),
}
