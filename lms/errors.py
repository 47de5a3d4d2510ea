"""Domain errors and the HTML error pages."""

from __future__ import annotations

import math
import time

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException


class CadenceError(Exception):
    """A use case refused: the message is safe to show to the person who asked."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(CadenceError):
    status_code = 422


class NotAllowedError(CadenceError):
    status_code = 403


class TreeError(ValidationError):
    """The reports-to tree would become invalid (cycle, rank, orphaned reports)."""


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _field_messages(messages: dict, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested messages to ``{field: [message]}`` (``roles.0``)."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = "request" if key == "_schema" and not prefix else f"{prefix}{key}"
        if isinstance(value, dict):
            for sub, texts in _field_messages(value, f"{name}.").items():
                flat.setdefault(sub, []).extend(texts)
        else:
            texts = value if isinstance(value, list) else [value]
            flat.setdefault(name, []).extend(str(text) for text in texts)
    return flat


def _api_errors(error: HTTPException) -> dict[str, list[str]]:
    # webargs keeps validation messages by location: {"json": {field: [...]}, "query": ...}.
    messages = (getattr(error, "data", None) or {}).get("messages")
    if isinstance(messages, dict) and messages:
        flat: dict[str, list[str]] = {}
        for by_field in messages.values():
            source = by_field if isinstance(by_field, dict) else {"_schema": by_field}
            for field, texts in _field_messages(source).items():
                flat.setdefault(field, []).extend(texts)
        return flat
    return {"request": [error.description]}


def _error_headers(error: HTTPException) -> dict[str, str]:
    """``Allow`` on a 405 (RFC 9110) and ``Retry-After`` on a 429: the page replaces the
    exception's own response, so its headers are carried over here."""
    headers = {name: value for name, value in error.get_headers() if name == "Allow"}
    if error.code == 429:
        from lms.extensions import limiter

        limit = limiter.current_limit
        wait = limit.reset_at - time.time() if limit is not None else 60
        headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return headers


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        headers = _error_headers(error)
        if _wants_json():
            return {"errors": _api_errors(error)}, error.code, headers
        template = f"errors/{error.code}.html" if error.code in (403, 404, 429) else None
        return render_template(
            template or "errors/generic.html", error=error
        ), error.code, headers

    @app.errorhandler(CadenceError)
    def domain_error(error: CadenceError):
        if _wants_json():
            return {"errors": {error.field or "request": [error.message]}}, error.status_code
        return render_template("errors/generic.html", error=error), error.status_code

    @app.errorhandler(500)
    def server_error(error):
        if _wants_json():
            return {"errors": {"request": ["Internal server error."]}}, 500
        return render_template("errors/500.html"), 500
