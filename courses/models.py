"""Courses, their versions, modules and lessons; enrolments and progress; prerequisites.

A course keeps its identity (slug, owner, prerequisites, enrolments) while its content
lives in versions. Learners follow the *current* (published) version; admins edit a *draft*
version copied from it. Modules and lessons carry a ``key`` that survives copying, so
progress recorded against a lesson carries over to the next version while the lesson exists.
"""

from __future__ import annotations

import uuid
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from lms.claims import claim, claim_many
from lms.db import UTCDateTime, utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import Level, User
from lms.web.files import StoredFile


def new_key() -> str:
    return uuid.uuid4().hex


class CourseStatus(StrEnum):
    DRAFT = "draft"  # never published
    PUBLISHED = "published"
    ARCHIVED = "archived"


class LessonKind(StrEnum):
    TEXT = "text"
    VIDEO = "video"
    FILE = "file"
    LIVE = "live"  # done when the learner attended a live session of the course
    ASSESSMENT = "assessment"  # done when the learner passed the assessment of this step

    @property
    def label(self) -> str:
        return {"text": "Reading", "video": "Video", "file": "Download",
                "live": "Live session", "assessment": "Assessment"}[self.value]


class PrerequisiteKind(StrEnum):
    OWN_COMPLETION = "own_completion"  # the learner completed the required course
    MANAGER_COMPLETION = "manager_completion"  # the learner's manager completed it
    LEADER_COMPLETION = "leader_completion"  # the manager's manager completed it
    # The manager's manager attended a live session of the required course.
    LEADER_ATTENDED = "leader_attended"

    @property
    def label(self) -> str:
        return {
            "own_completion": "you complete",
            "manager_completion": "your manager completes",
            "leader_completion": "your leader completes",
            "leader_attended": "your leader attends a live session of",
        }[self.value]


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[CourseStatus] = mapped_column(String(16), default=CourseStatus.DRAFT)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    self_enrol: Mapped[bool] = mapped_column(Boolean, default=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True, ondelete="SET NULL"))
    draft_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True)
    draft_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[draft_version_id], post_update=True)
    prerequisites: Mapped[list[Prerequisite]] = relationship(
        back_populates="course", foreign_keys="Prerequisite.course_id",
        cascade="all, delete-orphan", order_by="Prerequisite.id")

    @property
    def latest(self) -> CourseVersion:
        """The version an author works on: the draft if any, else the current one."""
        return self.draft_version or self.current_version

    @property
    def title(self) -> str:
        version = self.current_version or self.draft_version
        return version.title if version else self.slug

    def publish(self, draft: CourseVersion) -> bool:
        """Make ``draft`` the version learners follow; False when a request racing this one
        published it first (or archived the course)."""
        if not claim(self, Course.draft_version_id == draft.id,
                     Course.status != CourseStatus.ARCHIVED, current_version_id=draft.id,
                     draft_version_id=None, status=CourseStatus.PUBLISHED):
            return False
        db.session.expire(self, ["current_version", "draft_version"])
        return True

    def archive(self) -> None:
        if self.status == CourseStatus.ARCHIVED:
            raise ValidationError("The course is already archived.")
        self.status = CourseStatus.ARCHIVED

    def restore(self) -> None:
        if self.status != CourseStatus.ARCHIVED:
            raise ValidationError("Only an archived course can be restored.")
        self.status = (CourseStatus.PUBLISHED if self.current_version_id
                       else CourseStatus.DRAFT)


class CourseVersion(db.Model):
    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # Stored as ",rep,manager," so a level or tag is found with one portable LIKE.
    audience: Mapped[str] = mapped_column(String(64), default=",rep,")
    tags: Mapped[str] = mapped_column(String(500), default=",")
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    modules: Mapped[list[CourseModule]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="CourseModule.position")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def audience_levels(self) -> list[Level]:
        return [Level(value) for value in self.audience.strip(",").split(",") if value]

    @audience_levels.setter
    def audience_levels(self, levels) -> None:
        ordered = [lv.value for lv in Level if lv.value in {Level(x).value for x in levels}]
        self.audience = "," + ",".join(ordered) + ","

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.strip(",").split(",") if tag]

    @tag_list.setter
    def tag_list(self, tags) -> None:
        clean = []
        for tag in tags:
            tag = " ".join(str(tag).lower().replace(",", " ").split())[:40]
            if tag and tag not in clean:
                clean.append(tag)
        self.tags = "," + ",".join(clean) + ("," if clean else "")

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]


class CourseModule(db.Model):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32), default=new_key)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Lesson.position")


class Lesson(db.Model):
    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("course_modules.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32), default=new_key, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[LessonKind] = mapped_column(String(16), default=LessonKind.TEXT)
    title: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitised render of the above
    video_url: Mapped[str] = mapped_column(String(500), default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id",
                                                           ondelete="SET NULL"))
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=5)

    module: Mapped[CourseModule] = relationship(back_populates="lessons")
    file: Mapped[StoredFile | None] = relationship()


class Prerequisite(db.Model):
    """Something that must hold before a learner may start ``course``."""

    __tablename__ = "course_prerequisites"
    __table_args__ = (UniqueConstraint("course_id", "kind", "required_course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[PrerequisiteKind] = mapped_column(String(32))
    required_course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True)

    course: Mapped[Course] = relationship(foreign_keys=[course_id],
                                          back_populates="prerequisites")
    required_course: Mapped[Course] = relationship(foreign_keys=[required_course_id])


class Enrollment(db.Model):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id"),
        Index("ix_enrollments_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[EnrollmentStatus] = mapped_column(String(16),
                                                     default=EnrollmentStatus.ACTIVE)
    enrolled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_lesson_key: Mapped[str | None] = mapped_column(String(32))

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enrolled_by: Mapped[User | None] = relationship(foreign_keys=[enrolled_by_id])

    @property
    def is_required(self) -> bool:
        """Assigned by someone else (a manager, a leader, L&D), or in a course nobody picks
        for themselves: the learner may not leave it."""
        return self.enrolled_by_id != self.user_id or not self.course.self_enrol

    def withdraw(self, now: datetime) -> None:
        if self.status == EnrollmentStatus.WITHDRAWN:
            raise ValidationError("This person is not enrolled.")
        self.status = EnrollmentStatus.WITHDRAWN
        self.withdrawn_at = now

    def reactivate(self) -> None:
        """Enrol again after a withdrawal; earlier progress counts again."""
        self.status = (EnrollmentStatus.COMPLETED if self.completed_at
                       else EnrollmentStatus.ACTIVE)
        self.withdrawn_at = None

    def complete(self, now: datetime) -> bool:
        """Complete the enrolment, once: False when it already was (maybe by a request
        racing this one, whose moment then stands)."""
        if self.status == EnrollmentStatus.WITHDRAWN:
            raise ValidationError("A withdrawn enrolment cannot be completed.")
        if self.completed_at is not None:
            return False
        return claim(self, Enrollment.completed_at.is_(None),
                     Enrollment.status != EnrollmentStatus.WITHDRAWN,
                     completed_at=now, status=EnrollmentStatus.COMPLETED)

    @classmethod
    def complete_many(cls, enrollments: list[Enrollment], now: datetime) -> list[Enrollment]:
        """Complete ``enrollments`` in one statement; those this transaction completed."""
        claimed = claim_many(cls, [e.id for e in enrollments if e.completed_at is None],
                             cls.completed_at.is_(None),
                             cls.status != EnrollmentStatus.WITHDRAWN,
                             completed_at=now, status=EnrollmentStatus.COMPLETED)
        for enrollment in enrollments:
            if enrollment.id in claimed:
                set_committed_value(enrollment, "completed_at", now)
                set_committed_value(enrollment, "status", EnrollmentStatus.COMPLETED)
            else:
                db.session.refresh(enrollment)
        return [enrollment for enrollment in enrollments if enrollment.id in claimed]


class LessonProgress(db.Model):
    """A learner's completion of one lesson, keyed by the lesson's version-stable key."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True)
    lesson_key: Mapped[str] = mapped_column(String(32))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
