"""In-app notifications and the email outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.people.models import User


class Notification(db.Model):
    """Something a person should know about, shown in their notification list."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_unread", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Waiting for the recipient's daily digest email (their channel for this kind is DIGEST).
    digest_pending: Mapped[bool] = mapped_column(Boolean, default=False, index=True,
                                                 server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recipient: Mapped[User] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


class OutboxMessage(db.Model):
    """An email waiting to be delivered; the row is the source of truth for delivery."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable Message-ID: a retry re-sends the same message, which receivers can de-duplicate.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(120), default="")
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    # The notification kind (or digest) it belongs to: bulk kinds carry a one-click
    # unsubscribe; empty for transactional mail such as password resets.
    kind: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # An iTIP invitation (iCalendar text, METHOD:REQUEST or CANCEL) to attach, or "".
    calendar: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[DeliveryStatus] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notification: Mapped[Notification | None] = relationship()


class Channel(StrEnum):
    """How a person wants one kind of notification."""

    IN_APP = "in_app"  # the notification centre only
    EMAIL = "email"  # the centre, and an email at once
    DIGEST = "digest"  # the centre, and a daily email listing everything of the day


class NotificationPreference(db.Model):
    """One person's channel for one kind of notification (absent: the kind's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(String(16))


class NotificationSettings(db.Model):
    """Per-person digest settings and when each digest last went out."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    weekly_team_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)  # local time
    last_daily_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_weekly_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SystemState(db.Model):
    """Small facts about background work that admins see on the health page."""

    __tablename__ = "system_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
