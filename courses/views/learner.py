"""Learner pages: the catalog, a course's page, enrolment, the course player and preview."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload
from werkzeug.exceptions import NotFound

from courses import (
    bp,
    nextsteps,  # noqa: F401  (registers the Home next steps)
    steps,
)
from courses.certificates.services import certificate_of
from courses.models import (
    Course,
    CourseModule,
    CourseStatus,
    CourseVersion,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonKind,
)
from courses.services import enrolment, player
from courses.services.enrolment import in_audience
from courses.unlocking import (
    dependents_of,
    lock_reasons_by_course,
    lock_reasons_for,
    waiting_on,
)
from lms.authz import can, can_see, permission_required, require, visible
from lms.db import begin_writing
from lms.errors import CadenceError
from lms.extensions import db
from lms.people.models import Level, User
from lms.web.args import page_arg, wants_json
from lms.web.files import send_stored_file

PER_PAGE = 24


# --- loading ------------------------------------------------------------------------------------

def load_course(slug: str) -> Course:
    """The course at ``slug``: 404 when missing or out of sight, 403 when not viewable."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not can_see(current_user, course):
        abort(404)
    require(current_user, "course.view", course)
    return course


def _outline(version_id: int) -> CourseVersion:
    """A version with its modules and lessons in three queries, whatever their number."""
    return db.session.scalars(
        select(CourseVersion).where(CourseVersion.id == version_id)
        .options(selectinload(CourseVersion.modules).selectinload(CourseModule.lessons))
    ).one()


def _enrollment(course: Course, person: User) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == person.id))


def _taking(enrollment: Enrollment | None) -> bool:
    return enrollment is not None and enrollment.status != EnrollmentStatus.WITHDRAWN


def _lesson(version: CourseVersion, key: str) -> Lesson:
    lesson = next((item for item in version.lessons if item.key == key), None)
    if lesson is None:
        abort(404)
    return lesson


def _current(course: Course, key: str) -> tuple[CourseVersion, Lesson]:
    if course.current_version_id is None:
        abort(404)
    version = _outline(course.current_version_id)
    return version, _lesson(version, key)



@bp.app_template_filter("lesson_kind")
def _lesson_kind(kind: str) -> str:
    """What a learner calls a lesson of this kind: Reading, Video, Download."""
    return LessonKind(kind).label


# --- the catalog --------------------------------------------------------------------------------

def _locks(person: User, courses: list[Course], enrolled: set[int]) -> dict[int, list]:
    """What keeps each course locked for ``person``, among those they could take: their
    level's courses and the ones they are enrolled in (another level's is not "locked")."""
    candidates = [course for course in courses
                  if course.id in enrolled or in_audience(course, person)]
    reasons = lock_reasons_by_course(person, candidates)
    return {course_id: found for course_id, found in reasons.items() if found}


def _catalog_tags() -> list[str]:
    rows = db.session.scalars(
        select(CourseVersion.tags).join(Course, Course.current_version_id == CourseVersion.id)
        .where(Course.status == CourseStatus.PUBLISHED).distinct())
    return sorted({tag for tags in rows for tag in tags.strip(",").split(",") if tag})


@bp.get("/")
@login_required
def catalog():
    q = (request.args.get("q") or "").strip()[:100]
    tag = (request.args.get("tag") or "").strip().lower()[:40]
    every_level = request.args.get("levels") == "all"
    stmt = (visible(select(Course), current_user)
            .join(CourseVersion, CourseVersion.id == Course.current_version_id)
            .options(contains_eager(Course.current_version))
            .where(Course.status == CourseStatus.PUBLISHED)
            .order_by(CourseVersion.title, Course.id))
    if not every_level:
        stmt = stmt.where(CourseVersion.audience.contains(f",{current_user.level},"))
    if q:
        # autoescape: a "%" or "_" typed in the search matches itself, not everything.
        stmt = stmt.where(or_(CourseVersion.title.icontains(q, autoescape=True),
                              CourseVersion.summary.icontains(q, autoescape=True)))
    if tag:
        stmt = stmt.where(CourseVersion.tags.contains(f",{tag},", autoescape=True))
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    ids = [course.id for course in page.items]
    mine = {e.course_id: e for e in db.session.scalars(select(Enrollment).where(
        Enrollment.user_id == current_user.id, Enrollment.course_id.in_(ids)))}
    return render_template("courses/catalog.html", page=page, q=q, tag=tag,
                           every_level=every_level, tags=_catalog_tags(), enrollments=mine,
                           locked=_locks(current_user, page.items, set(mine)),
                           manage_url=(url_for("courses.manage_index")
                                       if can(current_user, "course.author") else None))


# --- the course page ----------------------------------------------------------------------------

def _waiting_for(course: Course, user: User, enrollment: Enrollment | None) -> list:
    """The people under ``user`` whose courses wait for ``user`` to complete ``course`` (or
    its wave, or to attend one of its sessions): (person, their course, what they wait for)."""
    if Level(user.level).rank < Level.MANAGER.rank or (
            enrollment is not None and enrollment.completed_at is not None):
        return []
    dependents = dependents_of(course)
    if not dependents:
        return []
    return [(person, waiting, dependents[waiting.id]) for person, waiting in waiting_on(user)
            if waiting.id in dependents]


def _render_detail(course: Course, *, error: str | None = None):
    version = _outline(course.current_version_id) if course.current_version_id else None
    enrollment = _enrollment(course, current_user)
    progress = player.progress_of(enrollment, version) if enrollment and version else None
    reasons = lock_reasons_for(course, current_user)  # prerequisites and program waves
    resume = (player.resume_lesson(enrollment, version)
              if version and _taking(enrollment) and not reasons else None)
    certificate = (certificate_of(current_user.id, course.id)
                   if enrollment is not None and enrollment.completed_at else None)
    return render_template(
        "courses/detail.html", course=course, version=version, enrollment=enrollment,
        taking=_taking(enrollment), progress=progress, reasons=reasons, resume=resume,
        certificate=certificate,
        waiting=_waiting_for(course, current_user, enrollment), error=error,
        done=progress.done if progress else frozenset())


@bp.get("/<slug>")
@login_required
def detail(slug: str):
    return _render_detail(load_course(slug))


def _refuse(course: Course, message: str, status: int = 403):
    """Refuse a learner action: the course page (or JSON) with the reason; nothing changes."""
    db.session.rollback()
    if wants_json():
        return {"errors": {"request": [message]}}, status
    return _render_detail(course, error=message), status


def _why_not_self(course: Course) -> str:
    if course.status != CourseStatus.PUBLISHED or course.current_version_id is None:
        return "This course is not open for enrolment."
    if not course.self_enrol:
        return ("This course is assigned by your manager or L&D; you cannot enrol "
                "yourself.")
    return "This course is not meant for your level."


@bp.post("/<slug>/join")
@login_required
def join(slug: str):
    course = load_course(slug)
    if not can(current_user, "course.enrol_self", course):
        return _refuse(course, _why_not_self(course))
    enrolment.enrol(current_user, course, by=current_user)
    db.session.commit()
    flash(f"You are enrolled in “{course.title}”.", "success")
    return redirect(url_for("courses.detail", slug=course.slug))


@bp.post("/<slug>/leave")
@login_required
def leave(slug: str):
    course = load_course(slug)
    enrollment = _enrollment(course, current_user)
    if not _taking(enrollment):
        return _refuse(course, "You are not enrolled in this course.", 409)
    if not can(current_user, "enrollment.withdraw", enrollment):
        return _refuse(course, enrolment.REQUIRED)
    enrolment.unenrol(enrollment, by=current_user)
    db.session.commit()
    flash(f"You left “{course.title}”. Your progress is kept if you enrol again.", "success")
    return redirect(url_for("courses.detail", slug=course.slug))


# --- the player ---------------------------------------------------------------------------------

def _render_player(course: Course, version: CourseVersion, lesson: Lesson | None, *,
                   enrollment: Enrollment | None = None, preview: bool = False, **extra):
    lessons = version.lessons
    index = lessons.index(lesson) if lesson is not None else -1
    progress = player.progress_of(enrollment, version) if enrollment else None
    return render_template(
        "courses/lesson.html", course=course, version=version, lesson=lesson,
        enrollment=enrollment, progress=progress, preview=preview,
        done=progress.done if progress else frozenset(),
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if 0 <= index < len(lessons) - 1 else None,
        step=steps.step_box(enrollment, lesson) if lesson is not None else None, **extra)


def _may_take(course: Course, enrollment: Enrollment | None) -> str | None:
    """Why the signed-in person may not take ``course`` now (None when they may)."""
    if not _taking(enrollment):
        return f"You are not enrolled in “{course.title}”. Enrol to open its lessons."
    reasons = lock_reasons_for(course, current_user)
    return " ".join(reason.message for reason in reasons) or None


@bp.get("/<slug>/lessons/<key>")
@login_required
def lesson(slug: str, key: str):
    course = load_course(slug)
    version, item = _current(course, key)
    enrollment = _enrollment(course, current_user)
    refusal = _may_take(course, enrollment)
    if refusal:
        return _refuse(course, refusal)
    player.open_lesson(enrollment, item, by=current_user)
    db.session.commit()
    return _render_player(course, version, item, enrollment=enrollment,
                          live=_live(course, item))


def _live(course: Course, item: Lesson | None) -> list | None:
    """The course's sessions, for a live-session lesson."""
    if item is None or item.kind != LessonKind.LIVE:
        return None
    return player.live_sessions_for(course, current_user)


def _completed(course: Course, enrollment: Enrollment | None, item: Lesson):
    """Record ``item`` as done for the signed-in learner; a refusal response, or None."""
    refusal = _may_take(course, enrollment)
    if refusal:
        return _refuse(course, refusal)
    try:
        player.complete_lesson(enrollment, item, by=current_user)
    except CadenceError as error:
        return _refuse(course, error.message, error.status_code)
    return None


@bp.post("/<slug>/lessons/<key>/complete")
@login_required
def complete(slug: str, key: str):
    course = load_course(slug)
    version, item = _current(course, key)
    if item.kind == LessonKind.FILE:
        return _refuse(course, "Download the file to complete this lesson.", 422)
    enrollment = _enrollment(course, current_user)
    was_complete = enrollment is not None and enrollment.completed_at is not None
    refusal = _completed(course, enrollment, item)
    if refusal:
        return refusal
    db.session.commit()
    finished = not was_complete and enrollment.completed_at is not None
    if wants_json():
        progress = player.progress_of(enrollment, version)
        return {"lesson": item.key, "done": True, "percent": progress.percent,
                "required_done": progress.required_done, "required": len(progress.required),
                "course_complete": enrollment.completed_at is not None,
                "message": "Course complete." if finished else "Marked as done."}
    flash(f"Course complete: well done on “{course.title}”." if finished
          else f"“{item.title}” is done.", "success")
    lessons = version.lessons
    following = lessons[lessons.index(item) + 1:]
    target = following[0] if following and not finished else item
    return redirect(url_for("courses.lesson", slug=course.slug, key=target.key))


@bp.get("/<slug>/progress")
@login_required
def progress(slug: str):
    """The signed-in learner's progress as JSON: the player shows a downloaded file's
    lesson counted the moment the download ends."""
    course = load_course(slug)
    enrollment = _enrollment(course, current_user)
    if not _taking(enrollment) or course.current_version_id is None:
        return {"errors": {"request": ["You are not enrolled in this course."]}}, 409
    found = player.progress_of(enrollment, _outline(course.current_version_id))
    return {"done": sorted(found.done), "percent": found.percent,
            "required_done": found.required_done, "required": len(found.required),
            "course_complete": enrollment.completed_at is not None}


@bp.get("/<slug>/lessons/<key>/download")
@login_required
def download(slug: str, key: str):
    course = load_course(slug)
    _version, item = _current(course, key)
    if item.kind != LessonKind.FILE or item.file is None:
        abort(404)
    begin_writing(db.session)  # a GET that completes the lesson
    refusal = _completed(course, _enrollment(course, current_user), item)
    if refusal:
        return refusal
    try:
        response = send_stored_file(item.file)
    except NotFound:
        db.session.rollback()  # nothing was served, so nothing is done
        raise
    db.session.commit()
    return response


# --- preview (authors) --------------------------------------------------------------------------

@bp.get("/manage/<int:course_id>/preview", defaults={"key": None})
@bp.get("/manage/<int:course_id>/preview/<key>")
@permission_required("course.author", load=Course, arg="course_id")
def preview(course: Course, key: str | None):
    version = _outline(course.latest.id)
    lessons = version.lessons
    item = _lesson(version, key) if key else (lessons[0] if lessons else None)
    file_url = (url_for("courses.manage_lesson_file", id=course.id, key=item.key)
                if item is not None and item.kind == LessonKind.FILE else None)
    return _render_player(course, version, item, preview=True, file_url=file_url,
                          editor_url=url_for("courses.manage_editor", id=course.id),
                          live=_live(course, item))
