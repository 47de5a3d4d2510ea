"""Metrics, goals, actuals and gap reviews in the REST API: shapes, scoping, the gap, the CRM
import with line-numbered errors, refusals as 422 with nothing written, and OpenAPI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from lms.extensions import db
from reinforcement.checkins.models import ActionItem
from reinforcement.goals.models import GapReview, Goal, MetricActual
from tests.api_support import token_maker
from tests.reinforcement.goals import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

READ, WRITE = "reinforcement:read", "reinforcement:write"
bearer = token_maker(READ, WRITE)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def new_goal(org, **fields) -> dict:
    starts = make.this_monday()
    body = {"person_id": org.rep_a1a.id, "metric": "proposals_sent",
            "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(weeks=12, days=-1)).isoformat(), "target": 120}
    body.update(fields)
    return body


# --- metrics -------------------------------------------------------------------------------------

def test_everyone_reads_the_metrics_catalogue(client, org):
    make.metric("meetings").is_archived = True
    db.session.commit()
    items = client.get("/api/v1/metrics/", headers=bearer(org.rep_a1a, READ)).get_json()["items"]
    assert {m["key"] for m in items} == {"proposals_sent", "new_contacts", "close_ratio",
                                         "average_sale_value", "proposal_ratio"}
    rep = client.get("/api/v1/metrics/?archived=true", headers=bearer(org.rep_a1a, READ))
    assert len(rep.get_json()["items"]) == 5  # archived ones exist for admins only
    admin = client.get("/api/v1/metrics/?archived=true", headers=bearer(org.admin, READ))
    assert len(admin.get_json()["items"]) == 6


# --- goals ---------------------------------------------------------------------------------------

def test_a_coach_proposes_and_the_person_agrees(client, org):
    created = client.post("/api/v1/goals/", json=new_goal(org), headers=bearer(org.manager_a1))
    assert created.status_code == 201
    goal = created.get_json()
    assert goal["metric"] == "proposals_sent" and goal["kind"] == "activity"
    assert goal["coach_agreed_at"] and goal["coachee_agreed_at"] is None and not goal["agreed"]
    assert goal["progress"]["status"] == "no_data" and goal["progress"]["weeks"] == 12
    agreed = client.post(f"/api/v1/goals/{goal['id']}/agree", headers=bearer(org.rep_a1a))
    assert agreed.status_code == 200 and agreed.get_json()["agreed"]
    again = client.post(f"/api/v1/goals/{goal['id']}/agree", headers=bearer(org.rep_a1a))
    assert again.status_code == 422
    assert again.get_json() == {"errors": {"goal": ["You have already agreed to this goal."]}}


def test_changing_a_goal_clears_the_persons_agreement(client, org):
    goal = make.goal(org.rep_a1a, agreed=True)
    db.session.commit()
    response = client.patch(f"/api/v1/goals/{goal.id}", json={"target": 100},
                            headers=bearer(org.manager_a1))
    body = response.get_json()
    assert response.status_code == 200 and body["target"] == 100
    assert body["coachee_agreed_at"] is None and not body["agreed"]


def test_goal_detail_carries_the_gap(client, org):
    goal = make.behind(org.rep_a1a)  # 1 of 40 due
    db.session.commit()
    body = client.get(f"/api/v1/goals/{goal.id}", headers=bearer(org.rep_a1a, READ)).get_json()
    assert body["progress"] == {"on": make.today().isoformat(), "weeks": 12, "weeks_done": 4,
                                "recorded": 1, "actual": 1.0, "due": 40.0, "gap": 39.0,
                                "remaining": 119.0, "status": "behind"}


def test_goal_list_is_scoped_and_filtered(client, org):
    mine = make.goal(org.rep_a1a)
    make.goal(org.rep_a1a, key="close_ratio", target=25)
    make.goal(org.rep_b1a)
    db.session.commit()
    headers = bearer(org.manager_a1, READ)
    items = client.get("/api/v1/goals/", headers=headers).get_json()["items"]
    assert {i["person_id"] for i in items} == {org.rep_a1a.id} and len(items) == 2
    only = client.get("/api/v1/goals/?metric=proposals_sent", headers=headers).get_json()
    assert [i["id"] for i in only["items"]] == [mine.id]
    ahead = (make.this_monday() + timedelta(weeks=52)).isoformat()
    assert client.get(f"/api/v1/goals/?active_on={ahead}", headers=headers
                      ).get_json()["items"] == []
    assert client.get(f"/api/v1/goals/{mine.id}", headers=bearer(org.manager_b1, READ)
                      ).status_code == 404


def test_goal_list_costs_the_same_queries_for_more_goals(client, org, count_queries):
    headers = bearer(org.manager_a1, READ)
    make.behind(org.rep_a1a)
    db.session.commit()
    with count_queries() as one:
        client.get("/api/v1/goals/", headers=headers)
    for key in ("meetings", "new_contacts", "close_ratio"):
        make.behind(org.rep_a1b, key=key, target=30)
    db.session.commit()
    with count_queries() as four:
        assert len(client.get("/api/v1/goals/", headers=headers).get_json()["items"]) == 4
    assert four.count == one.count


@pytest.mark.parametrize(("fields", "field"), [
    ({"target": -3}, "target"), ({"target": "ten"}, "target"), ({"target": 2.5}, "target"),
    ({"metric": "close_ratio", "target": 150}, "target"),
    ({"metric": "deals_won"}, "metric"), ({"metric": None}, "metric"),
    ({"ends_on": "2020-01-01"}, "ends_on"), ({"starts_on": "soon"}, "starts_on"),
    ({"colour": "red"}, "colour"),
])
def test_bad_goals_are_422_with_the_field_and_nothing_is_written(client, org, fields, field):
    response = client.post("/api/v1/goals/", json=new_goal(org, **fields),
                           headers=bearer(org.manager_a1))
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert count(Goal) == 0


def test_proposing_for_someone_out_of_sight_or_not_coached_is_refused(client, org):
    unseen = client.post("/api/v1/goals/", json=new_goal(org, person_id=org.rep_b1a.id),
                         headers=bearer(org.manager_a1))
    assert unseen.status_code == 422
    assert unseen.get_json() == {"errors": {"person_id": ["No one you can see has that id."]}}
    own = client.post("/api/v1/goals/", json=new_goal(org, person_id=org.rep_a1a.id),
                      headers=bearer(org.rep_a1a))
    assert own.status_code == 403
    assert count(Goal) == 0


def test_a_read_token_may_not_write(client, org):
    response = client.post("/api/v1/goals/", json=new_goal(org),
                           headers=bearer(org.manager_a1, READ))
    assert response.status_code == 403 and count(Goal) == 0


# --- actuals -------------------------------------------------------------------------------------

def test_put_sets_one_week_and_the_same_put_changes_nothing(client, org):
    body = {"person_id": org.rep_a1a.id, "metric": "meetings",
            "period_start": make.this_monday().isoformat(), "value": 5}
    headers = bearer(org.manager_a1)
    first = client.put("/api/v1/actuals/", json=body, headers=headers)
    assert first.status_code == 200 and first.get_json()["changed"] is True
    assert first.get_json()["source"] == "check_in" and first.get_json()["value"] == 5
    second = client.put("/api/v1/actuals/", json=body, headers=headers)
    assert second.get_json()["changed"] is False and count(MetricActual) == 1
    listed = client.get(f"/api/v1/actuals/?person_id={org.rep_a1a.id}&metric=meetings",
                        headers=headers).get_json()
    assert [i["value"] for i in listed["items"]] == [5.0]


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"value": -2}, "value", "cannot be negative"),
    ({"value": "five"}, "value", "Not a valid number."),
    ({"value": True}, "value", "Not a valid number."),
    ({"metric": "close_ratio", "value": 101}, "value", "between 0 and 100"),
    ({"period_start": "wednesday"}, "period_start", "Not a valid date."),
])
def test_a_bad_actual_is_422_and_nothing_is_written(client, org, fields, field, message):
    body = {"person_id": org.rep_a1a.id, "metric": "meetings",
            "period_start": make.this_monday().isoformat(), "value": 3, **fields}
    response = client.put("/api/v1/actuals/", json=body, headers=bearer(org.rep_a1a))
    assert response.status_code == 422
    assert any(message in text for text in response.get_json()["errors"][field])
    assert count(MetricActual) == 0


def test_a_week_given_by_another_day_than_monday_is_refused(client, org):
    tuesday = make.this_monday() - timedelta(days=6)
    response = client.put("/api/v1/actuals/", headers=bearer(org.rep_a1a), json={
        "person_id": org.rep_a1a.id, "metric": "meetings", "period_start": tuesday.isoformat(),
        "value": 3})
    assert response.status_code == 422
    assert "is a Tuesday" in response.get_json()["errors"]["period_start"][0]


def test_import_by_api_takes_a_csv_body_and_reports_lines(client, org):
    monday = make.this_monday().isoformat()
    good = (f"email,metric,period_start,value\n{org.rep_a1a.email},meetings,{monday},4\n"
            f"{org.rep_a1b.email},new_contacts,{monday},9\n")
    headers = {**bearer(org.manager_a1), "Content-Type": "text/csv"}
    response = client.post("/api/v1/actuals/import", data=good, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"created": 2, "updated": 0, "unchanged": 0, "people": 2}
    again = client.post("/api/v1/actuals/import", data=good, headers=headers).get_json()
    assert again == {"created": 0, "updated": 0, "unchanged": 2, "people": 2}
    bad = good + f"{org.rep_b1a.email},meetings,{monday},4\n{org.rep_a1a.email},x,{monday},4\n"
    refused = client.post("/api/v1/actuals/import", data=bad, headers=headers)
    assert refused.status_code == 422
    messages = refused.get_json()["errors"]["file"]
    assert messages[0].startswith("Line 4: unknown person") and messages[1].startswith(
        "Line 5: unknown metric 'x'")
    assert count(MetricActual) == 2


def test_import_by_api_refuses_reps_and_empty_bodies(client, org):
    rep = client.post("/api/v1/actuals/import", data="email,metric,period_start,value\n",
                      headers={**bearer(org.rep_a1a), "Content-Type": "text/csv"})
    assert rep.status_code == 403
    empty = client.post("/api/v1/actuals/import", data="", headers=bearer(org.manager_a1))
    assert empty.status_code == 422 and "file" in empty.get_json()["errors"]


# --- gap reviews ---------------------------------------------------------------------------------

def review_body(goal, owner, **fields) -> dict:
    return {"goal_id": goal.id, "root_cause": "capacity", "notes": "Too many renewals.",
            "action_title": "Block two prospecting hours", "action_owner_id": owner.id,
            "action_due_on": (make.today() + timedelta(days=7)).isoformat(), **fields}


def test_a_coach_records_and_later_evaluates_a_gap_review(client, org):
    goal = make.behind(org.rep_a1a)
    db.session.commit()
    headers = bearer(org.manager_a1)
    created = client.post("/api/v1/gap-reviews/", json=review_body(goal, org.rep_a1a),
                          headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["root_cause"] == "capacity" and body["gap_at_review"] == 39
    assert body["action_item"]["owner_id"] == org.rep_a1a.id and body["improved"] is None
    review = db.session.get(GapReview, body["id"])
    review.created_at -= timedelta(days=2)  # recorded two days ago
    make.actual(org.rep_a1a, make.this_monday() - timedelta(weeks=1), 30)
    db.session.commit()
    evaluated = client.post(f"/api/v1/gap-reviews/{review.id}/evaluate",
                            json={"note": "Better."}, headers=headers)
    assert evaluated.status_code == 200
    assert evaluated.get_json()["improved"] is True
    assert evaluated.get_json()["gap_at_evaluation"] == 9
    listed = client.get(f"/api/v1/gap-reviews/?person_id={org.rep_a1a.id}&evaluated=true",
                        headers=bearer(org.rep_a1a, READ)).get_json()
    assert [i["id"] for i in listed["items"]] == [review.id]


def test_gap_review_refusals_write_nothing(client, org):
    on_track = make.goal(org.rep_a1a)
    make.actual(org.rep_a1a, on_track.starts_on, 100)
    other = make.behind(org.rep_b1a)
    db.session.commit()
    headers = bearer(org.manager_a1)
    not_behind = client.post("/api/v1/gap-reviews/", json=review_body(on_track, org.rep_a1a),
                             headers=headers)
    assert not_behind.status_code == 422 and "goal" in not_behind.get_json()["errors"]
    unseen = client.post("/api/v1/gap-reviews/", json=review_body(other, org.rep_b1a),
                         headers=headers)
    assert unseen.status_code == 422 and "goal_id" in unseen.get_json()["errors"]
    cause = client.post("/api/v1/gap-reviews/", json=review_body(
        on_track, org.rep_a1a, root_cause="luck"), headers=headers)
    assert cause.status_code == 422 and "root_cause" in cause.get_json()["errors"]
    assert count(GapReview) == 0 and count(ActionItem) == 0


def test_gap_reviews_of_people_out_of_sight_do_not_exist(client, org):
    review = make.review(make.behind(org.rep_b1a), org.manager_b1)
    db.session.commit()
    headers = bearer(org.manager_a1)
    assert client.get(f"/api/v1/gap-reviews/{review.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/gap-reviews/", headers=headers).get_json()["items"] == []
    assert client.post(f"/api/v1/gap-reviews/{review.id}/evaluate", json={},
                       headers=headers).status_code == 404


def test_the_openapi_document_is_valid_and_lists_the_goal_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for path in ("/api/v1/metrics/", "/api/v1/goals/", "/api/v1/goals/{goal_id}/agree",
                 "/api/v1/actuals/", "/api/v1/actuals/import", "/api/v1/gap-reviews/",
                 "/api/v1/gap-reviews/{review_id}/evaluate"):
        assert path in spec["paths"], path
