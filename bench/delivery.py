"""Email delivery throughput: in-process vs RQ workers; prints figures, asserts nothing.

    python -m bench.delivery                       # 10,000 messages, 2 workers
    python -m bench.delivery --messages 2000 --workers 1
    python -m bench.delivery --database-url postgresql+psycopg://user@host/empty_db

An SMTP server (aiosmtpd, a test dependency) listens on loopback and counts what it gets.
(a) In-process: 10,000 outbox rows delivered by the ``deliver_outbox`` job in this process,
as the embedded mode does after a request. (b) Redis: another 10,000 rows, one
``deliver_outbox`` job per worker pushed to an RQ queue on the local Redis, and ``--workers``
``flask cadence worker --burst`` processes started; timed from the push until every worker
has drained the queue (worker start-up included). Workers compete for rows through the
outbox's atomic claim, so no message goes out twice. Uses a temporary SQLite file (WAL)
unless ``--database-url`` names an empty one, and a queue name of its own, whose Redis keys
it deletes at the end. With SQLite, two workers' writes collide now and then ("database is
locked"): the job fails, RQ retries it, and the outbox sweep recovers its claimed row;
production mode means PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import flask_migrate
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, insert, select

from lms import ROOT, create_app
from lms.db import utcnow
from lms.extensions import db
from lms.notify import delivery, queue
from lms.notify.models import DeliveryStatus, OutboxMessage

REDIS_URL = "redis://127.0.0.1:6379/11"


class Counter:
    """aiosmtpd handler: accept every message and count it."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.received += 1
        return "250 OK"


def _app(folder: Path, smtp_port: int, database_url: str | None) -> Flask:
    app = create_app({
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.db'}",
        "SECRET_KEY": "bench", "BASE_URL": "https://cadence.bench", "REDIS_URL": REDIS_URL,
        "RQ_QUEUE": f"cadence-bench-{uuid.uuid4().hex[:8]}", "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port, "MAIL_USE_STARTTLS": False, "MAIL_TIMEOUT": 10,
    })
    with app.app_context():
        flask_migrate.upgrade()
    return app


def _fill(app: Flask, count: int) -> None:
    now = utcnow()
    with app.app_context():
        db.session.execute(insert(OutboxMessage), [
            {"message_id": f"{uuid.uuid4().hex}@cadence.bench", "to_address": f"p{n}@example.test",
             "subject": f"Reminder {n}", "body_text": "Your course is due on Friday.",
             "body_html": "<p>Your course is due on Friday.</p>", "created_at": now,
             "next_attempt_at": now} for n in range(count)])
        db.session.commit()


def _pending(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status != DeliveryStatus.SENT))


def in_process(app: Flask, count: int) -> float:
    _fill(app, count)
    start = time.perf_counter()
    with app.app_context():
        delivery.deliver_all()
    return time.perf_counter() - start


def through_workers(app: Flask, count: int, workers: int) -> float:
    _fill(app, count)
    config = app.config
    env = {key: value for key, value in os.environ.items() if not key.startswith("CADENCE_")}
    env.update(CADENCE_DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
               CADENCE_REDIS_URL=REDIS_URL, CADENCE_RQ_QUEUE=config["RQ_QUEUE"],
               CADENCE_SECRET_KEY=config["SECRET_KEY"], CADENCE_MAIL_SERVER="127.0.0.1",
               CADENCE_MAIL_PORT=str(config["MAIL_PORT"]), CADENCE_MAIL_USE_STARTTLS="false")
    start = time.perf_counter()
    queue.push([("deliver_outbox", {})] * workers, app)
    command = [sys.executable, "-m", "flask", "--app", "lms", "cadence", "worker", "--burst"]
    processes = [subprocess.Popen(  # noqa: S603  (a fixed command)
        command, cwd=ROOT, env=env, start_new_session=True) for _ in range(workers)]
    try:
        for process in processes:
            process.wait()
    finally:  # interrupted or not, no worker (nor anything it started) outlives the run
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="an EMPTY database (default: a SQLite file)")
    args = parser.parse_args()
    counter = Counter()
    with socket.socket() as probe:  # aiosmtpd needs a port number up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(counter, hostname="127.0.0.1", port=port)
    smtp.start()
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp), port, args.database_url)
        try:
            seconds = in_process(app, args.messages)
            print(f"in-process: {args.messages} messages in {seconds:.1f} s = "
                  f"{args.messages / seconds:.0f} messages/s (SMTP received {counter.received})")
            received = counter.received
            seconds = through_workers(app, args.messages, args.workers)
            print(f"RQ, {args.workers} worker(s): {args.messages} messages in {seconds:.1f} s = "
                  f"{args.messages / seconds:.0f} messages/s (SMTP received "
                  f"{counter.received - received}; not sent: {_pending(app)})")
        finally:
            client = queue.connection(app)
            for key in client.scan_iter(f"*{app.config['RQ_QUEUE']}*"):
                client.delete(key)
            smtp.stop()


if __name__ == "__main__":
    main()
