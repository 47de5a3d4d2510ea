"""What the health page shows: job back-end, queue, outbox backlog, dead letters, sweeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from lms.db import utcnow
from lms.extensions import db
from lms.notify import jobs
from lms.notify.models import DeliveryStatus, OutboxMessage

DEAD_SHOWN = 50


@dataclass
class Health:
    mode: str  # "embedded" or "redis"
    redis: dict | None  # queue stats; None in embedded mode
    counts: dict[str, int]  # outbox rows by status
    oldest_pending_age: timedelta | None
    dead: list[OutboxMessage]
    last_runs: dict[str, datetime | None]
    intervals: dict[str, int]

    @property
    def problems(self) -> list[str]:
        found = []
        if self.redis is not None and not self.redis["reachable"]:
            found.append("Redis is unreachable: jobs are not being queued. Emails wait in "
                         "the outbox and go out once Redis and the scheduler are back.")
        if self.counts.get(DeliveryStatus.DEAD, 0):
            found.append(f"{self.counts[DeliveryStatus.DEAD]} email(s) gave up after every "
                         "retry.")
        return found


def check(app: Flask, now: datetime | None = None) -> Health:
    """Gather the health figures: a fixed handful of queries whatever the outbox size."""
    now = now or utcnow()
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at))
                               .where(OutboxMessage.status == DeliveryStatus.PENDING))
    dead = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == DeliveryStatus.DEAD)
        .order_by(OutboxMessage.id.desc()).limit(DEAD_SHOWN)))
    redis = None
    if jobs.redis_mode(app):
        from lms.notify import queue

        redis = queue.stats(app)
    if oldest is not None and oldest.tzinfo is None:  # defensive: SQLite may drop the zone
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return Health(mode="redis" if redis is not None else "embedded", redis=redis,
                  counts={str(status): n for status, n in counts.items()},
                  oldest_pending_age=(now - oldest) if oldest else None, dead=dead,
                  last_runs=jobs.last_runs(), intervals=dict(jobs.PERIODIC))
