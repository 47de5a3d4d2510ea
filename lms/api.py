"""The REST API foundation: flask-smorest on marshmallow, bearer tokens, one JSON shape.

Every module adds its blueprints with ``api.register_blueprint``. Requests authenticate
with ``Authorization: Bearer <token>`` only; the session cookie is never consulted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

import marshmallow as ma
from flask import Flask, abort, g, request
from flask_smorest import Api, Blueprint

from lms.extensions import csrf

BEARER_SCHEME = {"type": "http", "scheme": "bearer",
                 "description": "A personal API token created under Account → API tokens."}


class ErrorSchema(ma.Schema):
    """Every error: ``{"errors": {field: [message]}}``; ``request`` for the whole request."""

    errors = ma.fields.Dict(keys=ma.fields.String(),
                            values=ma.fields.List(ma.fields.String()))


class PageMetaSchema(ma.Schema):
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()
    pages = ma.fields.Integer()


class PageArgsSchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


class CadenceApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        """Leave error rendering to ``lms.errors``, which knows the one JSON shape."""


api = CadenceApi()


def page_of(stmt, args: dict) -> dict:
    """Run ``stmt`` for one page and wrap it as ``{"items": [...], "meta": {...}}``."""
    from lms.extensions import db

    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False,
                       count=True)
    return {"items": page.items, "meta": {"page": page.page, "per_page": page.per_page,
                                          "total": page.total, "pages": page.pages}}


def list_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Build the ``{"items": [...], "meta": {...}}`` schema for ``item_schema``."""
    return ma.Schema.from_dict(
        {"items": ma.fields.List(ma.fields.Nested(item_schema)),
         "meta": ma.fields.Nested(PageMetaSchema)},
        name=name,
    )


@contextmanager
def one_transaction() -> Iterator[None]:
    """Commit once when the services succeed; undo their flushed work when they refuse."""
    from lms.errors import CadenceError
    from lms.extensions import db

    try:
        yield
    except CadenceError:
        db.session.rollback()
        raise
    db.session.commit()


def _unauthorized(reason: str):
    abort(401, description=reason)


def token_required(scope: str):
    """Authenticate the bearer token and require ``scope``; the person is ``g.api_user``.

    Put it right under ``@blp.route`` so a request without a valid token gets 401 (and a
    token without the scope 403) before its body is parsed or validated.
    """
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from lms.auth.services import record_token_use, token_user
            from lms.db import SAFE_METHODS
            from lms.extensions import db

            header = request.headers.get("Authorization", "")
            kind, _, secret = header.partition(" ")
            if kind.lower() != "bearer" or not secret.strip():
                _unauthorized("Send a personal API token as 'Authorization: Bearer <token>'.")
            found = token_user(secret.strip())
            if found is None:
                _unauthorized("The token is unknown, expired or revoked.")
            g.api_user, g.api_token = found
            # At most once a minute. A write request's own commit carries it; a read
            # request commits nothing else, so it commits this one change itself.
            if record_token_use(g.api_token) and request.method in SAFE_METHODS:
                db.session.commit()
            if scope not in g.api_token.scope_list and not (
                scope.endswith(":read") and scope.replace(":read", ":write")
                in g.api_token.scope_list
            ):
                abort(403, description=f"This token lacks the '{scope}' scope.")
            return view(*args, **kwargs)
        return Blueprint.doc(
            description=f"Needs a token with the `{scope}` scope.",
            responses={"401": "UNAUTHORIZED", "403": "FORBIDDEN"},
        )(wrapper)
    return decorator


def init_app(app: Flask) -> None:
    from lms.people.api import blp as people_blp

    api.init_app(app, spec_kwargs={"info": {"description": "Cadence REST API, version 1."}})
    api.spec.components.security_scheme("bearer", BEARER_SCHEME)
    api.spec.options["security"] = [{"bearer": []}]
    register(people_blp)


def register(blueprint) -> None:
    """Add an API blueprint: documented, token-authenticated, exempt from cookie CSRF."""
    csrf.exempt(blueprint)
    api.register_blueprint(blueprint)
