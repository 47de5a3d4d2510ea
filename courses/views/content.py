"""Authoring pages (admins): the modules and lessons of a course's draft.

Modules and lessons are addressed by their ``key``, which survives copying a version: a form
shown from the published version still finds its lesson in the draft the edit creates.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from courses import bp, steps
from courses.forms import (
    LESSON_FORMS,
    CourseSessionForm,
    LessonForm,
    ModuleForm,
    MoveLessonForm,
)
from courses.live.models import LiveSession, SessionStatus
from courses.models import (
    Course,
    CourseModule,
    Lesson,
    LessonKind,
)
from courses.services import authoring, player
from courses.views.authoring import (
    AUTHOR,
    _attempt,
    _editor,
    _editor_url,
    _in_draft,
    _latest,
    _submit,
    added_url,
)
from lms.authz import permission_required
from lms.db import utcnow
from lms.errors import CadenceError
from lms.extensions import db
from lms.web import files
from lms.web.forms import PostForm
from lms.web.templating import datetime_text

RECENT = timedelta(days=30)  # a session that ended this long ago may still join a course

# --- modules -----------------------------------------------------------------------------------

@bp.post("/manage/<int:id>/modules")
@permission_required(AUTHOR, load=Course)
def manage_add_module(course: Course):
    form = ModuleForm()
    if module := _submit(form, lambda: authoring.add_module(course, form.title.data,
                                                            by=current_user)):
        flash(f"Module “{module.title}” added.", "success")
        return redirect(_editor_url(course, f"module-{module.key}"))
    return _editor(course, module_form=form, status=422)


@bp.route("/manage/<int:id>/modules/<key>/edit", methods=["GET", "POST"])
@permission_required(AUTHOR, load=Course)
def manage_rename_module(course: Course, key: str):
    module = _latest(course, key, CourseModule)
    form = ModuleForm(obj=module)
    if _submit(form, lambda: authoring.rename_module(
            _in_draft(course, key, CourseModule), form.title.data, by=current_user)):
        flash("Module renamed.", "success")
        return redirect(_editor_url(course, f"module-{key}"))
    return render_template("courses/manage/module.html", course=course, module=module,
                           form=form), 422 if form.errors else 200


@bp.post("/manage/<int:id>/modules/<key>/delete")
@permission_required(AUTHOR, load=Course)
def manage_delete_module(course: Course, key: str):
    title = _latest(course, key, CourseModule).title
    return _attempt(course, lambda: authoring.delete_module(
        _in_draft(course, key, CourseModule), by=current_user),
        f"Module “{title}” and its lessons deleted.")


@bp.post("/manage/<int:id>/modules/<key>/move/<any(up, down):direction>")
@permission_required(AUTHOR, load=Course)
def manage_move_module(course: Course, key: str, direction: str):
    def change():
        module = _in_draft(course, key, CourseModule)
        authoring.move(module.version.modules, module, -1 if direction == "up" else 1)
    return _attempt(course, change, f"Module moved {direction}.", f"module-{key}")


@bp.post("/manage/<int:id>/reorder")
@permission_required(AUTHOR, load=Course)
def manage_reorder(course: Course):
    """Save a drag-and-drop order: ``{"module": key or null, "keys": [...]}`` (JSON)."""
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    keys, module_key = payload.get("keys"), payload.get("module")
    if (not isinstance(keys, list) or not all(isinstance(k, str) for k in keys)
            or not isinstance(module_key, str | None)):
        return {"errors": {"keys": ["Send the new order as a list of keys."]}}, 422
    if module_key is not None and authoring.module_by_key(course.latest, module_key) is None:
        return {"errors": {"module": ["There is no such module in this course."]}}, 404
    try:
        draft = authoring.draft_for_editing(course, by=current_user)
        items = (draft.modules if module_key is None
                 else authoring.module_by_key(draft, module_key).lessons)
        authoring.reorder(items, keys)
    except CadenceError as error:
        db.session.rollback()
        return {"errors": {"keys": [error.message]}}, 422
    db.session.commit()
    return {"keys": keys, "draft_version": draft.number}


# --- lessons -----------------------------------------------------------------------------------

def _lesson_data(form: LessonForm, current: Lesson | None) -> authoring.LessonData:
    file_id = current.file_id if current is not None else None
    upload = getattr(form, "file", None)
    if upload is not None and upload.data:
        file_id = files.store_upload(upload.data, by=current_user).id
    video = getattr(form, "video_url", None)
    return authoring.LessonData(
        title=form.title.data, kind=form.kind, body_markdown=form.body_markdown.data or "",
        video_url=(video.data or "") if video is not None else "", file_id=file_id,
        is_required=form.is_required.data, estimated_minutes=form.estimated_minutes.data)


def _lesson_page(course: Course, form: LessonForm, module: CourseModule, lesson: Lesson | None):
    modules = course.latest.modules
    move_form = None
    if lesson is not None and len(modules) > 1:
        move_form = MoveLessonForm(formdata=None)
        move_form.module_key.choices = [(m.key, m.title) for m in modules if m is not module]
    live = {}
    if lesson is not None and lesson.kind == LessonKind.LIVE:
        live = {"course_sessions": db.session.scalars(
                    select(LiveSession).where(LiveSession.course_id == course.id)
                    .order_by(LiveSession.starts_at, LiveSession.id)).all(),
                "session_form": _session_form(formdata=None)}
    return render_template("courses/manage/lesson.html", course=course, module=module,
                           lesson=lesson, form=form, move_form=move_form, **live), (
        422 if form.errors else 200)


def _session_form(**kwargs) -> CourseSessionForm:
    """Scheduled sessions of no course, recent or to come, to add to a course."""
    form = CourseSessionForm(**kwargs)
    free = db.session.execute(
        select(LiveSession.id, LiveSession.title, LiveSession.starts_at)
        .where(LiveSession.course_id.is_(None), LiveSession.status == SessionStatus.SCHEDULED,
               LiveSession.ends_at >= utcnow() - RECENT)
        .order_by(LiveSession.starts_at, LiveSession.id).limit(200))
    form.session.choices = [SelectChoice(i, f"{title} ({datetime_text(starts)})")
                            for i, title, starts in free]
    return form


@bp.route("/manage/<int:id>/modules/<key>/lessons/new", methods=["GET", "POST"])
@permission_required(AUTHOR, load=Course)
def manage_add_lesson(course: Course, key: str):
    module = _latest(course, key, CourseModule)
    try:
        form = LESSON_FORMS[LessonKind(request.args.get("kind", LessonKind.TEXT))]()
    except ValueError:
        abort(404)
    if lesson := _submit(form, lambda: authoring.add_lesson(
            _in_draft(course, key, CourseModule), _lesson_data(form, None), by=current_user)):
        flash(f"Lesson “{lesson.title}” added.", "success")
        return redirect(added_url(course, lesson.key))
    return _lesson_page(course, form, module, None)


@bp.route("/manage/<int:id>/lessons/<key>/edit", methods=["GET", "POST"])
@permission_required(AUTHOR, load=Course)
def manage_edit_lesson(course: Course, key: str):
    lesson = _latest(course, key, Lesson)
    if LessonKind(lesson.kind) not in LESSON_FORMS:  # a step another package edits
        box = steps.step_box(None, lesson)
        if box is None or box.url is None:
            abort(404)
        return redirect(box.url)
    form_class = LESSON_FORMS[LessonKind(lesson.kind)]
    form = form_class() if request.method == "POST" else form_class(obj=lesson)
    if _submit(form, lambda: authoring.update_lesson(
            _in_draft(course, key, Lesson), _lesson_data(form, lesson), by=current_user)):
        flash("Lesson saved.", "success")
        return redirect(url_for("courses.manage_edit_lesson", id=course.id, key=key,
                                _anchor="preview"))
    return _lesson_page(course, form, lesson.module, lesson)


@bp.post("/manage/<int:id>/lessons/<key>/delete")
@permission_required(AUTHOR, load=Course)
def manage_delete_lesson(course: Course, key: str):
    title = _latest(course, key, Lesson).title
    return _attempt(course, lambda: authoring.delete_lesson(
        _in_draft(course, key, Lesson), by=current_user), f"Lesson “{title}” deleted.")


@bp.post("/manage/<int:id>/lessons/<key>/move/<any(up, down):direction>")
@permission_required(AUTHOR, load=Course)
def manage_move_lesson(course: Course, key: str, direction: str):
    def change():
        lesson = _in_draft(course, key, Lesson)
        authoring.move(lesson.module.lessons, lesson, -1 if direction == "up" else 1)
    return _attempt(course, change, f"Lesson moved {direction}.", f"lesson-{key}")


@bp.post("/manage/<int:id>/lessons/<key>/module")
@permission_required(AUTHOR, load=Course)
def manage_move_lesson_to(course: Course, key: str):
    _latest(course, key, Lesson)
    target_key = request.form.get("module_key") or ""
    _latest(course, target_key, CourseModule)

    def change():
        lesson = _in_draft(course, key, Lesson)
        target = authoring.module_by_key(lesson.module.version, target_key)
        authoring.move_lesson_to(lesson, target, by=current_user)
    return _attempt(course, change, "Lesson moved to another module.", f"lesson-{key}")


@bp.get("/manage/<int:id>/lessons/<key>/file")
@permission_required(AUTHOR, load=Course)
def manage_lesson_file(course: Course, key: str):
    lesson = _latest(course, key, Lesson)
    if lesson.file is None:
        abort(404)
    return files.send_stored_file(lesson.file)


# --- the sessions of a live-session step --------------------------------------------------------

def _live_lesson(course: Course, key: str) -> Lesson:
    lesson = _latest(course, key, Lesson)
    if lesson.kind != LessonKind.LIVE:
        abort(404)
    return lesson


@bp.post("/manage/<int:id>/lessons/<key>/sessions")
@permission_required(AUTHOR, load=Course)
def manage_link_session(course: Course, key: str):
    _live_lesson(course, key)
    form = _session_form()
    session = db.session.get(LiveSession, form.session.data) if form.validate_on_submit() else None
    change = (lambda: player.link_session(course, session, by=current_user)) if session else None
    return _session_change(course, key, change, "Session added: learners can register for it "
                                                "from the step.")


@bp.post("/manage/<int:id>/lessons/<key>/sessions/<int:session_id>/unlink")
@permission_required(AUTHOR, load=Course)
def manage_unlink_session(course: Course, key: str, session_id: int):
    _live_lesson(course, key)
    session = db.session.get(LiveSession, session_id)
    if session is None or session.course_id != course.id:
        abort(404)
    return _session_change(course, key, lambda: player.unlink_session(
        course, session, by=current_user), "Session removed from the course.")


def _session_change(course: Course, key: str, change, success: str):
    if change is None or not PostForm().validate_on_submit():
        flash("Choose one of the sessions listed.", "danger")
    else:
        try:
            change()
        except CadenceError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(success, "success")
    return redirect(url_for("courses.manage_edit_lesson", id=course.id, key=key,
                            _anchor="sessions"))
