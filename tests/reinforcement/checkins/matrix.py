"""Authorization matrix entries for check-ins and action items (``tests/authz_matrix.py``).

Object routes act on a check-in whose coachee is the target and whose coach is the target's
own manager, seen by leader_a: as "self" leader_a is the coachee, as "direct report" the
coach, as "deeper report" a leader above the pair (shared part only, takes no part). Admins
see every check-in but take part in none. Action items are the coachee's, of that pair.
"""

from __future__ import annotations

from datetime import date, timedelta

from lms.db import utcnow
from reinforcement.checkins.models import CheckIn
from tests.authz_matrix import LOGIN, Case, Route, form, json_body, plain
from tests.reinforcement.checkins import factories as make

LATER = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT09:00")
API_LATER = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT09:00:00+00:00")


def _check_in(case: Case) -> CheckIn:
    coach = case.target.manager or case.org.admin
    return make.check_in(coach, case.target, days=2, agenda=("Pipeline",))


def a_check_in(case: Case):
    return {"id": _check_in(case).id}, {}


def api_check_in(case: Case):
    return {"check_in_id": _check_in(case).id}, {}


def an_agenda_item(case: Case):
    check_in = _check_in(case)
    return {"id": check_in.id, "item_id": check_in.agenda[0].id}, {}


def _item(case: Case, *, done: bool = False):
    check_in = _check_in(case)
    return make.action_item(check_in, case.target, due_on=date.today() + timedelta(days=7),
                            done=done)


def an_item(case: Case):
    return {"id": _item(case).id}, {}


def a_done_item(case: Case):
    return {"id": _item(case, done=True).id}, {}


def api_item(case: Case):
    return {"item_id": _item(case).id}, {}


def api_action_body(case: Case):
    check_in = _check_in(case)
    return {}, {"json": {"check_in_id": check_in.id, "title": "Matrix action",
                         "owner_id": check_in.coachee_id,
                         "due_on": (date.today() + timedelta(days=9)).isoformat()}}


def _with(build, data: dict):
    def built(case: Case):
        values, _ = build(case)
        return values, {"data": data}
    return built


def _with_json(build, payload: dict):
    def built(case: Case):
        values, _ = build(case)
        return values, {"json": payload}
    return built


def checks(*, coachee, coach, above, admin, api: bool = False) -> dict:
    """Outcomes by relationship: the actor is the coachee (self), the coach (direct report),
    a leader above the pair (deeper report), out of sight (404) or an admin."""
    return {"self": coachee, "direct report": coach, "deeper report": above,
            "own manager": 404, "peer": 404, "other branch": 404, "admin": admin,
            "signed out": 401 if api else LOGIN}


def on_check_in(build, *, coachee, coach, above=403, admin=403, api=False) -> Route:
    return Route(build, checks(coachee=coachee, coach=coach, above=above, admin=admin, api=api))


def schedule_form(case: Case) -> dict:
    return {"coachee": case.org.rep_a1a.id, "scheduled_at": LATER, "minutes": "30"}


NOTES = {"shared_notes": "Matrix notes"}
ACTION_FORM = {"title": "Matrix action", "due_on": "2099-01-01"}


def action_form(case: Case):
    check_in = _check_in(case)
    return {"id": check_in.id}, {"data": {**ACTION_FORM, "owner": check_in.coachee_id}}


ROUTES: dict[tuple[str, str], Route] = {
    ("reinforcement.checkins.week", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.checkins.check_in_list", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.checkins.check_in_create", "GET"): plain(200, 200, LOGIN),
    # An admin is outside the sales tree: nobody is theirs to coach (the form says so).
    ("reinforcement.checkins.check_in_create", "POST"): plain(302, 200, LOGIN, form(schedule_form)),
    ("reinforcement.checkins.check_in_detail", "GET"): on_check_in(
        a_check_in, coachee=200, coach=200, above=200, admin=200),
    ("reinforcement.checkins.check_in_ics", "GET"): on_check_in(
        a_check_in, coachee=200, coach=200, above=200, admin=200),
    ("reinforcement.checkins.agenda_add", "POST"): on_check_in(
        _with(a_check_in, {"text": "Matrix topic"}), coachee=302, coach=302),
    ("reinforcement.checkins.agenda_remove", "POST"):
        on_check_in(an_agenda_item, coachee=302, coach=302),
    ("reinforcement.checkins.agenda_prepare", "POST"):
        on_check_in(a_check_in, coachee=403, coach=302),
    ("reinforcement.checkins.check_in_held", "POST"):
        on_check_in(a_check_in, coachee=403, coach=302),
    ("reinforcement.checkins.check_in_missed", "POST"):
        on_check_in(a_check_in, coachee=403, coach=302),
    ("reinforcement.checkins.check_in_cancel", "POST"):
        on_check_in(a_check_in, coachee=403, coach=302),
    ("reinforcement.checkins.check_in_reschedule", "GET"): on_check_in(a_check_in, coachee=200,
                                                              coach=200),
    ("reinforcement.checkins.check_in_reschedule", "POST"): on_check_in(
        _with(a_check_in, {"scheduled_at": LATER, "minutes": "30"}), coachee=302, coach=302),
    ("reinforcement.checkins.notes_save", "POST"):
        on_check_in(_with(a_check_in, NOTES), coachee=302,
                                                      coach=302),
    ("reinforcement.checkins.action_create", "POST"):
        on_check_in(action_form, coachee=302, coach=302),
    # The item's owner is the coachee; the coach may close it too.
    ("reinforcement.checkins.action_done", "POST"): on_check_in(an_item, coachee=302, coach=302),
    ("reinforcement.checkins.action_reopen", "POST"):
        on_check_in(a_done_item, coachee=302, coach=302),
    # API
    ("check_ins_api.check_in_index", "GET"): plain(200, 200, 401),
    ("check_ins_api.check_in_create", "POST"): plain(201, 422, 401, json_body(
        lambda case: {"coachee_id": case.org.rep_a1a.id, "scheduled_at": API_LATER})),
    ("check_ins_api.check_in_detail", "GET"): on_check_in(
        api_check_in, coachee=200, coach=200, above=200, admin=200, api=True),
    ("check_ins_api.check_in_update", "PATCH"): on_check_in(
        _with_json(api_check_in, {"status": "cancelled"}), coachee=403, coach=200, api=True),
    ("check_ins_api.agenda_add", "POST"): on_check_in(
        _with_json(api_check_in, {"text": "Matrix"}), coachee=201, coach=201, api=True),
    ("check_ins_api.agenda_prepare", "POST"): on_check_in(api_check_in, coachee=403, coach=200,
                                                          api=True),
    ("check_ins_api.notes_put", "PUT"): on_check_in(
        _with_json(api_check_in, NOTES), coachee=200, coach=200, api=True),
    ("action_items_api.action_index", "GET"): plain(200, 200, 401),
    # A check-in out of sight is an unknown id in the body: 422, not 404.
    ("action_items_api.action_create", "POST"): Route(api_action_body, {
        **checks(coachee=201, coach=201, above=403, admin=403, api=True),
        "own manager": 422, "peer": 422, "other branch": 422}),
    ("action_items_api.action_update", "PATCH"): on_check_in(
        _with_json(api_item, {"done": True}), coachee=200, coach=200, api=True),
}
