"""Coaching check-ins, their agenda and action items."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.people.models import User

if TYPE_CHECKING:  # plans build on check-ins; the relationship finds PlanTeam by name
    from reinforcement.plans.models import PlanTeam


class CheckInStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    MISSED = "missed"
    RESCHEDULED = "rescheduled"  # moved: a new check-in replaces it
    CANCELLED = "cancelled"


class CheckIn(db.Model):
    """A coaching 1:1 between a coach and a coachee."""

    __tablename__ = "check_ins"
    __table_args__ = (Index("ix_check_ins_coach_scheduled", "coach_id", "scheduled_at"),
                      Index("ix_check_ins_coachee_scheduled", "coachee_id", "scheduled_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_teams.id", ondelete="SET NULL"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    coachee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    status: Mapped[CheckInStatus] = mapped_column(String(16), default=CheckInStatus.SCHEDULED)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agenda_prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rescheduled_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="SET NULL"))
    shared_notes: Mapped[str] = mapped_column(Text, default="")  # coach and coachee
    private_notes: Mapped[str] = mapped_column(Text, default="")  # the coach alone
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan_team: Mapped[PlanTeam | None] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    coachee: Mapped[User] = relationship(foreign_keys=[coachee_id])
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="check_in", cascade="all, delete-orphan", order_by="AgendaItem.position")


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("check_ins.id", ondelete="CASCADE"),
                                             index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(500))
    is_discussed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    check_in: Mapped[CheckIn] = relationship(back_populates="agenda")
    author: Mapped[User | None] = relationship()


class ActionItem(db.Model):
    """Something to do by a date. Open items of a coaching pair stay on its agenda until done;
    council actions use the same table (``council_meeting_id``)."""

    __tablename__ = "action_items"
    __table_args__ = (Index("ix_action_items_pair_open", "coach_id", "coachee_id", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where it came from: a check-in of a coaching pair, or a council meeting.
    check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="SET NULL"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    coachee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    council_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("council_meetings.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    check_in: Mapped[CheckIn | None] = relationship()
