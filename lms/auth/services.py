"""Sign-in, passwords, password resets and API tokens. Services flush; callers commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import or_, select, update

from lms.audit import services as audit
from lms.auth.models import ApiToken, PasswordReset
from lms.auth.passwords import hash_password, password_problems, verify_password
from lms.db import begin_writing, utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.services import absolute_url, queue_email
from lms.people.models import User
from lms.people.services import find_by_email

TOKEN_PREFIX = "cad_"  # noqa: S105  (a public marker, not a secret)
SCOPES = {
    "people:read": "Read people and the reports-to tree you can see",
    "people:write": "Create and change people (admins only)",
}
_DUMMY_HASH: str | None = None
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=1)  # last use is to the minute, not the request


def register_scope(name: str, description: str) -> None:
    """Let a feature package offer an API token scope (``<area>:read`` / ``<area>:write``)."""
    SCOPES.setdefault(name, description)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _burn_time(password: str) -> None:
    """Spend the time of a real check so timing does not reveal unknown emails."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    verify_password(_DUMMY_HASH, password)


def authenticate(email: str, password: str) -> User | None:
    """Return the active person with these credentials, upgrading an old hash."""
    person = find_by_email(email)
    if person is None or not person.password_hash:
        _burn_time(password)
        return None
    matches, needs_rehash = verify_password(person.password_hash, password)
    if not matches or not person.is_active:
        return None
    if needs_rehash:
        person.password_hash = hash_password(password)
    return person


def check_password_policy(password: str, person: User) -> None:
    problems = password_problems(password, email=person.email, name=person.name)
    if problems:
        raise ValidationError(" ".join(problems), field="password")


def set_password(person: User, password: str, *, by: User | None) -> User:
    """Give ``person`` a new password; every other session and API token ends."""
    check_password_policy(password, person)
    person.password_hash = hash_password(password)
    person.invalidate_sessions()
    # Record first: revoking runs an UPDATE whose autoflush would erase the change history.
    audit.record(by, "person.password", person, summary="Password changed")
    revoke_all_tokens(person)
    return person


class WrongPasswordError(ValidationError):
    """The password re-entered to confirm a change is not the person's (pages throttle it)."""


def _confirm_password(person: User, password: str) -> None:
    matches, _ = verify_password(person.password_hash, password)
    if not matches:
        raise WrongPasswordError("Your current password is not correct.",
                                 field="current_password")


def change_password(person: User, *, current: str, new: str) -> User:
    """Change one's own password after re-entering the current one."""
    _confirm_password(person, current)
    return set_password(person, new, by=person)


def change_email(person: User, *, password: str, new_email: str) -> User:
    """Change one's own email after re-entering the password."""
    _confirm_password(person, password)
    other = find_by_email(new_email)
    if other is not None and other.id != person.id:
        raise ValidationError("Another person already uses this email.", field="email")
    person.email = new_email
    audit.record(person, "person.email", person, summary="Email changed")
    return person


def request_password_reset(email: str) -> PasswordReset | None:
    """Email a single-use reset link if an active person has ``email``; say nothing either way."""
    person = find_by_email(email)
    if person is None or not person.is_active:
        return None
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    reset = PasswordReset(user=person, token_hash=digest(token),
                          expires_at=utcnow() + timedelta(minutes=minutes))
    db.session.add(reset)
    link = absolute_url(url_for("auth.reset_password", token=token))
    queue_email(person, subject="Reset your Cadence password", template="password_reset",
                context={"link": link, "minutes": minutes})
    return reset


def find_reset(token: str, now: datetime | None = None) -> PasswordReset | None:
    """Return the usable reset for ``token``, or None if unknown, used or expired."""
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == digest(token)))
    if reset is None or not reset.usable(now or utcnow()) or not reset.user.is_active:
        return None
    return reset


def reset_password(token: str, new: str) -> User:
    """Set a new password through a reset link, which then stops working."""
    reset = find_reset(token)
    if reset is None:
        raise ValidationError("This reset link is invalid or has expired. Ask for a new one.")
    set_password(reset.user, new, by=reset.user)
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == reset.user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    return reset.user


def create_api_token(person: User, *, password: str, name: str, scopes: list[str],
                     days: int) -> tuple[ApiToken, str]:
    """Create a personal API token; return it and the secret, which is shown only once."""
    _confirm_password(person, password)
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown or not scopes:
        raise ValidationError("Choose at least one known scope.", field="scopes")
    if not 1 <= days <= 365:
        raise ValidationError("Tokens last between 1 and 365 days.", field="days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=person, name=name.strip(), prefix=secret[:10],
                     token_hash=digest(secret), scopes=" ".join(sorted(set(scopes))),
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    audit.record(person, "token.create", token, summary=f"API token {token.name!r} created",
                 changes={"scopes": [None, token.scopes]})
    return token, secret


def revoke_token(token: ApiToken, *, by: User) -> ApiToken:
    """Revoke one API token."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(by, "token.revoke", token, summary=f"API token {token.name!r} revoked")
    return token


def revoke_all_tokens(person: User) -> int:
    """Revoke every live API token of ``person``; return how many."""
    if person.id is None:
        return 0
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == person.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount


def token_user(secret: str) -> tuple[User, ApiToken] | None:
    """Return the active person and token for a bearer ``secret``, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    now = utcnow()
    if token is None or not token.active(now) or not token.user.is_active:
        return None
    return token.user, token


def record_token_use(token: ApiToken, now: datetime | None = None) -> bool:
    """Note that ``token`` was used, at most once a minute; return whether a row changed.

    A conditional UPDATE, so of many requests at once with the same token one writes. Most
    requests find the last use recent and write nothing; the caller commits when it did.
    """
    now = now or utcnow()
    recent = now - TOKEN_USE_RECORDED_EVERY
    if token.last_used_at is not None and token.last_used_at > recent:
        return False
    token_id = token.id
    begin_writing(db.session)  # API reads are GETs
    changed = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id,
               or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= recent))
        .values(last_used_at=now).execution_options(synchronize_session="fetch")).rowcount
    return changed == 1
