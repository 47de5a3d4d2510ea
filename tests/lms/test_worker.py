"""Redis mode with real worker processes: a worker killed mid-batch loses no email.

The per-test SAVEPOINT session cannot be shared with another process, so these tests get an
app of their own on a temporary SQLite file (or a fresh PostgreSQL database when
``CADENCE_TEST_DATABASE_URL`` is set), migrated like the browser tests' live server. They
never use the ``session`` or ``client`` fixtures.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from lms import ROOT, create_app
from lms.db import utcnow
from lms.extensions import db
from lms.notify import queue
from lms.notify.models import DeliveryStatus, OutboxMessage
from tests.live import suite_database

REDIS_TEST_URL = "redis://127.0.0.1:6379/11"
MESSAGES = 1_000
KILL_AFTER = 50  # sent messages before the first worker is killed
WAIT_SECONDS = 60  # give up (and fail) if a worker never gets there


@pytest.fixture(scope="module")
def worker_app(tmp_path_factory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("worker")
    with suite_database(folder) as url:
        yield from _worker_app(folder, url)


def _worker_app(folder: Path, database_url: str) -> Iterator[Flask]:
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker-test-secret-key",
        "BASE_URL": "https://cadence.test",
        "REDIS_URL": REDIS_TEST_URL,
        "RQ_QUEUE": f"cadence-test-{uuid.uuid4().hex[:12]}",
        "OUTBOX_DIR": str(folder / "outbox"),
        "MAIL_SERVER": None,
    })
    with app.app_context():
        flask_migrate.upgrade()
    try:
        yield app
    finally:
        name = app.config["RQ_QUEUE"]
        client = queue.connection(app)
        for key in client.scan_iter(f"*{name}*"):
            client.delete(key)
        for key in client.scan_iter("rq:job:*"):  # job hashes do not carry the queue's name
            if client.type(key) == b"hash" and client.hget(key, "origin") == name.encode():
                client.delete(key)
        with app.app_context():
            db.engine.dispose()


def _worker(app: Flask, *, burst: bool) -> subprocess.Popen:
    """Start ``flask cadence worker`` in another process, configured like ``app``.

    It leads a process group of its own, so ``_end`` can end it with everything it started.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("CADENCE_")}
    config = app.config
    env.update(CADENCE_DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
               CADENCE_REDIS_URL=config["REDIS_URL"], CADENCE_RQ_QUEUE=config["RQ_QUEUE"],
               CADENCE_OUTBOX_DIR=config["OUTBOX_DIR"], CADENCE_SECRET_KEY=config["SECRET_KEY"],
               CADENCE_BASE_URL=config["BASE_URL"])
    command = [sys.executable, "-m", "flask", "--app", "lms", "cadence", "worker"]
    return subprocess.Popen(  # noqa: S603  (a fixed command)
        [*command, *(["--burst"] if burst else [])], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _group_alive(process: subprocess.Popen) -> bool:
    """Whether any process of ``process``'s group (itself or what it started) still runs."""
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _end(process: subprocess.Popen) -> None:
    """Kill ``process`` and every process of its group; reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _count(app: Flask, status: DeliveryStatus) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status == status))


def _wait_until(condition, process: subprocess.Popen) -> None:
    """Poll ``condition`` (not a timing assertion: the deadline only stops a hung test)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the worker made no progress"
        time.sleep(0.005)


def _queue_batch(app: Flask) -> list[str]:
    now = utcnow()
    ids = [f"{uuid.uuid4().hex}@cadence.test" for _ in range(MESSAGES)]
    with app.app_context():
        db.session.execute(insert(OutboxMessage), [
            {"message_id": message_id, "to_address": f"person{n}@example.test",
             "subject": f"Reminder {n}", "body_text": "Your course is due.",
             "created_at": now, "next_attempt_at": now}
            for n, message_id in enumerate(ids)])
        db.session.commit()
    assert queue.push([("deliver_outbox", {})], app)
    return ids


def test_killed_worker_loses_no_message_and_repeats_at_most_the_one_in_flight(worker_app):
    message_ids = _queue_batch(worker_app)

    first = _worker(worker_app, burst=False)
    try:
        _wait_until(lambda: _count(worker_app, DeliveryStatus.SENT) >= KILL_AFTER, first)
    finally:
        _end(first)
    sent_before_kill = _count(worker_app, DeliveryStatus.SENT)
    assert sent_before_kill < MESSAGES, "the worker finished before it could be killed"

    # The scheduler's next outbox sweep, run once the claim timeout has passed: it returns
    # the dead worker's claim to PENDING and sends the rest.
    later = utcnow() + timedelta(hours=1)
    assert queue.push([("outbox_sweep", {"now": later})], worker_app)
    second = _worker(worker_app, burst=True)
    try:
        assert second.wait(timeout=WAIT_SECONDS) == 0, second.stderr.read().decode()[-2000:]
    finally:
        _end(second)

    assert _count(worker_app, DeliveryStatus.SENT) == MESSAGES
    with worker_app.app_context():
        attempts = db.session.scalar(select(func.sum(OutboxMessage.attempts)))
    assert attempts - MESSAGES <= 1  # only a message in flight at the kill is sent twice
    files = list(Path(worker_app.config["OUTBOX_DIR"]).glob("*.eml"))
    delivered = {message_from_bytes(path.read_bytes(), policy=default_policy)["Message-ID"]
                 for path in files}
    assert delivered == {f"<{message_id}>" for message_id in message_ids}
    assert queue.stats(worker_app)["queued"] == 0


def test_a_worker_killed_outright_leaves_no_process_behind(worker_app):
    worker = _worker(worker_app, burst=False)
    try:
        # Once the worker has registered with Redis, its scheduler has started too.
        _wait_until(lambda: queue.stats(worker_app)["workers"] >= 1, worker)
        time.sleep(1)  # a forked scheduler would be running by now
        os.kill(worker.pid, signal.SIGKILL)  # the worker alone, as the OOM killer would
        worker.wait()
        deadline = time.monotonic() + 5  # let the kernel finish tearing the process down
        while _group_alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _group_alive(worker), "a process the worker started outlived it"
    finally:
        _end(worker)


def test_every_queued_job_has_a_time_limit(worker_app):
    assert queue.push([("deliver_outbox", {}), ("outbox_sweep", {})], worker_app)
    jobs = queue.get_queue(worker_app).jobs
    try:
        assert [job.timeout for job in jobs] == [queue.JOB_TIMEOUT] * 2
    finally:
        queue.get_queue(worker_app).empty()
