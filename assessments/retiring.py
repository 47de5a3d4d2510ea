"""Retiring what admins author for assessments (rubrics, surveys): archive it, so it takes no
new use while its results stay, restore it, or delete it while nothing has used it yet.

Like every service, these flush and never commit, audit the change, and refuse with
``ValidationError`` before anything is written.
"""

from __future__ import annotations

from typing import TypeVar

from lms.audit.services import record
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User

T = TypeVar("T")


def set_archived(thing: T, archived: bool, *, kind: str, by: User) -> T:
    """Archive or restore ``thing``; audited as ``<kind>.archive`` or ``<kind>.restore``."""
    if thing.is_archived == archived:
        raise ValidationError("It is already archived." if archived else
                              "It is not archived.")
    thing.is_archived = archived
    record(by, f"{kind}.archive" if archived else f"{kind}.restore", thing,
           summary=thing.title)
    return thing


def delete_unused(thing, *, used: int, refusal: str, kind: str, by: User) -> None:
    """Delete ``thing`` unless it was ``used`` (then refuse with ``refusal``); audited as
    ``<kind>.delete``."""
    if used:
        raise ValidationError(refusal)
    record(by, f"{kind}.delete", thing, summary=thing.title, changes={})
    db.session.delete(thing)
    db.session.flush()
