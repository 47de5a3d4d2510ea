"""Resources: playbooks, job aids and guides, their versions and acknowledgements."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.live.models import Program
from courses.models import Course
from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.web.files import StoredFile


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
