"""Program pages: the list, a program with its waves, sessions and progress, and editing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courses import bp
from courses.live import programs
from courses.live.models import LiveSession, Program, ProgramWave
from courses.live.program_forms import LinkSessionForm, ProgramForm, StatusForm, WaveForm
from courses.models import Course, CourseStatus
from lms.authz import can, permission_required, visible
from lms.errors import CadenceError
from lms.extensions import db
from lms.people.models import LEVEL_VALUES, User
from lms.web.forms import PostForm, apply_error


@bp.get("/programs")
@login_required
def program_list():
    # Everyone signed in may ask; the scope leaves reps and managers only programs they own.
    shown = db.session.scalars(visible(
        select(Program).options(selectinload(Program.owner))
        .order_by(Program.starts_on.desc(), Program.id.desc()).limit(200), current_user))
    return render_template("courses/live/programs/list.html", programs=list(shown))


@bp.get("/programs/<int:id>")
@permission_required("program.view", Program)
def program_detail(program: Program):
    waves = db.session.scalars(
        select(ProgramWave).where(ProgramWave.program_id == program.id)
        .options(selectinload(ProgramWave.courses).selectinload(Course.current_version))
        .order_by(ProgramWave.number)).all()
    sessions = db.session.scalars(
        select(LiveSession).where(LiveSession.program_id == program.id)
        .options(selectinload(LiveSession.facilitator))
        .order_by(LiveSession.starts_at)).all()
    by_wave: dict[int | None, list[LiveSession]] = {}
    for session in sessions:
        by_wave.setdefault(session.wave_id, []).append(session)
    link = None
    if can(current_user, "program.manage", program):
        link = _link_form(program, waves)
    return render_template(
        "courses/live/programs/detail.html", program=program, waves=waves,
        sessions=sessions, by_wave=by_wave, levels=LEVEL_VALUES, link=link,
        progress=programs.program_progress(program, current_user),
        status_form=StatusForm(), post=PostForm(),
        next_statuses=sorted(programs.TRANSITIONS[program.status]))


def _owner(form: ProgramForm) -> User | None:
    if not form.owner.data:
        return None
    owner = db.session.scalar(select(User).where(User.email == form.owner.data.strip().lower()))
    if owner is None:
        raise CadenceError("Nobody has that email.", field="owner")
    return owner


def _edit_program(program: Program | None):
    form = ProgramForm(obj=program)
    if request.method == "GET" and program is not None and program.owner is not None:
        form.owner.data = program.owner.email
    if form.validate_on_submit():
        try:
            data = programs.ProgramData(
                name=form.name.data, goal=form.goal.data or "", owner=_owner(form),
                starts_on=form.starts_on.data, ends_on=form.ends_on.data)
            if program is None:
                program = programs.create_program(data, by=current_user)
            else:
                programs.update_program(program, data, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash("Program saved.", "success")
            return redirect(url_for("courses.program_detail", id=program.id))
    return render_template("courses/live/programs/edit.html", form=form, program=program)


@bp.route("/programs/new", methods=["GET", "POST"])
@permission_required("program.manage")
def program_create():
    return _edit_program(None)


@bp.route("/programs/<int:id>/edit", methods=["GET", "POST"])
@permission_required("program.manage", Program)
def program_edit(program: Program):
    return _edit_program(program)


@bp.post("/programs/<int:id>/status")
@permission_required("program.manage", Program)
def program_status(program: Program):
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        programs.set_status(program, form.status.data, by=current_user)
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(f"The program is {program.status}.", "success")
    return redirect(url_for("courses.program_detail", id=program.id))


def _wave_of(program: Program, wave_id: int) -> ProgramWave:
    wave = db.session.get(ProgramWave, wave_id)
    if wave is None or wave.program_id != program.id:
        abort(404)
    return wave


def _course_choices() -> list[tuple[int, str]]:
    courses = db.session.scalars(
        select(Course).where(Course.status == CourseStatus.PUBLISHED)
        .options(selectinload(Course.current_version)).order_by(Course.id))
    return [(c.id, c.current_version.title if c.current_version else c.slug) for c in courses]


def _edit_wave(program: Program, wave: ProgramWave | None):
    form = WaveForm(obj=wave)
    form.courses.choices = _course_choices()
    if request.method == "GET":
        if wave is not None:
            form.audience.data = [v for v in wave.audience.split(",") if v]
            form.courses.data = [c.id for c in wave.courses]
        else:
            form.number.data = len(program.waves) + 1
            form.opens_on.data = program.starts_on
    if form.validate_on_submit():
        data = programs.WaveData(
            number=form.number.data, name=form.name.data, opens_on=form.opens_on.data,
            audience=form.audience.data, course_ids=form.courses.data or [],
            requires_manager_previous=form.requires_manager_previous.data)
        try:
            if wave is None:
                programs.add_wave(program, data, by=current_user)
            else:
                programs.update_wave(wave, data, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash("Wave saved.", "success")
            return redirect(url_for("courses.program_detail", id=program.id))
    return render_template("courses/live/programs/wave.html", form=form, program=program,
                           wave=wave)


@bp.route("/programs/<int:id>/waves/new", methods=["GET", "POST"])
@permission_required("program.manage", Program)
def program_wave_create(program: Program):
    return _edit_wave(program, None)


@bp.route("/programs/<int:id>/waves/<int:wave_id>/edit", methods=["GET", "POST"])
@permission_required("program.manage", Program)
def program_wave_edit(program: Program, wave_id: int):
    return _edit_wave(program, _wave_of(program, wave_id))


@bp.post("/programs/<int:id>/waves/<int:wave_id>/delete")
@permission_required("program.manage", Program)
def program_wave_delete(program: Program, wave_id: int):
    wave = _wave_of(program, wave_id)
    if not PostForm().validate_on_submit():
        abort(400)
    programs.delete_wave(wave, by=current_user)
    db.session.commit()
    flash("Wave deleted.", "success")
    return redirect(url_for("courses.program_detail", id=program.id))


def _link_form(program: Program, waves) -> LinkSessionForm:
    form = LinkSessionForm()
    # Sessions of no program yet; moving one between programs is an explicit unlink first.
    free = db.session.execute(
        select(LiveSession.id, LiveSession.title, LiveSession.starts_at)
        .where(LiveSession.program_id.is_(None)).order_by(LiveSession.starts_at).limit(200))
    form.session.choices = [(i, f"{title} ({starts:%Y-%m-%d})") for i, title, starts in free]
    form.wave.choices = [(0, "(no wave)")] + [(w.id, f"Wave {w.number}: {w.name}")
                                              for w in waves]
    return form


@bp.post("/programs/<int:id>/sessions/link")
@permission_required("program.manage", Program)
def program_session_link(program: Program):
    form = _link_form(program, program.waves)
    if not form.validate_on_submit():
        flash("Choose a session that is not part of a program yet.", "danger")
        return redirect(url_for("courses.program_detail", id=program.id))
    session = db.session.get(LiveSession, form.session.data)
    wave = db.session.get(ProgramWave, form.wave.data) if form.wave.data else None
    programs.link_session(program, session, wave, by=current_user)
    db.session.commit()
    flash(f"“{session.title}” is part of the program.", "success")
    return redirect(url_for("courses.program_detail", id=program.id))


@bp.post("/programs/<int:id>/sessions/<int:session_id>/unlink")
@permission_required("program.manage", Program)
def program_session_unlink(program: Program, session_id: int):
    session = db.session.get(LiveSession, session_id)
    if session is None or session.program_id != program.id:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    programs.unlink_session(program, session, by=current_user)
    db.session.commit()
    flash(f"“{session.title}” is no longer part of the program.", "success")
    return redirect(url_for("courses.program_detail", id=program.id))
