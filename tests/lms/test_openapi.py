"""The OpenAPI document at /api/v1/openapi.json: valid, complete, and honest about auth."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from lms.people.api import blp as people_blp


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
