"""People and the reports-to tree."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.web.templating import person_zone


class Level(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    LEADER = "leader"
    EXECUTIVE = "executive"

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def plural(self) -> str:
        """How people at this level are spoken of together: "managers", "reps"."""
        return f"{self.value}s"


LEVEL_RANK = {Level.REP: 1, Level.MANAGER: 2, Level.LEADER: 3, Level.EXECUTIVE: 4}
LEVEL_VALUES = tuple(level.value for level in Level)
# Deliberately loose: one @, a dot in the domain, no spaces or separators. Special-use
# domains such as .local and .test are accepted (organisations use them internally).
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"


def may_report_to(report_level: Level, manager_level: Level) -> bool:
    """Say whether someone at ``manager_level`` may manage someone at ``report_level``.

    A manager outranks their reports; executives may also report to executives (a VP to
    the CSO) because there is no level above them.
    """
    if manager_level == Level.EXECUTIVE:
        return True
    return manager_level.rank > report_level.rank


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"level IN {LEVEL_VALUES!r}", name="level_valid"),
        CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    level: Mapped[Level] = mapped_column(String(16), default=Level.REP)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_facilitator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped to invalidate every session and remember-me cookie issued before.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    manager: Mapped[User | None] = relationship(remote_side=[id], back_populates="reports")
    reports: Mapped[list[User]] = relationship(back_populates="manager")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if getattr(self, f"is_{role.value}")]

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    @property
    def zone(self) -> ZoneInfo:
        """The person's time zone: every date shown to them is on its clock."""
        return person_zone(self)

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else self.email

    def invalidate_sessions(self) -> None:
        """Make every cookie issued to this person stop working."""
        self.session_generation = (self.session_generation or 1) + 1


@event.listens_for(User.email, "set", retval=True)
def _normalise_email(_target, value, _old, _initiator):
    # Emails are unique case-insensitively: keep one canonical (lower-case) form.
    return value.strip().lower() if isinstance(value, str) else value
