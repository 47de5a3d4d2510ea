"""Claim a key before the write runs, remember its answer after, replay it on a retry.

The claim is a row under a unique (token, key) constraint, added in the request's own
transaction: it commits with the write, and a write that is refused or fails takes its
claim with it. Of two simultaneous requests with one key, the second waits for the first
row (PostgreSQL) or for the write lock (SQLite), finds the key taken and gets either the
first answer or, while the first is still running, a 409 with ``Retry-After``.

What is remembered is every answer the operation gave (2xx and its refusals, 4xx); a 5xx
or a 429 is forgotten, so a retry runs the operation again.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta

from flask import Response, g, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from lms.db import utcnow
from lms.extensions import db
from lms.idempotency.models import IdempotencyKey
from lms.notify.jobs import periodic

API_PREFIX = "/api/"
HEADER = "Idempotency-Key"
MAX_LENGTH = 200
KEY_PATTERN = re.compile(rf"[\x21-\x7e]{{1,{MAX_LENGTH}}}")  # visible ASCII, no spaces
KEEP = timedelta(hours=24)
PURGE_SECONDS = 3600
IN_FLIGHT_RETRY_SECONDS = 1
REPLAYED_HEADERS = ("Content-Type", "Location", "Content-Disposition")
REPLAY_MARKER = "Idempotent-Replayed"


def claim() -> Response | None:
    """Before an API POST with a key: answer from memory, refuse, or claim the key."""
    if (request.method != "POST" or HEADER not in request.headers
            or not request.path.startswith(API_PREFIX) or request.routing_exception):
        return None
    key = request.headers[HEADER]
    if not KEY_PATTERN.fullmatch(key):
        return _refusal(422, f"Send 1 to {MAX_LENGTH} visible ASCII characters, no spaces.")
    token_id = _token_id()
    if token_id is None:
        return None  # no usable token: the view answers 401 and nothing is remembered
    fingerprint = _fingerprint()
    for _attempt in range(2):
        known = db.session.scalar(select(IdempotencyKey).where(
            IdempotencyKey.token_id == token_id, IdempotencyKey.key == key))
        if known is not None:
            return _answer(known, fingerprint)
        try:
            with db.session.begin_nested():
                db.session.add(IdempotencyKey(token_id=token_id, key=key,
                                              fingerprint=fingerprint, created_at=utcnow()))
        except IntegrityError:
            continue  # claimed by a simultaneous request since the lookup: answer as it did
        g.idempotency = (token_id, key, fingerprint)
        return None
    return _in_flight()


def settle(response: Response) -> Response:
    """After an API POST that claimed a key: remember its answer, or free the key."""
    claimed = g.pop("idempotency", None)
    if claimed is None:
        return response
    token_id, key, fingerprint = claimed
    # Whatever the request left uncommitted was not done, whichever answer it gives.
    db.session.rollback()
    mine = (IdempotencyKey.token_id == token_id, IdempotencyKey.key == key,
            IdempotencyKey.status_code.is_(None))
    if response.status_code >= 500 or response.status_code == 429:
        db.session.execute(delete(IdempotencyKey).where(*mine))
    else:
        answer = {"status_code": response.status_code, "body": response.get_data(),
                  "headers": json.dumps({name: response.headers[name]
                                         for name in REPLAYED_HEADERS
                                         if name in response.headers})}
        if db.session.execute(update(IdempotencyKey).where(*mine).values(**answer)).rowcount == 0:
            # A refused write rolled its claim back: remember the refusal on a new row.
            db.session.add(IdempotencyKey(token_id=token_id, key=key, fingerprint=fingerprint,
                                          created_at=utcnow(), **answer))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a simultaneous retry remembered its answer first
    return response


@periodic("idempotency_purge", every=PURGE_SECONDS)
def purge_expired(now: datetime | None = None) -> int:
    """Forget keys older than ``KEEP`` (the job runner commits); return how many."""
    cutoff = (now or utcnow()) - KEEP
    return db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount


def _token_id() -> int | None:
    from lms.auth.models import ApiToken
    from lms.auth.services import TOKEN_PREFIX, digest

    kind, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if kind.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not token.active(utcnow()) or not token.user.is_active:
        return None
    return token.id


def _fingerprint() -> str:
    """SHA-256 of the method, the URL and the body (JSON compared by value, not spacing)."""
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(json.dumps([name, value]).encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda pair: pair[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(json.dumps([name, upload.filename]).encode() + content)
        return digest.hexdigest()
    body = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        pass  # not JSON (or too deep to compare by value): the bytes as sent
    digest.update(body)
    return digest.hexdigest()


def _answer(known: IdempotencyKey, fingerprint: str) -> Response:
    if known.fingerprint != fingerprint:
        return _refusal(422, "This key was used for a different request; use a new key for "
                             "a new request.")
    if known.status_code is None:
        return _in_flight()
    response = Response(known.body, status=known.status_code,
                        headers=json.loads(known.headers or "{}"))
    response.headers[REPLAY_MARKER] = "true"
    return response


def _in_flight() -> Response:
    response = _refusal(409, "A request with this key is still running; retry shortly to "
                             "get its answer.")
    response.headers["Retry-After"] = str(IN_FLIGHT_RETRY_SECONDS)
    return response


def _refusal(status: int, message: str) -> Response:
    return Response(json.dumps({"errors": {HEADER: [message]}}), status=status,
                    mimetype="application/json")
