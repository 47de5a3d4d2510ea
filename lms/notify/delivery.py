"""Deliver due outbox messages: claim, send, record; retry with backoff; recover dead claims.

Guarantee: the outbox row is the source of truth, so no message is lost. A row moves
PENDING -> SENDING in one conditional UPDATE that only one worker can win, so two workers
(or a job RQ retries) never send the same row at the same time.

A worker that dies between handing a message to SMTP and recording SENT leaves its row in
SENDING. We cannot know whether the server took the message, so we choose at-least-once
over at-most-once: after ``OUTBOX_CLAIM_SECONDS`` the row goes back to PENDING and is sent
again. Losing a reminder is worse than a rare duplicate, and the duplicate carries the
row's stable Message-ID, so a receiving server or mail client can drop it. The window is
one message per dead worker, not a batch: each row is committed as soon as it is sent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import inspect, select, update

from lms.audit.services import record
from lms.db import utcnow
from lms.errors import CadenceError
from lms.extensions import db
from lms.notify import mailer
from lms.notify.jobs import enqueue, job, periodic
from lms.notify.models import DeliveryStatus, OutboxMessage
from lms.people.models import User

log = logging.getLogger(__name__)
BATCH = 200
CLAIM_SECONDS = 300  # a send that takes longer than this is taken to have died
SWEEP_SECONDS = 60


def backoff(attempts: int) -> timedelta:
    """Wait 1, 4, 16, 64... minutes between tries, at most a day."""
    return timedelta(minutes=min(4 ** (attempts - 1), 24 * 60))


def _claim(message_id: int) -> OutboxMessage | None:
    """Move one pending row to 'sending' and return it detached; None if another won.

    Only one worker can win the conditional update. ``next_attempt_at`` doubles as the
    claim time while the row is SENDING (no extra column): ``recover_stale`` reads it to
    find claims whose worker died. The row comes back loaded and detached from the
    session (a copy), so sending it opens no transaction: no lock is held while SMTP talks.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, attempts=OutboxMessage.attempts + 1,
                next_attempt_at=utcnow())
    )
    claimed = None
    if result.rowcount == 1:
        row = db.session.get(OutboxMessage, message_id, populate_existing=True)
        claimed = OutboxMessage(**{column.key: getattr(row, column.key)
                                   for column in inspect(OutboxMessage).column_attrs})
    db.session.commit()
    return claimed


def _deliver_one(claimed: OutboxMessage, now: datetime) -> bool:
    error = None
    try:
        mailer.send(claimed)
    except Exception as exc:  # any transport failure is retried, never fatal
        error = f"{type(exc).__name__}: {exc}"[:2000]
    row = db.session.get(OutboxMessage, claimed.id)  # a short transaction records the outcome
    if error is not None:
        row.last_error = error
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


def _deliver_batch(now: datetime) -> tuple[int, int]:
    """Send up to ``BATCH`` due messages; return (rows due, rows sent)."""
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == DeliveryStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(BATCH)
    ).all()
    sent = 0
    for message_id in ids:
        row = _claim(message_id)
        if row is not None:  # else another worker took it
            sent += _deliver_one(row, now)
    return len(ids), sent


def deliver_due(now: datetime | None = None) -> int:
    """Send one batch of due pending messages; return how many were sent."""
    return _deliver_batch(now or utcnow())[1]


@job("deliver_outbox")
def deliver_all(now: datetime | None = None) -> int:
    """Send every due pending message, batch after batch; return how many were sent."""
    now = now or utcnow()
    total = 0
    while True:
        due, sent = _deliver_batch(now)
        total += sent
        if due < BATCH:
            return total


def recover_stale(now: datetime | None = None) -> int:
    """Return rows whose sending worker died to PENDING (or DEAD when out of tries)."""
    now = now or utcnow()
    seconds = int(current_app.config.get("OUTBOX_CLAIM_SECONDS") or CLAIM_SECONDS)
    stale = (OutboxMessage.status == DeliveryStatus.SENDING,
             OutboxMessage.next_attempt_at < now - timedelta(seconds=seconds))
    error = "the worker sending this message stopped before recording the result"
    dead = db.session.execute(
        update(OutboxMessage)
        .where(*stale, OutboxMessage.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"])
        .values(status=DeliveryStatus.DEAD, last_error=error)
    ).rowcount
    retried = db.session.execute(
        update(OutboxMessage).where(*stale)
        .values(status=DeliveryStatus.PENDING, next_attempt_at=now, last_error=error)
    ).rowcount
    db.session.commit()
    if dead or retried:
        log.warning("recovered %s stale outbox claim(s): %s to retry, %s dead",
                    dead + retried, retried, dead)
    return dead + retried


@periodic("outbox_sweep", every=SWEEP_SECONDS)
def sweep_outbox(now: datetime | None = None) -> int:
    """Recover dead claims, then send what is due (failed sends whose backoff ended)."""
    recover_stale(now)
    return deliver_all(now)


class NotDeadError(CadenceError):
    """Only a dead message can be retried by hand."""


def retry_dead(message: OutboxMessage, *, by: User) -> OutboxMessage:
    """Give a dead message a fresh set of tries, now."""
    if message.status != DeliveryStatus.DEAD:
        raise NotDeadError("This message is not dead; it is delivered or still being tried.")
    message.status = DeliveryStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    record(by, "outbox.retry", message, summary=f"Retry email to {message.to_address}")
    enqueue("deliver_outbox")
    return message
