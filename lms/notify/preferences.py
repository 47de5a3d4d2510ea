"""Kinds of notification and each person's channel for them.

Feature packages register their kinds (``register_kind``); a person's choice is a
NotificationPreference row, and a kind they never chose follows its default. Password
resets are not a kind: they are always emailed (``queue_email`` directly).

Bulk kinds (reminders, pre-training communications) and the two digests are mail a person
may stop with one click from the message itself (RFC 8058, ``lms.notify.unsubscribe``);
the other kinds are transactional: an answer to something the person or a colleague did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, select

from lms.extensions import db
from lms.notify.models import Channel, NotificationPreference, NotificationSettings
from lms.people.models import User

DEFAULT_DIGEST_HOUR = 8
# Not kinds of notification but emails of their own, each stopped on its own.
DAILY_DIGEST, TEAM_DIGEST = "digest.daily", "digest.team"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    default: Channel = Channel.EMAIL
    bulk: bool = False


KINDS: dict[str, Kind] = {}


def register_kind(key: str, label: str, default: Channel = Channel.EMAIL, *,
                  bulk: bool = False) -> Kind:
    """Offer notification kind ``key`` on the preferences page (``bulk``: one-click stop)."""
    kind = KINDS[key] = Kind(key, label, Channel(default), bulk)
    return kind


def is_bulk(kind: str) -> bool:
    """Say whether mail of ``kind`` is bulk mail that carries a one-click unsubscribe."""
    return kind in (DAILY_DIGEST, TEAM_DIGEST) or (kind in KINDS and KINDS[kind].bulk)


def default_channel(kind: str) -> Channel:
    """The channel of a kind nobody chose for; unknown kinds are emailed."""
    return KINDS[kind].default if kind in KINDS else Channel.EMAIL


def channels_for(people: Iterable[User], kind: str) -> dict[int, Channel]:
    """Each person's channel for ``kind``, in one query however many people."""
    ids = [person.id for person in people]
    chosen = dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.channel)
        .where(NotificationPreference.kind == kind, NotificationPreference.user_id.in_(ids))
    ).all()) if ids else {}
    default = default_channel(kind)
    return {person_id: Channel(chosen.get(person_id, default)) for person_id in ids}


def channel_for(person: User, kind: str) -> Channel:
    return channels_for([person], kind)[person.id]


def choices_of(person: User) -> dict[str, Channel]:
    """The person's channel for every registered kind."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.channel)
        .where(NotificationPreference.user_id == person.id)).all())
    return {key: Channel(chosen.get(key, kind.default)) for key, kind in KINDS.items()}


def settings_of(person: User) -> NotificationSettings:
    """The person's digest settings (unsaved defaults if they never saved any)."""
    settings = db.session.get(NotificationSettings, person.id)
    if settings is None:
        settings = NotificationSettings(user_id=person.id, digest_hour=DEFAULT_DIGEST_HOUR,
                                        weekly_team_digest=False)
    return settings


def has_reports(person: User) -> bool:
    """Say whether anyone reports to ``person`` (who may then get a team digest)."""
    return bool(db.session.scalar(select(exists().where(User.manager_id == person.id))))


def save_preferences(person: User, channels: dict[str, Channel], *, digest_hour: int,
                     weekly_team_digest: bool) -> NotificationSettings:
    """Store ``person``'s channel per kind and digest settings."""
    if not 0 <= digest_hour <= 23:
        raise ValueError("digest hour must be between 0 and 23")
    rows = {row.kind: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == person.id))}
    for key, channel in channels.items():
        if key not in KINDS:
            continue
        if key in rows:
            rows[key].channel = Channel(channel)
        else:
            db.session.add(NotificationPreference(user_id=person.id, kind=key,
                                                  channel=Channel(channel)))
    settings = settings_of(person)
    settings.digest_hour = digest_hour
    settings.weekly_team_digest = weekly_team_digest and has_reports(person)
    db.session.add(settings)
    db.session.flush()
    return settings
