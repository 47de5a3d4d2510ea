"""Daily digests of a person's notifications and weekly digests of a manager's team.

Both run as jobs (and periodically when the job layer has a scheduler); both are
idempotent: a digest is sent at most once per local day (or local week), and the stable
Message-ID of its outbox row makes a second one for the same period impossible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select, update

from lms.db import utcnow
from lms.extensions import db
from lms.notify.jobs import periodic
from lms.notify.models import Notification, NotificationSettings
from lms.notify.preferences import (
    DAILY_DIGEST,
    DEFAULT_DIGEST_HOUR,
    TEAM_DIGEST,
    settings_of,
)
from lms.notify.services import absolute_url, queue_email
from lms.people.models import User
from lms.people.tree import subtree_ids
from lms.web.templating import person_zone

# How often the digest passes look for people whose local hour has come: a digest goes out
# within this long after the hour a person chose.
DIGEST_CHECK_SECONDS = 15 * 60


@dataclass
class TeamSection:
    """A block of a manager's weekly digest contributed by a feature package."""

    title: str
    lines: list[str] = field(default_factory=list)


TeamSectionFn = Callable[[User, list[int], datetime], TeamSection | None]
TEAM_DIGEST_SECTIONS: list[TeamSectionFn] = []


def team_digest_section(fn: TeamSectionFn) -> TeamSectionFn:
    """Register ``fn(manager, team_ids, now)`` to add a section to weekly team digests."""
    TEAM_DIGEST_SECTIONS.append(fn)
    return fn


def local_now(person: User, now: datetime) -> datetime:
    return now.astimezone(person_zone(person))


def _host() -> str:
    return current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]


def _sent_today(last: datetime | None, local: datetime) -> bool:
    return last is not None and last.astimezone(local.tzinfo).date() == local.date()


def _daily_due(now: datetime) -> list[tuple[User, NotificationSettings | None, date]]:
    """People with pending digest items whose digest hour has come and who had none today."""
    pending = select(Notification.recipient_id).where(Notification.digest_pending.is_(True))
    rows = db.session.execute(
        select(User, NotificationSettings)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(User.id.in_(pending), User.is_active.is_(True)).order_by(User.id)).all()
    due = []
    for person, settings in rows:
        local = local_now(person, now)
        hour = settings.digest_hour if settings else DEFAULT_DIGEST_HOUR
        if local.hour >= hour and not _sent_today(
                settings.last_daily_digest_at if settings else None, local):
            due.append((person, settings, local.date()))
    return due


@periodic("daily_digests", every=DIGEST_CHECK_SECONDS)
def send_daily_digests(now: datetime | None = None) -> int:
    """Queue one digest email for each person due one; return how many were queued."""
    now = now or utcnow()
    due = _daily_due(now)
    if not due:
        return 0
    items = defaultdict(list)
    for item in db.session.scalars(
            select(Notification).where(Notification.digest_pending.is_(True),
                                       Notification.recipient_id.in_([p.id for p, _s, _d in due]))
            .order_by(Notification.created_at, Notification.id)):
        items[item.recipient_id].append(item)
    for person, settings, day in due:
        listed = items[person.id]
        message = queue_email(person, subject=f"Your Cadence digest: {len(listed)} update(s)",
                              template="digest", context={"items": listed, "day": day,
                                                          "link": absolute_url("/notifications/")},
                              kind=DAILY_DIGEST)
        message.message_id = f"digest-{person.id}-{day.isoformat()}@{_host()}"
        settings = settings or settings_of(person)
        settings.last_daily_digest_at = now
        db.session.add(settings)
    db.session.execute(
        update(Notification).where(Notification.id.in_(
            [item.id for listed in items.values() for item in listed]))
        .values(digest_pending=False))
    db.session.flush()
    return len(due)


def _team_summary(manager: User, now: datetime) -> dict:
    team = db.session.execute(
        select(User.id, User.name).where(User.id.in_(subtree_ids(manager.id, include_root=False)),
                                         User.is_active.is_(True)).order_by(User.name)).all()
    team_ids = [person_id for person_id, _name in team]
    unread = db.session.execute(
        select(User.name, func.count(Notification.id))
        .join(Notification, Notification.recipient_id == User.id)
        .where(User.id.in_(team_ids), Notification.read_at.is_(None))
        .group_by(User.id, User.name).order_by(User.name)).all() if team_ids else []
    sections = [section for fn in TEAM_DIGEST_SECTIONS
                if (section := fn(manager, team_ids, now)) is not None]
    return {"team_size": len(team_ids), "unread": unread, "sections": sections}


@periodic("weekly_team_digests", every=DIGEST_CHECK_SECONDS)
def send_weekly_team_digests(now: datetime | None = None) -> int:
    """On Monday morning (local), email each opted-in manager a summary of their team."""
    now = now or utcnow()
    rows = db.session.execute(
        select(User, NotificationSettings)
        .join(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(NotificationSettings.weekly_team_digest.is_(True), User.is_active.is_(True))
        .order_by(User.id)).all()
    sent = 0
    for manager, settings in rows:
        local = local_now(manager, now)
        year, week, weekday = local.isocalendar()
        last = settings.last_weekly_digest_at
        if weekday != 1 or local.hour < settings.digest_hour or (
                last is not None and last.astimezone(local.tzinfo).isocalendar()[:2]
                == (year, week)):
            continue
        summary = _team_summary(manager, now)
        message = queue_email(manager, subject="Your team this week in Cadence",
                              template="team_digest",
                              context={**summary, "day": local.date(),
                                       "link": absolute_url("/people/")},
                              kind=TEAM_DIGEST)
        message.message_id = f"team-digest-{manager.id}-{year}-W{week:02d}@{_host()}"
        settings.last_weekly_digest_at = now
        sent += 1
    db.session.flush()
    return sent

