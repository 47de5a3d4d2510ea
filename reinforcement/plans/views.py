"""Plan pages: the list, a plan with its teams, editing, cadence, starting it, pairings."""

from __future__ import annotations

from datetime import date, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from courses.live.models import Program, ProgramStatus
from lms.authz import can, can_see, permission_required, visible
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.home.nextsteps import NextStep, provider
from lms.people.models import Level, User
from lms.web.args import int_arg
from lms.web.forms import PostForm, apply_error
from reinforcement.plans import bp
from reinforcement.plans import services as plans
from reinforcement.plans.forms import CadenceForm, PairingForm, PlanForm, PlanStatusForm, StartForm
from reinforcement.plans.models import Cadence, PlanPairing, PlanStatus, PlanTeam, ReinforcementPlan
from reinforcement.plans.permissions import may_coach_as
from reinforcement.resources.models import Resource


@bp.app_template_filter("cadence_label")
def cadence_label(value: str) -> str:
    return Cadence(value).label


def _detail(plan: ReinforcementPlan):
    return redirect(url_for("reinforcement.plans.plan_detail", id=plan.id))


@bp.get("/plans")
@permission_required("plan.view")
def plan_list():
    program_id = int_arg("program")
    stmt = (visible(select(ReinforcementPlan), current_user)
            .options(joinedload(ReinforcementPlan.program))
            .order_by(ReinforcementPlan.created_at.desc(), ReinforcementPlan.id.desc()))
    program = db.session.get(Program, program_id) if program_id else None
    if program_id:
        stmt = stmt.where(ReinforcementPlan.program_id == program_id)
    shown = list(db.session.scalars(stmt.limit(200)))
    teams = dict(db.session.execute(
        select(PlanTeam.plan_id, func.count()).where(PlanTeam.plan_id.in_([p.id for p in shown]))
        .group_by(PlanTeam.plan_id)).all()) if shown else {}
    return render_template(
        "reinforcement/plans/list.html", plans=shown, teams=teams,
        program=program if program and can_see(current_user, program) else None,
        program_id=program_id)


@bp.get("/plans/<int:id>")
@permission_required("plan.view", ReinforcementPlan)
def plan_detail(reinforcementplan: ReinforcementPlan):
    plan = reinforcementplan
    manage = can(current_user, "plan.manage", plan)
    pairings = db.session.scalars(
        select(PlanPairing).where(PlanPairing.plan_id == plan.id)
        .options(joinedload(PlanPairing.coach), joinedload(PlanPairing.coachee))).all()
    return render_template(
        "reinforcement/plans/detail.html", plan=plan, focus=plans.lines(plan.focus_activities),
        agenda=plans.lines(plan.agenda_template), teams=plans.teams_of(plan, current_user),
        mine=plans.team_of(plan, current_user), pairings=pairings if manage else [],
        manage=manage, cadence_form=CadenceForm(cadence=plan.cadence),
        pairing_form=PairingForm(), post=PostForm(),
        next_statuses=sorted(plans.TRANSITIONS[plan.status]))


def _choices(form: PlanForm, plan: ReinforcementPlan | None) -> None:
    form.resources.choices = [SelectChoice(r.id, r.title) for r in db.session.scalars(
        select(Resource).where(Resource.is_archived.is_(False)).order_by(Resource.title))]
    if plan is None:
        form.program.choices = [SelectChoice(p.id, p.name) for p in db.session.scalars(
            visible(select(Program), current_user)
            .where(Program.status != ProgramStatus.CANCELLED)
            .order_by(Program.starts_on.desc()))]
    else:
        del form.program


def _data(form: PlanForm) -> plans.PlanData:
    return plans.PlanData(
        title=form.title.data or "", weeks=form.weeks.data, cadence=form.cadence.data,
        check_in_minutes=form.check_in_minutes.data,
        focus_activities=form.focus_activities.data or "",
        agenda_template=form.agenda_template.data or "",
        resource_ids=form.resources.data or [])


def _edit(plan: ReinforcementPlan | None):
    form = PlanForm(obj=plan)
    _choices(form, plan)
    if request.method == "GET":
        if plan is not None:
            form.resources.data = [r.id for r in plan.resources]
        elif int_arg("program"):
            form.program.data = int_arg("program")
    if form.validate_on_submit():
        try:
            if plan is None:
                program = db.session.get(Program, form.program.data)
                plan = plans.create_plan(program, _data(form), by=current_user)
            else:
                plans.update_plan(plan, _data(form), by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash("Plan saved.", "success")
            return _detail(plan)
    return render_template("reinforcement/plans/edit.html", form=form, plan=plan,
                           started=plan is not None and plans.has_teams(plan)), (
        422 if form.errors else 200)


@bp.route("/plans/new", methods=["GET", "POST"])
@permission_required("plan.manage")
def plan_create():
    return _edit(None)


@bp.route("/plans/<int:id>/edit", methods=["GET", "POST"])
@permission_required("plan.manage", ReinforcementPlan)
def plan_edit(reinforcementplan: ReinforcementPlan):
    return _edit(reinforcementplan)


def _post(plan: ReinforcementPlan, form, action, success: str):
    """Validate a small form, run ``action``, commit once and go back to the plan."""
    if not form.validate_on_submit():
        flash("The form was incomplete; nothing changed.", "danger")
        return _detail(plan)
    try:
        result = action()
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(success.format(plan=plan, result=result), "success")
    return _detail(plan)


@bp.post("/plans/<int:id>/status")
@permission_required("plan.manage", ReinforcementPlan)
def plan_status(reinforcementplan: ReinforcementPlan):
    plan, form = reinforcementplan, PlanStatusForm()
    return _post(plan, form, lambda: plans.set_status(plan, form.status.data, by=current_user),
                 "The plan is {plan.status}.")


@bp.post("/plans/<int:id>/cadence")
@permission_required("plan.manage", ReinforcementPlan)
def plan_cadence(reinforcementplan: ReinforcementPlan):
    plan, form = reinforcementplan, CadenceForm()
    return _post(plan, form,
                 lambda: plans.change_cadence(plan, form.cadence.data, by=current_user),
                 "Future check-ins rescheduled: {result.moved} moved, {result.added} added, "
                 "{result.removed} removed.")


def _person(email: str | None, field: str) -> User:
    person = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if person is None:
        raise ValidationError("Nobody has that email.", field=field)
    return person


def _coach(form: StartForm) -> User:
    """The coach the form names (admins) or the person starting it; 403 for anyone else."""
    if not form.coach_email.data:
        return current_user
    coach = _person(form.coach_email.data, "coach_email")
    if not may_coach_as(current_user, coach):
        abort(403)
    return coach


@bp.route("/plans/<int:id>/start", methods=["GET", "POST"])
@permission_required("plan.start", ReinforcementPlan)
def plan_start(reinforcementplan: ReinforcementPlan):
    plan = reinforcementplan
    form = StartForm()
    if request.method == "GET":
        form.starts_on.data = date.today() + timedelta(days=1)
        form.local_time.data = time(9, 0)
    if form.validate_on_submit():
        try:
            coach = _coach(form)
            team = plans.start_plan(plan, coach, starts_on=form.starts_on.data,
                                    local_time=form.local_time.data.strftime("%H:%M"),
                                    by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, ValidationError(error.message, field={
                "coach": "coach_email"}.get(error.field, error.field)))
        else:
            db.session.commit()
            flash(f"“{plan.title}” started for {team.coach.name}'s team.", "success")
            return _detail(plan)
    coachees = plans.coachees_of(plan, current_user) if plan.status == "active" else []
    return render_template("reinforcement/plans/start.html", plan=plan, form=form,
                           coachees=coachees, mine=plans.team_of(plan, current_user)), (
        422 if form.errors else 200)


@bp.post("/plans/<int:id>/pairings")
@permission_required("plan.manage", ReinforcementPlan)
def plan_pairing_add(reinforcementplan: ReinforcementPlan):
    plan, form = reinforcementplan, PairingForm()

    def pair():
        coach = _person(form.coach_email.data, "coach_email")
        coachee = _person(form.coachee_email.data, "coachee_email")
        return plans.set_pairing(plan, coach, coachee, by=current_user)

    return _post(plan, form, pair, "{result.coach.name} coaches {result.coachee.name} in "
                                    "this plan.")


@bp.post("/plans/<int:id>/pairings/<int:pairing_id>/delete")
@permission_required("plan.manage", ReinforcementPlan)
def plan_pairing_delete(reinforcementplan: ReinforcementPlan, pairing_id: int):
    plan = reinforcementplan
    pairing = db.session.get(PlanPairing, pairing_id, options=[selectinload(PlanPairing.plan)])
    if pairing is None or pairing.plan_id != plan.id:
        abort(404)
    return _post(plan, PostForm(), lambda: plans.remove_pairing(pairing, by=current_user),
                 "Pairing removed: the coachee's own manager coaches them.")


@provider
def _plans_to_start(user: User) -> list[NextStep]:
    """Coaches: the active plans not started for their team yet (one query)."""
    if user.is_admin or Level(user.level).rank < Level.MANAGER.rank:
        return []
    has_team = exists().where(User.manager_id == user.id, User.is_active.is_(True))
    started = exists().where(PlanTeam.plan_id == ReinforcementPlan.id,
                             PlanTeam.coach_id == user.id)
    waiting = db.session.execute(
        select(ReinforcementPlan.id, ReinforcementPlan.title)
        .where(ReinforcementPlan.status == PlanStatus.ACTIVE, ~started, has_team)
        .order_by(ReinforcementPlan.created_at.desc()).limit(3))
    return [NextStep(f"Start “{title}” for your team",
                     "Schedule every coaching check-in of the plan at once.",
                     url_for("reinforcement.plans.plan_start", id=plan_id), 35, "Start")
            for plan_id, title in waiting]
