"""The embedded periodic sweep: a daemon thread of the serving process runs periodic jobs.

Started by ``flask cadence serve`` (what ``make run`` uses), never by ``create_app``, so
tests, the CLI and gunicorn workers in production mode do not start one. In production
mode ``flask cadence scheduler`` does this job through Redis instead.

Due times come from SystemState rows, not memory: a restart neither repeats nor skips a
sweep, and a second embedded process sharing the database at worst runs an idempotent job
twice.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from lms.extensions import db
from lms.notify import jobs

log = logging.getLogger(__name__)
TICK_SECONDS = 15.0


class Sweeper(threading.Thread):
    """Every ``tick`` seconds, run the periodic jobs that are due."""

    def __init__(self, app: Flask, *, tick: float = TICK_SECONDS) -> None:
        super().__init__(name="cadence-sweeper", daemon=True)
        self.app, self.tick = app, tick
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.sweep_once()
            self.stopped.wait(self.tick)

    def sweep_once(self) -> list[str]:
        """Run what is due now; never raise (the thread must outlive a bad pass)."""
        with self.app.app_context():
            try:
                return jobs.run_due_periodic()
            except Exception:  # e.g. the database is briefly locked or unreachable
                db.session.rollback()
                log.exception("periodic sweep failed; next try in %ss", self.tick)
                return []

    def stop(self) -> None:
        self.stopped.set()


def start(app: Flask, *, tick: float = TICK_SECONDS) -> Sweeper:
    """Start the sweep thread for ``app`` and return it."""
    sweeper = Sweeper(app, tick=tick)
    sweeper.start()
    return sweeper
