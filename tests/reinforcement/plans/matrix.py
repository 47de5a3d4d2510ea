"""Authorization matrix entries for plans and resources (see ``tests/authz_matrix.py``).

The member is leader_a: leaders see active plans and start them for their own team (their
managers), but only admins write plans and resources. Admins start a plan for another coach
(manager_b1). Resources are everyone's library; an archived one exists for admins only.
"""

from __future__ import annotations

from datetime import date, timedelta

from reinforcement.plans import services as plans
from reinforcement.resources import services as resources
from tests.authz_matrix import LOGIN, Case, Route, form, json_body, plain
from tests.reinforcement.plans.factories import plan, program, resource, upload

SOON = (date.today() + timedelta(days=7)).isoformat()


def _plan(case: Case):
    return plan(case.org.admin, title="Matrix plan")


def a_plan(case: Case):
    return {"id": _plan(case).id}, {}


def api_plan(case: Case):
    return {"plan_id": _plan(case).id}, {}


def a_pairing(case: Case):
    the_plan = _plan(case)
    pairing = plans.set_pairing(the_plan, case.org.leader_a, case.org.rep_a1a, by=case.org.admin)
    return {"id": the_plan.id, "pairing_id": pairing.id}, {}


def _coach_email(case: Case) -> str:
    # An admin names the coach; anyone else starts it for themselves.
    return case.org.manager_b1.email if case.actor is case.org.admin else ""


def start_form(case: Case):
    return a_plan(case)[0], {"data": {"coach_email": _coach_email(case), "starts_on": SOON,
                                      "local_time": "09:00"}}


def api_start(case: Case):
    coach = case.org.manager_b1.id if case.actor is case.org.admin else None
    return api_plan(case)[0], {"json": {"coach_id": coach, "starts_on": SOON,
                                        "local_time": "09:00"}}


def plan_form(case: Case):
    return {"title": "Renamed plan", "weeks": "12", "cadence": "weekly",
            "check_in_minutes": "30", "program": str(program(case.org.admin).id)}


def _resource(case: Case, **fields):
    return resource(case.org.admin, title="Matrix guide", audience=["rep"], **fields)


def a_resource(case: Case):
    return {"id": _resource(case).id}, {}


def a_file_version(case: Case):
    return {"id": _resource(case, file=upload()).id, "number": 1}, {}


def an_archived(case: Case):
    made = _resource(case)
    resources.set_archived(made, True, by=case.org.admin)
    return {"id": made.id}, {}


def api_resource(case: Case, **fields):
    return {"resource_id": _resource(case, **fields).id}, {}


RESOURCE_FORM = {"title": "Matrix guide", "kind": "guide", "audience": ["manager"],
                 "program": "0", "course": "0", "body_markdown": "Coach weekly."}

ROUTES: dict[tuple[str, str], Route] = {
    ("reinforcement.plans.plan_list", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.plans.plan_detail", "GET"): plain(200, 200, LOGIN, a_plan),
    ("reinforcement.plans.plan_create", "GET"): plain(403, 200, LOGIN),
    ("reinforcement.plans.plan_create", "POST"): plain(403, 302, LOGIN, form(plan_form)),
    ("reinforcement.plans.plan_edit", "GET"): plain(403, 200, LOGIN, a_plan),
    ("reinforcement.plans.plan_edit", "POST"): plain(403, 302, LOGIN, form(plan_form, a_plan)),
    ("reinforcement.plans.plan_status", "POST"): plain(403, 302, LOGIN,
                                                 form({"status": "archived"}, a_plan)),
    ("reinforcement.plans.plan_cadence", "POST"): plain(403, 302, LOGIN,
                                                  form({"cadence": "biweekly"}, a_plan)),
    ("reinforcement.plans.plan_start", "GET"): plain(200, 200, LOGIN, a_plan),
    ("reinforcement.plans.plan_start", "POST"): plain(302, 302, LOGIN, start_form),
    ("reinforcement.plans.plan_pairing_add", "POST"): plain(403, 302, LOGIN, form(
        lambda case: {"coach_email": case.org.leader_a.email,
                      "coachee_email": case.org.rep_a2a.email}, a_plan)),
    ("reinforcement.plans.plan_pairing_delete", "POST"): plain(403, 302, LOGIN, a_pairing),
    ("reinforcement.resources.resource_list", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.resources.resource_detail", "GET"): plain(200, 200, LOGIN, a_resource),
    ("reinforcement.resources.resource_version", "GET"): plain(200, 200, LOGIN, lambda case: (
        {**a_resource(case)[0], "number": 1}, {})),
    ("reinforcement.resources.resource_file", "GET"): plain(200, 200, LOGIN, a_file_version),
    ("reinforcement.resources.resource_create", "GET"): plain(403, 200, LOGIN),
    ("reinforcement.resources.resource_create", "POST"):
        plain(403, 302, LOGIN, form(RESOURCE_FORM)),
    ("reinforcement.resources.resource_edit", "GET"): plain(403, 200, LOGIN, a_resource),
    ("reinforcement.resources.resource_edit", "POST"): plain(403, 302, LOGIN, form(
        {**RESOURCE_FORM, "change_note": "Shorter"}, a_resource)),
    ("reinforcement.resources.resource_archive", "POST"): plain(403, 302, LOGIN, a_resource),
    ("reinforcement.resources.resource_restore", "POST"): plain(404, 302, LOGIN, an_archived),
    ("reinforcement.resources.resource_acknowledge", "POST"): plain(302, 302, LOGIN, a_resource),
    ("reinforcement.resources.resource_unread", "GET"): plain(200, 200, LOGIN),
    ("plans_api.plan_index", "GET"): plain(200, 200, 401),
    ("plans_api.plan_detail", "GET"): plain(200, 200, 401, api_plan),
    ("plans_api.plan_create", "POST"): plain(403, 201, 401, json_body(
        lambda case: {"program_id": program(case.org.admin).id, "title": "API plan"})),
    ("plans_api.plan_update", "PATCH"): plain(403, 200, 401, json_body(
        {"title": "Renamed"}, api_plan)),
    ("plans_api.plan_start", "POST"): plain(201, 201, 401, api_start),
    ("plans_api.plan_cadence", "POST"): plain(403, 200, 401, json_body(
        {"cadence": "biweekly"}, api_plan)),
    ("resources_api.resource_index", "GET"): plain(200, 200, 401),
    ("resources_api.resource_detail", "GET"): plain(200, 200, 401, api_resource),
    ("resources_api.resource_file", "GET"): plain(200, 200, 401, lambda case: api_resource(
        case, file=upload())),
    ("resources_api.resource_create", "POST"): plain(403, 201, 401, json_body(
        {"title": "API guide", "body_markdown": "Coach weekly."})),
    ("resources_api.resource_update", "PATCH"): plain(403, 200, 401, json_body(
        {"summary": "For reps"}, api_resource)),
    ("resources_api.resource_acknowledge", "POST"): plain(200, 200, 401, api_resource),
}
