"""Finding who walked in to a live session: by name or email, among the active people.

The facilitator may add anyone in the organisation as a walk-in (capacity does not apply), so
the search runs over everyone active; it answers with names and job titles only, never email
addresses, and leaves out whoever already holds a seat at the session.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from courses.live.models import LiveSession, Registration, RegistrationStatus
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User

LIMIT = 8  # suggestions shown while typing
MIN_LENGTH = 2  # characters typed before anyone is suggested


def _matching(text: str):
    # autoescape: a "%" or "_" typed in the search matches itself, not everyone.
    return select(User).where(User.is_active, or_(
        User.name.icontains(text, autoescape=True),
        User.email.contains(text.lower(), autoescape=True)))


def candidates(session: LiveSession, text: str, *, limit: int = LIMIT) -> list[User]:
    """Active people matching ``text`` who are not registered for ``session``, by name."""
    text = text.strip()[:100]
    if len(text) < MIN_LENGTH:
        return []
    seated = exists().where(Registration.session_id == session.id,
                            Registration.user_id == User.id,
                            Registration.status == RegistrationStatus.REGISTERED)
    return list(db.session.scalars(
        _matching(text).where(~seated).order_by(User.name, User.id).limit(limit)))


def find(text: str, person_id: int | None) -> User:
    """The person picked from the suggestions (``person_id``), else the one active person
    whose email is ``text`` or whose name contains it; refused when none or several match."""
    if person_id is not None:
        person = db.session.get(User, person_id)
        if person is None or not person.is_active:
            raise ValidationError("That person is not in the organisation.", field="who")
        return person
    text = text.strip()[:200]
    by_email = db.session.scalar(select(User).where(User.is_active,
                                                    User.email == text.lower()))
    if by_email is not None:
        return by_email
    if len(text) < MIN_LENGTH:
        raise ValidationError("Type at least two letters of their name, or their email.",
                              field="who")
    found = list(db.session.scalars(_matching(text).order_by(User.name).limit(2)))
    if not found:
        raise ValidationError(f"Nobody is called “{text[:40]}” or has that email.",
                              field="who")
    if len(found) > 1:
        raise ValidationError(f"Several people match “{text[:40]}”: pick one from the list, "
                              "or type more of the name or their email.", field="who")
    return found[0]
