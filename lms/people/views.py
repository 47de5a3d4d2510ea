"""People administration pages (admins) and person profiles (anyone who may see them)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from lms.authz import permission_required, visible
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.people import bp, csv_io, services, tree
from lms.people.forms import ImportForm, PersonForm, ReassignForm
from lms.people.models import Level, User
from lms.web.args import page_arg
from lms.web.forms import PostForm, apply_error
from lms.web.spreadsheets import csv_download

PER_PAGE = 50


def _person_data(form: PersonForm) -> services.PersonData:
    manager_id = None
    if form.manager_email.data:
        manager = services.find_by_email(form.manager_email.data)
        if manager is None:
            raise ValidationError("No one has that email.", field="manager_email")
        manager_id = manager.id
    return services.PersonData(
        email=form.email.data, name=form.name.data.strip(),
        job_title=(form.job_title.data or "").strip(), level=Level(form.level.data),
        manager_id=manager_id, is_admin=form.is_admin.data,
        is_facilitator=form.is_facilitator.data, time_zone=form.time_zone.data.strip(),
    )


def _tree_error_field(error: CadenceError) -> CadenceError:
    if error.field == "manager_id":
        error.field = "manager_email"
    return error


@bp.get("/")
@permission_required("people.manage")
def index():
    q = (request.args.get("q") or "").strip()
    level = request.args.get("level") or ""
    status = request.args.get("status") or "active"
    stmt = visible(select(User), current_user).order_by(User.name, User.id)
    if q:
        # autoescape: a "%" or "_" typed in the search matches itself, not everything.
        stmt = stmt.where(or_(User.email.contains(q.lower(), autoescape=True),
                              User.name.icontains(q, autoescape=True),
                              User.job_title.icontains(q, autoescape=True)))
    if level in {lv.value for lv in Level}:
        stmt = stmt.where(User.level == level)
    if status in {"active", "inactive"}:
        stmt = stmt.where(User.is_active.is_(status == "active"))
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    managers = {m.id: m for m in db.session.scalars(
        select(User).where(User.id.in_({p.manager_id for p in page.items if p.manager_id})))}
    return render_template("lms/people/index.html", page=page, managers=managers, q=q,
                           level=level, status=status, levels=list(Level))


@bp.route("/new", methods=["GET", "POST"])
@permission_required("people.manage")
def create():
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = services.create_person(_person_data(form), by=current_user)
        except CadenceError as error:
            apply_error(form, _tree_error_field(error))
        else:
            db.session.commit()
            flash(f"{person.name} added.", "success")
            return redirect(url_for("people.detail", id=person.id))
    return render_template("lms/people/form.html", form=form, person=None), (
        422 if form.errors else 200)


@bp.get("/<int:id>")
@permission_required("people.view", load=User)
def detail(user: User):
    managers = tree.chain(user.id)
    reports = db.session.scalars(
        select(User).where(User.manager_id == user.id).order_by(User.name)).all()
    return render_template("lms/people/detail.html", person=user, managers=managers,
                           reports=reports, confirm=PostForm())


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
@permission_required("people.edit", load=User)
def edit(user: User):
    form = PersonForm(obj=user)
    if request.method == "GET":
        form.manager_email.data = user.manager.email if user.manager else ""
    if form.validate_on_submit():
        try:
            services.update_person(user, _person_data(form), by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, _tree_error_field(error))
        else:
            db.session.commit()
            flash(f"{user.name} saved.", "success")
            return redirect(url_for("people.detail", id=user.id))
    return render_template("lms/people/form.html", form=form, person=user), (
        422 if form.errors else 200)


@bp.post("/<int:id>/deactivate")
@permission_required("people.deactivate", load=User)
def deactivate(user: User):
    if PostForm().validate_on_submit():
        try:
            services.deactivate_person(user, by=current_user)
        except CadenceError as error:
            flash(error.message, "danger")
            return redirect(url_for("people.reassign", id=user.id))
        db.session.commit()
        flash(f"{user.name} is deactivated and signed out everywhere.", "success")
    return redirect(url_for("people.detail", id=user.id))


@bp.post("/<int:id>/reactivate")
@permission_required("people.edit", load=User)
def reactivate(user: User):
    if PostForm().validate_on_submit():
        try:
            services.reactivate_person(user, by=current_user)
        except CadenceError as error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"{user.name} is active again.", "success")
    return redirect(url_for("people.detail", id=user.id))


@bp.route("/<int:id>/reassign", methods=["GET", "POST"])
@permission_required("people.edit", load=User)
def reassign(user: User):
    form = ReassignForm()
    if form.validate_on_submit():
        new_manager = services.find_by_email(form.manager_email.data)
        try:
            if new_manager is None:
                raise ValidationError("No one has that email.", field="manager_email")
            moved = services.reassign_reports(user, new_manager, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, _tree_error_field(error))
        else:
            db.session.commit()
            flash(f"{moved} report(s) now report to {new_manager.name}.", "success")
            return redirect(url_for("people.detail", id=user.id))
    reports = db.session.scalars(
        select(User).where(User.manager_id == user.id).order_by(User.name)).all()
    return render_template("lms/people/reassign.html", form=form, person=user,
                           reports=reports), 422 if form.errors else 200


@bp.route("/import", methods=["GET", "POST"])
@permission_required("people.manage")
def import_csv():
    form = ImportForm()
    problems, result = [], None
    if form.validate_on_submit():
        try:
            result = csv_io.import_people(form.file.data.read(), by=current_user)
        except csv_io.ImportRejected as rejected:
            db.session.rollback()
            problems = rejected.problems
        else:
            db.session.commit()
            flash(f"Import done: {result.created} created, {result.updated} updated, "
                  f"{result.unchanged} unchanged.", "success")
            return redirect(url_for("people.index"))
    code = 422 if problems or form.errors else 200
    return render_template("lms/people/import.html", form=form, problems=problems,
                           columns=csv_io.COLUMNS), code


@bp.get("/export.csv")
@permission_required("people.manage")
def export_csv():
    return csv_download(csv_io.export_people(), "cadence-org-chart.csv")
