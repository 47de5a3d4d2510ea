"""Claim a state change in the database, so that of two racing requests exactly one wins.

A request that reads "not done yet" and then writes "done" races every other request doing
the same: both read the old state, both write, and both run the side effects (audit entries,
notifications, emails). The cure is to let the database decide. ``claim`` is a conditional
UPDATE (``… WHERE id = :id AND <still in the old state>``): PostgreSQL makes a second
transaction wait on the row lock and re-check the condition once the first commits, and
SQLite runs one writer at a time, so exactly one UPDATE changes the row. Its caller runs the
side effects only when it did. ``add_once`` does the same for a row that a unique
constraint allows once.

Model methods that own a state transition call these; services then act on the answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import ClauseElement

from lms.extensions import db


def claim(instance: Any, *still: Any, **values: Any) -> bool:
    """Set ``values`` on ``instance``'s row if the conditions ``still`` hold there now.

    True when this transaction changed the row: ``instance`` then holds ``values`` without
    writing them again (a value that is an SQL expression is read back when next used).
    False when another transaction got there first: ``instance`` is refreshed with what
    that one stored. An object not written yet has no rival: it simply takes ``values``.
    """
    if not inspect(instance).has_identity:
        for name, value in values.items():
            setattr(instance, name, value)
        return True
    model = type(instance)
    key = inspect(model).primary_key[0]
    changed = db.session.execute(
        update(model).where(key == getattr(instance, key.key), *still).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(instance)
        return False
    computed = [name for name, value in values.items() if isinstance(value, ClauseElement)]
    for name, value in values.items():
        if name not in computed:
            set_committed_value(instance, name, value)
    if computed:  # worked out by the database: read back when next used
        db.session.expire(instance, computed)
    return True


def claim_many(model: Any, ids: list[Any], *still: Any, **values: Any) -> set[Any]:
    """``claim`` for the rows of ``model`` with ``ids``: the ids this transaction changed.

    The caller refreshes (or sets) the objects it holds.
    """
    if not ids:
        return set()
    key = inspect(model).primary_key[0]
    return set(db.session.scalars(
        update(model).where(key.in_(ids), *still).values(**values).returning(key)
        .execution_options(synchronize_session=False)))


def add_once(instance: Any) -> bool:
    """Add ``instance``; False (and nothing added) when a unique constraint says another
    transaction already added its twin."""
    try:
        with db.session.begin_nested():
            db.session.add(instance)
    except IntegrityError:
        return False
    return True
