"""Champions councils, their meetings and attendance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.people.models import User

council_members = Table(
    "council_members",
    db.metadata,
    Column("council_id", ForeignKey("councils.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Council(db.Model):
    """A champions council: leaders who meet on a rhythm about which coaching practices work."""

    __tablename__ = "councils"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    every_weeks: Mapped[int] = mapped_column(Integer, default=4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    members: Mapped[list[User]] = relationship(secondary=council_members, order_by=User.name)
    meetings: Mapped[list[CouncilMeeting]] = relationship(
        back_populates="council", cascade="all, delete-orphan",
        order_by="CouncilMeeting.scheduled_at")


class CouncilMeeting(db.Model):
    __tablename__ = "council_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"),
                                            index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer, default=60)
    agenda: Mapped[str] = mapped_column(Text, default="")
    works: Mapped[str] = mapped_column(Text, default="")  # practices that work
    does_not_work: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    council: Mapped[Council] = relationship(back_populates="meetings")
    attendance: Mapped[list[CouncilAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan")


class CouncilAttendance(db.Model):
    __tablename__ = "council_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meetings.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)

    meeting: Mapped[CouncilMeeting] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship()
