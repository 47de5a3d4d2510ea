"""Factories for plan and resource tests: through the services. They flush, never commit."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from werkzeug.datastructures import FileStorage

from courses.live import programs
from courses.live.models import Program
from lms.people.models import User
from reinforcement.plans import services as plans
from reinforcement.plans.models import ReinforcementPlan
from reinforcement.resources import services as resources
from reinforcement.resources.models import Resource

# A fixed "now" for service tests: plans start on the Monday after it.
NOW = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)
MONDAY = date(2030, 1, 7)
AGENDA = "Wins since last time\nFocus activity: proposals\nObstacles"


def program(by: User, name: str = "Coaching Rhythm rollout") -> Program:
    return programs.create_program(programs.ProgramData(
        name=name, starts_on=date(2029, 10, 1), ends_on=date(2029, 12, 20)), by=by)


def plan(by: User, *, of: Program | None = None, active: bool = True,
         **fields) -> ReinforcementPlan:
    fields.setdefault("title", "Twelve weeks of coaching")
    fields.setdefault("agenda_template", AGENDA)
    fields.setdefault("focus_activities", "Proposals sent\nNew contacts")
    made = plans.create_plan(of or program(by), plans.PlanData(**fields), by=by)
    if active:
        plans.set_status(made, "active", by=by)
    return made


def upload(data: bytes = b"%PDF-1.4 a job aid\n", name: str = "job-aid.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def resource(by: User, *, body: str = "# Coaching guide\n\nAsk, then listen.",
             file: FileStorage | None = None, **fields) -> Resource:
    fields.setdefault("title", "Coaching guide")
    return resources.create_resource(
        resources.ResourceData(**fields),
        resources.VersionData(body_markdown="" if file else body, upload=file), by=by)
