"""Metrics, goals, weekly actuals and gap reviews."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.claims import claim
from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.people.models import User
from reinforcement.checkins.models import ActionItem


class MetricKind(StrEnum):
    ACTIVITY = "activity"  # things done: proposals sent, new contacts, meetings
    PROFICIENCY = "proficiency"  # how well: close ratio, average sale value, proposal ratio


class Metric(db.Model):
    __tablename__ = "metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # e.g. "proposals_sent" (CSV)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MetricKind] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16), default="count")  # count, percent, currency
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)


class Goal(db.Model):
    """A target for one person, metric and period, proposed by the coach and agreed by both."""

    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("person_id", "metric_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id", ondelete="RESTRICT"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    target: Mapped[float] = mapped_column(Float)
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    coach_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    coachee_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[User] = relationship(foreign_keys=[person_id])
    metric: Mapped[Metric] = relationship()

    def agree(self, now: datetime) -> bool:
        """The person agrees, once: False when they already had (perhaps a racing request)."""
        return claim(self, Goal.coachee_agreed_at.is_(None), coachee_agreed_at=now)


class ActualSource(StrEnum):
    CHECK_IN = "check_in"
    IMPORT = "import"  # a CRM export


class MetricActual(db.Model):
    """What a person achieved on a metric in the period starting ``period_start``."""

    __tablename__ = "metric_actuals"
    __table_args__ = (UniqueConstraint("person_id", "metric_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id", ondelete="RESTRICT"))
    period_start: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[ActualSource] = mapped_column(String(16), default=ActualSource.CHECK_IN)
    check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="SET NULL"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    metric: Mapped[Metric] = relationship()


class RootCause(StrEnum):
    ENVIRONMENT = "environment"
    COMMITMENT = "commitment"
    CAPACITY = "capacity"
    SKILLS = "skills"
    KNOWLEDGE = "knowledge"


class GapReview(db.Model):
    """Why a metric is behind target, what will be done about it, and whether it worked."""

    __tablename__ = "gap_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="SET NULL"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    root_cause: Mapped[RootCause] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    gap_at_review: Mapped[float] = mapped_column(Float)  # target minus actual, in the unit
    action_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_items.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evaluated_check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="SET NULL"))
    gap_at_evaluation: Mapped[float | None] = mapped_column(Float)
    improved: Mapped[bool | None] = mapped_column(Boolean)
    evaluation_note: Mapped[str] = mapped_column(Text, default="")

    goal: Mapped[Goal] = relationship()
    action_item: Mapped[ActionItem | None] = relationship()
