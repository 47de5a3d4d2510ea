"""Support for the REST API tests: a signed-in person's token headers, and the routes of an
API blueprint next to the routes the OpenAPI document describes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask

from lms.auth.services import create_api_token
from lms.extensions import db
from lms.people.models import User
from tests.factories import PASSWORD


def token_headers(person: User, scopes: Iterable[str]) -> dict:
    """Headers carrying a new 30-day token of ``person`` with ``scopes`` (committed)."""
    _token, secret = create_api_token(person, password=PASSWORD, name="test",
                                      scopes=list(scopes), days=30)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def api_routes(app: Flask, blueprint: str) -> set[tuple[str, str]]:
    """Every (path, method) that ``blueprint`` serves, its path as OpenAPI writes it."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{blueprint}."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def documented_routes(spec: dict) -> set[tuple[str, str]]:
    """Every (path, method) the OpenAPI document ``spec`` describes."""
    return {(path, method) for path, operations in spec["paths"].items()
            for method in operations if method != "parameters"}
