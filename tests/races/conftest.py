"""A live Cadence server with a database of its own, and requests fired at it all at once.

The per-test SAVEPOINT session of ``tests/conftest.py`` lives on one connection that a server
thread cannot share, and a race needs real transactions anyway: two requests must each
commit. So these tests get a second app, served by Werkzeug's threaded server from a daemon
thread, on a database made for the run: a temporary SQLite file by default, or, when
``CADENCE_TEST_DATABASE_URL`` names a PostgreSQL server, a scratch database created there
and dropped (with its connections) afterwards. Data is seeded through the services and
committed; every test seeds its own people, so tests never see each other's rows.

These fixtures never touch the ``session`` or ``client`` fixtures, so the module-level
``db.session`` stays the real one while the server answers requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.extensions import db, limiter
from lms.notify import jobs
from lms.notify.models import Notification, OutboxMessage
from tests.factories import PASSWORD
from tests.live import live_app, serving, suite_database

T = TypeVar("T")
TIMEOUT = 30  # seconds a request may take before the test gives up on it
_REAL_DB_SESSION = db.session


@dataclass
class LiveServer:
    url: str
    app: Flask

    def seed(self, build: Callable[[], T]) -> T:
        """Run ``build`` in the server's app and commit, so the server sees what it made.

        ``build`` should return plain values (ids, slugs): its objects are expired by the
        commit and detached when the app context closes.
        """
        assert db.session is _REAL_DB_SESSION, "race tests must not use the session fixture"
        with self.app.app_context():
            result = build()
            db.session.commit()
            return result

    def read(self, look: Callable[[], T]) -> T:
        """Run ``look`` in the server's app, in a fresh transaction, and return its result."""
        with self.app.app_context():
            return look()

    def count(self, model: Any, *where) -> int:
        """How many rows of ``model`` match ``where``, as committed now."""
        return self.read(lambda: db.session.scalar(
            select(func.count()).select_from(model).where(*where)) or 0)

    def audits(self, action: str, object_id: int | None = None) -> int:
        """Audit entries of ``action`` (on the object with ``object_id``, if given)."""
        where = [AuditEntry.action == action]
        if object_id is not None:
            where.append(AuditEntry.object_id == object_id)
        return self.count(AuditEntry, *where)

    def notifications(self, kind: str, people: list[int]) -> int:
        """In-app notifications of ``kind`` to the people with ids ``people``."""
        return self.count(Notification, Notification.kind == kind,
                          Notification.recipient_id.in_(people))

    def emails(self, kind: str, people: list[int]) -> int:
        """Emails in the outbox for notifications of ``kind`` to ``people``."""
        return self.read(lambda: db.session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .join(Notification, Notification.id == OutboxMessage.notification_id)
            .where(Notification.kind == kind, OutboxMessage.recipient_id.in_(people))) or 0)

    def signed_in(self, email: str) -> requests.Session:
        """A browser signed in as ``email``: its cookies serve every request of a race."""
        browser = requests.Session()
        response = browser.post(f"{self.url}/login", data={"email": email,
                                                          "password": PASSWORD},
                                allow_redirects=False, timeout=TIMEOUT)
        assert response.status_code == 302, response.text[:500]
        return browser


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    """Serve a fresh Cadence app on a free local port, on a database of its own."""
    folder = tmp_path_factory.mktemp("races")
    with suite_database(folder) as url:
        # Fifty requests at once each hold a connection while they wait on a row lock.
        app = live_app(folder, url, WTF_CSRF_ENABLED=False,
                       SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 60})
        with serving(app) as base_url:
            yield LiveServer(base_url, app)


def race(count: int, send: Callable[[int], requests.Response]) -> list[requests.Response]:
    """Call ``send(i)`` from ``count`` threads that all start at the same moment.

    A barrier holds every thread until the last one is ready, so the requests reach the
    server together rather than one after another.
    """
    barrier = threading.Barrier(count)
    answers: list[requests.Response | BaseException | None] = [None] * count

    def run(number: int) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            answers[number] = send(number)
        except BaseException as error:  # reported below, in the test's thread
            answers[number] = error

    threads = [threading.Thread(target=run, args=(number,), daemon=True)
               for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    failures = [answer for answer in answers if not isinstance(answer, requests.Response)]
    assert not failures, f"{len(failures)} requests got no answer: {failures[:3]}"
    return answers  # type: ignore[return-value]


def post_all(browser: requests.Session, url: str, count: int,
             data: dict | Callable[[int], dict] | None = None) -> list[int]:
    """POST ``url`` ``count`` times at once with ``browser``'s cookies; the statuses.

    ``data`` is the form, or a function of the request's number giving each its own. Each
    thread gets its own HTTP session (requests' sessions are not thread-safe) carrying the
    same cookies, as a double-click sends the same cookies twice.
    """
    cookies = browser.cookies.get_dict()

    def send(number: int) -> requests.Response:
        with requests.Session() as own:
            own.cookies.update(cookies)
            form = data(number) if callable(data) else data
            return own.post(url, data=form, allow_redirects=False, timeout=TIMEOUT)

    statuses = [answer.status_code for answer in race(count, send)]
    assert all(status < 500 for status in statuses), statuses
    return statuses


def get_all(browser: requests.Session, url: str, count: int) -> list[int]:
    """GET ``url`` ``count`` times at once with ``browser``'s cookies; the statuses."""
    cookies = browser.cookies.get_dict()

    def send(_: int) -> requests.Response:
        with requests.Session() as own:
            own.cookies.update(cookies)
            return own.get(url, allow_redirects=False, timeout=TIMEOUT)

    statuses = [answer.status_code for answer in race(count, send)]
    assert all(status < 500 for status in statuses), statuses
    return statuses


@pytest.fixture(autouse=True)
def _fresh_limits(live):
    """Instead of the root fixture of this name, which would build the suite's own app (and
    migrate its database) for nothing: sign-in throttling starts afresh for each test."""
    with live.app.app_context():
        limiter.reset()


@pytest.fixture(autouse=True)
def _no_certificate_pdfs(monkeypatch):
    """Skip rendering certificate PDFs after the race: seconds of CPU each, beside the point."""
    monkeypatch.setitem(jobs.JOBS, "render_certificate", lambda certificate_id: None)


@pytest.fixture(params=[2, 20], ids=["double-click", "crowd"])
def crowd(request) -> int:
    """How many identical requests race: a double-click, then a crowd."""
    return request.param
