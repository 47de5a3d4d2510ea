"""Live sessions: scheduling, registration with a waitlist, the roster and leader confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from courses import bp
from courses.live import ics, walk_ins
from courses.live import services as live
from courses.live.confirmations import awaiting_confirmation
from courses.live.forms import (
    ROSTER_STATUSES,
    DisputeForm,
    RegisterForm,
    ResolveForm,
    SessionForm,
    WalkInForm,
    parse_segments,
)
from courses.live.models import (
    AttendanceConfirmation,
    LiveSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from lms.authz import load_visible, permission_required, require, visible
from lms.db import utcnow
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.people import tree
from lms.people.models import User
from lms.web.args import parse_int, wants_json
from lms.web.converters import ID_MAX
from lms.web.forms import PostForm, apply_error

RECENT = timedelta(days=30)  # how far back the list shows sessions that have ended


def _person_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _own_registration(session: LiveSession) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.session_id == session.id, Registration.user_id == current_user.id))


def _recently_ended(now: datetime):
    """Sessions that ended within ``RECENT`` that the viewer ran or had people in (admins:
    all), for the roster and the leaders' confirmation: one query."""
    stmt = select(LiveSession).where(LiveSession.status == SessionStatus.SCHEDULED,
                                     LiveSession.ends_at < now,
                                     LiveSession.ends_at >= now - RECENT)
    if not current_user.is_admin:
        people_in = exists().where(
            Registration.session_id == LiveSession.id,
            Registration.status == RegistrationStatus.REGISTERED,
            Registration.user_id.in_(tree.subtree_ids(current_user.id)))
        stmt = stmt.where(or_(LiveSession.facilitator_id == current_user.id, people_in))
    return db.session.scalars(visible(
        stmt.options(selectinload(LiveSession.facilitator))
        .order_by(LiveSession.starts_at.desc()).limit(50), current_user))


@bp.get("/sessions")
@login_required
def session_list():
    now = utcnow()
    sessions = db.session.scalars(visible(
        select(LiveSession).where(LiveSession.ends_at >= now)
        .options(selectinload(LiveSession.facilitator))
        .order_by(LiveSession.starts_at).limit(200), current_user))
    return render_template("courses/live/list.html", sessions=list(sessions),
                           recent=list(_recently_ended(now)), recent_days=RECENT.days)


@bp.get("/sessions/<int:id>")
@permission_required("session.view", LiveSession)
def session_detail(livesession: LiveSession):
    mine = _own_registration(livesession)
    seats_left = max(livesession.capacity - live._seats_taken(livesession), 0)
    return render_template(
        "courses/live/detail.html", session=livesession, mine=mine, seats_left=seats_left,
        position=live.waitlist_position(mine) if mine else None, form=RegisterForm(),
        post=PostForm(), upcoming=livesession.starts_at > utcnow(),
        awaiting=awaiting_confirmation(livesession, current_user))


def _session_data(form: SessionForm) -> live.SessionData:
    zone = ZoneInfo(form.time_zone.data) if _known_zone(form.time_zone.data) else ZoneInfo("UTC")

    def aware(value: datetime) -> datetime:
        return value.replace(tzinfo=zone)
    facilitator = db.session.get(User, form.facilitator.data) if form.facilitator.data else None
    return live.SessionData(
        title=form.title.data or "", description=form.description.data or "",
        starts_at=aware(form.starts_at.data), ends_at=aware(form.ends_at.data),
        time_zone=form.time_zone.data.strip(), location=form.location.data or "",
        meeting_url=form.meeting_url.data or "", facilitator=facilitator,
        capacity=form.capacity.data, attended_threshold=form.attended_threshold.data,
        segments=parse_segments(form.segments.data))


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name.strip())
    except (ValueError, KeyError, OSError):
        return False
    return True


def _facilitator_choices() -> list[tuple[int, str]]:
    people = db.session.scalars(select(User).where(
        User.is_active.is_(True), User.is_facilitator.is_(True) | User.is_admin.is_(True))
        .order_by(User.name))
    return [(0, "(none yet)")] + [(p.id, f"{p.name} <{p.email}>") for p in people]


def _edit(livesession: LiveSession | None):
    form = SessionForm()
    if request.method == "GET" and livesession is not None:
        zone = ZoneInfo(livesession.time_zone)
        form.process(obj=livesession)
        form.starts_at.data = livesession.starts_at.astimezone(zone).replace(tzinfo=None)
        form.ends_at.data = livesession.ends_at.astimezone(zone).replace(tzinfo=None)
        form.facilitator.data = livesession.facilitator_id or 0
        form.segments.data = "\n".join(f"{s.minutes} {s.title}" for s in livesession.segments)
    form.facilitator.choices = _facilitator_choices()
    if form.validate_on_submit():
        try:
            data = _session_data(form)
            if livesession is None:
                livesession = live.create_session(data, by=current_user)
            else:
                live.update_session(livesession, data, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash("Session saved.", "success")
            return redirect(url_for("courses.session_detail", id=livesession.id))
    return render_template("courses/live/edit.html", form=form, session=livesession)


@bp.route("/sessions/new", methods=["GET", "POST"])
@permission_required("session.manage")
def session_create():
    return _edit(None)


@bp.route("/sessions/<int:id>/edit", methods=["GET", "POST"])
@permission_required("session.manage", LiveSession)
def session_edit(livesession: LiveSession):
    return _edit(livesession)


def _done(livesession: LiveSession, message: str, endpoint: str = "courses.session_detail"):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, id=livesession.id))


def _refused(livesession: LiveSession, error: CadenceError,
             endpoint: str = "courses.session_detail"):
    db.session.rollback()
    flash(error.message, "danger")
    return redirect(url_for(endpoint, id=livesession.id))


@bp.post("/sessions/<int:id>/cancel")
@permission_required("session.manage", LiveSession)
def session_cancel(livesession: LiveSession):
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        live.cancel_session(livesession, by=current_user)
    except CadenceError as error:
        return _refused(livesession, error)
    return _done(livesession, "Session cancelled; registrants are told.")


@bp.post("/sessions/<int:id>/register")
@permission_required("session.view", LiveSession)
def session_register(livesession: LiveSession):
    form = RegisterForm()
    if not form.validate_on_submit():
        return _refused(livesession, CadenceError("Enter a valid email address."))
    person = current_user
    if form.email.data:
        require(current_user, "session.register_others", livesession)
        person = _person_by_email(form.email.data)
        if person is None or not (current_user.is_admin or tree.is_in_subtree(
                current_user.id, person.id)):
            return _refused(livesession, CadenceError(
                "Nobody with that email is in your part of the organisation."))
    try:
        registration = live.register(person, livesession, by=current_user)
    except CadenceError as error:
        return _refused(livesession, error)
    if registration.status == RegistrationStatus.WAITLISTED:
        position = live.waitlist_position(registration)
        return _done(livesession, f"The session is full: {person.name} is number {position} "
                                  "on the waitlist and gets a seat when one frees.")
    return _done(livesession, f"{person.name} is registered.")


@bp.post("/sessions/<int:id>/unregister")
@permission_required("session.view", LiveSession)
def session_unregister(livesession: LiveSession):
    if not PostForm().validate_on_submit():
        abort(400)
    mine = _own_registration(livesession)
    if mine is None or mine.status == RegistrationStatus.CANCELLED:
        return _refused(livesession, CadenceError("You are not registered."))
    try:
        live.cancel_registration(mine, by=current_user)
    except CadenceError as error:  # cancelled meanwhile by another request
        return _refused(livesession, error)
    return _done(livesession, "Your registration is cancelled.")


@bp.get("/sessions/<int:id>/invite.ics")
@permission_required("session.view", LiveSession)
def session_ics(livesession: LiveSession):
    body = ics.invitation(livesession, current_user)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="session-{livesession.id}.ics"'})


# --- the facilitator's roster ---------------------------------------------------------------

def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    number = parse_int(value, low=-ID_MAX, high=ID_MAX)
    if number is None:
        raise CadenceError(f"“{value[:20]}” is not a number of minutes.")
    return number


def _posted_rows() -> list[live.AttendanceRow]:
    rows = []
    for key in request.form:
        if not key.startswith("status-"):
            continue
        registration_id = _int(key.removeprefix("status-"))
        suffix = key.removeprefix("status-")
        rows.append(live.AttendanceRow(
            registration_id=registration_id, status=request.form[key],
            minutes_present=_int(request.form.get(f"minutes-{suffix}")),
            left_after_segment_id=_int(request.form.get(f"left-{suffix}")),
            excuse=request.form.get(f"excuse-{suffix}", "")))
    return rows


@bp.route("/sessions/<int:id>/roster", methods=["GET", "POST"])
@permission_required("session.facilitate", LiveSession)
def session_roster(livesession: LiveSession):
    form, error = PostForm(), None
    if form.validate_on_submit():
        try:
            saved = live.take_attendance(livesession, _posted_rows(), by=current_user)
        except CadenceError as refused:
            db.session.rollback()
            error = refused.message
        else:
            return _done(livesession, f"Attendance saved for {saved} people.",
                         "courses.session_roster")
    return render_template(
        "courses/live/roster.html", session=livesession, rows=live.roster(livesession),
        statuses=ROSTER_STATUSES, form=form, error=error, walk_in=WalkInForm(),
        disputes=live.disputes(livesession), resolve=ResolveForm(),
        state=live.confirmation_state(livesession), is_open=live.attendance_open(livesession))


@bp.post("/sessions/<int:id>/roster/all-present")
@permission_required("session.facilitate", LiveSession)
def session_all_present(livesession: LiveSession):
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        saved = live.mark_all_present(livesession, by=current_user)
    except CadenceError as error:
        return _refused(livesession, error, "courses.session_roster")
    return _done(livesession, f"All {saved} marked present.", "courses.session_roster")


@bp.get("/sessions/<int:id>/roster/people")
@permission_required("session.facilitate", LiveSession)
def session_walk_in_people(livesession: LiveSession):
    """People the facilitator may add as walk-ins, matching ``q``: names and job titles."""
    found = walk_ins.candidates(livesession, request.args.get("q", ""))
    return jsonify(items=[{"id": p.id, "name": p.name, "job_title": p.job_title}
                          for p in found], meta={"limit": walk_ins.LIMIT})


def _walk_in_added(livesession: LiveSession, registration: Registration):
    """A script gets the person's roster row to insert; a form post the roster again."""
    message = f"{registration.user.name} added as a walk-in."
    if not wants_json():
        return _done(livesession, message, "courses.session_roster")
    db.session.commit()
    row = None
    if live.attendance_open(livesession):
        row = render_template("courses/live/_roster_row.html", session=livesession,
                              registration=registration, attendance=None,
                              statuses=ROSTER_STATUSES)
    return jsonify(message=message, row=row)


@bp.post("/sessions/<int:id>/roster/walk-in")
@permission_required("session.facilitate", LiveSession)
def session_walk_in(livesession: LiveSession):
    form = WalkInForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError("Type the walk-in's name or email.", field="who")
        person = walk_ins.find(form.who.data, form.person.data)
        registration = live.add_walk_in(livesession, person, by=current_user)
    except CadenceError as error:
        if wants_json():
            db.session.rollback()
            return jsonify(errors={"who": [error.message]}), 422
        return _refused(livesession, error, "courses.session_roster")
    return _walk_in_added(livesession, registration)


@bp.post("/sessions/<int:id>/disputes/<int:confirmation_id>/resolve")
@permission_required("session.facilitate", LiveSession)
def session_resolve(livesession: LiveSession, confirmation_id: int):
    confirmation = load_visible(AttendanceConfirmation, confirmation_id)
    if confirmation.session_id != livesession.id:
        abort(404)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _refused(livesession, CadenceError("Say how the dispute was resolved."),
                        "courses.session_roster")
    try:
        live.resolve(confirmation, current_user, form.resolution.data)
    except CadenceError as error:
        return _refused(livesession, error, "courses.session_roster")
    return _done(livesession, "Dispute resolved; the leader is told.", "courses.session_roster")


# --- leader confirmation --------------------------------------------------------------------

def _subtree_rows(livesession: LiveSession):
    return [(registration, attendance) for registration, attendance in live.roster(livesession)
            if tree.is_in_subtree(current_user.id, registration.user_id)]


@bp.route("/sessions/<int:id>/confirm", methods=["GET", "POST"])
@permission_required("session.confirm", LiveSession)
def session_confirm(livesession: LiveSession):
    rows = _subtree_rows(livesession)
    form, dispute_form = PostForm(), DisputeForm(prefix="dispute")
    dispute_form.registration.choices = [(r.id, r.user.name) for r, _a in rows]
    if form.validate_on_submit():
        live.confirm(livesession, current_user)
        return _done(livesession, "Attendance confirmed.", "courses.session_confirm")
    mine = db.session.scalar(select(AttendanceConfirmation).where(
        AttendanceConfirmation.session_id == livesession.id,
        AttendanceConfirmation.leader_id == current_user.id))
    return render_template("courses/live/confirm.html", session=livesession, rows=rows,
                           form=form, dispute=dispute_form, mine=mine,
                           state=live.confirmation_state(livesession))


@bp.post("/sessions/<int:id>/dispute")
@permission_required("session.confirm", LiveSession)
def session_dispute(livesession: LiveSession):
    form = DisputeForm(prefix="dispute")
    form.registration.choices = [(r.id, r.user.name) for r, _a in live.roster(livesession)]
    if not form.validate_on_submit():
        return _refused(livesession, CadenceError("Pick a person and say what is wrong."),
                        "courses.session_confirm")
    registration = load_visible(Registration, form.registration.data)
    try:
        live.dispute(livesession, current_user, registration, form.note.data)
    except CadenceError as error:
        return _refused(livesession, error, "courses.session_confirm")
    return _done(livesession, "Dispute sent to the facilitator.", "courses.session_confirm")


