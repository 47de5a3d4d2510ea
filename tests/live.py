"""Pieces shared by the tests that serve a second Cadence app from a thread: a request handler
without the access log, and an empty database of the suite's kind for that app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler

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
