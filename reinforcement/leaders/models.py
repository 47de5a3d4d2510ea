"""Leaders' monthly reviews of their managers' coaching."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessments.models import Observation
from lms.claims import claim
from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.people.models import User


class ReviewDecision(StrEnum):
    CONFIRMED = "confirmed"  # the reinforcement happened as it should
    FEEDBACK = "feedback"  # feedback on the coaching, for the manager to acknowledge


class LeaderReview(db.Model):
    """A leader's decision on one manager's coaching rhythm for one period."""

    __tablename__ = "leader_reviews"
    __table_args__ = (UniqueConstraint("leader_id", "manager_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    decision: Mapped[ReviewDecision] = mapped_column(String(16))
    feedback: Mapped[str] = mapped_column(Text, default="")
    # Why the leader confirms: required for a month in which the manager held no check-in.
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("observations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # by the manager

    leader: Mapped[User] = relationship(foreign_keys=[leader_id])
    manager: Mapped[User] = relationship(foreign_keys=[manager_id])
    observation: Mapped[Observation | None] = relationship()

    def acknowledge(self, now: datetime) -> bool:
        """The manager acknowledges the feedback, once: False when they already had."""
        return claim(self, LeaderReview.acknowledged_at.is_(None),
                     LeaderReview.decision == ReviewDecision.FEEDBACK, acknowledged_at=now)
