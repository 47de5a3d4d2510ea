"""The job layer: work queued during a transaction runs only after it commits.

In the embedded default, jobs run in-process once the request (or CLI command) has
committed. A rolled-back transaction drops its jobs, so nothing is sent for an event
that did not happen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db

log = logging.getLogger(__name__)
JOBS: dict[str, Callable[..., None]] = {}
_PENDING = "cadence_jobs_pending"
_READY = "cadence_jobs_ready"


def job(name: str):
    """Register ``fn`` as the job called ``name``."""
    def register(fn):
        JOBS[name] = fn
        return fn
    return register


def enqueue(name: str, **kwargs) -> None:
    """Queue job ``name`` to run after the current transaction commits."""
    if name not in JOBS:
        raise LookupError(f"unknown job {name!r}")
    pending = db.session.info.setdefault(_PENDING, [])
    if (name, kwargs) not in pending:
        pending.append((name, kwargs))


@event.listens_for(Session, "after_commit")
def _release(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    if pending:
        ready = session.info.setdefault(_READY, [])
        ready.extend(item for item in pending if item not in ready)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None and previous_transaction.nested is False:
        session.info.pop(_PENDING, None)


def run_ready() -> int:
    """Run the jobs whose transactions committed; return how many ran."""
    ran = 0
    while ready := db.session.info.pop(_READY, []):
        for name, kwargs in ready:
            try:
                JOBS[name](**kwargs)
                db.session.commit()
            except Exception:  # a failed job must not break the request that queued it
                db.session.rollback()
                log.exception("job %s failed", name)
            ran += 1
    return ran


def _run_after_response(app, ready: list) -> None:
    with app.app_context():
        db.session.info.setdefault(_READY, []).extend(ready)
        run_ready()


class RetrySweep:
    """Queue a delivery pass at most every ``OUTBOX_SWEEP_SECONDS`` of traffic.

    Failed emails wait for their backoff; this picks them up in the embedded default
    without another process. Only a timestamp is kept in memory: losing it costs
    nothing but an earlier sweep.
    """

    def __init__(self) -> None:
        self.last = time.monotonic()

    def due(self, interval: int) -> bool:
        now = time.monotonic()
        if interval <= 0 or now - self.last < interval:
            return False
        self.last = now
        return True


def init_app(app) -> None:
    sweep = app.extensions["cadence_retry_sweep"] = RetrySweep()

    @app.after_request
    def _run_jobs_once_sent(response):
        # Run the request's jobs once the response has gone out (the WSGI server closes
        # it), so a slow SMTP server neither delays the page nor reveals, by timing,
        # whether a password-reset request matched an account.
        ready = db.session.info.pop(_READY, [])
        if sweep.due(app.config["OUTBOX_SWEEP_SECONDS"]) and ("deliver_outbox", {}) not in ready:
            ready.append(("deliver_outbox", {}))
        if ready:
            response.call_on_close(lambda: _run_after_response(app, ready))
        return response
