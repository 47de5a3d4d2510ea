"""Authoring pages (admins): courses, publishing, versions and prerequisites.

Modules and lessons are addressed by their ``key``, which survives copying a version: a form
shown from the published version still finds its lesson in the draft the edit creates.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from courses import bp, steps
from courses.forms import (
    PREREQUISITE_LABELS,
    CourseForm,
    ModuleForm,
    PrerequisiteForm,
)
from courses.models import (
    Course,
    CourseModule,
    CourseStatus,
    CourseVersion,
    Lesson,
    LessonKind,
    Prerequisite,
    PrerequisiteKind,
)
from courses.services import authoring
from lms.audit.models import AuditEntry
from lms.authz import permission_required
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.people.models import Level
from lms.people.services import find_by_email
from lms.web.args import page_arg
from lms.web.forms import apply_error

PER_PAGE = 50
AUTHOR = "course.author"


# --- loading -----------------------------------------------------------------------------------

def _latest(course: Course, key: str, kind: type) -> CourseModule | Lesson:
    """Find a module or lesson the author sees (the draft, else the current version); 404."""
    find = authoring.module_by_key if kind is CourseModule else authoring.lesson_by_key
    item = find(course.latest, key)
    if item is None:
        abort(404)
    return item


def _in_draft(course: Course, key: str, kind: type) -> CourseModule | Lesson:
    """The same item in the draft, creating the draft first if the course has none."""
    _latest(course, key, kind)  # 404 before anything changes
    find = authoring.module_by_key if kind is CourseModule else authoring.lesson_by_key
    return find(authoring.draft_for_editing(course, by=current_user), key)



def _editor_url(course: Course, anchor: str | None = None) -> str:
    return url_for("courses.manage_editor", id=course.id, _anchor=anchor)


def added_url(course: Course, key: str) -> str:
    """The outline with the lesson ``key`` just added marked and in view."""
    return url_for("courses.manage_editor", id=course.id, added=key, _anchor=f"lesson-{key}")


def _submit(form: FlaskForm, change):
    """Validate ``form`` and run ``change``; commit and return its result, or None.

    A refusal is rolled back and shown beside its field.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = change()
    except CadenceError as error:
        db.session.rollback()
        apply_error(form, error)
        return None
    db.session.commit()
    return result


def _attempt(course: Course, change, success: str, anchor: str | None = None):
    """Run ``change``; commit and flash ``success``, or flash the refusal; back to the editor."""
    try:
        change()
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(_editor_url(course, anchor))


# --- courses -----------------------------------------------------------------------------------

@bp.get("/manage/")
@permission_required(AUTHOR)
def manage_index():
    q = (request.args.get("q") or "").strip()
    status = request.args.get("status") or ""
    latest = aliased(CourseVersion)
    stmt = (select(Course)
            .outerjoin(latest, latest.id == func.coalesce(Course.draft_version_id,
                                                          Course.current_version_id))
            .options(joinedload(Course.current_version), joinedload(Course.draft_version))
            .order_by(latest.title, Course.id))
    if q:
        stmt = stmt.where(or_(latest.title.icontains(q, autoescape=True),
                              Course.slug.contains(q.lower(), autoescape=True),
                              latest.tags.contains(q.lower(), autoescape=True)))
    if status in {s.value for s in CourseStatus}:
        stmt = stmt.where(Course.status == status)
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("courses/manage/index.html", page=page, q=q, status=status,
                           import_url=url_for("courses.import_json"),
                           statuses=list(CourseStatus))


def _course_data(form: CourseForm) -> authoring.CourseData:
    owner_id = None
    if form.owner_email.data:
        owner = find_by_email(form.owner_email.data)
        if owner is None:
            raise ValidationError("No one has that email.", field="owner_email")
        owner_id = owner.id
    return authoring.CourseData(
        title=form.title.data, slug=(form.slug.data or "").strip().lower(),
        summary=form.summary.data or "",
        audience=tuple(Level(value) for value in form.audience.data),
        tags=tuple((form.tags.data or "").split(",")),
        estimated_minutes=form.estimated_minutes.data, self_enrol=form.self_enrol.data,
        owner_id=owner_id)


@bp.route("/manage/new", methods=["GET", "POST"])
@permission_required(AUTHOR)
def manage_create():
    form = CourseForm(data=None if request.method == "POST" else {"audience": ["rep"]})
    if course := _submit(form, lambda: authoring.create_course(_course_data(form),
                                                              by=current_user)):
        flash("Course created. Add modules and lessons, then publish it.", "success")
        return redirect(_editor_url(course))
    return render_template("courses/manage/form.html", form=form, course=None), (
        422 if form.errors else 200)


@bp.route("/manage/<int:id>/details", methods=["GET", "POST"])
@permission_required(AUTHOR, load=Course)
def manage_edit(course: Course):
    version = course.latest
    form = CourseForm(data=None if request.method == "POST" else {
        "title": version.title, "slug": course.slug, "summary": version.summary,
        "audience": [level.value for level in version.audience_levels],
        "tags": ", ".join(version.tag_list), "estimated_minutes": version.estimated_minutes,
        "owner_email": course.owner.email if course.owner else "",
        "self_enrol": course.self_enrol})
    if _submit(form, lambda: authoring.update_course(course, _course_data(form),
                                                     by=current_user)):
        flash("Details saved.", "success")
        return redirect(_editor_url(course))
    return render_template("courses/manage/form.html", form=form, course=course), (
        422 if form.errors else 200)


def _prerequisite_form(others: list[Course]) -> PrerequisiteForm:
    form = PrerequisiteForm()
    form.required_course_id.choices = [
        (other.id, other.title if other.status == CourseStatus.PUBLISHED
         else f"{other.title} ({other.status})") for other in others]
    return form


def _other_courses(course: Course) -> list[Course]:
    others = db.session.scalars(
        select(Course).where(Course.id != course.id)
        .options(joinedload(Course.current_version), joinedload(Course.draft_version))).all()
    return sorted(others, key=lambda other: (other.title.lower(), other.id))


# The outline's built-in "Add a …" choices; other packages register theirs in ``steps``.
BUILT_IN_STEPS = ((LessonKind.TEXT, "reading"), (LessonKind.VIDEO, "video"),
                  (LessonKind.FILE, "file"), (LessonKind.LIVE, "live session"))


def _add_choices(course: Course, version: CourseVersion) -> dict[str, list[steps.AddChoice]]:
    """Each module's "Add a …" choices: the built-in kinds, then the registered steps."""
    return {module.key: [
        *(steps.AddChoice(kind.value, label, url_for(
            "courses.manage_add_lesson", id=course.id, key=module.key, kind=kind.value))
          for kind, label in BUILT_IN_STEPS),
        *steps.added_choices(course, module.key)] for module in version.modules}


def _editor(course: Course, *, module_form: ModuleForm | None = None,
            prerequisite_form: PrerequisiteForm | None = None, status: int = 200,
            added: str | None = None):
    others = _other_courses(course)
    # Modules, lessons and their files in three queries, however many there are.
    version = db.session.scalars(
        select(CourseVersion).where(CourseVersion.id == course.latest.id).options(
            selectinload(CourseVersion.modules).selectinload(CourseModule.lessons)
            .joinedload(Lesson.file))).one()
    prerequisites = db.session.scalars(
        select(Prerequisite).where(Prerequisite.course_id == course.id)
        .order_by(Prerequisite.id)).all()  # required courses are among ``others``
    return render_template(
        "courses/manage/editor.html", course=course, version=version,
        module_form=module_form or ModuleForm(formdata=None),
        prerequisite_form=prerequisite_form or _prerequisite_form(others),
        prerequisites=prerequisites, prerequisite_labels=PREREQUISITE_LABELS,
        lesson_labels={kind.value: kind.label for kind in LessonKind},
        add_choices=_add_choices(course, version), added=added,
        editable=course.status != CourseStatus.ARCHIVED,
        preview_url=url_for("courses.preview", course_id=course.id),
        export_url=url_for("courses.export_json", id=course.id),
    ), status


@bp.get("/manage/<int:id>")
@permission_required(AUTHOR, load=Course)
def manage_editor(course: Course):
    return _editor(course, added=request.args.get("added"))


@bp.post("/manage/<int:id>/publish")
@permission_required(AUTHOR, load=Course)
def manage_publish(course: Course):
    return _attempt(course, lambda: authoring.publish(course, by=current_user),
                    "Published: learners now follow this version.")


@bp.post("/manage/<int:id>/discard")
@permission_required(AUTHOR, load=Course)
def manage_discard(course: Course):
    return _attempt(course, lambda: authoring.discard_draft(course, by=current_user),
                    "Unpublished changes discarded.")


@bp.post("/manage/<int:id>/archive")
@permission_required(AUTHOR, load=Course)
def manage_archive(course: Course):
    return _attempt(course, lambda: authoring.set_archived(course, True, by=current_user),
                    "Archived: the course left the catalog; progress is kept.")


@bp.post("/manage/<int:id>/restore")
@permission_required(AUTHOR, load=Course)
def manage_restore(course: Course):
    return _attempt(course, lambda: authoring.set_archived(course, False, by=current_user),
                    "Restored.")


@bp.get("/manage/<int:id>/history")
@permission_required(AUTHOR, load=Course)
def manage_history(course: Course):
    versions = db.session.scalars(
        select(CourseVersion).where(CourseVersion.course_id == course.id)
        .options(joinedload(CourseVersion.published_by), joinedload(CourseVersion.created_by))
        .order_by(CourseVersion.number.desc())).all()
    entries = db.paginate(
        select(AuditEntry).where(AuditEntry.object_type == Course.__name__,
                                 AuditEntry.object_id == course.id)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()),
        page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("courses/manage/history.html", course=course, versions=versions,
                           entries=entries)


# --- prerequisites -----------------------------------------------------------------------------

@bp.post("/manage/<int:id>/prerequisites")
@permission_required(AUTHOR, load=Course)
def manage_add_prerequisite(course: Course):
    form = _prerequisite_form(_other_courses(course))
    if _submit(form, lambda: authoring.add_prerequisite(
            course, PrerequisiteKind(form.kind.data),
            db.session.get(Course, form.required_course_id.data), by=current_user)):
        flash("Prerequisite added.", "success")
        return redirect(_editor_url(course, "prerequisites"))
    return _editor(course, prerequisite_form=form, status=422)


@bp.post("/manage/<int:id>/prerequisites/<int:prerequisite_id>/delete")
@permission_required(AUTHOR, load=Course)
def manage_remove_prerequisite(course: Course, prerequisite_id: int):
    prerequisite = db.session.get(Prerequisite, prerequisite_id)
    if prerequisite is None or prerequisite.course_id != course.id:
        abort(404)
    return _attempt(course, lambda: authoring.remove_prerequisite(prerequisite,
                                                                  by=current_user),
                    "Prerequisite removed.", "prerequisites")
