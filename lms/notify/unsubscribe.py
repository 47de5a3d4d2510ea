"""One-click unsubscribe from bulk mail (RFC 2369 ``List-Unsubscribe``, RFC 8058 one-click).

Each bulk email carries a link signed with the app's secret key (salted for this purpose
only, so no other signed value of the app can pass for it) naming one person and one kind
of mail. Following it needs no sign-in: a mail client POSTs ``List-Unsubscribe=One-Click``
to it, or the person presses the button on the page it shows. Stopping a kind keeps it in
the notification centre (channel "in app only"); a digest is stopped on its own. The link
has no expiry: an old email's link must still work, and it can only ever stop mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from lms.extensions import db
from lms.notify.models import Channel, Notification, NotificationPreference
from lms.notify.preferences import (
    DAILY_DIGEST,
    KINDS,
    TEAM_DIGEST,
    choices_of,
    is_bulk,
    settings_of,
)
from lms.notify.services import link_to
from lms.people.models import User

SALT = "cadence.notify.list-unsubscribe"
ONE_CLICK = "List-Unsubscribe=One-Click"  # the body RFC 8058 clients POST
LABELS = {DAILY_DIGEST: "Your daily digest email",
          TEAM_DIGEST: "The weekly email about your team"}


@dataclass(frozen=True)
class Subscription:
    """A person and one kind of bulk mail they get."""

    person: User
    kind: str

    @property
    def label(self) -> str:
        return LABELS.get(self.kind) or KINDS[self.kind].label


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(person_id: int, kind: str) -> str:
    """The signed token naming ``person_id`` and ``kind``."""
    return _serializer().dumps([person_id, kind])


def url_for_kind(person_id: int, kind: str) -> str:
    """The absolute unsubscribe address of ``kind`` for ``person_id``, from the base URL."""
    return link_to("notify.unsubscribe", token=token_for(person_id, kind))


def read_token(token: str) -> Subscription | None:
    """The subscription a token names, or None when forged, tampered or no longer valid."""
    try:
        person_id, kind = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(person_id, int) or not isinstance(kind, str) or not is_bulk(kind):
        return None
    person = db.session.get(User, person_id)
    return Subscription(person, kind) if person is not None else None


def unsubscribe(subscription: Subscription) -> None:
    """Stop that kind of mail to that person; repeating it changes nothing."""
    person, kind = subscription.person, subscription.kind
    if kind == TEAM_DIGEST:
        settings = settings_of(person)
        settings.weekly_team_digest = False
        db.session.add(settings)
    elif kind == DAILY_DIGEST:
        # Every kind gathered into the digest stays in the centre only; what waits for
        # tomorrow's digest is not sent either.
        for key, channel in choices_of(person).items():
            if channel == Channel.DIGEST:
                _set_in_app(person, key)
        db.session.execute(
            update(Notification).where(Notification.recipient_id == person.id,
                                       Notification.digest_pending.is_(True))
            .values(digest_pending=False))
    else:
        _set_in_app(person, kind)
    db.session.flush()


def _set_in_app(person: User, kind: str) -> None:
    row = db.session.scalar(select(NotificationPreference).where(
        NotificationPreference.user_id == person.id, NotificationPreference.kind == kind))
    if row is None:
        db.session.add(NotificationPreference(user_id=person.id, kind=kind,
                                              channel=Channel.IN_APP))
    else:
        row.channel = Channel.IN_APP
