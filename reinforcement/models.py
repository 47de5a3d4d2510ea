"""Reinforcement after training: plans, resources, check-ins, goals and gap reviews, leader
confirmation, champions councils.

A plan attached to a program sets the coaching rhythm (duration, cadence, focus activities,
an agenda template, resources); starting it for a coach's team schedules the check-ins. A
check-in has an agenda both sides add to, shared and private notes, and action items that stay
on the pair's agenda until done. Goals set activity and proficiency targets per person and
period; actuals are recorded per period; a gap review names the root cause of a gap and a
corrective action, then evaluates it later. Leaders confirm each manager's rhythm per period
or give feedback on the coaching.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessments.models import Observation
from courses.live.models import Program
from courses.models import Course
from lms.claims import claim
from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.people.models import User
from lms.web.files import StoredFile

# --- plans -----------------------------------------------------------------------------------


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


# --- resources -------------------------------------------------------------------------------


class ResourceKind(StrEnum):
    PLAYBOOK = "playbook"
    JOB_AID = "job_aid"
    GUIDE = "guide"  # a reinforcement guide

    @property
    def label(self) -> str:
        return {"playbook": "Playbook", "job_aid": "Job aid",
                "guide": "Reinforcement guide"}[self.value]


class Resource(db.Model):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ResourceKind] = mapped_column(String(16), default=ResourceKind.PLAYBOOK)
    summary: Mapped[str] = mapped_column(Text, default="")
    # Levels it is assigned to, stored ",manager,rep," (empty: assigned by program only).
    audience: Mapped[str] = mapped_column(String(64), default=",")
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_versions.id", ondelete="SET NULL", use_alter=True))
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    program: Mapped[Program | None] = relationship()
    course: Mapped[Course | None] = relationship()
    current_version: Mapped[ResourceVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True)
    versions: Mapped[list[ResourceVersion]] = relationship(
        foreign_keys="ResourceVersion.resource_id", back_populates="resource",
        cascade="all, delete-orphan", order_by="ResourceVersion.number")


class ResourceVersion(db.Model):
    """One published text (Markdown, sanitised) or file of a resource."""

    __tablename__ = "resource_versions"
    __table_args__ = (UniqueConstraint("resource_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"),
                                             index=True)
    number: Mapped[int] = mapped_column(Integer)
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    change_note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resource: Mapped[Resource] = relationship(foreign_keys=[resource_id],
                                              back_populates="versions")
    file: Mapped[StoredFile | None] = relationship()


class ResourceAcknowledgement(db.Model):
    """Someone confirmed they have read one version of a resource."""

    __tablename__ = "resource_acknowledgements"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"),
                                             index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("resource_versions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- check-ins and action items --------------------------------------------------------------


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


# --- goals, actuals and gap reviews ----------------------------------------------------------


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


# --- leader confirmation and coaching feedback -----------------------------------------------


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


# --- champions councils ----------------------------------------------------------------------

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
