"""Resource pages: the library, a resource with its versions, editing, read receipts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from courses.live.models import Program
from courses.models import Course
from lms.authz import can, permission_required, visible
from lms.errors import CadenceError
from lms.extensions import db
from lms.people.models import LEVEL_VALUES
from lms.web import files
from lms.web.args import int_arg, page_arg
from lms.web.forms import PostForm, apply_error
from reinforcement.resources import bp
from reinforcement.resources import services as resources
from reinforcement.resources.forms import ResourceForm
from reinforcement.resources.models import Resource, ResourceKind, ResourceVersion

PER_PAGE = 30


def _detail(resource: Resource):
    return redirect(url_for("reinforcement.resources.resource_detail", id=resource.id))


def _filter() -> resources.LibraryFilter:
    kind = request.args.get("kind") or None
    level = request.args.get("level") or None
    return resources.LibraryFilter(
        kind=kind if kind in {k.value for k in ResourceKind} else None,
        level=level if level in LEVEL_VALUES else None,
        program_id=int_arg("program"),
        mine=request.args.get("mine") == "1",
        archived=request.args.get("archived") == "1" and current_user.is_admin)


def _programs() -> list[tuple[int, str]]:
    """Programs that have resources, for the filter (names only: no program is opened)."""
    return list(db.session.execute(
        select(Program.id, Program.name).where(Program.id.in_(
            select(Resource.program_id).where(Resource.is_archived.is_(False))))
        .order_by(Program.name)).tuples())


@bp.get("/resources")
@permission_required("resource.view")
def resource_list():
    chosen = _filter()
    page = db.paginate(resources.library(current_user, chosen), page=page_arg(), per_page=PER_PAGE,
                       error_out=False)
    return render_template(
        "reinforcement/resources/list.html", page=page, chosen=chosen,
        status=resources.read_status(page.items, current_user),
        assigned=resources.assigned_ids(page.items, current_user),
        kinds=list(ResourceKind), levels=LEVEL_VALUES, programs=_programs())


@bp.get("/resources/<int:id>")
@permission_required("resource.view", Resource)
def resource_detail(resource: Resource):
    version = resource.current_version
    return render_template(
        "reinforcement/resources/detail.html", resource=resource, version=version,
        ack=resources.acknowledgement(resource, current_user) if version else None,
        last=resources.last_read(resource, current_user),
        assigned=bool(resources.assigned_ids([resource], current_user)),
        versions=resources.versions_of(resource), levels=resources.audience_levels(resource),
        post=PostForm())


@bp.get("/resources/<int:id>/versions/<int:number>")
@permission_required("resource.view", Resource)
def resource_version(resource: Resource, number: int):
    version = _version(resource, number)
    return render_template("reinforcement/resources/version.html", resource=resource,
                           version=version)


def _version(resource: Resource, number: int) -> ResourceVersion:
    version = db.session.scalar(select(ResourceVersion).where(
        ResourceVersion.resource_id == resource.id, ResourceVersion.number == number))
    if version is None:
        abort(404)
    return version


@bp.get("/resources/<int:id>/versions/<int:number>/file")
@permission_required("resource.view", Resource)
def resource_file(resource: Resource, number: int):
    version = _version(resource, number)
    if version.file is None:
        abort(404)
    return files.send_stored_file(version.file)


def _choices(form: ResourceForm) -> None:
    form.program.choices = [SelectChoice(0, "(no program)")] + [
        SelectChoice(p.id, p.name) for p in db.session.scalars(
            visible(select(Program), current_user).order_by(Program.starts_on.desc()))]
    form.course.choices = [SelectChoice(0, "(no course)")] + [
        SelectChoice(c.id, c.title) for c in db.session.scalars(
            visible(select(Course), current_user).where(Course.current_version_id.is_not(None))
            .options(selectinload(Course.current_version)).order_by(Course.id))]


def _data(form: ResourceForm) -> resources.ResourceData:
    return resources.ResourceData(
        title=form.title.data or "", kind=form.kind.data, summary=form.summary.data or "",
        audience=form.audience.data or [], program_id=form.program.data or None,
        course_id=form.course.data or None)


def _content(form: ResourceForm, resource: Resource | None = None) -> resources.VersionData:
    upload = form.file.data if getattr(form.file.data, "filename", None) else None
    text = form.body_markdown.data or ""
    current = resource.current_version if resource is not None else None
    if upload is not None and current is not None and text.strip() == (
            current.body_markdown or "").strip():
        text = ""  # the form shows the current text; a new file replaces it
    return resources.VersionData(body_markdown=text, upload=upload,
                                 change_note=form.change_note.data or "")


def _new_content(form: ResourceForm, resource: Resource) -> bool:
    """Say whether the form brings a new text or file for ``resource``."""
    current = resource.current_version
    text = (form.body_markdown.data or "").strip()
    if getattr(form.file.data, "filename", None):
        return True
    return bool(text) and (current is None or current.file_id is not None
                           or text != current.body_markdown.strip())


def _save(form: ResourceForm, resource: Resource | None) -> Resource:
    if resource is None:
        return resources.create_resource(_data(form), _content(form), by=current_user)
    resources.update_resource(resource, _data(form), by=current_user)
    if _new_content(form, resource):
        resources.add_version(resource, _content(form, resource), by=current_user)
    return resource


def _edit(resource: Resource | None):
    form = ResourceForm(obj=resource)
    _choices(form)
    if request.method == "GET" and resource is not None:
        form.audience.data = resources.audience_levels(resource)
        form.program.data = resource.program_id or 0
        form.course.data = resource.course_id or 0
        version = resource.current_version
        form.body_markdown.data = version.body_markdown if version else ""
        form.change_note.data = ""
    if form.validate_on_submit():
        try:
            resource = _save(form, resource)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash("Resource saved.", "success")
            return _detail(resource)
    return render_template("reinforcement/resources/edit.html", form=form,
                           resource=resource), 422 if form.errors else 200


@bp.route("/resources/new", methods=["GET", "POST"])
@permission_required("resource.manage")
def resource_create():
    return _edit(None)


@bp.route("/resources/<int:id>/edit", methods=["GET", "POST"])
@permission_required("resource.manage", Resource)
def resource_edit(resource: Resource):
    return _edit(resource)


def _post(resource: Resource, action, success: str):
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        action()
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return _detail(resource)


@bp.post("/resources/<int:id>/archive")
@permission_required("resource.manage", Resource)
def resource_archive(resource: Resource):
    return _post(resource, lambda: resources.set_archived(resource, True, by=current_user),
                 f"“{resource.title}” is archived.")


@bp.post("/resources/<int:id>/restore")
@permission_required("resource.manage", Resource)
def resource_restore(resource: Resource):
    return _post(resource, lambda: resources.set_archived(resource, False, by=current_user),
                 f"“{resource.title}” is back in the library.")


@bp.post("/resources/<int:id>/acknowledge")
@permission_required("resource.view", Resource)
def resource_acknowledge(resource: Resource):
    return _post(resource, lambda: resources.acknowledge(resource, current_user),
                 "Thank you: you have read the current version.")


@bp.get("/resources/unread")
@permission_required("resource.team")
def resource_unread():
    resource_id = int_arg("resource")
    rows = resources.unread_report(current_user, resource_id)
    return render_template("reinforcement/resources/unread.html", rows=rows,
                           resource_id=resource_id,
                           everyone=can(current_user, "resource.manage"))


@bp.app_template_filter("resource_kind")
def resource_kind(value: str) -> str:
    return ResourceKind(value).label


@bp.app_template_global("course_resources")
def course_resources(course: Course) -> list[Resource]:
    """The resources of ``course`` for the course page (see ``_for_course.html``)."""
    return resources.for_course(course, current_user)
