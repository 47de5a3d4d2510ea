"""Idempotent API writes: a POST sent again with the same ``Idempotency-Key`` runs once.

A client that loses the answer to a write (a timeout, a restart between the commit and the
response) can send it again with the same key and get the first answer back instead of a
duplicate. The hooks apply to every POST under ``/api/``; the purge is a periodic job.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.idempotency import models, services  # noqa: F401  (the table, the purge job)

    app.before_request(services.claim)
    app.after_request(services.settle)
