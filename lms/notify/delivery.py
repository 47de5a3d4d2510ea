"""Deliver due outbox messages: claim, send, record; retry with backoff; never twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from lms.db import utcnow
from lms.extensions import db
from lms.notify import mailer
from lms.notify.jobs import job
from lms.notify.models import DeliveryStatus, OutboxMessage

log = logging.getLogger(__name__)
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """Wait 1, 4, 16, 64... minutes between tries, at most a day."""
    return timedelta(minutes=min(4 ** (attempts - 1), 24 * 60))


def _claim(message_id: int) -> bool:
    """Move one pending row to 'sending'; only one worker can win this update."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def _deliver_one(row: OutboxMessage, now: datetime) -> bool:
    try:
        mailer.send(row)
    except Exception as exc:  # any transport failure is retried, never fatal
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            row.status = DeliveryStatus.DEAD
        else:
            row.status = DeliveryStatus.PENDING
            row.next_attempt_at = now + backoff(row.attempts)
        log.warning("delivery of outbox message %s failed: %s", row.id, row.last_error)
        db.session.commit()
        return False
    row.status = DeliveryStatus.SENT
    row.sent_at = utcnow()
    row.last_error = ""
    db.session.commit()
    return True


@job("deliver_outbox")
def deliver_due(now: datetime | None = None) -> int:
    """Send every due pending message; return how many were sent."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == DeliveryStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(BATCH)
    ).all()
    sent = 0
    for message_id in ids:
        if not _claim(message_id):
            continue
        row = db.session.get(OutboxMessage, message_id, populate_existing=True)
        sent += _deliver_one(row, now)
    return sent
