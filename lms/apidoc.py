"""What every operation of the OpenAPI document says about itself, written in one place.

An apispec plugin sees each operation as flask-smorest registers it and adds what the
code does for all of them: a stable ``operationId`` from the endpoint, the error answers the
API really gives (404 for an id, 400 for a body that does not parse, 409/422 for a refused
write), the ``Idempotency-Key`` header of every POST, and an honest ``requestBody.required``
for PATCH (an absent body changes nothing unless the schema needs a field). No catch-all
``default`` answer hides an undocumented status.

A schema whose fields depend on each other (either this or that) states the rule as JSON
Schema in its ``OPENAPI_RULES`` class attribute; it is merged into its component here.
"""

from __future__ import annotations

from apispec import BasePlugin
from werkzeug.routing import Rule

WRITES = {"post", "put", "patch", "delete"}
IDEMPOTENCY_PARAMETER = "IdempotencyKey"
TOO_MANY_REQUESTS = {
    "description": "Too many requests: wait the seconds given in `Retry-After`.",
    "headers": {"Retry-After": {"description": "Seconds to wait before trying again.",
                                "schema": {"type": "integer", "minimum": 0}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def operation_id(rule: Rule, method: str) -> str:
    """``<blueprint>.<view>`` without the ``_api`` suffix, plus the method for shared views."""
    blueprint, _, view = rule.endpoint.rpartition(".")
    name = f"{blueprint.removesuffix('_api')}.{view}"
    if len(rule.methods - {"HEAD", "OPTIONS"}) > 1:
        name = f"{name}_{method}"
    return name


def needs_body(schema: dict) -> bool:
    """Whether a request body of ``schema`` (a component) must carry something."""
    return bool(schema.get("required") or schema.get("minProperties")
                or {"oneOf", "anyOf", "allOf"} & schema.keys())


class CadenceDocPlugin(BasePlugin):
    """Complete every operation with what the API's shared code does."""

    def init_spec(self, spec) -> None:
        self.spec = spec

    def schema_helper(self, name, definition, **kwargs) -> dict | None:
        schema = kwargs.get("schema")
        return dict(getattr(schema, "OPENAPI_RULES", None) or {}) or None

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            if rule is not None:
                operation.setdefault("operationId", operation_id(rule, method))
            responses = operation.setdefault("responses", {})
            known = {str(status) for status in responses}

            def add(status: str, name: str, responses=responses, known=known) -> None:
                if status not in known:
                    responses[status] = name

            if "{" in (path or ""):
                add("404", "NOT_FOUND")
            if "requestBody" in operation:
                add("400", "BAD_REQUEST")  # a body that is not JSON (or not the CSV asked for)
            if method in WRITES:
                add("409", "CONFLICT")
                add("422", "UNPROCESSABLE_ENTITY")
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
            if method == "patch" and "requestBody" in operation:
                operation["requestBody"]["required"] = needs_body(self._body(operation))

    def _body(self, operation: dict) -> dict:
        """The component schema of an operation's JSON body (empty if inline or unknown)."""
        body = operation["requestBody"].get("content", {}).get("application/json", {})
        ref = body.get("schema", {}).get("$ref", "") if isinstance(body, dict) else ""
        return self.spec.components.schemas.get(ref.rsplit("/", 1)[-1], {})
