"""Database foundations: the declarative base, UTC datetimes and SQLite connection hooks.

SQLite allows one writer at a time. A transaction that begins with a plain (deferred)
``BEGIN``, reads, then writes must upgrade its read snapshot to the write lock; when another
connection has committed since the snapshot was taken, SQLite answers SQLITE_BUSY at once,
without waiting (WAL's BUSY_SNAPSHOT), and the request fails. So on SQLite a transaction
that may write begins with ``BEGIN IMMEDIATE``: it takes the write lock before its first
read and waits for it (``SQLITE_BUSY_SECONDS``), and never holds a stale snapshot.

Which transactions may write is decided where it is known, not guessed statement by
statement: a request with an unsafe method (POST, PUT, PATCH, DELETE), and everything
outside a request (CLI commands, jobs, the sweep thread), begins IMMEDIATE. A request with a
safe method (GET, HEAD, OPTIONS) begins deferred, so reads never queue behind writers (WAL
readers do not block). The few GET requests that write (a token's last use, a calendar
feed's, an opened receipt, a PDF stored on first download) call ``begin_writing`` before
they change anything: it ends the read transaction, and the next one takes the write lock.
A write seen inside a deferred transaction is logged, so a forgotten call shows up.
PostgreSQL takes none of these paths: its row locks and MVCC need no such care.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES = "cadence_writes"  # flag on ``g``: this safe-method request declared it writes
_DEFERRED = "cadence_deferred"  # on the DBAPI connection's info: the open BEGIN was deferred
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware datetime.

    SQLite keeps no time zone, so values are normalised to UTC on the way in and
    tagged as UTC on the way out; naive datetimes are refused to catch bugs early.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself so SAVEPOINTs behave (pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # the busy timeout is the driver's ``timeout``
    if cursor.execute("PRAGMA database_list").fetchone()[2]:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _takes_write_lock() -> bool:
    """Whether a transaction beginning now may write (see the module docstring)."""
    from flask import g, has_request_context, request

    if not has_request_context():
        return True
    return request.method not in SAFE_METHODS or g.get(_WRITES, False)


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection):
    if connection.dialect.name == "sqlite":
        immediate = _takes_write_lock()
        connection.info[_DEFERRED] = not immediate
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_write_check(connection, cursor, statement, parameters, context, executemany):
    if (connection.dialect.name == "sqlite" and connection.info.get(_DEFERRED)
            and statement.lstrip().upper().startswith(_WRITE_VERBS)):
        # Works while no other connection writes, fails with "database is locked" under
        # load: the code path needs ``begin_writing`` before it changes anything.
        log.warning("a write in a read-only (deferred) SQLite transaction: %s", statement[:120])


def end_reading(session) -> None:
    """End the session's transaction, which has written nothing, before slow work.

    Rendering a PDF or talking to an SMTP server inside a transaction would hold SQLite's
    write lock (or an ever older read snapshot) for as long as that takes. Objects loaded
    so far are expired and reload in the next transaction.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reading() with unsaved changes; commit them at the boundary")
    if session.in_transaction():
        session.commit()  # nothing to write: this only ends the transaction


def begin_writing(session) -> None:
    """Declare that this safe-method request is about to write.

    Its read transaction ends here and the next one begins with ``BEGIN IMMEDIATE``, which
    waits for the write lock, instead of upgrading a read snapshot that another writer may
    already have made stale. Outside a request, in unsafe-method requests and on
    PostgreSQL, there is nothing to do: the transaction may write as it is.
    """
    from flask import g, has_request_context

    if (not has_request_context() or _takes_write_lock()
            or session.get_bind().dialect.name != "sqlite"):
        return
    setattr(g, _WRITES, True)
    end_reading(session)
