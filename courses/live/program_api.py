"""Programs and their waves in the REST API.

The rules (dates, wave numbers and audiences, published courses, status moves) are the
services' in ``courses.live.programs``; these views load, authorize, call them and commit
once. A refusal is 422 ``{"errors": {field: [message]}}`` with nothing written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courses.live import programs
from courses.live.models import LiveSession, Program, ProgramWave
from courses.live.program_schemas import (
    ProgramCreateSchema,
    ProgramDetailSchema,
    ProgramListSchema,
    ProgramQuerySchema,
    ProgramStatusCreateSchema,
    ProgramUpdateSchema,
    WaveCreateSchema,
    WaveSchema,
    WaveUpdateSchema,
)
from courses.models import Course
from lms.api import one_transaction, page_of, token_required
from lms.authz import load_visible, require, visible
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User

blp = Blueprint("programs_api", __name__, url_prefix="/api/v1/programs",
                description="Programs: training initiatives rolled out in waves")

# Where a service's refusal points, in the API's own field names.
API_FIELDS = {"courses": "course_ids", "owner": "owner_id"}


@contextmanager
def _api_fields() -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        error.field = API_FIELDS.get(error.field, error.field)
        raise


# --- out -------------------------------------------------------------------------------------

def _program_out(program: Program) -> dict:
    return {"id": program.id, "name": program.name, "goal": program.goal,
            "owner_id": program.owner_id,
            "owner_name": program.owner.name if program.owner else None,
            "starts_on": program.starts_on, "ends_on": program.ends_on,
            "status": program.status, "created_at": program.created_at,
            "updated_at": program.updated_at}


def _wave_out(wave: ProgramWave) -> dict:
    return {"id": wave.id, "program_id": wave.program_id, "number": wave.number,
            "name": wave.name, "audience": [v for v in wave.audience.split(",") if v],
            "opens_on": wave.opens_on, "requires_manager_previous": wave.requires_manager_previous,
            "courses": [{"id": c.id, "slug": c.slug, "title": c.title} for c in wave.courses]}


def _session_out(session: LiveSession) -> dict:
    return {"id": session.id, "title": session.title, "starts_at": session.starts_at,
            "ends_at": session.ends_at, "time_zone": session.time_zone,
            "status": session.status, "wave_id": session.wave_id,
            "course_id": session.course_id}


def _detail_out(program: Program) -> dict:
    """The program with its waves, their courses and sessions, and the caller's progress."""
    user = g.api_user
    waves = db.session.scalars(
        select(ProgramWave).where(ProgramWave.program_id == program.id)
        .options(selectinload(ProgramWave.courses).selectinload(Course.current_version))
        .order_by(ProgramWave.number)).all()
    sessions = db.session.scalars(
        visible(select(LiveSession), user).where(LiveSession.program_id == program.id)
        .order_by(LiveSession.starts_at, LiveSession.id)).all()
    progress = programs.program_progress(program, user)
    items = []
    for wave in waves:
        done = progress[wave.id]
        items.append({**_wave_out(wave),
                      "sessions": [_session_out(s) for s in sessions if s.wave_id == wave.id],
                      "progress": {"by_level": {level: {"enrolled": count.enrolled,
                                                        "completed": count.completed}
                                                for level, count in done.by_level.items()},
                                   "waiting_on_manager": done.waiting_on_manager}})
    return {**_program_out(program), "waves": items,
            "sessions": [_session_out(session) for session in sessions]}


# --- in --------------------------------------------------------------------------------------

def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = db.session.get(User, owner_id)
    if owner is None:
        raise ValidationError("No one has that id.", field="owner_id")
    return owner


def _program_data(payload: dict, program: Program | None = None) -> programs.ProgramData:
    current: dict = {}
    if program is not None:
        current = {"name": program.name, "goal": program.goal, "owner_id": program.owner_id,
                   "starts_on": program.starts_on, "ends_on": program.ends_on}
    current.update(payload)
    return programs.ProgramData(name=current["name"], goal=current["goal"],
                                owner=_owner(current["owner_id"]),
                                starts_on=current["starts_on"], ends_on=current["ends_on"])


def _wave_data(payload: dict, wave: ProgramWave | None = None) -> programs.WaveData:
    current: dict = {}
    if wave is not None:
        current = {"number": wave.number, "name": wave.name, "opens_on": wave.opens_on,
                   "audience": [v for v in wave.audience.split(",") if v],
                   "course_ids": [c.id for c in wave.courses],
                   "requires_manager_previous": wave.requires_manager_previous}
    current.update(payload)
    return programs.WaveData(**current)


def _manageable(program_id: int) -> Program:
    program = load_visible(Program, program_id, g.api_user)
    require(g.api_user, "program.manage", program)
    return program


def _wave_of(program: Program, wave_id: int) -> ProgramWave:
    wave = db.session.get(ProgramWave, wave_id)
    if wave is None or wave.program_id != program.id:
        abort(404, description="This program has no wave with that id.")
    return wave


# --- programs --------------------------------------------------------------------------------

@blp.route("/")
@token_required("programs:read")
@blp.arguments(ProgramQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ProgramListSchema)
def index(args):
    """Programs you may see, latest first (admins and leaders: all; others: those they own)."""
    stmt = (visible(select(Program), g.api_user).options(selectinload(Program.owner))
            .order_by(Program.starts_on.desc(), Program.id.desc()))
    if args["status"] is not None:
        stmt = stmt.where(Program.status == args["status"])
    page = page_of(stmt, args)
    page["items"] = [_program_out(program) for program in page["items"]]
    return page


@blp.route("/<int:program_id>")
@token_required("programs:read")
@blp.response(200, ProgramDetailSchema)
def detail(program_id):
    """One program: its waves with courses, sessions and progress in your subtree."""
    program = load_visible(Program, program_id, g.api_user)
    require(g.api_user, "program.view", program)
    return _detail_out(program)


@blp.route("/", methods=["POST"])
@token_required("programs:write")
@blp.arguments(ProgramCreateSchema)
@blp.response(201, ProgramDetailSchema)
def create(payload):
    """Create a program (admins); it starts as a draft."""
    require(g.api_user, "program.manage")
    with one_transaction(), _api_fields():
        program = programs.create_program(_program_data(payload), by=g.api_user)
    return _detail_out(program)


@blp.route("/<int:program_id>", methods=["PATCH"])
@token_required("programs:write")
@blp.arguments(ProgramUpdateSchema)
@blp.response(200, ProgramDetailSchema)
def update(payload, program_id):
    """Change a program's name, goal, owner or dates (admins)."""
    program = _manageable(program_id)
    with one_transaction(), _api_fields():
        programs.update_program(program, _program_data(payload, program), by=g.api_user)
    return _detail_out(program)


@blp.route("/<int:program_id>/status", methods=["POST"])
@token_required("programs:write")
@blp.arguments(ProgramStatusCreateSchema)
@blp.response(200, ProgramDetailSchema)
def set_status(payload, program_id):
    """Move a program on: draft → active → completed, or cancelled (admins).

    Only an active program's waves keep courses closed until they open.
    """
    program = _manageable(program_id)
    with one_transaction():
        programs.set_status(program, payload["status"], by=g.api_user)
    return _detail_out(program)


# --- waves -----------------------------------------------------------------------------------

@blp.route("/<int:program_id>/waves", methods=["POST"])
@token_required("programs:write")
@blp.arguments(WaveCreateSchema)
@blp.response(201, WaveSchema)
def add_wave(payload, program_id):
    """Add a wave: its audience levels, published courses and opening date (admins)."""
    program = _manageable(program_id)
    with one_transaction(), _api_fields():
        wave = programs.add_wave(program, _wave_data(payload), by=g.api_user)
    return _wave_out(wave)


@blp.route("/<int:program_id>/waves/<int:wave_id>", methods=["PATCH"])
@token_required("programs:write")
@blp.arguments(WaveUpdateSchema)
@blp.response(200, WaveSchema)
def update_wave(payload, program_id, wave_id):
    """Change a wave (admins); ``course_ids`` replaces its courses."""
    program = _manageable(program_id)
    wave = _wave_of(program, wave_id)
    with one_transaction(), _api_fields():
        programs.update_wave(wave, _wave_data(payload, wave), by=g.api_user)
    return _wave_out(wave)


@blp.route("/<int:program_id>/waves/<int:wave_id>", methods=["DELETE"])
@token_required("programs:write")
@blp.response(204)
def delete_wave(program_id, wave_id):
    """Delete a wave (admins); its sessions stay in the program without a wave."""
    program = _manageable(program_id)
    wave = _wave_of(program, wave_id)
    with one_transaction():
        programs.delete_wave(wave, by=g.api_user)
    return None
