"""Champions council pages: the list, founding and editing a council, its meetings (agenda,
attendance, what works and what does not) and its actions (open, overdue, done).

Views load and authorize through ``lms.authz``, call ``reinforcement.councils``, commit once
and redirect; refusals come back as form errors or a flash message.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.authz import can, permission_required, visible
from lms.db import utcnow
from lms.errors import CadenceError
from lms.extensions import db
from lms.people.models import Level, User
from lms.web.forms import PostForm, apply_error
from lms.web.templating import person_zone
from reinforcement.checkins.models import ActionItem
from reinforcement.councils import bp
from reinforcement.councils import services as service
from reinforcement.councils.forms import (
    AttendanceForm,
    CouncilActionForm,
    CouncilForm,
    MeetingNotesForm,
    ScheduleForm,
    people_choices,
)
from reinforcement.councils.models import Council, CouncilMeeting


def _leaders() -> list[tuple[int, str]]:
    """Everyone who may sit on a council: active leaders and executives, across branches."""
    rows = db.session.execute(
        select(User.id, User.name, User.job_title)
        .where(User.level.in_((Level.LEADER, Level.EXECUTIVE)), User.is_active.is_(True))
        .order_by(User.name, User.id))
    return people_choices((pid, f"{name}, {title}" if title else name)
                          for pid, name, title in rows)


def _people(ids) -> list[User]:
    ids = [pid for pid in ids or [] if pid]
    return list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def _council_data(form: CouncilForm) -> service.CouncilData:
    chair = db.session.get(User, form.chair.data) if form.chair.data else None
    return service.CouncilData(name=form.name.data or "", purpose=form.purpose.data or "",
                               chair=chair, members=_people(form.members.data),
                               every_weeks=form.every_weeks.data)


@bp.get("/councils/")
@permission_required("council.view")
def council_index():
    councils = list(db.session.scalars(
        visible(select(Council), current_user)
        .options(selectinload(Council.members), selectinload(Council.chair))
        .order_by(Council.name, Council.id)))
    ids, now = [council.id for council in councils], utcnow()
    upcoming = dict(db.session.execute(
        select(CouncilMeeting.council_id, func.min(CouncilMeeting.scheduled_at))
        .where(CouncilMeeting.council_id.in_(ids), CouncilMeeting.scheduled_at >= now,
               CouncilMeeting.is_cancelled.is_(False))
        .group_by(CouncilMeeting.council_id)).all()) if ids else {}
    open_actions = dict(db.session.execute(
        select(CouncilMeeting.council_id, func.count(ActionItem.id))
        .join(ActionItem, ActionItem.council_meeting_id == CouncilMeeting.id)
        .where(CouncilMeeting.council_id.in_(ids), ActionItem.done_at.is_(None))
        .group_by(CouncilMeeting.council_id)).all()) if ids else {}
    return render_template("reinforcement/councils/index.html", councils=councils,
                           upcoming=upcoming, open_actions=open_actions)


def _edit(council: Council | None):
    form = CouncilForm(obj=council) if request.method == "GET" and council else CouncilForm()
    form.chair.choices = form.members.choices = _leaders()
    if request.method == "GET":
        if council is None:
            form.chair.data = current_user.id
        else:
            form.chair.data = council.chair_id
            form.members.data = [person.id for person in council.members]
    if form.validate_on_submit():
        try:
            if council is None:
                council = service.create_council(_council_data(form), by=current_user)
            else:
                service.update_council(council, _council_data(form), by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(f"Council “{council.name}” saved.", "success")
            return redirect(url_for("reinforcement.councils.council_detail", id=council.id))
    return render_template("reinforcement/councils/edit.html", form=form, council=council)


@bp.route("/councils/new", methods=["GET", "POST"])
@permission_required("council.create")
def council_create():
    return _edit(None)


@bp.route("/councils/<int:id>/edit", methods=["GET", "POST"])
@permission_required("council.manage", Council)
def council_edit(council: Council):
    return _edit(council)


def _detail_page(council: Council, schedule: ScheduleForm | None = None, status: int = 200):
    now = utcnow()
    return render_template(
        "reinforcement/councils/detail.html", council=council, now=now,
        actions=service.actions_of(council, now.date()),
        manages=can(current_user, "council.manage", council),
        schedule=schedule or ScheduleForm(), post=PostForm()), status


@bp.get("/councils/<int:id>")
@permission_required("council.view", Council)
def council_detail(council: Council):
    return _detail_page(council)


@bp.post("/councils/<int:id>/meetings")
@permission_required("council.manage", Council)
def council_schedule(council: Council):
    form = ScheduleForm()
    if form.validate_on_submit():
        first_at = form.first_at.data.replace(tzinfo=person_zone(current_user))
        try:
            meetings = service.schedule_meetings(
                council, first_at, count=form.count.data, minutes=form.minutes.data,
                agenda=form.agenda.data or "", by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(f"{len(meetings)} meeting{'s' if len(meetings) != 1 else ''} scheduled.",
                  "success")
            return redirect(url_for("reinforcement.councils.council_detail", id=council.id))
    return _detail_page(council, schedule=form, status=422)


# --- one meeting -------------------------------------------------------------------------------

def _meeting_page(meeting: CouncilMeeting, *, notes: MeetingNotesForm | None = None,
                  action: CouncilActionForm | None = None, status: int = 200):
    council = meeting.council
    members = people_choices((person.id, person.name) for person in council.members)
    attendance = AttendanceForm()
    attendance.present.choices = members
    attendance.present.data = [row.user_id for row in meeting.attendance if row.present] if (
        meeting.attendance) else [person.id for person in council.members]
    action = action or CouncilActionForm(due_on=meeting.scheduled_at.date())
    action.owner.choices = members
    now = utcnow()
    items = list(db.session.scalars(
        select(ActionItem).where(ActionItem.council_meeting_id == meeting.id)
        .options(selectinload(ActionItem.owner)).order_by(ActionItem.due_on, ActionItem.id)))
    return render_template(
        "reinforcement/councils/meeting.html", meeting=meeting, council=council, now=now,
        present={row.user_id: row.present for row in meeting.attendance}, items=items,
        manages=can(current_user, "council.manage", council), today=now.date(),
        notes=notes or MeetingNotesForm(obj=meeting), attendance=attendance, action=action,
        post=PostForm()), status


@bp.get("/councils/meetings/<int:id>")
@permission_required("council.view", CouncilMeeting)
def council_meeting(councilmeeting: CouncilMeeting):
    return _meeting_page(councilmeeting)


def _to_meeting(meeting: CouncilMeeting, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("reinforcement.councils.council_meeting", id=meeting.id))


def _refused(meeting: CouncilMeeting, message: str):
    db.session.rollback()
    flash(message, "danger")
    return redirect(url_for("reinforcement.councils.council_meeting", id=meeting.id))


@bp.post("/councils/meetings/<int:id>/notes")
@permission_required("council.manage", CouncilMeeting)
def council_meeting_notes(councilmeeting: CouncilMeeting):
    form = MeetingNotesForm()
    if form.validate_on_submit():
        try:
            service.update_meeting(councilmeeting, service.MeetingNotes(
                form.agenda.data, form.works.data, form.does_not_work.data, form.notes.data),
                by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            return _to_meeting(councilmeeting, "Meeting notes saved.")
    return _meeting_page(councilmeeting, notes=form, status=422)


@bp.post("/councils/meetings/<int:id>/attendance")
@permission_required("council.manage", CouncilMeeting)
def council_attendance(councilmeeting: CouncilMeeting):
    if not PostForm().validate_on_submit():
        return _refused(councilmeeting, "The form has expired: try again.")
    present = {int(value) for value in request.form.getlist("present") if value.isdigit()}
    try:
        service.record_attendance(councilmeeting, present, by=current_user)
    except CadenceError as error:
        return _refused(councilmeeting, error.message)
    return _to_meeting(councilmeeting, "Attendance saved.")


@bp.post("/councils/meetings/<int:id>/cancel")
@permission_required("council.manage", CouncilMeeting)
def council_cancel(councilmeeting: CouncilMeeting):
    if not PostForm().validate_on_submit():
        return _refused(councilmeeting, "The form has expired: try again.")
    try:
        service.cancel_meeting(councilmeeting, by=current_user)
    except CadenceError as error:
        return _refused(councilmeeting, error.message)
    return _to_meeting(councilmeeting, "Meeting cancelled.")


@bp.post("/councils/meetings/<int:id>/actions")
@permission_required("council.manage", CouncilMeeting)
def council_action_add(councilmeeting: CouncilMeeting):
    form = CouncilActionForm()
    form.owner.choices = people_choices((person.id, person.name)
                                        for person in councilmeeting.council.members)
    if form.validate_on_submit():
        try:
            service.add_council_action(councilmeeting, form.title.data,
                                       db.session.get(User, form.owner.data),
                                       form.due_on.data, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            return _to_meeting(councilmeeting, "Action added.")
    return _meeting_page(councilmeeting, action=form, status=422)


# --- council actions ---------------------------------------------------------------------------

def _set_done(item: ActionItem, done: bool):
    meeting = db.session.get(CouncilMeeting, item.council_meeting_id)
    back = url_for("reinforcement.councils.council_detail", id=meeting.council_id)
    if not PostForm().validate_on_submit():
        flash("The form has expired: try again.", "danger")
        return redirect(back)
    try:
        service.set_action_done(item, done, by=current_user)
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    flash("Action done." if done else "Action reopened.", "success")
    return redirect(back)


@bp.post("/councils/actions/<int:id>/done")
@permission_required("council.action", ActionItem)
def council_action_done(actionitem: ActionItem):
    return _set_done(actionitem, True)


@bp.post("/councils/actions/<int:id>/reopen")
@permission_required("council.action", ActionItem)
def council_action_reopen(actionitem: ActionItem):
    return _set_done(actionitem, False)
