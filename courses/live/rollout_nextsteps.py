"""Home suggestions about a rollout: attendance to confirm, and how ready each program is.

A leader or executive sees each session over whose attendance of their people waits for
their confirmation; whoever may see programs (admins, leaders, executives) is pointed at the
readiness of each active program. One query each, whatever the size of the organisation.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from courses.live.confirmations import sessions_to_confirm
from courses.live.models import Program, ProgramStatus
from lms.authz import can, visible
from lms.extensions import db
from lms.home.nextsteps import NextStep, provider
from lms.people.models import User
from lms.web.templating import relative_text

MAX_STEPS = 3


@provider
def rollout_steps(user: User) -> list[NextStep]:
    return [*_to_confirm(user), *_readiness(user)]


def _to_confirm(user: User) -> list[NextStep]:
    return [NextStep(f"Confirm attendance at “{title}”",
                     f"It ended {relative_text(ends_at)} and your people's attendance "
                     "is marked: check it, then confirm it or dispute an entry.",
                     url_for("courses.session_detail", id=sid), 11, "Confirm")
            for sid, title, ends_at in sessions_to_confirm(user, limit=MAX_STEPS)]


def _readiness(user: User) -> list[NextStep]:
    if not can(user, "program.view"):
        return []
    rows = db.session.execute(visible(
        select(Program.id, Program.name).where(Program.status == ProgramStatus.ACTIVE)
        .order_by(Program.starts_on.desc(), Program.id.desc()).limit(MAX_STEPS),
        user, Program))
    return [NextStep(f"See how ready “{name}” is",
                     "Messages written, registrations, attendance confirmed, courses "
                     "completed and leaders who stayed: what is done and what is next.",
                     url_for("courses.program_readiness", id=pid), 45, "Readiness")
            for pid, name in rows]
