"""Private feed tokens: create (which rotates), revoke, and find the person behind one."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from lms.auth.services import digest
from lms.calendar.models import CalendarToken
from lms.db import begin_writing, utcnow
from lms.extensions import db
from lms.people.models import User

# Calendar apps poll every few minutes: note the use at most this often, not on every poll.
USE_RECORDED_EVERY = timedelta(hours=1)


def active_token(person: User) -> CalendarToken | None:
    return db.session.scalar(
        select(CalendarToken).where(CalendarToken.user_id == person.id,
                                    CalendarToken.revoked_at.is_(None)))


def revoke_feed(person: User) -> int:
    """End ``person``'s feed URL; return how many tokens were revoked."""
    result = db.session.execute(
        update(CalendarToken)
        .where(CalendarToken.user_id == person.id, CalendarToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    return result.rowcount


def create_feed(person: User) -> tuple[CalendarToken, str]:
    """Give ``person`` a new feed URL, revoking the old; the secret is shown only once."""
    revoke_feed(person)
    secret = secrets.token_urlsafe(32)
    token = CalendarToken(user_id=person.id, token_hash=digest(secret))
    db.session.add(token)
    db.session.flush()
    return token, secret


def feed_owner(secret: str, now: datetime | None = None) -> User | None:
    """The active person whose live feed token is ``secret``, or None."""
    token = db.session.scalar(
        select(CalendarToken).where(CalendarToken.token_hash == digest(secret),
                                    CalendarToken.revoked_at.is_(None)))
    if token is None or not token.user.is_active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        begin_writing(db.session)  # feeds are fetched with GET
        token.last_used_at = now
    return token.user
