"""The OpenAPI document at /api/v1/openapi.json: valid, complete, and honest about auth."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from lms.people.api import blp as people_blp
from tests import factories


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _api_rules(app, blueprint_name: str) -> set[tuple[str, str]]:
    """Return ``(openapi path, method)`` for every route the blueprint registered."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != blueprint_name:
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", f"{{{argument}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_document_is_valid_openapi_3_0_3(spec):
    assert spec["openapi"] == "3.0.3"
    validate(spec)  # raises on any violation of the OpenAPI 3.0 schema


def test_document_needs_no_token(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200 and response.is_json


# The only operations anyone may call without a token: certificate verification is public.
PUBLIC_OPERATIONS = {("/api/v1/certificates/verify/{code}", "get")}


def test_bearer_scheme_is_documented_and_required_everywhere(spec):
    assert spec["components"]["securitySchemes"]["bearer"]["type"] == "http"
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearer": []}]
    public = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            if operation.get("security") == []:
                public.add((path, method))
                continue
            # An operation may only narrow the global requirement, never drop it.
            assert operation.get("security", spec["security"]) == [{"bearer": []}], path
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
    assert public == PUBLIC_OPERATIONS


def test_public_verification_answers_without_a_token(client):
    response = client.get("/api/v1/certificates/verify/no-such-code")

    assert response.status_code == 404
    assert response.is_json and "errors" in response.get_json()


def test_every_people_route_is_documented(app, spec):
    routes = _api_rules(app, people_blp.name)

    documented = {(path, method) for path, operations in spec["paths"].items()
                  for method in operations if method != "parameters"}

    assert routes, "the people API registered no routes"
    assert routes <= documented, routes - documented
    assert {("/api/v1/people/me", "get"), ("/api/v1/people/", "post"),
            ("/api/v1/people/{person_id}", "patch"),
            ("/api/v1/people/{person_id}/tree", "get"),
            ("/api/v1/people/{person_id}/managers", "get")} <= routes


def test_error_schema_is_the_one_json_shape(spec):
    error = spec["components"]["schemas"]["Error"]

    assert error["properties"]["errors"]["type"] == "object"
    assert error["properties"]["errors"]["additionalProperties"] == {
        "type": "array", "items": {"type": "string"}}
    for name in ("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "UNPROCESSABLE_ENTITY"):
        content = spec["components"]["responses"][name]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Error"}


def test_write_operations_document_their_body_and_422(spec):
    post = spec["paths"]["/api/v1/people/"]["post"]
    patch = spec["paths"]["/api/v1/people/{person_id}"]["patch"]
    schemas = spec["components"]["schemas"]

    for operation, schema in ((post, "PersonCreate"), (patch, "PersonUpdate")):
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{schema}"}
        assert "422" in operation["responses"]
        # Unknown fields are refused, and the read-only fields are not writable.
        assert schemas[schema]["additionalProperties"] is False
        assert not {"id", "created_at", "is_active"} & set(schemas[schema]["properties"])
    assert schemas["PersonCreate"]["required"] == ["email", "name"]
    assert "required" not in schemas["PersonUpdate"]
    assert schemas["Person"]["properties"]["id"]["readOnly"] is True


def test_list_responses_use_items_and_meta(spec):
    listing = spec["paths"]["/api/v1/people/"]["get"]["responses"]["200"]
    ref = listing["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    assert set(schema["properties"]) == {"items", "meta"}
    meta = spec["components"]["schemas"]["PageMeta"]["properties"]
    assert set(meta) == {"page", "per_page", "total", "pages"}


def _operations(spec):
    return [(path, method, operation) for path, operations in spec["paths"].items()
            for method, operation in operations.items() if method != "parameters"]


def test_every_operation_has_a_unique_readable_operation_id(spec):
    ids = [operation.get("operationId") for _path, _method, operation in _operations(spec)]

    assert len(ids) > 100 and len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", found or "") for found in ids), ids
    assert spec["paths"]["/api/v1/people/"]["post"]["operationId"] == "people.create"


def test_no_catch_all_default_answer_and_real_error_answers_are_listed(spec):
    for path, method, operation in _operations(spec):
        responses = set(operation["responses"])
        assert "default" not in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in ("post", "put", "patch", "delete"):
            assert {"409", "422"} <= responses, (method, path)
        if "requestBody" in operation:
            assert "400" in responses, (method, path)


def test_patch_bodies_are_required_only_where_the_schema_needs_a_field(spec):
    schemas = spec["components"]["schemas"]
    patches = {path: operations["patch"] for path, operations in spec["paths"].items()
               if "patch" in operations}
    assert len(patches) > 10
    for path, operation in patches.items():
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = schemas[ref.rsplit("/", 1)[-1]]
        needs = bool(schema.get("required") or schema.get("oneOf") or schema.get("anyOf")
                     or schema.get("minProperties"))
        assert operation["requestBody"]["required"] is needs, path
    assert patches["/api/v1/people/{person_id}"]["requestBody"]["required"] is False
    assert patches["/api/v1/check-ins/{check_in_id}"]["requestBody"]["required"] is True


def test_a_patch_without_a_body_changes_nothing_and_succeeds(client, session):
    from tests.api_support import token_headers

    admin = factories.admin()
    person = factories.person(name="Unchanged")
    headers = token_headers(admin, ["people:write"])

    response = client.patch(f"/api/v1/people/{person.id}", headers=headers)

    assert response.status_code == 200 and response.get_json()["name"] == "Unchanged"


def test_rules_enforced_in_code_are_in_the_schemas(spec):
    schemas = spec["components"]["schemas"]

    assert schemas["SessionCreate"]["properties"]["capacity"]["minimum"] == 1
    assert schemas["SessionCreate"]["properties"]["attended_threshold"]["maximum"] == 100
    assert (schemas["PlanCreate"]["properties"]["weeks"]["minimum"],
            schemas["PlanCreate"]["properties"]["weeks"]["maximum"]) == (1, 52)
    assert schemas["WaveCreate"]["properties"]["number"]["minimum"] == 1
    assert schemas["CheckInCreate"]["properties"]["minutes"]["minimum"] == 5
    assert schemas["RubricCreate"]["properties"]["criteria"]["minItems"] == 1
    assert [branch["required"] for branch in schemas["CheckInUpdate"]["oneOf"]] == [
        ["status"], ["scheduled_at"]]
    assert [branch["required"] for branch in schemas["GoalCreate"]["anyOf"]] == [
        ["metric"], ["metric_id"]]
    assert schemas["Notes"]["minProperties"] == 1


def test_the_actuals_import_documents_its_body(spec):
    body = spec["paths"]["/api/v1/actuals/import"]["post"]["requestBody"]

    assert body["required"] is True
    assert set(body["content"]) == {"text/csv", "multipart/form-data"}


def test_throttled_verification_documents_429_and_sends_retry_after(client, spec):
    answer = spec["paths"]["/api/v1/certificates/verify/{code}"]["get"]["responses"]["429"]
    documented = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    assert "Retry-After" in documented["headers"]

    for _ in range(40):
        response = client.get("/api/v1/certificates/verify/no-such-code")
        if response.status_code == 429:
            break

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_405_lists_the_allowed_methods(client):
    response = client.delete("/api/v1/people/")

    assert response.status_code == 405
    assert {"GET", "POST"} <= {method.strip() for method in response.headers["Allow"].split(",")}
