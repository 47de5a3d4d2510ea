"""Authorization matrix entries for leader reviews, adherence and councils
(``tests/authz_matrix.py``).

"member" and the actor of object routes is leader_a (a leader, not an admin); the admin of
``tests.factories.Org`` is at leader level but outside the sales tree. A review is about the
target as the manager; a council is the target's (chair and only member).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.db import utcnow
from lms.extensions import db
from reinforcement.leaders.models import LeaderReview
from tests.authz_matrix import LOGIN, Case, Route, form, json_body, on_person, plain
from tests.reinforcement.leaders import factories as make

SIGNED_OUT = {"signed out": LOGIN}
API_SIGNED_OUT = {"signed out": 401}


def _month() -> date:
    return utcnow().date().replace(day=1)


def _month_key() -> str:
    return _month().strftime("%Y-%m")


def _each(self, direct, deeper, own_manager, peer, other, admin, *, api: bool = False) -> dict:
    return {"self": self, "direct report": direct, "deeper report": deeper,
            "own manager": own_manager, "peer": peer, "other branch": other, "admin": admin,
            "signed out": 401 if api else LOGIN}


def _members_only(own, admin, *, api: bool = False) -> dict:
    """A council exists for its members and admins alone."""
    return _each(own, 404, 404, 404, 404, 404, admin, api=api)


# --- reviews -----------------------------------------------------------------------------------

def person(case: Case):
    return {"id": case.target.id}, {}


def in_this_month(case: Case):
    return {"id": case.target.id, "month": _month_key()}, {}


def confirm_form(case: Case):
    return {"id": case.target.id}, {"data": {"month": _month_key(), "note": "On leave."}}


def feedback_form(case: Case):
    return {"id": case.target.id}, {"data": {"month": _month_key(),
                                             "feedback": "Prepare agendas ahead."}}


def _review_of_target(case: Case):
    """Feedback from the CSO on the target's coaching (the signed-out column reuses one)."""
    found = db.session.scalar(select(LeaderReview).where(
        LeaderReview.manager_id == case.target.id, LeaderReview.leader_id == case.org.exec.id))
    return found or make.review(case.org.exec, case.target, month=_month())


def review_of_target(case: Case):
    return {"id": _review_of_target(case).id}, {}


def api_review_of_target(case: Case):
    return {"review_id": _review_of_target(case).id}, {}


def api_decision(case: Case) -> dict:
    return {"manager_id": case.target.id, "period_start": _month().isoformat(),
            "decision": "confirmed", "note": "On leave."}


# Decide: only a manager under the actor (admins too only in their own subtree).
DECIDE = _each(403, 200, 403, 404, 404, 404, 403)
# Acknowledge: the manager the feedback is about, alone.
ACKNOWLEDGE = _each(302, 403, 403, 404, 404, 404, 403)


def _with(expect: dict, **changes) -> dict:
    return {**expect, **changes}


# --- councils ----------------------------------------------------------------------------------

def _council(case: Case):
    return make.council(case.target, [])


def _meeting(case: Case, *, past: bool = True):
    moment = utcnow() + (timedelta(hours=-1) if past else timedelta(days=2))
    return make.meeting(_council(case), moment)


def council_of_target(case: Case):
    return {"id": _council(case).id}, {}


def api_council_of_target(case: Case):
    return {"council_id": _council(case).id}, {}


def council_form(case: Case) -> dict:
    return {"name": "Matrix council", "chair": case.org.leader_a.id,
            "members": [case.org.leader_b.id], "every_weeks": 4}


def edit_council_form(case: Case):
    council = _council(case)
    return {"id": council.id}, {"data": {"name": "Renamed", "chair": case.org.leader_a.id,
                                         "every_weeks": 2}}


def schedule_form(case: Case):
    first = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    return council_of_target(case)[0], {"data": {"first_at": first, "count": 2,
                                                 "minutes": 60}}


def meeting_of_target(case: Case):
    return {"id": _meeting(case).id}, {}


def notes_form(case: Case):
    return meeting_of_target(case)[0], {"data": {"works": "Agendas ahead"}}


def attendance_form(case: Case):
    return meeting_of_target(case)[0], {"data": {"present": [case.target.id]}}


def upcoming_meeting(case: Case):
    return {"id": _meeting(case, past=False).id}, {}


def council_action_form(case: Case):
    meeting = _meeting(case)
    return {"id": meeting.id}, {"data": {"title": "Share templates", "owner": case.target.id,
                                         "due_on": date.today().isoformat()}}


def council_action_of_target(case: Case, *, done: bool = False):
    item = make.council_action(_meeting(case), case.target, date.today(),
                               done_at=utcnow() if done else None)
    return {"id": item.id}, {}


ROUTES: dict[tuple[str, str], Route] = {
    # adherence and reviews
    ("reinforcement.leaders.adherence_report", "GET"): on_person(
        200, 200, lambda case: ({"person": case.target.id}, {})),
    ("reinforcement.leaders.review_index", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.leaders.review_manager", "GET"): Route(in_this_month, DECIDE),
    ("reinforcement.leaders.review_confirm", "POST"): Route(
        confirm_form, _with(DECIDE, **{"direct report": 302})),
    ("reinforcement.leaders.review_feedback", "POST"): Route(
        feedback_form, _with(DECIDE, **{"direct report": 302})),
    ("reinforcement.leaders.review_detail", "GET"): on_person(200, 200, review_of_target),
    ("reinforcement.leaders.review_acknowledge", "POST"): Route(review_of_target, ACKNOWLEDGE),
    ("reinforcement.leaders.feedback_index", "GET"): plain(200, 200, LOGIN),
    # councils
    ("reinforcement.councils.council_index", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.councils.council_create", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.councils.council_create", "POST"): plain(302, 302, LOGIN, form(council_form)),
    ("reinforcement.councils.council_detail", "GET"):
        Route(council_of_target, _members_only(200, 200)),
    ("reinforcement.councils.council_edit", "GET"):
        Route(council_of_target, _members_only(200, 200)),
    ("reinforcement.councils.council_edit", "POST"):
        Route(edit_council_form, _members_only(302, 302)),
    ("reinforcement.councils.council_schedule", "POST"):
        Route(schedule_form, _members_only(302, 302)),
    ("reinforcement.councils.council_meeting", "GET"): Route(meeting_of_target,
                                                    _members_only(200, 200)),
    ("reinforcement.councils.council_meeting_notes", "POST"): Route(notes_form,
                                                           _members_only(302, 302)),
    ("reinforcement.councils.council_attendance", "POST"): Route(attendance_form,
                                                        _members_only(302, 302)),
    ("reinforcement.councils.council_cancel", "POST"):
        Route(upcoming_meeting, _members_only(302, 302)),
    ("reinforcement.councils.council_action_add", "POST"): Route(council_action_form,
                                                        _members_only(302, 302)),
    ("reinforcement.councils.council_action_done", "POST"): Route(council_action_of_target,
                                                         _members_only(302, 302)),
    ("reinforcement.councils.council_action_reopen", "POST"): Route(
        lambda case: council_action_of_target(case, done=True), _members_only(302, 302)),
    # API
    ("adherence_api.adherence", "GET"): on_person(
        200, 200, lambda case: ({"person_id": case.target.id}, {}), api=True),
    ("leader_reviews_api.review_index", "GET"): plain(200, 200, 401),
    ("leader_reviews_api.review_create", "POST"): Route(
        json_body(api_decision), _each(422, 201, 422, 422, 422, 422, 422, api=True)),
    ("leader_reviews_api.review_detail", "GET"): on_person(
        200, 200, api_review_of_target, api=True),
    ("leader_reviews_api.review_acknowledge", "POST"): Route(
        api_review_of_target, _each(200, 403, 403, 404, 404, 404, 403, api=True)),
    ("councils_api.council_index", "GET"): plain(200, 200, 401),
    ("councils_api.council_detail", "GET"): Route(
        api_council_of_target, _members_only(200, 200, api=True)),
    ("councils_api.council_meetings", "GET"): Route(
        api_council_of_target, _members_only(200, 200, api=True)),
    ("councils_api.council_actions", "GET"): Route(
        api_council_of_target, _members_only(200, 200, api=True)),
}
