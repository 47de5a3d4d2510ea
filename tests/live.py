"""Pieces shared by the tests that serve a second Cadence app from a thread: the app's test
settings, the server thread, a request handler without the access log, and an empty database
of the suite's kind for that app."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from lms import create_app
from lms.extensions import db
from tests.conftest import TEST_DATABASE_URL


class QuietRequestHandler(WSGIRequestHandler):
    """Skip the access log (dozens of lines per test); errors are still logged."""

    def log_request(self, *args) -> None:
        pass


@contextmanager
def suite_database(folder: Path) -> Iterator[str]:
    """An empty database of the suite's kind for a live server: a new PostgreSQL database
    (dropped afterwards, with its connections) when the suite runs on PostgreSQL, else a
    SQLite file in ``folder``."""
    url = make_url(TEST_DATABASE_URL or "sqlite://")
    if url.get_backend_name() != "postgresql":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / 'live.db'}"
        return
    name = f"cadence_live_{uuid.uuid4().hex[:12]}"
    # CREATE/DROP DATABASE run outside a transaction, issued from the suite's own database.
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def live_app(folder: Path, database_url: str, **settings) -> Flask:
    """A migrated app for a live server: test settings, cheap password hashing, an outbox
    in ``folder`` and no sweep thread; ``settings`` override any of them."""
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "live-test-secret-key",
        "BASE_URL": "http://127.0.0.1",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "OUTBOX_DIR": str(folder / "outbox"),
        "OUTBOX_SWEEP_SECONDS": 0,
        **settings,
    })
    with app.app_context():
        flask_migrate.upgrade()
    return app


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` from a daemon thread on a free local port; yield its base URL.

    The port is known only once the server is bound, so links in mails (BASE_URL) are set to
    it here. The app's engine is disposed when the server stops.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        with app.app_context():
            db.engine.dispose()
