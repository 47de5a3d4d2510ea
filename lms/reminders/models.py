"""Reminder rules' thresholds (set by admins) and the log that makes the sweep idempotent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import UTCDateTime, utcnow
from lms.extensions import db


class ReminderSetting(db.Model):
    """An admin's thresholds for one reminder rule (absent: the rule's defaults)."""

    __tablename__ = "reminder_settings"

    rule: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    days_before: Mapped[int] = mapped_column(Integer, default=3)
    escalate_after_days: Mapped[int] = mapped_column(Integer, default=7)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReminderSent(db.Model):
    """One reminder that went out: the same (rule, subject, recipient, stage) never twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("rule", "subject_type", "subject_id", "recipient_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int] = mapped_column(Integer)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                              index=True)
    stage: Mapped[str] = mapped_column(String(32))  # e.g. "due", "overdue", "escalated"
    local_date: Mapped[date] = mapped_column(Date)  # the recipient's date when it was sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
