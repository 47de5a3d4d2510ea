"""Check-in pages: the week view, lists, one check-in (agenda, notes, action items, status).

Views load and authorize through ``lms.authz``, call a service, commit once and redirect;
refusals come back as a flash message. Private notes reach a template only for the coach.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from lms.authz import can, permission_required, visible
from lms.db import utcnow
from lms.errors import CadenceError
from lms.extensions import db
from lms.people.models import User
from lms.web.args import int_arg, page_arg
from lms.web.forms import PostForm, apply_error
from lms.web.markdown import render_markdown
from lms.web.templating import local_date, person_zone
from reinforcement.checkins import actions, bp
from reinforcement.checkins import calendar as ics
from reinforcement.checkins import services as checkins
from reinforcement.checkins import week as this_week
from reinforcement.checkins.forms import (
    ActionItemForm,
    AgendaItemForm,
    CheckInForm,
    HeldForm,
    NotesForm,
    RescheduleForm,
)
from reinforcement.checkins.models import ActionItem, AgendaItem, CheckIn, CheckInStatus
from reinforcement.checkins.permissions import coaches

PER_PAGE = 25
ROLES = ("mine", "coach", "coachee", "team")
WHEN = ("upcoming", "past", "all")
HELD_FORM_AHEAD = timedelta(hours=12)


def _aware(value: datetime) -> datetime:
    """A naive time typed on the viewer's clock, as an aware instant."""
    return value.replace(tzinfo=person_zone(current_user))


def _local_input(moment: datetime) -> datetime:
    return moment.astimezone(person_zone(current_user)).replace(tzinfo=None, second=0,
                                                             microsecond=0)


def _done(check_in: CheckIn, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("reinforcement.checkins.check_in_detail", id=check_in.id))


def _refused(check_in: CheckIn, message: str):
    db.session.rollback()
    flash(message, "danger")
    return redirect(url_for("reinforcement.checkins.check_in_detail", id=check_in.id))


def _form_errors(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors
                    ) or "The form was not complete."


# --- the week and the lists --------------------------------------------------------------------

@bp.get("/")
@login_required
def week():
    now = utcnow()
    view = this_week.week_view(current_user, now=now) if coaches(current_user) else None
    return render_template(
        "reinforcement/checkins/week.html", view=view, now=now,
        last_day=view.ends - timedelta(days=1) if view else None,
        upcoming=this_week.upcoming_as_coachee(current_user, now=now),
        my_items=actions.open_items(current_user, limit=20),
        today=local_date(now, current_user))


def _list_filters() -> dict:
    args = request.args
    return {"role": args.get("role") if args.get("role") in ROLES else "mine",
            "when": args.get("when") if args.get("when") in WHEN else "upcoming",
            "status": args.get("status") if args.get("status") in set(CheckInStatus) else "",
            "person": int_arg("person")}


def _filtered(stmt, filters: dict, now: datetime):
    """Apply the list's filters: whose, with whom, which status, when."""
    me = current_user.id
    stmt = stmt.where({
        "coach": CheckIn.coach_id == me, "coachee": CheckIn.coachee_id == me,
        "team": and_(CheckIn.coach_id != me, CheckIn.coachee_id != me),
        "mine": or_(CheckIn.coach_id == me, CheckIn.coachee_id == me)}[filters["role"]])
    if filters["person"]:
        stmt = stmt.where(or_(CheckIn.coach_id == filters["person"],
                              CheckIn.coachee_id == filters["person"]))
    if filters["status"]:
        stmt = stmt.where(CheckIn.status == filters["status"])
    if filters["when"] == "upcoming":
        return stmt.where(CheckIn.scheduled_at >= now - checkins.IN_PROGRESS).order_by(
            CheckIn.scheduled_at, CheckIn.id)
    if filters["when"] == "past":
        stmt = stmt.where(CheckIn.scheduled_at < now)
    return stmt.order_by(CheckIn.scheduled_at.desc(), CheckIn.id.desc())


@bp.get("/check-ins")
@login_required
def check_in_list():
    filters = _list_filters()
    stmt = (visible(select(CheckIn), current_user)
            .options(joinedload(CheckIn.coach), joinedload(CheckIn.coachee)))
    page = db.paginate(_filtered(stmt, filters, utcnow()), page=page_arg(),
                       per_page=PER_PAGE, error_out=False)
    return render_template("reinforcement/checkins/list.html", page=page, filters=filters,
                           statuses=list(CheckInStatus))


def _coachee_choices() -> list[tuple[int, str]]:
    stmt = (select(User.id, User.name, User.email)
            .where(User.is_active.is_(True), User.id != current_user.id)
            .order_by(User.name, User.id))
    return [(pid, f"{name} <{email}>")
            for pid, name, email in db.session.execute(visible(stmt, current_user, User))]


@bp.route("/check-ins/new", methods=["GET", "POST"])
@permission_required("checkin.schedule")
def check_in_create():
    form = CheckInForm()
    form.coachee.choices = _coachee_choices()
    if request.method == "GET":
        form.coachee.data = int_arg("coachee")
    if form.validate_on_submit():
        coachee = db.session.get(User, form.coachee.data)
        try:
            check_in = checkins.schedule_check_in(
                current_user, coachee, _aware(form.scheduled_at.data), form.minutes.data,
                by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            return _done(check_in, f"Check-in with {coachee.name} scheduled; "
                                   f"{coachee.first_name} is told.")
    return render_template("reinforcement/checkins/new.html", form=form)


# --- one check-in ------------------------------------------------------------------------------

def _extras(check_in: CheckIn) -> dict:
    """Links to other parts of the package, shown only once their pages exist."""
    views = current_app.view_functions
    plan = check_in.plan_team.plan if check_in.plan_team else None
    shows_resources = plan is not None and "reinforcement.resources.resource_detail" in views
    return {"plan": plan,
            "resources": plan.resources if shows_resources else [],
            "goals_page": "reinforcement.goals.goals_person" in views}


def _notes_html(text: str) -> str:
    """Notes are Markdown, sanitised like lesson text (shown with ``| safe``)."""
    return render_markdown(text) if text else ""


def _render_detail(checkin: CheckIn, notes_form: NotesForm | None = None, status: int = 200):
    """The check-in page; ``notes_form`` brings back notes that could not be saved."""
    is_coach = can(current_user, "checkin.coach", checkin)
    participant = can(current_user, "checkin.participate", checkin)
    form = ActionItemForm(due_on=local_date(checkin.scheduled_at, current_user)
                          + timedelta(days=7))
    form.owner.choices = [(checkin.coachee_id, checkin.coachee.name),
                          (checkin.coach_id, f"{checkin.coach.name} (coach)")]
    if notes_form is None:
        # The private notes leave the database for the coach's page only.
        saved = {"private_notes": checkin.private_notes} if is_coach else {}
        notes_form = NotesForm.for_viewer(is_coach=is_coach, formdata=None,
                                          shared_notes=checkin.shared_notes, **saved)
    return render_template(
        "reinforcement/checkins/detail.html", check_in=checkin, is_coach=is_coach,
        participant=participant, items=actions.items_of(checkin),
        carried=actions.carried_forward(checkin),
        today=local_date(utcnow(), current_user), now=utcnow(),
        # The "held" form shows once the meeting is near; the service takes it at any time.
        held_ready=checkin.scheduled_at <= utcnow() + HELD_FORM_AHEAD,
        shared_html=_notes_html(checkin.shared_notes),
        private_html=_notes_html(checkin.private_notes) if is_coach else None,
        notes_form=notes_form, agenda_form=AgendaItemForm(), action_form=form,
        held_form=HeldForm(), post=PostForm(), **_extras(checkin)), status


@bp.get("/check-ins/<int:id>")
@permission_required("checkin.view", CheckIn)
def check_in_detail(checkin: CheckIn):
    return _render_detail(checkin)


@bp.get("/check-ins/<int:id>/check-in.ics")
@permission_required("checkin.view", CheckIn)
def check_in_ics(checkin: CheckIn):
    return Response(ics.invitation(checkin, current_user), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="check-in-{checkin.id}.ics"'})


@bp.post("/check-ins/<int:id>/agenda")
@permission_required("checkin.participate", CheckIn)
def agenda_add(checkin: CheckIn):
    form = AgendaItemForm()
    if not form.validate_on_submit():
        return _refused(checkin, _form_errors(form))
    try:
        checkins.add_agenda_item(checkin, form.text.data, by=current_user)
    except CadenceError as error:
        return _refused(checkin, error.message)
    return _done(checkin, "Added to the agenda.")


@bp.post("/check-ins/<int:id>/agenda/<int:item_id>/remove")
@permission_required("checkin.participate", CheckIn)
def agenda_remove(checkin: CheckIn, item_id: int):
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.check_in_id != checkin.id or not PostForm().validate_on_submit():
        return _refused(checkin, "That agenda item is no longer there.")
    try:
        checkins.remove_agenda_item(item, by=current_user)
    except CadenceError as error:
        return _refused(checkin, error.message)
    return _done(checkin, "Removed from the agenda.")


def _coach_action(checkin: CheckIn, action, message: str, **kwargs):
    if not PostForm().validate_on_submit():
        return _refused(checkin, "The form has expired: try again.")
    try:
        action(checkin, by=current_user, **kwargs)
    except CadenceError as error:
        return _refused(checkin, error.message)
    return _done(checkin, message)


@bp.post("/check-ins/<int:id>/prepare")
@permission_required("checkin.coach", CheckIn)
def agenda_prepare(checkin: CheckIn):
    return _coach_action(checkin, checkins.prepare_agenda, "Agenda marked prepared.")


@bp.post("/check-ins/<int:id>/held")
@permission_required("checkin.coach", CheckIn)
def check_in_held(checkin: CheckIn):
    form = HeldForm()
    if not form.validate_on_submit():
        return _refused(checkin, _form_errors(form))
    held_at = _aware(form.held_at.data) if form.held_at.data else None
    return _coach_action(checkin, checkins.mark_held, "Check-in marked held.", held_at=held_at)


@bp.post("/check-ins/<int:id>/missed")
@permission_required("checkin.coach", CheckIn)
def check_in_missed(checkin: CheckIn):
    return _coach_action(checkin, checkins.mark_missed, "Check-in marked missed.")


@bp.post("/check-ins/<int:id>/cancel")
@permission_required("checkin.coach", CheckIn)
def check_in_cancel(checkin: CheckIn):
    return _coach_action(checkin, checkins.cancel_check_in,
                         f"Check-in cancelled; {checkin.coachee.first_name} is told.")


@bp.route("/check-ins/<int:id>/reschedule", methods=["GET", "POST"])
@permission_required("checkin.reschedule", CheckIn)
def check_in_reschedule(checkin: CheckIn):
    form = RescheduleForm(minutes=checkin.minutes)
    if request.method == "GET":
        form.scheduled_at.data = _local_input(checkin.scheduled_at)
    if form.validate_on_submit():
        try:
            moved = checkins.reschedule_check_in(checkin, _aware(form.scheduled_at.data),
                                                 minutes=form.minutes.data, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            return _done(moved, "Check-in moved; the other side is told.")
    return render_template("reinforcement/checkins/reschedule.html", form=form,
                           check_in=checkin)


def _save_notes(checkin: CheckIn, form: NotesForm) -> None:
    checkins.save_shared_notes(checkin, form.shared_notes.data or "", by=current_user)
    if "private_notes" in form:
        checkins.save_private_notes(checkin, form.private_notes.data or "", by=current_user)


@bp.post("/check-ins/<int:id>/notes")
@permission_required("checkin.participate", CheckIn)
def notes_save(checkin: CheckIn):
    """Save the shared notes and, for the coach, the private ones: one form, one commit."""
    is_coach = can(current_user, "checkin.coach", checkin)
    form = NotesForm.for_viewer(is_coach=is_coach)
    if form.validate_on_submit():
        try:
            _save_notes(checkin, form)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            return _done(checkin, "Notes saved: the private ones only you can read."
                         if is_coach else "Notes saved.")
    # Nothing typed is lost: the page comes back with both texts and the reason.
    form.form_errors.append("Your notes are not saved yet.")
    return _render_detail(checkin, form, 422)


# --- action items ------------------------------------------------------------------------------

@bp.post("/check-ins/<int:id>/actions")
@permission_required("checkin.participate", CheckIn)
def action_create(checkin: CheckIn):
    form = ActionItemForm()
    form.owner.choices = [(checkin.coachee_id, ""), (checkin.coach_id, "")]
    if not form.validate_on_submit():
        return _refused(checkin, _form_errors(form))
    try:
        actions.create_action_item(checkin, title=form.title.data,
                                   owner=db.session.get(User, form.owner.data),
                                   due_on=form.due_on.data, by=current_user)
    except CadenceError as error:
        return _refused(checkin, error.message)
    return _done(checkin, "Action item added.")


def _back_from(item: ActionItem):
    target = request.form.get("next", "")
    if target == "week" or item.check_in_id is None:
        return redirect(url_for("reinforcement.checkins.week"))
    return redirect(url_for("reinforcement.checkins.check_in_detail", id=item.check_in_id))


def _update_item(item: ActionItem, action, message: str):
    if not PostForm().validate_on_submit():
        flash("The form has expired: try again.", "danger")
        return _back_from(item)
    try:
        action(item, by=current_user)
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _back_from(item)
    db.session.commit()
    flash(message, "success")
    return _back_from(item)


@bp.post("/actions/<int:id>/done")
@permission_required("action.update", ActionItem)
def action_done(actionitem: ActionItem):
    return _update_item(actionitem, actions.complete_action_item, "Action item done.")


@bp.post("/actions/<int:id>/reopen")
@permission_required("action.update", ActionItem)
def action_reopen(actionitem: ActionItem):
    return _update_item(actionitem, actions.reopen_action_item,
                        "Action item reopened: it is carried forward again.")

