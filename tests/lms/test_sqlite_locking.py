"""SQLite transactions under concurrent writers: the lock is taken up front and waited for.

These tests need a database file that several connections share, so they build an app of
their own on a temporary file, whatever database the rest of the suite uses, and never use
the ``session`` or ``client`` fixtures (whose single connection stays inside one outer
transaction). Threads stand in for concurrent
requests; the joins with a timeout only coordinate them, nothing asserts on time.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from courses.certificates import rendering
from courses.certificates import services as certificates
from courses.certificates.models import Certificate
from lms import create_app
from lms.db import begin_writing, utcnow
from lms.extensions import db
from lms.notify import jobs, mailer
from lms.notify.models import DeliveryStatus, OutboxMessage
from lms.people.models import User
from tests import factories

BLOCKED_FOR = 1.0  # how long the main thread lets the other one try before going on


@pytest.fixture(scope="module")
def file_app(tmp_path_factory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("locking")
    app = create_app({
        "TESTING": True, "INSTANCE_PATH": str(folder), "SECRET_KEY": "locking-test",
        "DATABASE_URL": f"sqlite:///{folder / 'locking.db'}", "BASE_URL": "https://cadence.test",
        "OUTBOX_DIR": str(folder / "outbox"), "SQLITE_BUSY_SECONDS": 30,
    })
    with app.app_context():
        flask_migrate.upgrade()
        factories.person(name="Original")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _rename_in_thread(app: Flask, name: str, errors: list) -> threading.Thread:
    """Another writer (outside a request, like a job) renames the first person and commits."""
    def run():
        with app.app_context():
            try:
                db.session.execute(update(User).where(User.id == _first_id()).values(name=name))
                db.session.commit()
            except Exception as error:  # reported to the test thread
                errors.append(error)
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _first_id() -> int:
    return db.session.scalar(select(func.min(User.id)))


def _probe_write_lock(path: Path) -> None:
    """Take and release the write lock from another connection without waiting at all."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    finally:
        probe.close()


def _database_path(app: Flask) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def test_a_post_that_reads_then_writes_waits_for_another_writer(file_app):
    errors: list = []
    with file_app.test_request_context("/", method="POST"):
        person = db.session.get(User, _first_id())  # the request's first read
        other = _rename_in_thread(file_app, "Renamed by a job", errors)
        other.join(BLOCKED_FOR)  # it waits for this request's lock: the request went first
        person.job_title = "Changed by the request"
        db.session.commit()
        db.session.remove()
    other.join()
    assert errors == []
    with file_app.app_context():
        person = db.session.get(User, _first_id())
        assert (person.name, person.job_title) == ("Renamed by a job", "Changed by the request")


def test_a_get_reads_without_the_lock_and_writes_after_begin_writing(file_app):
    errors: list = []
    with file_app.test_request_context("/", method="GET"):
        db.session.get(User, _first_id())  # the page's reads hold no lock ...
        _rename_in_thread(file_app, "Renamed while a page was read", errors).join()
        assert errors == []  # ... so the other writer never waited for them
        begin_writing(db.session)  # the page then records something
        db.session.get(User, _first_id()).job_title = "Seen"
        db.session.commit()
        db.session.remove()


def test_without_begin_writing_a_get_could_not_write_after_another_commit(file_app):
    """Why ``begin_writing`` exists: a stale read snapshot cannot become a writer."""
    errors: list = []
    with file_app.test_request_context("/", method="GET"):
        db.session.get(User, _first_id())
        _rename_in_thread(file_app, "Renamed again", errors).join()
        db.session.get(User, _first_id()).job_title = "Lost"
        with pytest.raises(OperationalError, match="locked"):
            db.session.commit()
        db.session.rollback()
        db.session.remove()


def test_delivery_holds_no_lock_while_the_mail_goes_out(file_app, monkeypatch):
    sent = []

    def send(row):
        _probe_write_lock(_database_path(file_app))  # "database is locked" if one is held
        sent.append(row.message_id)

    monkeypatch.setattr(mailer, "send", send)
    with file_app.app_context():
        db.session.add(OutboxMessage(message_id="lock@cadence.test", to_address="a@b.test",
                                     subject="Hello", body_text="Hi"))
        db.session.commit()
        jobs.run_job("deliver_outbox", {})
        status = db.session.scalar(select(OutboxMessage.status)
                                   .where(OutboxMessage.message_id == "lock@cadence.test"))
    assert sent == ["lock@cadence.test"] and status == DeliveryStatus.SENT


def test_the_render_job_holds_no_lock_while_the_pdf_renders(file_app, monkeypatch):
    real_render = rendering.render_pdf

    def render(*args, **kwargs):
        _probe_write_lock(_database_path(file_app))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_pdf", render)
    with file_app.app_context():
        person = db.session.get(User, _first_id())
        course = factories.course(title="Locks")
        certificate = Certificate(code=certificates.new_code(), user_id=person.id,
                                  course_id=course.id, learner_name=person.name,
                                  course_title="Locks", issuer="Cadence", issued_at=utcnow())
        db.session.add(certificate)
        db.session.commit()
        jobs.run_job("render_certificate", {"certificate_id": certificate.id})
        stored = db.session.get(Certificate, certificate.id, populate_existing=True)
        assert stored.rendered_at is not None
        assert stored.pdf_sha256 == hashlib.sha256(stored.pdf).hexdigest()
