"""Test fixtures: one app per session, each test inside a rolled-back transaction.

The database comes from ``CADENCE_TEST_DATABASE_URL`` (PostgreSQL in CI) or in-memory
SQLite. Its schema is built by the Alembic migrations, so every test also exercises them.
Each test runs in a SAVEPOINT-joined session: app code may commit; nothing leaks.

The suite runs in several processes (pytest-xdist, ``make test``): in-memory SQLite is private
to each process already, and on PostgreSQL each process works in a database of its own, the
suite's database name followed by the worker's id (``cadence_ci_gw0``), created when missing.
"""

from __future__ import annotations

import contextlib
import os
import re

import flask_migrate
import pytest
from flask import g, request_started
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from lms import create_app
from lms.extensions import db, limiter
from tests import factories
from tests.factories import PASSWORD


def _own_database(url: str) -> str:
    """This test process's database: under pytest-xdist a PostgreSQL suite database gets one
    per worker (created if missing; its tables are reset by the ``app`` fixture)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = make_url(url)
    if not worker or parsed.get_backend_name() != "postgresql":
        return url
    own = parsed.set(database=f"{parsed.database}_{worker}")
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": own.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        admin.dispose()
    return own.render_as_string(hide_password=False)


TEST_DATABASE_URL = _own_database(os.environ.get("CADENCE_TEST_DATABASE_URL", "sqlite://"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": TEST_DATABASE_URL,
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "https://cadence.test",
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "OUTBOX_DIR": str(instance / "outbox"),
        "OUTBOX_SWEEP_SECONDS": 0,  # tests that need the retry sweep turn it on
    })
    with app.app_context():
        _reset_schema()
        flask_migrate.upgrade()
    request_started.connect(_fresh_globals, app)
    app.test_client_class = _ClosingClient
    return app


def _fresh_globals(sender, **extra) -> None:
    """Empty ``g`` as each request starts, as it is on a server.

    A test keeps one app context open and Flask reuses it for every test-client request, so
    ``g`` would carry Flask-Login's cached user (and other per-request caches) from one
    request, or one client, to the next.
    """
    for name in list(g):
        g.pop(name)


def _reset_schema() -> None:
    """Start from an empty database (a PostgreSQL one may hold a previous run's tables)."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


class _TestSession(scoped_session):
    """Flask-SQLAlchemy removes the session after each app context; keep the test's."""

    def remove(self):
        self.registry().expire_all()


@pytest.fixture
def session(app):
    """The test's database session: joined to an outer transaction that is rolled back."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                               expire_on_commit=False)
        test_session = _TestSession(factory)
        original = db.session
        db.session = test_session
        try:
            yield test_session
        finally:
            db.session = original
            test_session.registry().close()
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    limiter.reset()
    yield


@pytest.fixture
def client(app, session):
    return app.test_client()


class _ClosingClient(FlaskClient):
    """Read every response fully and close it, as a WSGI server does.

    Closing runs the callbacks registered with ``call_on_close``, such as the jobs a
    request queued (emails); an unbuffered test response would never run them.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def org(session):
    """The small organisation of ``tests.factories.Org``, with every relationship the tests need.

    It is built outside any request: services also run from the CLI and from jobs. A module
    whose tests call services that need a request runs each of them in one with
    ``pytestmark = pytest.mark.usefixtures("ctx")``.
    """
    return factories.Org()


@pytest.fixture
def ctx(app, session):
    """A request context for calling services that render templates or build URLs."""
    with app.test_request_context():
        yield


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def login(client):
    """Sign ``person`` in through the real form; the person needs a password."""
    def sign_in(person, password: str = PASSWORD, remember: bool = False):
        response = client.post("/login", data={"email": person.email, "password": password,
                                               "remember": "y" if remember else ""})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return sign_in


@pytest.fixture
def switch(client, login):
    """Sign out whoever is signed in, then sign ``person`` in."""
    def to(person):
        client.post("/logout")
        login(person)
    return to


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


# The test transaction's savepoints, and a token's last use, which an API request records
# once a minute: the first request of a test pays it, the next ones do not, and neither
# grows with the data a query-count guard is about.
_NOT_COUNTED = re.compile(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO|UPDATE api_tokens SET last_used_at)")


@pytest.fixture
def count_queries(app, session):
    """``with count_queries() as counter:`` counts SQL statements sent to the database."""
    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()
        engine = db.engine

        def before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(_NOT_COUNTED, statement):
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)
    return counting


@pytest.fixture
def page_queries(client, count_queries):
    """``page_queries(url)``: the SQL statements a GET of ``url`` sends once a first GET has
    warmed the caches (templates, statements); the page must answer 200."""
    def count(url: str) -> int:
        client.get(url)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        return counter.count
    return count
