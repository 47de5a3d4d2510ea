"""Authorization matrix entries for goals, actuals, gap reviews and metrics
(``tests/authz_matrix.py``).

Object routes act on the target's goal (or gap review), seen by leader_a: as "self" it is
leader_a's own goal (they agree to it, coaches above them change it), as "direct report" and
"deeper report" leader_a coaches the person. Admins see every goal but coach nobody's: they
manage the metrics catalogue. Goals of people out of sight are 404; a person named in an API
body who is out of sight is a 422 about that field.
"""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

from tests.authz_matrix import LOGIN, Case, Route, form, json_body, on_person, plain
from tests.reinforcement.goals import factories as make


def _coached(allowed, *, api: bool = False, unseen=404) -> dict:
    """leader_a coaches their reports, not themselves; admins coach nobody."""
    return {"self": 403, "direct report": allowed, "deeper report": allowed,
            "own manager": unseen, "peer": unseen, "other branch": unseen, "admin": 403,
            "signed out": 401 if api else LOGIN}


def _own(allowed, *, api: bool = False) -> dict:
    """Only the person themselves."""
    return {"self": allowed, "direct report": 403, "deeper report": 403, "own manager": 404,
            "peer": 404, "other branch": 404, "admin": 403, "signed out": 401 if api else LOGIN}


def _in_tree(allowed, *, api: bool = False, unseen=404) -> dict:
    """The person and everyone above them; admins are outside the tree."""
    return {"self": allowed, "direct report": allowed, "deeper report": allowed,
            "own manager": unseen, "peer": unseen, "other branch": unseen, "admin": 403,
            "signed out": 401 if api else LOGIN}


_slots = itertools.count()


def _starts() -> date:
    """A period of its own for each goal: relationships may share a target person."""
    return make.this_monday() - timedelta(weeks=4 + 13 * next(_slots))


def person(case: Case):
    return {"person_id": case.target.id}, {}


def a_goal(case: Case):
    return {"id": make.goal(case.target, agreed=False, starts_on=_starts()).id}, {}


def api_goal(case: Case):
    return {"goal_id": make.goal(case.target, agreed=False, starts_on=_starts()).id}, {}


def behind_goal(case: Case):
    return {"id": make.behind(case.target, starts_on=_starts()).id}, {}


def _review(case: Case):
    goal = make.behind(case.target, starts_on=_starts())
    return make.review(goal, case.target.manager or case.org.admin)


def a_review(case: Case):
    return {"id": _review(case).id}, {}


def api_review(case: Case):
    return {"review_id": _review(case).id}, {}


def goal_form(case: Case) -> dict:
    starts = make.this_monday() + timedelta(weeks=20)
    return {"metric": str(make.metric("meetings").id), "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(days=27)).isoformat(), "target": "12"}


def edit_form(case: Case):
    goal = make.goal(case.target, agreed=True, starts_on=_starts())
    return {"id": goal.id}, {"data": {"starts_on": goal.starts_on.isoformat(),
                                      "ends_on": goal.ends_on.isoformat(), "target": "150"}}


def grid_form(case: Case):
    monday = make.this_monday()
    key = f"v_{make.metric('meetings').id}_{monday.isoformat()}"
    return person(case)[0], {"data": {key: "3"}}


def review_form(case: Case):
    goal = make.behind(case.target, starts_on=_starts())
    return {"id": goal.id}, {"data": {
        "root_cause": "skills", "notes": "Stalls at pricing.", "action_title": "Role-play",
        "action_owner": str(case.target.id),
        "action_due_on": (make.today() + timedelta(days=7)).isoformat()}}


def evaluate_form(case: Case):
    return a_review(case)[0], {"data": {"note": "Better."}}


def csv_upload(case: Case):
    text = ("email,metric,period_start,value\n"
            f"{case.org.rep_a1a.email},meetings,{make.this_monday().isoformat()},4\n")
    return {}, {"data": {"file": (io.BytesIO(text.encode()), "crm.csv")},
                "content_type": "multipart/form-data"}


def api_csv(case: Case):
    text = ("email,metric,period_start,value\n"
            f"{case.org.rep_a1a.email},meetings,{make.this_monday().isoformat()},4\n")
    return {}, {"data": text.encode(), "content_type": "text/csv"}


def a_metric(case: Case, archived: bool = False):
    metric = make.metric("meetings")
    metric.is_archived = archived
    return {"id": metric.id}, {}


def api_new_goal(case: Case) -> dict:
    starts = make.this_monday() + timedelta(weeks=30)
    return {"person_id": case.org.manager_a1.id, "metric": "new_contacts",
            "starts_on": starts.isoformat(), "ends_on": (starts + timedelta(days=27)).isoformat(),
            "target": 40}


def api_actual(case: Case) -> dict:
    return {"person_id": case.target.id, "metric": "meetings",
            "period_start": make.this_monday().isoformat(), "value": 5}


def api_new_review(case: Case) -> dict:
    goal = make.behind(case.target, starts_on=_starts())
    return {"goal_id": goal.id, "root_cause": "capacity", "action_title": "Block two hours",
            "action_owner_id": case.target.id,
            "action_due_on": (make.today() + timedelta(days=7)).isoformat()}


ROUTES: dict[tuple[str, str], Route] = {
    # pages
    ("reinforcement.goals.goals_person", "GET"): on_person(200, 200, person),
    ("reinforcement.goals.goal_detail", "GET"): on_person(200, 200, a_goal),
    ("reinforcement.goals.goal_create", "GET"): Route(person, _coached(200)),
    ("reinforcement.goals.goal_create", "POST"): Route(form(goal_form, person), _coached(302)),
    ("reinforcement.goals.goal_edit", "GET"): Route(a_goal, _coached(200)),
    ("reinforcement.goals.goal_edit", "POST"): Route(edit_form, _coached(302)),
    ("reinforcement.goals.goal_agree", "POST"): Route(a_goal, _own(302)),
    ("reinforcement.goals.actuals_entry", "GET"): Route(person, _in_tree(200)),
    ("reinforcement.goals.actuals_entry", "POST"): Route(grid_form, _in_tree(302)),
    ("reinforcement.goals.gap_review_create", "GET"): Route(behind_goal, _coached(200)),
    ("reinforcement.goals.gap_review_create", "POST"): Route(review_form, _coached(302)),
    ("reinforcement.goals.gap_review_evaluate", "GET"): Route(a_review, _coached(200)),
    ("reinforcement.goals.gap_review_evaluate", "POST"): Route(evaluate_form, _coached(302)),
    ("reinforcement.goals.goals_team", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.goals.actuals_import", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.goals.actuals_import", "POST"): plain(302, 302, LOGIN, csv_upload),
    ("reinforcement.goals.gap_report", "GET"): plain(200, 200, LOGIN),
    ("reinforcement.goals.metric_index", "GET"): plain(403, 200, LOGIN),
    ("reinforcement.goals.metric_index", "POST"): plain(403, 302, LOGIN, form(
        {"name": "Demos given", "key": "demos_given", "kind": "activity", "unit": "count",
         "higher_is_better": "y"})),
    ("reinforcement.goals.metric_archive", "POST"): plain(403, 302, LOGIN, a_metric),
    ("reinforcement.goals.metric_restore", "POST"): plain(
        403, 302, LOGIN, lambda case: a_metric(case, archived=True)),
    # API
    ("metrics_api.metric_index", "GET"): plain(200, 200, 401),
    ("goals_api.goal_index", "GET"): plain(200, 200, 401),
    ("goals_api.goal_create", "POST"): plain(201, 403, 401, json_body(api_new_goal)),
    ("goals_api.goal_detail", "GET"): on_person(200, 200, api_goal, api=True),
    ("goals_api.goal_update", "PATCH"): Route(json_body({"target": 150}, api_goal),
                                              _coached(200, api=True)),
    ("goals_api.goal_agree", "POST"): Route(api_goal, _own(200, api=True)),
    ("actuals_api.actual_index", "GET"): plain(200, 200, 401),
    ("actuals_api.actual_put", "PUT"): Route(json_body(api_actual),
                                            _in_tree(200, api=True, unseen=422)),
    ("actuals_api.actual_import", "POST"): plain(200, 200, 401, api_csv),
    ("gap_reviews_api.review_index", "GET"): plain(200, 200, 401),
    ("gap_reviews_api.review_create", "POST"): Route(json_body(api_new_review),
                                                    _coached(201, api=True, unseen=422)),
    ("gap_reviews_api.review_detail", "GET"): on_person(200, 200, api_review, api=True),
    ("gap_reviews_api.review_evaluate", "POST"): Route(json_body({"note": "Better."},
                                                                 api_review),
                                                       _coached(200, api=True)),
}
