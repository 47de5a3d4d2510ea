"""Domain errors and the HTML error pages."""

from __future__ import annotations

import math
import time

from flask import Flask, Response, current_app, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.security import secure


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


def _own_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers the error itself carries, such as the ``Allow`` a 405 must send, and a
    ``Retry-After`` on a 429 (when the limit resets)."""
    headers = [(name, value) for name, value in error.get_headers()
               if name.lower() != "content-type"]
    if error.code == 429:
        from lms.extensions import limiter

        limit = limiter.current_limit
        wait = limit.reset_at - time.time() if limit is not None else 60
        headers.append(("Retry-After", str(max(1, math.ceil(wait)))))
    return headers


def _typed_text() -> list[tuple[str, str]]:
    """What a refused form carried (field name, value), its token left out, so a person whose
    page expired can copy their words back instead of losing them."""
    return [(name, value) for name, value in request.form.items(multi=True)
            if name != "csrf_token" and value.strip()]


def _same_site_referrer() -> str | None:
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else None


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            body = {"errors": _api_errors(error)}
        elif isinstance(error, CSRFError):
            body = render_template("errors/expired_form.html", error=error,
                                   typed=_typed_text(), back=_same_site_referrer())
        else:
            template = f"errors/{error.code}.html" if error.code in (403, 404, 429) else None
            body = render_template(template or "errors/generic.html", error=error)
        return body, error.code, _own_headers(error)

    @app.errorhandler(CadenceError)
    def domain_error(error: CadenceError):
        if _wants_json():
            return {"errors": {error.field or "request": [error.message]}}, error.status_code
        return render_template("errors/generic.html", error=error), error.status_code

    @app.errorhandler(500)
    def server_error(error):
        return secure(_server_error_page())


FALLBACK_500 = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>Something went wrong · Cadence</title></head><body>"
                "<h1>Something went wrong</h1><p>The error is logged. Please try again.</p>"
                "</body></html>")


def _server_error_page() -> Response:
    """The 500 answer, built without touching a database session the error may have left
    failed: roll it back first (the layout then reloads the signed-in person in a fresh
    transaction), and fall back to a plain page if the layout cannot render."""
    from lms.extensions import db

    g.request_failed = True  # context processors skip their queries (unread counts …)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (the database may be gone altogether)
        current_app.logger.exception("Rolling back after a server error failed")
    if _wants_json():
        return make_response({"errors": {"request": ["Internal server error."]}}, 500)
    try:
        return make_response(render_template("errors/500.html"), 500)
    except Exception:  # noqa: BLE001  (whatever broke may break the layout too)
        current_app.logger.exception("The error page could not be rendered")
        return make_response(FALLBACK_500, 500)
