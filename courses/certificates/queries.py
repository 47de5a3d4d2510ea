"""Read-only certificate queries shared by the pages, the API and Home, each one statement."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from courses.certificates.models import Certificate
from lms.authz import visible
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User

STATUSES = ("valid", "revoked")
RECENT = timedelta(days=30)


def listed(viewer: User, *, course_id: int | None = None, status: str | None = None,
           search: str = "", user_id: int | None = None) -> Select:
    """The certificates ``viewer`` may see, filtered, newest first, holders loaded."""
    stmt = (visible(select(Certificate), viewer)
            .join(User, User.id == Certificate.user_id)
            .options(contains_eager(Certificate.user))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    if course_id is not None:
        stmt = stmt.where(Certificate.course_id == course_id)
    if user_id is not None:
        stmt = stmt.where(Certificate.user_id == user_id)
    if status == "valid":
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    elif status == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(or_(func.lower(Certificate.learner_name).like(like),
                              func.lower(Certificate.course_title).like(like),
                              func.lower(User.email).like(like),
                              Certificate.code == search))
    return stmt


def own(user: User) -> list[Certificate]:
    """``user``'s own certificates, newest first."""
    return list(db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def course_choices(viewer: User) -> list[tuple[int, str]]:
    """The courses of the certificates ``viewer`` may see, by title."""
    rows = db.session.execute(
        visible(select(Certificate.course_id, func.max(Certificate.course_title)), viewer,
                Certificate)
        .group_by(Certificate.course_id).order_by(func.max(Certificate.course_title)))
    return [(course_id, title) for course_id, title in rows]


def recent_valid(user: User) -> list[Certificate]:
    """``user``'s certificates issued in the last 30 days and not revoked."""
    return list(db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None),
               Certificate.issued_at >= utcnow() - RECENT)
        .order_by(Certificate.issued_at.desc()).limit(3)))
