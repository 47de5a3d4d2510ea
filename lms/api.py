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

from lms.authz import can_see
from lms.errors import CadenceError, ValidationError
from lms.extensions import csrf, db
from lms.web.converters import ID_MAX, ID_MIN, BoundedIntConverter, openapi_schema

BEARER_SCHEME = {"type": "http", "scheme": "bearer",
                 "description": "A personal API token created under Account → API tokens."}


INT_MIN = -(2**31)  # every integer column is a 32-bit ``integer`` on PostgreSQL


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))


def _scalars(field: ma.fields.Field) -> Iterator[ma.fields.Field]:
    """``field`` itself, or the fields inside a list or tuple."""
    if isinstance(field, ma.fields.List):
        yield from _scalars(field.inner)
    elif isinstance(field, ma.fields.Tuple):
        for inner in field.tuple_fields:
            yield from _scalars(inner)
    else:
        yield field


class _Exactly(frozenset):
    """A set that holds ``True`` or ``False`` themselves, not the 1 and 0 equal to them."""

    def __contains__(self, value) -> bool:
        return any(value is item for item in self)


class ApiSchema(ma.Schema):
    """The base of every API schema: integers and booleans are strict, integers bounded.

    marshmallow's ``Integer`` turns ``2.59e-42`` into 0 and lets any size through to the
    database, where an id of 0 broke a foreign key and a huge one overflowed the column:
    both were 500s. Here every integer refuses a float (or a numeric string in a JSON body)
    and stays within the 32-bit column; ids (``id``, ``*_id``, ``*_ids``) within
    ``1..2147483647``. The bounds are validators, so the OpenAPI document shows them. A
    boolean in a JSON body is ``true`` or ``false``, not ``0``, ``1`` or ``"yes"``.
    """

    #: Query strings are text: a query schema parses "12" (but still refuses "1.5") and
    #: "true"/"1" as booleans.
    strict_types = True

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        for field in _scalars(field_obj):
            if isinstance(field, ma.fields.Integer):
                field.strict = self.strict_types
                low = ID_MIN if _is_id(field_name) else INT_MIN
                # A list keeps its own validators; the bound belongs to the integer inside.
                field.validators = [*field.validators, ma.validate.Range(min=low, max=ID_MAX)]
            elif isinstance(field, ma.fields.Boolean) and self.strict_types:
                field.truthy, field.falsy = _Exactly({True}), _Exactly({False})


class StrictSchema(ApiSchema):
    """A request body: a field the schema does not know is refused, not ignored."""

    class Meta:
        unknown = ma.RAISE


class QueryArgsSchema(ApiSchema):
    """The base of every schema of query arguments."""

    strict_types = False


class ErrorSchema(ApiSchema):
    """Every error: ``{"errors": {field: [message]}}``; ``request`` for the whole request."""

    errors = ma.fields.Dict(keys=ma.fields.String(),
                            values=ma.fields.List(ma.fields.String()))


class PageMetaSchema(ApiSchema):
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()
    pages = ma.fields.Integer()


class PageArgsSchema(QueryArgsSchema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


class CadenceApi(Api):
    ERROR_SCHEMA = ErrorSchema
    # Each operation lists the errors it gives (lms.apidoc); a catch-all would hide them.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Document the bounds of every <int:…> path parameter (minimum and maximum).
        self.register_converter(BoundedIntConverter, openapi_schema)

    def _register_error_handlers(self):
        """Leave error rendering to ``lms.errors``, which knows the one JSON shape."""


api = CadenceApi()


def page_of(stmt, args: dict) -> dict:
    """Run ``stmt`` for one page and wrap it as ``{"items": [...], "meta": {...}}``."""
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False,
                       count=True)
    return {"items": page.items, "meta": {"page": page.page, "per_page": page.per_page,
                                          "total": page.total, "pages": page.pages}}


def list_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Build the ``{"items": [...], "meta": {...}}`` schema for ``item_schema``."""
    return ApiSchema.from_dict(
        {"items": ma.fields.List(ma.fields.Nested(item_schema)),
         "meta": ma.fields.Nested(PageMetaSchema)},
        name=name,
    )


def referenced(model: type, payload: dict, field: str, refusal: str):
    """The ``model`` row whose id the body's ``field`` holds, when the API user may see it;
    otherwise a 422 that points at ``field`` with ``refusal``."""
    obj = db.session.get(model, payload[field])
    if obj is None or not can_see(g.api_user, obj):
        raise ValidationError(refusal, field=field)
    return obj


@contextmanager
def field_names(names: dict[str, str]) -> Iterator[None]:
    """Name the field a service refuses as the API calls it (``program`` is ``program_id``)."""
    try:
        yield
    except ValidationError as error:
        error.field = names.get(error.field, error.field)
        raise


@contextmanager
def one_transaction() -> Iterator[None]:
    """Commit once when the services succeed; undo their flushed work when they refuse."""
    try:
        yield
    except CadenceError:
        db.session.rollback()
        raise
    db.session.commit()


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "description": (
        "Makes this POST safe to retry. Send a new random key (e.g. a UUID) with each new "
        "request and the same key when you repeat it: a repeat with the same body gets the "
        "first answer again (marked `Idempotent-Replayed: true`) and does nothing more; "
        "with another body it is refused with 422. While the first request with a key is "
        "still running, a repeat gets 409 with `Retry-After`. Keys are kept per token for "
        "24 hours. Answers 5xx and 429 are not kept, so their retry runs again."),
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
}


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
    from lms import apidoc, idempotency
    from lms.people.api import blp as people_blp

    idempotency.init_app(app)
    api.init_app(app, spec_kwargs={"info": {"description": "Cadence REST API, version 1."},
                                   "extra_plugins": [apidoc.CadenceDocPlugin()]})
    api.spec.components.security_scheme("bearer", BEARER_SCHEME)
    api.spec.components.parameter(apidoc.IDEMPOTENCY_PARAMETER, "header", IDEMPOTENCY_KEY)
    api.spec.components.response("RATE_LIMITED", apidoc.TOO_MANY_REQUESTS)
    api.spec.options["security"] = [{"bearer": []}]
    register(people_blp)


def register(blueprint) -> None:
    """Add an API blueprint: documented, token-authenticated, exempt from cookie CSRF."""
    csrf.exempt(blueprint)
    api.register_blueprint(blueprint)
