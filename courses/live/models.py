"""Programs and their waves; live sessions with segments, registrations and attendance.

A program is a training initiative rolled out top-down in waves. Live sessions belong to a
program (and optionally a wave and the course whose live step they fulfil); attendance is
taken per registration and confirmed by each leader with people in the session.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models import Course
from lms.claims import claim
from lms.db import UTCDateTime, utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User


class ProgramStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Program(db.Model):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ProgramStatus] = mapped_column(String(16), default=ProgramStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    waves: Mapped[list[ProgramWave]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramWave.number")


wave_courses = Table(
    "wave_courses",
    db.metadata,
    Column("wave_id", ForeignKey("program_waves.id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
)


class ProgramWave(db.Model):
    """One step of a rollout: who it is for, its courses and sessions, when it opens."""

    __tablename__ = "program_waves"
    __table_args__ = (UniqueConstraint("program_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(64), default=",leader,manager,")
    opens_on: Mapped[date] = mapped_column(Date)
    # Manager-first: a person's wave opens only when their own manager completed the
    # previous wave's courses.
    requires_manager_previous: Mapped[bool] = mapped_column(Boolean, default=False)

    program: Mapped[Program] = relationship(back_populates="waves")
    courses: Mapped[list[Course]] = relationship(secondary=wave_courses, order_by=Course.id)


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class LiveSession(db.Model):
    """An instructor-led session, in a room or online."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_waves.id", ondelete="SET NULL"))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")  # where it is held
    location: Mapped[str] = mapped_column(String(300), default="")
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    capacity: Mapped[int] = mapped_column(Integer, default=30)
    # Share of the session (percent) a person must be present for it to count as attended.
    attended_threshold: Mapped[int] = mapped_column(Integer, default=90)
    status: Mapped[SessionStatus] = mapped_column(String(16), default=SessionStatus.SCHEDULED)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    program: Mapped[Program | None] = relationship()
    wave: Mapped[ProgramWave | None] = relationship()
    course: Mapped[Course | None] = relationship()
    facilitator: Mapped[User | None] = relationship()
    segments: Mapped[list[SessionSegment]] = relationship(
        back_populates="session", cascade="all, delete-orphan",
        order_by="SessionSegment.position")

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def check_times(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValidationError("The session must end after it starts.", field="ends_at")

    def cancel(self) -> None:
        if self.status == SessionStatus.CANCELLED:
            raise ValidationError("The session is already cancelled.")
        self.status = SessionStatus.CANCELLED
        self.touch()

    def touch(self) -> None:
        """Record a change calendar apps must take: a higher SEQUENCE, a new LAST-MODIFIED."""
        self.sequence += 1
        # Set here, not left to onupdate: invitations are written before the flush.
        self.updated_at = utcnow()


class SessionSegment(db.Model):
    """A part of the agenda, e.g. "Opening by the VP", "Coaching rhythm", "Practice"."""

    __tablename__ = "session_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)

    session: Mapped[LiveSession] = relationship(back_populates="segments")


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(String(16),
                                                       default=RegistrationStatus.REGISTERED)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # This person's changes (registered, cancelled, promoted): added to the session's own
    # iCalendar SEQUENCE, so their copy of the event moves on with either; ``changed_at``
    # is the last of them (the event's LAST-MODIFIED, with the session's ``updated_at``).
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def touch(self) -> None:
        """Record a change of this person's copy of the event for calendar apps."""
        self.sequence = (self.sequence or 0) + 1
        self.changed_at = utcnow()

    session: Mapped[LiveSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class AttendanceStatus(StrEnum):
    ATTENDED = "attended"  # the whole session
    LEFT_EARLY = "left_early"
    ABSENT = "absent"
    EXCUSED = "excused"


class Attendance(db.Model):
    """What the facilitator recorded for one registration."""

    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    status: Mapped[AttendanceStatus] = mapped_column(String(16))
    minutes_present: Mapped[int | None] = mapped_column(Integer)
    left_after_segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_segments.id", ondelete="SET NULL"))
    excuse: Mapped[str] = mapped_column(String(300), default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    left_after_segment: Mapped[SessionSegment | None] = relationship()


class ConfirmationStatus(StrEnum):
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    RESOLVED = "resolved"  # a dispute the facilitator has answered


class AttendanceConfirmation(db.Model):
    """A leader's confirmation (or dispute) of their subtree's attendance at a session."""

    __tablename__ = "attendance_confirmations"
    __table_args__ = (UniqueConstraint("session_id", "leader_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"),
                                            index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[ConfirmationStatus] = mapped_column(String(16))
    disputed_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    session: Mapped[LiveSession] = relationship()
    leader: Mapped[User] = relationship(foreign_keys=[leader_id])

    def confirm(self) -> bool:
        """Confirm (after a dispute too); False when it already stood confirmed, perhaps by
        a request racing this one."""
        cls = AttendanceConfirmation
        return claim(self, cls.status != ConfirmationStatus.CONFIRMED,
                     status=ConfirmationStatus.CONFIRMED, note="",
                     disputed_registration_id=None)


class CommunicationStatus(StrEnum):
    SCHEDULED = "scheduled"  # goes out by itself at ``send_at``
    SENT = "sent"
    CANCELLED = "cancelled"


class Communication(db.Model):
    """A leader's pre-training message to the managers (or others) they lead.

    Four required parts say what the training teaches, why it matters, how work changes
    afterwards and which results are expected. It concerns a session, a wave or a program and
    is delivered through the notifications outbox at ``send_at``.
    """

    __tablename__ = "communications"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_waves.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    what_you_learn: Mapped[str] = mapped_column(Text)
    why_it_matters: Mapped[str] = mapped_column(Text)
    how_work_changes: Mapped[str] = mapped_column(Text)
    expected_results: Mapped[str] = mapped_column(Text)
    # Who hears it: these levels within the subtree of ``audience_root`` (the author's own
    # subtree when unset), stored ",manager," like a wave's audience.
    audience_levels: Mapped[str] = mapped_column(String(64), default=",manager,")
    audience_root_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    send_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[CommunicationStatus] = mapped_column(
        String(16), default=CommunicationStatus.SCHEDULED)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    audience_root: Mapped[User | None] = relationship(foreign_keys=[audience_root_id])
    program: Mapped[Program | None] = relationship()
    wave: Mapped[ProgramWave | None] = relationship()
    session: Mapped[LiveSession | None] = relationship()
    recipients: Mapped[list[CommunicationRecipient]] = relationship(
        back_populates="communication", cascade="all, delete-orphan")


class CommunicationRecipient(db.Model):
    """One person a communication went to, and what they did with it."""

    __tablename__ = "communication_recipients"
    __table_args__ = (UniqueConstraint("communication_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    communication_id: Mapped[int] = mapped_column(
        ForeignKey("communications.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question: Mapped[str] = mapped_column(Text, default="")  # asked back to the author

    communication: Mapped[Communication] = relationship(back_populates="recipients")
    user: Mapped[User] = relationship()

    def acknowledge(self, now: datetime, question: str) -> bool:
        """Acknowledge, once: False when already acknowledged (perhaps by a racing request)."""
        cls = CommunicationRecipient
        return claim(self, cls.acknowledged_at.is_(None), acknowledged_at=now,
                     question=question, opened_at=func.coalesce(cls.opened_at, now))
