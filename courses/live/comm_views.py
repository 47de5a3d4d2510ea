"""Pre-training communication pages: the list, compose and edit, the message and its tracking."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from courses import bp
from courses.live import comm_delivery, comm_nextsteps  # noqa: F401  (Home next steps)
from courses.live import communications as comms
from courses.live.comm_forms import AcknowledgeForm, CommunicationForm
from courses.live.models import (
    Communication,
    CommunicationStatus,
    LiveSession,
    Program,
    ProgramStatus,
    ProgramWave,
    SessionStatus,
)
from lms.authz import can, can_see, permission_required, visible
from lms.db import utcnow
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.people.models import User
from lms.web.args import parse_int
from lms.web.forms import PostForm, apply_error
from lms.web.templating import datetime_text, person_zone

LIMIT = 200


@bp.get("/communications")
@login_required
def communication_list():
    written = list(db.session.scalars(visible(comms.written_by(current_user).limit(LIMIT),
                                              current_user)))
    received = db.session.execute(comms.received_by(current_user).limit(LIMIT)).all()
    return render_template("courses/live/comms/list.html", written=written, received=received,
                           counts=comms.counts_for([c.id for c in written]), post=PostForm())


# --- compose and edit -----------------------------------------------------------------------

def _about_choices(current: str | None) -> list[SelectChoice]:
    """Upcoming sessions, then waves and whole programs still running, as option groups."""
    sessions = db.session.scalars(visible(
        select(LiveSession).where(LiveSession.status == SessionStatus.SCHEDULED,
                                  LiveSession.starts_at > utcnow())
        .order_by(LiveSession.starts_at).limit(LIMIT), current_user))
    programs = list(db.session.scalars(visible(
        select(Program).where(Program.status.in_((ProgramStatus.DRAFT, ProgramStatus.ACTIVE)))
        .options(selectinload(Program.waves)).order_by(Program.starts_on).limit(LIMIT),
        current_user)))
    choices = [SelectChoice("", "Choose a session, a wave or a program")]
    choices += [SelectChoice(f"session:{s.id}", f"{s.title} — "
                             f"{datetime_text(s.starts_at)}", optgroup="Sessions")
                for s in sessions]
    choices += [SelectChoice(f"wave:{w.id}", f"{p.name} — wave {w.number}: {w.name} (opens "
                             f"{w.opens_on})", optgroup="Waves") for p in programs for w in p.waves]
    choices += [SelectChoice(f"program:{p.id}", f"{p.name} (the whole program)",
                             optgroup="Programs") for p in programs]
    if current and current not in {choice.value for choice in choices}:
        # e.g. editing a message about a program that has since completed
        choices.append(SelectChoice(current, "(as written)"))
    return choices


def _about_value(communication: Communication) -> str:
    if communication.session_id:
        return f"session:{communication.session_id}"
    if communication.wave_id:
        return f"wave:{communication.wave_id}"
    return f"program:{communication.program_id}"


def _about(value: str) -> dict:
    """``session:12`` -> {"session": <LiveSession 12>}, if the person may see it."""
    kind, _, raw = (value or "").partition(":")
    model = {"session": LiveSession, "wave": ProgramWave, "program": Program}.get(kind)
    number = parse_int(raw)
    found = db.session.get(model, number) if model and number is not None else None
    if found is None or not can_see(current_user, getattr(found, "program", None)
                                    if kind == "wave" else found):
        raise ValidationError("Choose a session, wave or program from the list.", field="about")
    return {kind: found}


def _person(email: str | None) -> User | None:
    if not (email or "").strip():
        return None
    person = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if person is None:
        raise ValidationError("Nobody has that email.", field="audience_root")
    return person


def _data(form: CommunicationForm) -> comms.CommunicationData:
    zone = person_zone(current_user)
    send_at = form.send_at.data.replace(tzinfo=zone) if form.send_at.data else None
    if form.send_now.data:
        send_at = utcnow()
    return comms.CommunicationData(
        subject=form.subject.data or "", what_you_learn=form.what_you_learn.data or "",
        why_it_matters=form.why_it_matters.data or "",
        how_work_changes=form.how_work_changes.data or "",
        expected_results=form.expected_results.data or "", levels=form.levels.data or [],
        audience_root=_person(form.audience_root.data), send_at=send_at,
        **_about(form.about.data))


def _prefill(form: CommunicationForm, communication: Communication | None) -> None:
    zone = person_zone(current_user)
    if communication is not None:
        form.process(obj=communication)
        form.about.data = _about_value(communication)
        form.levels.data = comms.levels_of(communication)
        root = communication.audience_root
        form.audience_root.data = root.email if root else ""
        form.send_at.data = communication.send_at.astimezone(zone).replace(tzinfo=None)
        return
    # Linked from a session or program page: start from it and its default send date.
    kind = next((k for k in ("session", "wave", "program") if request.args.get(k)), None)
    if kind is None:
        return
    try:
        about = _about(f"{kind}:{request.args[kind]}")
    except ValidationError:
        return  # not a known one: the author chooses from the list
    form.about.data = f"{kind}:{request.args[kind]}"
    named = about[kind]
    form.subject.data = f"Before “{getattr(named, 'title', None) or named.name}”"
    send_at = comms.default_send_at(about.get("session"), about.get("wave"),
                                    about.get("program"), author=current_user)
    form.send_at.data = send_at.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def _edit(communication: Communication | None):
    form = CommunicationForm()
    if request.method == "GET":
        _prefill(form, communication)
    current = _about_value(communication) if communication is not None else None
    form.about.choices = _about_choices(current)
    if form.validate_on_submit():
        try:
            data = _data(form)
            if communication is None:
                communication = comms.schedule_communication(data, by=current_user)
            else:
                comms.update_communication(communication, data, by=current_user)
            sent = (comm_delivery.send_communication(communication, by=current_user)
                    if form.send_now.data else None)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(f"Sent to {sent} people." if sent is not None else
                  f"Scheduled for {datetime_text(communication.send_at)}.", "success")
            return redirect(url_for("courses.communication_detail", id=communication.id))
    return render_template("courses/live/comms/edit.html", form=form,
                           communication=communication)


@bp.route("/communications/new", methods=["GET", "POST"])
@permission_required("communication.write")
def communication_create():
    return _edit(None)


@bp.route("/communications/<int:id>/edit", methods=["GET", "POST"])
@permission_required("communication.manage", Communication)
def communication_edit(communication: Communication):
    if communication.status != CommunicationStatus.SCHEDULED:
        flash("This communication has already gone out (or is cancelled); it can no longer "
              "be changed.", "warning")
        return redirect(url_for("courses.communication_detail", id=communication.id))
    return _edit(communication)


# --- the message ----------------------------------------------------------------------------

@bp.get("/communications/<int:id>")
@permission_required("communication.view", Communication)
def communication_detail(communication: Communication):
    mine = comms.receipt(communication, current_user)
    if mine is not None and comms.mark_opened(mine):
        db.session.commit()
    manage = can(current_user, "communication.manage", communication)
    scheduled = communication.status == CommunicationStatus.SCHEDULED
    return render_template(
        "courses/live/comms/detail.html", communication=communication, mine=mine,
        parts=comms.parts_html(communication), levels=comms.levels_of(communication),
        tracking=comms.tracking(communication) if manage and not scheduled else None,
        reach=comm_delivery.audience_size(communication) if manage and scheduled else None,
        manage=manage, ack=AcknowledgeForm(), post=PostForm())


def _after(communication: Communication, done: str | None, error: CadenceError | None):
    if error is not None:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("courses.communication_detail", id=communication.id))


@bp.post("/communications/<int:id>/cancel")
@permission_required("communication.manage", Communication)
def communication_cancel(communication: Communication):
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        comms.cancel_communication(communication, by=current_user)
    except CadenceError as error:
        return _after(communication, None, error)
    return _after(communication, "Cancelled: nobody will receive it.", None)


@bp.post("/communications/<int:id>/send")
@permission_required("communication.manage", Communication)
def communication_send(communication: Communication):
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        sent = comm_delivery.send_communication(communication, by=current_user)
    except CadenceError as error:
        return _after(communication, None, error)
    return _after(communication, f"Sent to {sent} people.", None)


@bp.post("/communications/<int:id>/acknowledge")
@permission_required("communication.acknowledge", Communication)
def communication_acknowledge(communication: Communication):
    form = AcknowledgeForm()
    if not form.validate_on_submit():  # (the CSRF token is checked before any view)
        return _after(communication, None, CadenceError(
            "Keep your question under 2,000 characters."))
    try:
        comms.acknowledge(communication, current_user, question=form.question.data or "")
    except CadenceError as error:
        return _after(communication, None, error)
    return _after(communication, "Thank you: the author knows you are ready.", None)
