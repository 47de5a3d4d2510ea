"""Leader pages: the monthly review of the managers under a leader (confirm or give feedback),
a manager's "feedback on my coaching", one review, and the rhythm adherence report.

Views load and authorize through ``lms.authz``, call a service, commit once and redirect;
refusals come back as form errors or a flash message. Check-ins are shown by their shared
part only: private notes never reach these templates.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from assessments.models import Observation
from lms.authz import in_subtree, load_visible, permission_required, visible
from lms.db import utcnow
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.people.models import User
from lms.web.args import int_arg, page_arg
from lms.web.forms import PostForm, apply_error
from lms.web.markdown import render_markdown
from lms.web.spreadsheets import csv_response
from reinforcement.leaders import bp, reviews
from reinforcement.leaders.adherence import PERIOD_KINDS, Period, parse_period, rollup
from reinforcement.leaders.adherence.report import HEADERS, TABLES, csv_rows, trend_charts
from reinforcement.leaders.forms import ConfirmForm, FeedbackForm, scorecard_choices
from reinforcement.leaders.models import LeaderReview, ReviewDecision

PER_PAGE = 25
CHECK_IN_PAGE = "reinforcement.checkins.check_in_detail"


def _month() -> Period:
    """The month named by ``?month=2026-03``; by default the last complete month, the one a
    leader has to review (the current month is not over yet)."""
    named = request.values.get("month")
    today = utcnow().date()
    return (parse_period("month", named, today) if named
            else reviews.last_complete_month(today))


def _check_in_links() -> bool:
    return CHECK_IN_PAGE in current_app.view_functions


# --- the leader's monthly review -------------------------------------------------------------

@bp.get("/reviews/")
@permission_required("review.decide")
def review_index():
    period = _month()
    lines = reviews.board(current_user, period)
    return render_template("reinforcement/leaders/index.html", period=period, lines=lines,
                           today=utcnow().date(), post=PostForm())


def _observation(form) -> Observation | None:
    chosen = form.observation.data
    return db.session.get(Observation, chosen) if chosen else None


def _manager_page(manager: User, period: Period, confirm: ConfirmForm | None = None,
                  feedback: FeedbackForm | None = None, status: int = 200):
    choices = scorecard_choices(reviews.coaching_scorecards(current_user, manager))
    confirm, feedback = confirm or ConfirmForm(month=period.key), feedback or FeedbackForm(
        month=period.key)
    confirm.observation.choices = feedback.observation.choices = choices
    review = db.session.scalar(select(LeaderReview).where(
        LeaderReview.leader_id == current_user.id, LeaderReview.manager_id == manager.id,
        LeaderReview.period_start == period.start))
    if review is not None and review.decision == ReviewDecision.FEEDBACK and not feedback.errors:
        feedback.feedback.data = feedback.feedback.data or review.feedback
    figures = rollup(None, period, people=select(User.id).where(User.id == manager.id))
    check_ins = reviews.shared_check_ins(manager, period)
    return render_template(
        "reinforcement/leaders/manager.html", manager=manager, period=period,
        row=figures.coach(manager.id), check_ins=check_ins, review=review,
        notes={c.id: render_markdown(c.shared_notes) for c in check_ins if c.shared_notes},
        confirm=confirm, feedback=feedback, links=_check_in_links(),
        today=utcnow().date()), status


@bp.get("/reviews/managers/<int:id>")
@permission_required("review.decide", User)
def review_manager(user: User):
    return _manager_page(user, _month())


def _decided(period: Period, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("reinforcement.leaders.review_index", month=period.key))


@bp.post("/reviews/managers/<int:id>/confirm")
@permission_required("review.decide", User)
def review_confirm(user: User):
    form = ConfirmForm()
    form.observation.choices = scorecard_choices(reviews.coaching_scorecards(current_user, user))
    period = _month()
    if form.validate_on_submit():
        try:
            reviews.confirm_reinforcement(user, period.start, by=current_user,
                                          observation=_observation(form),
                                          note=form.note.data or "")
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            return _decided(period, f"Confirmed {user.name}'s coaching for {period.label}.")
        return _manager_page(user, period, confirm=form, status=422)
    flash("The form has expired: try again.", "danger")
    return redirect(url_for("reinforcement.leaders.review_manager", id=user.id, month=period.key))


@bp.post("/reviews/managers/<int:id>/feedback")
@permission_required("review.decide", User)
def review_feedback(user: User):
    form = FeedbackForm()
    form.observation.choices = scorecard_choices(reviews.coaching_scorecards(current_user, user))
    period = _month()
    if form.validate_on_submit():
        try:
            reviews.send_feedback(user, period.start, form.feedback.data, by=current_user,
                                  observation=_observation(form))
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            return _decided(period, f"Feedback sent to {user.name}.")
    return _manager_page(user, period, feedback=form, status=422)


# --- one review; the manager's feedback page -------------------------------------------------

@bp.get("/reviews/<int:id>")
@permission_required("review.view", LeaderReview)
def review_detail(leaderreview: LeaderReview):
    html = render_markdown(leaderreview.feedback) if leaderreview.feedback else ""
    return render_template("reinforcement/leaders/review.html", review=leaderreview,
                           feedback_html=html, post=PostForm())


@bp.post("/reviews/<int:id>/acknowledge")
@permission_required("review.acknowledge", LeaderReview)
def review_acknowledge(leaderreview: LeaderReview):
    if not PostForm().validate_on_submit():
        flash("The form has expired: try again.", "danger")
    else:
        try:
            reviews.acknowledge_feedback(leaderreview, by=current_user)
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"Acknowledged {leaderreview.leader.name}'s feedback.", "success")
    return redirect(url_for("reinforcement.leaders.review_detail", id=leaderreview.id))


@bp.get("/feedback/")
@permission_required("review.view")
def feedback_index():
    stmt = (visible(select(LeaderReview), current_user)
            .where(LeaderReview.manager_id == current_user.id)
            .options(joinedload(LeaderReview.leader))
            .order_by(LeaderReview.period_start.desc(), LeaderReview.id.desc()))
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("reinforcement/leaders/feedback.html", page=page, post=PostForm())


# --- the adherence report --------------------------------------------------------------------

@bp.get("/adherence/")
@permission_required("adherence.report")
def adherence_report():
    person_id = int_arg("person")
    root = load_visible(User, person_id) if person_id else (
        None if current_user.is_admin else current_user)
    today = utcnow().date()
    period = parse_period(request.args.get("period"), request.args.get("start"), today)
    report = rollup(root, period)
    table = request.args.get("table")
    if request.args.get("format") == "csv" and table in TABLES:
        return csv_response(csv_rows(report, table), HEADERS[table],
                            f"adherence-{table}-{period.key}")
    return render_template("reinforcement/leaders/adherence.html", report=report, root=root,
                           period=period, kinds=PERIOD_KINDS, charts=trend_charts(report),
                           next_start=period.shifted(1).start,
                           today=today, may_review=root is not None and reviews.reviews_leaders(
                               current_user) and in_subtree(current_user, root))
