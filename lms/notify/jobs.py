"""The job layer: work queued during a transaction runs only after it commits.

Call sites know one function, ``enqueue(name, **kwargs)``. Where the job runs depends on
the configuration, never on the caller:

- embedded (no ``CADENCE_REDIS_URL``): in-process, once the request has committed and its
  response has gone out; periodic jobs run on a daemon thread of the serving process
  (``lms.notify.sweeper``);
- production (``CADENCE_REDIS_URL`` set): pushed to an RQ queue after the commit and run by
  ``flask cadence worker`` processes; ``flask cadence scheduler`` enqueues periodic jobs
  (``lms.notify.queue``).

A rolled-back transaction drops its jobs, so nothing is sent for an event that did not
happen. Jobs must be idempotent: a worker that dies mid-way has its job run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lms.db import utcnow
from lms.extensions import db

log = logging.getLogger(__name__)
JOBS: dict[str, Callable[..., None]] = {}
PERIODIC: dict[str, int] = {}  # job name -> interval in seconds
LAST_RUN = "periodic."  # SystemState name prefix: when each periodic job last succeeded
_PENDING = "cadence_jobs_pending"
_READY = "cadence_jobs_ready"


def job(name: str):
    """Register ``fn`` as the job called ``name``."""
    def register(fn):
        JOBS[name] = fn
        return fn
    return register


def periodic(name: str, *, every: int):
    """Register ``fn`` as job ``name``, run every ``every`` seconds by the sweep/scheduler."""
    if every <= 0:
        raise ValueError("a periodic job needs a positive interval")

    def register(fn):
        JOBS[name] = fn
        PERIODIC[name] = every
        return fn
    return register


def redis_mode(app=None) -> bool:
    """Whether jobs go to Redis workers (``CADENCE_REDIS_URL`` set) rather than in-process."""
    app = app or (current_app if has_app_context() else None)
    return bool(app is not None and app.config.get("REDIS_URL"))


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
    if not pending:
        return
    if redis_mode():
        from lms.notify import queue

        queue.push(pending)  # Redis down: logged; outbox rows stay PENDING for the sweep
        return
    ready = session.info.setdefault(_READY, [])
    ready.extend(item for item in pending if item not in ready)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None and previous_transaction.nested is False:
        session.info.pop(_PENDING, None)


def run_job(name: str, kwargs: dict) -> None:
    """Run job ``name`` and commit; a periodic job also records when it last ran.

    Errors propagate, so an RQ worker marks the job failed (and retries it).
    """
    JOBS[name](**kwargs)
    if name in PERIODIC:
        _record_run(name, utcnow())
    db.session.commit()


def _record_run(name: str, when: datetime) -> None:
    from lms.notify.models import SystemState

    state = db.session.get(SystemState, LAST_RUN + name)
    if state is None:
        state = SystemState(name=LAST_RUN + name)
        db.session.add(state)
    state.value = when.isoformat()
    state.updated_at = when


def last_runs() -> dict[str, datetime | None]:
    """When each periodic job last succeeded (None: never), in one query."""
    from lms.notify.models import SystemState

    states = db.session.scalars(
        select(SystemState).where(SystemState.name.in_([LAST_RUN + n for n in PERIODIC])))
    seen = {state.name[len(LAST_RUN):]: datetime.fromisoformat(state.value)
            for state in states if state.value}
    return {name: seen.get(name) for name in sorted(PERIODIC)}


def due_periodic(now: datetime | None = None) -> list[str]:
    """The periodic jobs whose interval has passed since they last succeeded."""
    now = now or utcnow()
    return [name for name, last in last_runs().items()
            if last is None or now - last >= timedelta(seconds=PERIODIC[name])]


def run_due_periodic(now: datetime | None = None) -> list[str]:
    """Run the due periodic jobs in-process (the embedded sweep); return those that ran."""
    ran = []
    for name in due_periodic(now):
        try:
            run_job(name, {})
            ran.append(name)
        except Exception:  # one broken job must not stop the others or the sweep thread
            db.session.rollback()
            log.exception("periodic job %s failed", name)
    return ran


def run_ready() -> int:
    """Run the jobs whose transactions committed; return how many ran."""
    ran = 0
    while ready := db.session.info.pop(_READY, []):
        for name, kwargs in ready:
            try:
                run_job(name, kwargs)
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

    Failed emails wait for their backoff; this picks them up in the embedded default even
    when no sweep thread runs (``flask run`` rather than ``flask cadence serve``). Only a
    timestamp is kept in memory: losing it costs nothing but an earlier sweep.
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
        if (not redis_mode(app) and sweep.due(app.config["OUTBOX_SWEEP_SECONDS"])
                and ("deliver_outbox", {}) not in ready):
            ready.append(("deliver_outbox", {}))
        if ready:
            response.call_on_close(lambda: _run_after_response(app, ready))
        return response
