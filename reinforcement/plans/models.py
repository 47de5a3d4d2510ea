"""Reinforcement plans: the coaching rhythm of a program, its pairings and started teams."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.live.models import Program
from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.people.models import User
from reinforcement.resources.models import Resource


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"

    @property
    def days(self) -> int:
        return 7 if self is Cadence.WEEKLY else 14

    @property
    def label(self) -> str:
        return "Every week" if self is Cadence.WEEKLY else "Every two weeks"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


plan_resources = Table(
    "plan_resources",
    db.metadata,
    Column("plan_id", ForeignKey("reinforcement_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
)


class ReinforcementPlan(db.Model):
    __tablename__ = "reinforcement_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            index=True)
    title: Mapped[str] = mapped_column(String(200))
    weeks: Mapped[int] = mapped_column(Integer, default=12)
    cadence: Mapped[Cadence] = mapped_column(String(16), default=Cadence.WEEKLY)
    check_in_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # The few high-impact activities the coaching focuses on, one per line.
    focus_activities: Mapped[str] = mapped_column(Text, default="")
    # Agenda items every check-in of the plan starts with, one per line.
    agenda_template: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PlanStatus] = mapped_column(String(16), default=PlanStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    program: Mapped[Program] = relationship()
    resources: Mapped[list[Resource]] = relationship(secondary=plan_resources)
    pairings: Mapped[list[PlanPairing]] = relationship(
        back_populates="plan", cascade="all, delete-orphan")
    teams: Mapped[list[PlanTeam]] = relationship(back_populates="plan",
                                                 cascade="all, delete-orphan")


class PlanPairing(db.Model):
    """An exception to who coaches whom (by default: everyone's own manager)."""

    __tablename__ = "plan_pairings"
    __table_args__ = (UniqueConstraint("plan_id", "coachee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reinforcement_plans.id", ondelete="CASCADE"),
                                         index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    coachee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    plan: Mapped[ReinforcementPlan] = relationship(back_populates="pairings")
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    coachee: Mapped[User] = relationship(foreign_keys=[coachee_id])


class PlanTeam(db.Model):
    """A plan started for one coach's team: their check-ins are scheduled from ``starts_on``."""

    __tablename__ = "plan_teams"
    __table_args__ = (UniqueConstraint("plan_id", "coach_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reinforcement_plans.id", ondelete="CASCADE"),
                                         index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    local_time: Mapped[str] = mapped_column(String(5), default="09:00")  # in the coach's zone
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[ReinforcementPlan] = relationship(back_populates="teams")
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
