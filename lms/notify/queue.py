"""The production back-end of the job layer: RQ on Redis.

RQ rather than Celery: it needs Redis only (which production mode already runs for rate
limits), is small enough to read, and a worker is one command. Jobs travel as their
registered name and keyword arguments; the worker looks the name up in ``jobs.JOBS`` and
runs it inside an app context, so a job is the same function in both modes.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, SimpleWorker
from rq.registry import FailedJobRegistry
from rq.scheduler import RQScheduler

from lms.notify import jobs

log = logging.getLogger(__name__)
DEFAULT_QUEUE = "cadence"
# A user request pushes its jobs after commit: a Redis that does not answer must cost it
# at most this long, never an error page.
CONNECT_TIMEOUT = 1.0
# Seconds; a delivery pass of a large outbox stays well under. Every job gets it, so a
# job cannot run forever; a job whose worker died is gone with it (SimpleWorker runs jobs
# in its own process) and its rows recover on their own (see ``lms.notify.delivery``).
JOB_TIMEOUT = 600
RETRY = Retry(max=3, interval=[10, 60, 300])
_worker_app: Flask | None = None


def connection(app: Flask | None = None) -> Redis:
    """The app's Redis client (a connection pool, shared by the process's threads)."""
    app = app or current_app._get_current_object()
    client = app.extensions.get("cadence_redis")
    if client is None:
        client = app.extensions["cadence_redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=5, health_check_interval=30)
    return client


def queue_name(app: Flask | None = None) -> str:
    return (app or current_app).config.get("RQ_QUEUE") or DEFAULT_QUEUE


def get_queue(app: Flask | None = None) -> Queue:
    return Queue(queue_name(app), connection=connection(app))


def push(items: list[tuple[str, dict]], app: Flask | None = None) -> bool:
    """Put committed jobs on the queue; on a Redis failure log it and return False.

    Losing the push loses nothing that matters: outbox rows stay PENDING and the next
    outbox sweep (the scheduler, once Redis is back) sends them.
    """
    try:
        queue = get_queue(app)
        with queue.connection.pipeline() as pipe:
            for name, kwargs in items:
                queue.enqueue_call(perform, args=(name, kwargs), description=name,
                                   timeout=JOB_TIMEOUT, retry=RETRY, pipeline=pipe)
            pipe.execute()
    except RedisError as error:
        log.error("Redis unreachable (%s): job(s) %s not queued; pending emails stay in the "
                  "outbox for the next sweep", error, ", ".join(name for name, _ in items))
        return False
    return True


def perform(name: str, kwargs: dict) -> None:
    """Run job ``name`` in a worker, inside a fresh app context (and database session)."""
    global _worker_app
    if has_app_context():
        app = current_app._get_current_object()
    else:  # a worker started by ``rq worker`` rather than ``flask cadence worker``
        if _worker_app is None:
            from lms import create_app

            _worker_app = create_app()
        app = _worker_app
    with app.app_context():
        jobs.run_job(name, kwargs)


def work(app: Flask, *, burst: bool = False) -> None:
    """Run an RQ worker on the app's queue until stopped (or, with ``burst``, until empty).

    SimpleWorker runs each job in this process instead of forking one per job: our jobs are
    short database-and-SMTP work, and a fork per email would cost more than the email.
    Delayed retries go back onto the queue by ``RetryScheduler``, a thread of this process
    (a burst worker moves the due ones once, as it starts).
    """
    queue = get_queue(app)
    worker = SimpleWorker([queue], connection=queue.connection)
    retries = None if burst else RetryScheduler(queue)
    if retries:
        retries.start()
    try:
        worker.work(burst=burst, with_scheduler=burst, logging_level="WARNING")
    finally:
        if retries:
            retries.stop()


class RetryScheduler(threading.Thread):
    """RQ's scheduler on a daemon thread of the worker: moves due delayed jobs onto the queue.

    RQ's own ``with_scheduler`` forks a process for this that loops until told to stop; when
    the worker is killed outright (SIGKILL, the OOM killer), nobody tells it, and it lives
    on, re-parented to init. A thread ends with its process, however the process ends. Its
    Redis lock expires a minute later, and another worker's scheduler takes over.
    """

    def __init__(self, queue: Queue) -> None:
        super().__init__(name="cadence-rq-scheduler", daemon=True)
        self.scheduler = RQScheduler([queue.name], connection=queue.connection,
                                     logging_level="WARNING")
        self.stopped = threading.Event()

    def run(self) -> None:
        scheduler = self.scheduler
        while not self.stopped.wait(scheduler.interval):
            try:
                if scheduler.should_reacquire_locks:
                    scheduler.acquire_locks()
                if scheduler.acquired_locks:
                    scheduler.heartbeat()
                    scheduler.enqueue_scheduled_jobs()
            except RedisError as error:
                log.error("retry scheduler: Redis unreachable (%s); trying again", error)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
        try:
            self.scheduler.release_locks()
        except RedisError:
            pass  # the locks expire by themselves


def _lock_key(app: Flask, name: str) -> str:
    return f"cadence:{queue_name(app)}:periodic:{name}"


def schedule_due(app: Flask) -> list[str]:
    """Enqueue each periodic job whose interval has passed; return their names.

    The interval lives in Redis as a key that expires after it (SET NX EX), so any number
    of schedulers can run: the first to set the key enqueues, the others see it held.
    """
    client, enqueued = connection(app), []
    for name, every in sorted(jobs.PERIODIC.items()):
        if client.set(_lock_key(app, name), "1", nx=True, ex=every):
            if push([(name, {})], app):
                enqueued.append(name)
    return enqueued


def run_scheduler(app: Flask, *, tick: float = 5.0, once: bool = False) -> None:
    """Enqueue periodic jobs on their interval, forever (or one pass with ``once``)."""
    while True:
        try:
            for name in schedule_due(app):
                log.info("scheduled periodic job %s", name)
        except RedisError as error:
            log.error("scheduler: Redis unreachable (%s); retrying in %ss", error, tick)
        if once:
            return
        time.sleep(tick)


def stats(app: Flask) -> dict:
    """Queue length, failed jobs and workers; ``reachable`` False when Redis does not answer."""
    try:
        queue = get_queue(app)
        return {"reachable": True, "queued": queue.count,
                "failed": FailedJobRegistry(queue=queue).count,
                "workers": SimpleWorker.count(queue=queue), "error": ""}
    except RedisError as error:
        return {"reachable": False, "queued": None, "failed": None, "workers": None,
                "error": str(error)}
