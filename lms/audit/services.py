"""Record state changes in the audit log, inside the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import inspect

from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.people.models import User

SECRET_FIELDS = frozenset({"password_hash", "session_generation", "token_hash"})


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def value_changes(obj: Any, values: dict[str, Any]) -> dict[str, list]:
    """Return ``{field: [old, new]}`` for the ``values`` that differ from what ``obj`` holds
    (for a write made by an UPDATE statement rather than through the object)."""
    return {key: [_plain(getattr(obj, key)), _plain(value)] for key, value in values.items()
            if getattr(obj, key) != value}


def pending_changes(obj: Any, fields: tuple[str, ...] | None = None) -> dict[str, list]:
    """Return ``{field: [old, new]}`` for the unflushed column changes on ``obj``."""
    state = inspect(obj)
    changes: dict[str, list] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if (fields and key not in fields) or key in {"updated_at", "created_at"}:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        if key in SECRET_FIELDS:
            changes[key] = ["(hidden)", "(changed)"]
        else:
            changes[key] = [_plain(old), _plain(new)]
    return changes


def record(by: User | None, action: str, obj: Any, *, summary: str = "",
           changes: dict | None = None) -> AuditEntry:
    """Add an audit entry for ``action`` on ``obj`` by ``by``; flushes so ids exist."""
    if changes is None:
        changes = pending_changes(obj)
    db.session.flush()
    entry = AuditEntry(
        actor_id=by.id if by is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        summary=summary[:255],
        changes=changes,
    )
    db.session.add(entry)
    return entry
