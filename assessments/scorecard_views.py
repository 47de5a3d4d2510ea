"""Scorecard pages: lists, scoring an observation, one scorecard, trends, weakest criteria;
rubric authoring for admins (everyone may read a rubric)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from assessments import bp
from assessments import scorecards as service
from assessments.form_posts import button_post, saved
from assessments.models import Observation, ObservationKind, ObservationStatus, Rubric
from assessments.scorecard_forms import RubricForm, observation_form
from assessments.scorecard_reports import rubric_choices, trend, weakest_criteria
from lms.authz import load_visible, permission_required, visible
from lms.db import utcnow
from lms.extensions import db
from lms.people import tree
from lms.people.models import User
from lms.web.args import int_arg, page_arg
from lms.web.forms import PostForm
from lms.web.spreadsheets import csv_response
from lms.web.templating import viewer_today

PER_PAGE = 25
LISTS = ("mine", "made", "team")
PERIODS = {"3": ("Last 3 months", 91), "12": ("Last 12 months", 365), "all": ("All time", None)}
WEAKEST_HEADER = ("rubric", "criterion", "mean_score", "scores", "people", "scores_1_or_2")
KIND_LABELS = {kind.value: kind.label for kind in ObservationKind}


@bp.context_processor
def _observation_kinds() -> dict:
    return {"observation_kinds": KIND_LABELS}


@bp.get("/scorecards/")
@permission_required("observation.view")
def scorecard_index():
    show = request.args.get("show") if request.args.get("show") in LISTS else "mine"
    stmt = (visible(select(Observation), current_user)
            .options(joinedload(Observation.rubric), joinedload(Observation.subject),
                     joinedload(Observation.observer))
            .order_by(Observation.observed_on.desc(), Observation.id.desc()))
    if show == "made":
        stmt = stmt.where(Observation.observer_id == current_user.id)
    elif show == "team":
        stmt = stmt.where(Observation.subject_id != current_user.id,
                          Observation.status == ObservationStatus.SHARED)
    else:
        stmt = stmt.where(Observation.subject_id == current_user.id)
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("assessments/scorecards/index.html", page=page, show=show)


@bp.get("/scorecards/new")
@permission_required("observation.create")
def scorecard_new():
    rubrics = db.session.scalars(
        visible(select(Rubric), current_user).where(Rubric.is_archived.is_(False))
        .options(selectinload(Rubric.criteria)).order_by(Rubric.subject_level, Rubric.title))
    return render_template("assessments/scorecards/choose.html", rubrics=list(rubrics),
                           subject=int_arg("subject"))


def _people(rubric: Rubric) -> list[tuple[int, str]]:
    """Whom the viewer may observe with ``rubric``: active, at its level, in sight."""
    stmt = (select(User.id, User.name, User.email)
            .where(User.level == rubric.subject_level, User.is_active.is_(True),
                   User.id != current_user.id)
            .order_by(User.name, User.id))
    return [(pid, f"{name} <{email}>")
            for pid, name, email in db.session.execute(visible(stmt, current_user, User))]


def _data(form, rubric: Rubric) -> service.ObservationData:
    # The choices hold only people in sight, so the form already refused anyone else.
    subject = db.session.get(User, form.subject.data) if form.subject.data else None
    return service.ObservationData(
        subject=subject, kind=form.kind.data, observed_on=form.observed_on.data,
        context=form.context.data or "", comments=form.comments.data or "",
        scores=[service.ScoreData(c.id, radio.data, note.data or "")
                for c, radio, note in form.score_fields(rubric)])


def _fill(form, observation: Observation | None, rubric: Rubric) -> None:
    if observation is None:
        form.observed_on.data = viewer_today()
        form.subject.data = int_arg("subject") or 0
        return
    form.subject.data, form.kind.data = observation.subject_id, observation.kind
    form.observed_on.data = observation.observed_on
    form.context.data, form.comments.data = observation.context, observation.comments
    for score in observation.scores:
        form[f"score_{score.criterion_id}"].data = score.score
        form[f"note_{score.criterion_id}"].data = score.comment


def _edit(rubric: Rubric, observation: Observation | None):
    form = observation_form(rubric, _people(rubric))
    if request.method == "GET":
        _fill(form, observation, rubric)

    def save() -> Observation:
        data, share = _data(form, rubric), bool(form.share.data)
        if observation is None:
            return service.create_observation(rubric, data, by=current_user, share=share)
        return service.update_observation(observation, data, by=current_user, share=share)

    if (done := saved(form, save)) is not None:
        flash(f"Scorecard shared with {done.subject.name}." if form.share.data else
              "Draft saved: only you can see it until you share it.", "success")
        return redirect(url_for("assessments.scorecard_detail", id=done.id))
    return render_template("assessments/scorecards/edit.html", form=form, rubric=rubric,
                           observation=observation)


@bp.route("/scorecards/new/<int:id>", methods=["GET", "POST"])
@permission_required("observation.create")
def scorecard_create(id: int):
    rubric = load_visible(Rubric, id)
    if rubric.is_archived:
        flash(f"“{rubric.title}” is archived; choose another rubric.", "warning")
        return redirect(url_for("assessments.scorecard_new"))
    return _edit(rubric, None)


@bp.route("/scorecards/<int:id>/edit", methods=["GET", "POST"])
@permission_required("observation.edit", Observation)
def scorecard_edit(observation: Observation):
    return _edit(observation.rubric, observation)


@bp.get("/scorecards/<int:id>")
@permission_required("observation.view", Observation)
def scorecard_detail(observation: Observation):
    scores = {score.criterion_id: score for score in observation.scores}
    return render_template("assessments/scorecards/detail.html", observation=observation,
                           rubric=observation.rubric, scores=scores, post=PostForm())


@bp.post("/scorecards/<int:id>/share")
@permission_required("observation.edit", Observation)
def scorecard_share(observation: Observation):
    return button_post(lambda: service.share_observation(observation, by=current_user),
                       f"Scorecard shared with {observation.subject.name}.",
                       back=url_for("assessments.scorecard_detail", id=observation.id))


@bp.post("/scorecards/<int:id>/discard")
@permission_required("observation.edit", Observation)
def scorecard_discard(observation: Observation):
    return button_post(lambda: service.discard_observation(observation, by=current_user),
                       "Draft deleted.",
                       back=url_for("assessments.scorecard_detail", id=observation.id),
                       after=url_for("assessments.scorecard_index", show="made"))


@bp.get("/scorecards/trend")
@permission_required("observation.view")
def scorecard_trend():
    person_id = int_arg("person")
    person = load_visible(User, person_id) if person_id else current_user
    return render_template("assessments/scorecards/trend.html", person=person,
                           trends=trend(person.id))


def _period() -> tuple[str, date | None]:
    key = request.args.get("period") if request.args.get("period") in PERIODS else "12"
    days = PERIODS[key][1]
    return key, (utcnow().date() - timedelta(days=days)) if days else None


@bp.get("/scorecards/team")
@permission_required("observation.report")
def scorecard_team():
    person_id = int_arg("person")
    root = load_visible(User, person_id) if person_id else None
    if root is None and not current_user.is_admin:
        root = current_user
    period, since = _period()
    rubric_id = int_arg("rubric")
    people = tree.subtree_ids(root.id, include_root=False) if root is not None else None
    figures = weakest_criteria(people, since=since, rubric_id=rubric_id)
    if request.args.get("format") == "csv":
        rows = ([f.rubric_title, f.title, f.mean, f.scores, f.people, f.low] for f in figures)
        return csv_response(rows, WEAKEST_HEADER, "weakest-criteria")
    return render_template("assessments/scorecards/team.html", figures=figures, root=root,
                           period=period, periods=PERIODS, rubric_id=rubric_id,
                           rubrics=rubric_choices())


# --- rubrics (admins author) ----------------------------------------------------------------
@bp.get("/rubrics/")
@permission_required("rubric.manage")
def rubric_index():
    used = dict(db.session.execute(
        select(Observation.rubric_id, func.count(Observation.id))
        .group_by(Observation.rubric_id)).all())
    rubrics = db.session.scalars(select(Rubric).options(selectinload(Rubric.criteria))
                                 .order_by(Rubric.is_archived, Rubric.title))
    return render_template("assessments/scorecards/rubrics.html", rubrics=list(rubrics),
                           used=used)


@bp.get("/rubrics/<int:id>")
@permission_required("rubric.view", Rubric)
def rubric_detail(rubric: Rubric):
    return render_template("assessments/scorecards/rubric.html", rubric=rubric,
                           used=service.observation_count(rubric), post=PostForm())


def _edit_rubric(rubric: Rubric | None):
    form = RubricForm()
    if request.method == "GET":
        if rubric is not None:
            form.process(obj=rubric, criteria=[])
        form.fill(rubric)

    def save() -> Rubric:
        if rubric is None:
            return service.create_rubric(form.data_for_service(), by=current_user)
        return service.update_rubric(rubric, form.data_for_service(), by=current_user)

    if (done := saved(form, save)) is not None:
        flash(f"Rubric “{done.title}” saved.", "success")
        return redirect(url_for("assessments.rubric_detail", id=done.id))
    used = service.observation_count(rubric) if rubric is not None else 0
    return render_template("assessments/scorecards/rubric_edit.html", form=form,
                           rubric=rubric, used=used)


@bp.route("/rubrics/new", methods=["GET", "POST"])
@permission_required("rubric.manage")
def rubric_create():
    return _edit_rubric(None)


@bp.route("/rubrics/<int:id>/edit", methods=["GET", "POST"])
@permission_required("rubric.manage", Rubric)
def rubric_edit(rubric: Rubric):
    return _edit_rubric(rubric)


def _back(rubric: Rubric) -> str:
    return url_for("assessments.rubric_detail", id=rubric.id)


@bp.post("/rubrics/<int:id>/archive")
@permission_required("rubric.manage", Rubric)
def rubric_archive(rubric: Rubric):
    return button_post(lambda: service.set_rubric_archived(rubric, True, by=current_user),
                       f"“{rubric.title}” archived: it is no longer offered for new scorecards.",
                       back=_back(rubric))


@bp.post("/rubrics/<int:id>/restore")
@permission_required("rubric.manage", Rubric)
def rubric_restore(rubric: Rubric):
    return button_post(lambda: service.set_rubric_archived(rubric, False, by=current_user),
                       f"“{rubric.title}” restored.", back=_back(rubric))


@bp.post("/rubrics/<int:id>/copy")
@permission_required("rubric.manage", Rubric)
def rubric_copy(rubric: Rubric):
    return button_post(lambda: service.copy_rubric(rubric, by=current_user),
                       "Copy created: change it as you need.", back=_back(rubric),
                       after=lambda copy: url_for("assessments.rubric_edit", id=copy.id))


@bp.post("/rubrics/<int:id>/delete")
@permission_required("rubric.manage", Rubric)
def rubric_delete(rubric: Rubric):
    return button_post(lambda: service.delete_rubric(rubric, by=current_user),
                       f"“{rubric.title}” deleted.", back=_back(rubric),
                       after=url_for("assessments.rubric_index"))
