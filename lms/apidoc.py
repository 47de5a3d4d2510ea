"""What every operation of the OpenAPI document says about itself, written in one place.

An apispec plugin sees each operation as flask-smorest registers it and adds what the
code does for all of them: a stable ``operationId`` from the endpoint, the error answers the
API really gives (404 for an id, 409/422 for a refused write), the ``Idempotency-Key``
header of every POST, and an honest ``requestBody.required`` for PATCH (an absent body
changes nothing). No catch-all ``default`` answer hides an undocumented status.
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


class CadenceDocPlugin(BasePlugin):
    """Complete every operation with what the API's shared code does."""

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
            if method in WRITES:
                add("409", "CONFLICT")
                add("422", "UNPROCESSABLE_ENTITY")
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
            if method == "patch" and "requestBody" in operation:
                operation["requestBody"]["required"] = False
