"""Integers and booleans in the API are strict, integers bounded: bad ones are a 422."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.auth.services import SCOPES
from lms.extensions import db
from lms.people.models import User
from tests import factories
from tests.api_support import token_headers

PEOPLE = "/api/v1/people/"
ID_MAX = 2**31 - 1
HUGE = "99999999999999999999999"


@pytest.fixture
def admin_headers(session):
    return token_headers(factories.admin(), SCOPES)


@pytest.mark.parametrize("manager_id", [0, -1, 2.59e-42, 1.0, 1.5, "1", True, ID_MAX + 1,
                                        2**63, int(HUGE)])
def test_person_with_a_bad_manager_id_is_refused_with_a_reason(client, admin_headers,
                                                               manager_id):
    before = db.session.scalar(select(func.count(User.id)))

    response = client.post(PEOPLE, headers=admin_headers, json={
        "email": "new@example.test", "name": "New Person", "manager_id": manager_id})

    assert response.status_code == 422
    assert response.get_json()["errors"]["manager_id"]
    assert db.session.scalar(select(func.count(User.id))) == before


def test_ids_inside_lists_are_bounded_too(client, admin_headers):
    course = factories.course()

    response = client.post(f"/api/v1/courses/{course.id}/enrollments", headers=admin_headers,
                           json={"user_ids": [1, int(HUGE)]})

    assert response.status_code == 422
    assert "user_ids.1" in response.get_json()["errors"]


@pytest.mark.parametrize("query", [f"page={HUGE}", f"per_page={HUGE}", "page=0", "page=1.5",
                                   "page=1e3", "page=abc"])
def test_bad_page_arguments_are_refused(client, admin_headers, query):
    response = client.get(f"{PEOPLE}?{query}", headers=admin_headers)

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) <= {"page", "per_page"}


@pytest.mark.parametrize("path", [
    "/api/v1/plans/?program_id={}", "/api/v1/resources/?program_id={}",
    "/api/v1/sessions/?program_id={}", "/api/v1/goals/?person_id={}",
    "/api/v1/actuals/?person_id={}", "/api/v1/gap-reviews/?goal_id={}",
    "/api/v1/leader-reviews/?manager_id={}", "/api/v1/observations/?subject_id={}",
    "/api/v1/assessments/?course_id={}", "/api/v1/certificates/?user_id={}",
    "/api/v1/banks/?course_id={}", "/api/v1/adherence/?person_id={}",
])
@pytest.mark.parametrize("value", [HUGE, "0", "2147483648"])
def test_id_query_arguments_out_of_range_are_refused(client, admin_headers, path, value):
    response = client.get(path.format(value), headers=admin_headers)

    assert response.status_code == 422, response.get_json()


def test_in_range_query_arguments_still_parse_from_text(client, admin_headers):
    response = client.get(f"{PEOPLE}?page=1&per_page=2", headers=admin_headers)

    assert response.status_code == 200
    assert response.get_json()["meta"]["per_page"] == 2


def _integers(schema: dict, components: dict, seen: set) -> list[dict]:
    """Every integer schema reachable from ``schema`` (following $ref once each)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _integers(components[name], components, seen)
    found = [schema] if schema.get("type") == "integer" else []
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += _integers(schema[key], components, seen)
    # (oneOf/anyOf branches only restate fields of the properties to say which are needed.)
    for sub in (*schema.get("properties", {}).values(), *schema.get("allOf", ())):
        found += _integers(sub, components, seen)
    return found


def test_every_integer_the_api_reads_declares_its_range(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    components = spec["components"]["schemas"]
    integers = []
    for operations in spec["paths"].values():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for parameter in operation.get("parameters", []):
                integers += _integers(parameter.get("schema", {}), components, set())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                integers += _integers(content["schema"], components, set())

    assert len(integers) > 50
    for schema in integers:
        assert -(2**31) <= schema["minimum"] and schema["maximum"] <= ID_MAX, schema


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("bank_id", ["0", str(ID_MAX + 1), "9999999999", HUGE])
def test_an_out_of_range_path_id_is_404_whatever_the_method(client, admin_headers, method,
                                                            bank_id):
    response = getattr(client, method)(f"/api/v1/banks/{bank_id}", headers=admin_headers)

    assert response.status_code == 404  # not 405 because another method's rule "matched"


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_booleans_in_a_body_are_json_booleans(client, admin_headers, value):
    course = factories.course(published=False)

    response = client.patch(f"/api/v1/courses/{course.id}", headers=admin_headers,
                            json={"self_enrol": value})

    assert response.status_code == 422
    assert response.get_json()["errors"]["self_enrol"]


def test_booleans_in_a_query_string_are_text(client, admin_headers):
    assert client.get("/api/v1/rubrics/?archived=true", headers=admin_headers).status_code == 200
