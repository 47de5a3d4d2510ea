"""Goal pages: a person's goals with gaps and trend charts, proposing, changing and agreeing,
the weekly actuals grid, a coach's team table, the CRM import, gap reviews, the root-cause
report, and the metrics catalogue (admins).

``?format=csv`` exports the team table and the root-cause report.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from lms.authz import load_visible, permission_required
from lms.errors import CadenceError
from lms.extensions import db
from lms.people import tree
from lms.people.models import User
from lms.web.args import int_arg
from lms.web.forms import PostForm, apply_error
from lms.web.spreadsheets import csv_response
from lms.web.templating import viewer_today
from reinforcement.checkins.models import CheckIn
from reinforcement.goals import bp
from reinforcement.goals import services as service
from reinforcement.goals.actuals import COLUMNS, ImportRejected, enter_actual, import_actuals
from reinforcement.goals.forms import (
    EvaluateForm,
    GapReviewForm,
    GoalEditForm,
    GoalForm,
    ImportForm,
    MetricForm,
    actuals_form,
)
from reinforcement.goals.gaps import (
    REPORT_HEADER,
    ROOT_CAUSES,
    Action,
    create_gap_review,
    evaluate_gap_review,
    reviews_of,
    root_cause_report,
)
from reinforcement.goals.models import GapReview, Goal, Metric, MetricActual
from reinforcement.goals.progress import (
    TEAM_HEADER,
    goal_chart,
    progress,
    progress_of,
    team_csv_rows,
    team_table,
    weekly_values,
)

GRID_WEEKS = 4
PERIODS = {"3": ("Last 3 months", 91), "12": ("Last 12 months", 365), "all": ("All time", None)}


@bp.context_processor
def _goal_helpers() -> dict:
    return {"metric_value": service.format_value, "metric_label": service.metric_label,
            "root_causes": ROOT_CAUSES}


def _today() -> date:
    """Today where the viewer lives."""
    return viewer_today()


def _failed(form, error: CadenceError) -> None:
    db.session.rollback()
    apply_error(form, error)


def _answer(template: str, form, **context):
    code = 422 if request.method == "POST" and (form.errors or form.form_errors) else 200
    return render_template(template, form=form, **context), code


def _check_in_arg() -> CheckIn | None:
    """The check-in named by ``?check_in=`` (the services check it is the pair's)."""
    check_in_id = int_arg("check_in")
    return db.session.get(CheckIn, check_in_id) if check_in_id else None




# --- a person's goals ----------------------------------------------------------------------------

@bp.get("/people/<int:person_id>/goals")
@permission_required("goal.view", load=User, arg="person_id")
def goals_person(user: User):
    today = _today()
    goals = list(db.session.scalars(
        select(Goal).where(Goal.person_id == user.id).options(joinedload(Goal.metric))
        .order_by(Goal.starts_on.desc(), Goal.id)))
    running = [g for g in goals if g.starts_on <= today <= g.ends_on]
    weekly = weekly_values(running)
    return render_template(
        "reinforcement/goals/person.html", person=user, today=today, running=running,
        upcoming=[g for g in goals if g.starts_on > today],
        past=[g for g in goals if g.ends_on < today], figures=progress_of(goals, today),
        charts={g.id: goal_chart(g, weekly.get(g.id, [])) for g in running}, post=PostForm(),
        check_in_id=int_arg("check_in"))


@bp.get("/goals/<int:id>")
@permission_required("goal.view", Goal)
def goal_detail(goal: Goal):
    today = _today()
    weeks = weekly_values([goal]).get(goal.id, [])
    return render_template("reinforcement/goals/detail.html", goal=goal, person=goal.person,
                           progress=progress(goal, today), chart=goal_chart(goal, weeks),
                           weeks=weeks, reviews=reviews_of([goal.id]).get(goal.id, []),
                           post=PostForm(), check_in_id=int_arg("check_in"))


@bp.route("/people/<int:person_id>/goals/new", methods=["GET", "POST"])
@permission_required("goal.propose", load=User, arg="person_id")
def goal_create(user: User):
    form = GoalForm()
    form.set_metrics(service.metric_choices())
    if request.method == "GET":
        form.metric.data = int_arg("metric")
        form.starts_on.data = service.monday_of(_today())
        form.ends_on.data = form.starts_on.data + timedelta(weeks=12, days=-1)
    if form.validate_on_submit():
        try:
            goal = service.propose_goal(
                user, db.session.get(Metric, form.metric.data), starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, target=form.target_value, by=current_user)
        except CadenceError as error:
            _failed(form, error)
        else:
            db.session.commit()
            flash(f"Goal proposed: {user.name} is asked to agree to it.", "success")
            return redirect(url_for("reinforcement.goals.goal_detail", id=goal.id))
    return _answer("reinforcement/goals/edit.html", form, person=user, goal=None)


@bp.route("/goals/<int:id>/edit", methods=["GET", "POST"])
@permission_required("goal.propose", Goal)
def goal_edit(goal: Goal):
    form = GoalEditForm()
    if request.method == "GET":
        form.starts_on.data, form.ends_on.data = goal.starts_on, goal.ends_on
        form.target.data = f"{goal.target:g}"
    if form.validate_on_submit():
        try:
            service.update_goal(goal, target=form.target_value, starts_on=form.starts_on.data,
                                ends_on=form.ends_on.data, by=current_user)
        except CadenceError as error:
            _failed(form, error)
        else:
            db.session.commit()
            flash(f"Goal changed: {goal.person.name} is asked to agree to it again.", "success")
            return redirect(url_for("reinforcement.goals.goal_detail", id=goal.id))
    return _answer("reinforcement/goals/edit.html", form, person=goal.person, goal=goal)


@bp.post("/goals/<int:id>/agree")
@permission_required("goal.agree", Goal)
def goal_agree(goal: Goal):
    if not PostForm().validate_on_submit():
        flash("The form expired; try again.", "danger")
    else:
        try:
            service.agree_goal(goal, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"You agreed to your {goal.metric.name} goal.", "success")
    return redirect(url_for("reinforcement.goals.goals_person", person_id=goal.person_id))


# --- actuals -------------------------------------------------------------------------------------

def _grid_weeks(today: date) -> list[date]:
    this_week = service.monday_of(today)
    try:
        last = service.monday_of(date.fromisoformat(request.args.get("week", "")))
    except ValueError:
        last = this_week
    last = min(last, this_week)
    return [last - timedelta(weeks=n) for n in range(GRID_WEEKS - 1, -1, -1)]


def _save_grid(form, person: User, metrics, weeks, check_in, today: date) -> int | None:
    """Enter every filled box; the number changed, or ``None`` when a box was refused."""
    if request.args.get("check_in") and check_in is None:
        form.form_errors.append("Enter actuals at a check-in of theirs that you take part in.")
        return None
    changed, failed = 0, False
    for metric, monday, field, number in form.filled(metrics, weeks):
        try:
            if number is None:
                raise CadenceError("Enter a number, such as 12 or 12.5.")
            _actual, did = enter_actual(person, metric, monday, number, by=current_user,
                                        check_in=check_in, today=today)
            changed += did
        except CadenceError as error:
            field.errors = [*field.errors, error.message]
            failed = True
            if error.field == "check_in":
                form.form_errors.append(error.message)
                break
    if failed:
        db.session.rollback()
        form.form_errors.append("Nothing was saved: correct the highlighted boxes.")
        return None
    return changed


@bp.route("/people/<int:person_id>/actuals", methods=["GET", "POST"])
@permission_required("actual.enter", load=User, arg="person_id")
def actuals_entry(user: User):
    today = _today()
    weeks, metrics, check_in = _grid_weeks(today), service.metric_choices(), _check_in_arg()
    form = actuals_form(metrics, weeks)
    if request.method == "GET":
        for metric_id, monday, value in db.session.execute(
                select(MetricActual.metric_id, MetricActual.period_start, MetricActual.value)
                .where(MetricActual.person_id == user.id,
                       MetricActual.period_start.between(weeks[0], weeks[-1]))):
            name = f"v_{metric_id}_{monday.isoformat()}"
            if name in form:
                form[name].data = f"{value:g}"
    if form.validate_on_submit():
        changed = _save_grid(form, user, metrics, weeks, check_in, today)
        if changed is not None:
            db.session.commit()
            flash(f"Saved: {changed} value{'s' if changed != 1 else ''} changed.", "success")
            return redirect(request.full_path.rstrip("?"))
    later = weeks[-1] + timedelta(weeks=GRID_WEEKS)
    return _answer("reinforcement/goals/actuals.html", form, person=user, weeks=weeks,
                   metrics=metrics, check_in=check_in, earlier=weeks[0] - timedelta(weeks=1),
                   later=min(later, service.monday_of(today)) if weeks[-1] < service.monday_of(
                       today) else None)


@bp.route("/actuals/import", methods=["GET", "POST"])
@permission_required("actual.import")
def actuals_import():
    form, problems = ImportForm(), []
    if form.validate_on_submit():
        try:
            result = import_actuals(form.file.data.read(), by=current_user, today=_today())
        except ImportRejected as rejected:
            db.session.rollback()
            problems = rejected.problems
        except CadenceError as error:
            _failed(form, error)
        else:
            db.session.commit()
            flash(f"Import done: {result.created} created, {result.updated} updated, "
                  f"{result.unchanged} unchanged, for {len(result.people)} people.", "success")
            return redirect(url_for("reinforcement.goals.actuals_import"))
    code = 422 if problems or form.errors or form.form_errors else 200
    return render_template("reinforcement/goals/import.html", form=form, problems=problems,
                           columns=COLUMNS, metrics=service.metric_choices()), code


# --- the team table ------------------------------------------------------------------------------

@bp.get("/goals/team")
@permission_required("goal.team")
def goals_team():
    person_id = int_arg("person")
    coach = load_visible(User, person_id) if person_id else current_user
    table = team_table(coach, _today())
    if request.args.get("format") == "csv":
        return csv_response(team_csv_rows(table), TEAM_HEADER, f"team-goals-{coach.id}")
    return render_template("reinforcement/goals/team.html", table=table, coach=coach)


# --- gap reviews ---------------------------------------------------------------------------------

@bp.route("/goals/<int:id>/gap-reviews/new", methods=["GET", "POST"])
@permission_required("gap.review", Goal)
def gap_review_create(goal: Goal):
    today, person, check_in = _today(), goal.person, _check_in_arg()
    form = GapReviewForm()
    form.action_owner.choices = [SelectChoice(person.id, f"{person.name}"),
                                 SelectChoice(current_user.id, f"Me ({current_user.name})")]
    if request.method == "GET":
        form.action_due_on.data = today + timedelta(days=7)
    if form.validate_on_submit():
        action = Action(form.action_title.data, db.session.get(User, form.action_owner.data),
                        form.action_due_on.data)
        try:
            create_gap_review(goal, root_cause=form.root_cause.data, notes=form.notes.data,
                              action=action, by=current_user, check_in=check_in, today=today)
        except CadenceError as error:
            _failed(form, error)
        else:
            db.session.commit()
            flash("Gap review recorded; the corrective action is on your check-in agenda.",
                  "success")
            return redirect(url_for("reinforcement.goals.goal_detail", id=goal.id))
    return _answer("reinforcement/goals/gap_review.html", form, goal=goal, person=person,
                   progress=progress(goal, today), check_in=check_in)


@bp.route("/gap-reviews/<int:id>/evaluate", methods=["GET", "POST"])
@permission_required("gap.review", GapReview)
def gap_review_evaluate(gapreview: GapReview):
    review, today, check_in = gapreview, _today(), _check_in_arg()
    form = EvaluateForm()
    if form.validate_on_submit():
        try:
            evaluate_gap_review(review, note=form.note.data, by=current_user,
                                check_in=check_in, today=today)
        except CadenceError as error:
            _failed(form, error)
        else:
            db.session.commit()
            flash("Improved: the gap shrank." if review.improved else
                  "Not improved: the gap did not shrink.",
                  "success" if review.improved else "warning")
            return redirect(url_for("reinforcement.goals.goal_detail", id=review.goal_id))
    return _answer("reinforcement/goals/evaluate.html", form, review=review, goal=review.goal,
                   progress=progress(review.goal, today), check_in=check_in)


@bp.get("/gap-reviews/report")
@permission_required("gap.report")
def gap_report():
    person_id = int_arg("person")
    root = load_visible(User, person_id) if person_id else (
        None if current_user.is_admin else current_user)
    key = request.args.get("period") if request.args.get("period") in PERIODS else "12"
    days = PERIODS[key][1]
    report = root_cause_report(
        None if root is None else tree.subtree_ids(root.id, include_root=False),
        since=_today() - timedelta(days=days) if days else None)
    if request.args.get("format") == "csv":
        return csv_response(report.rows, REPORT_HEADER, "root-causes")
    return render_template("reinforcement/goals/report.html", report=report, root=root,
                           period=key, periods=PERIODS)


# --- the metrics catalogue -----------------------------------------------------------------------

@bp.route("/metrics", methods=["GET", "POST"])
@permission_required("metric.manage")
def metric_index():
    form = MetricForm()
    if form.validate_on_submit():
        try:
            metric = service.create_metric(
                key=form.key.data, name=form.name.data, kind=form.kind.data, unit=form.unit.data,
                higher_is_better=form.higher_is_better.data, by=current_user)
        except CadenceError as error:
            _failed(form, error)
        else:
            db.session.commit()
            flash(f"Metric “{metric.name}” added.", "success")
            return redirect(url_for("reinforcement.goals.metric_index"))
    metrics = db.session.scalars(select(Metric).order_by(Metric.is_archived, Metric.kind,
                                                         Metric.name))
    return _answer("reinforcement/goals/metrics.html", form, metrics=list(metrics),
                   post=PostForm())


def _set_archived(metric_id: int, archived: bool):
    metric = load_visible(Metric, metric_id)
    if PostForm().validate_on_submit():
        try:
            service.set_metric_archived(metric, archived, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"“{metric.name}” {'archived' if archived else 'restored'}.", "success")
    else:
        flash("The form expired; try again.", "danger")
    return redirect(url_for("reinforcement.goals.metric_index"))


@bp.post("/metrics/<int:id>/archive")
@permission_required("metric.manage")
def metric_archive(id: int):
    return _set_archived(id, True)


@bp.post("/metrics/<int:id>/restore")
@permission_required("metric.manage")
def metric_restore(id: int):
    return _set_archived(id, False)
