"""Courses, enrolments and progress in the REST API."""

from __future__ import annotations

from flask import abort, g, jsonify
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with_fields
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from courses import exchange
from courses.learning import done_of, lessons_of, progress_from, resume_key
from courses.models import (
    Course,
    CourseModule,
    CourseStatus,
    CourseVersion,
    Enrollment,
    EnrollmentStatus,
    Prerequisite,
)
from courses.schemas import (
    CourseCreateSchema,
    CourseDetailSchema,
    CourseDocumentSchema,
    CourseListSchema,
    CourseQuerySchema,
    CourseUpdateSchema,
    CourseVersionQuerySchema,
    EnrollmentCreateSchema,
    EnrollmentListSchema,
    EnrollmentQuerySchema,
    EnrolResultSchema,
    LessonCompletionSchema,
    MyEnrollmentListSchema,
)
from courses.services import authoring, enrolment, player
from courses.unlocking import lock_reasons_by_course
from lms.api import one_transaction, page_of, token_required
from lms.authz import load_visible, require, visible
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import Level, User

blp = Blueprint("courses_api", __name__, url_prefix="/api/v1/courses",
                description="Courses, enrolments and progress")


# --- courses -----------------------------------------------------------------------------------

def _shown(course: Course) -> CourseVersion:
    return course.current_version or course.draft_version


def _course_out(course: Course, version: CourseVersion) -> dict:
    return {
        "id": course.id, "slug": course.slug, "status": course.status,
        "title": version.title, "summary": version.summary,
        "audience": [level.value for level in version.audience_levels],
        "tags": version.tag_list, "estimated_minutes": version.estimated_minutes,
        "self_enrol": course.self_enrol, "owner_id": course.owner_id,
        "version": version.number, "published_at": version.published_at,
        "has_draft": course.draft_version_id is not None,
        "created_at": course.created_at, "updated_at": course.updated_at,
    }


def _with_outline(version: CourseVersion) -> CourseVersion:
    """Load the version's modules and lessons in two queries, whatever their number."""
    return db.session.scalars(select(CourseVersion).where(CourseVersion.id == version.id)
                              .options(selectinload(CourseVersion.modules)
                                       .selectinload(CourseModule.lessons))).one()


def _detail_out(course: Course, version: CourseVersion) -> dict:
    version = _with_outline(version)
    prerequisites = db.session.scalars(
        select(Prerequisite).where(Prerequisite.course_id == course.id)
        .options(joinedload(Prerequisite.required_course).joinedload(Course.current_version),
                 joinedload(Prerequisite.required_course).joinedload(Course.draft_version))
        .order_by(Prerequisite.id))
    return {
        **_course_out(course, version),
        "version_status": "current" if version.id == course.current_version_id else "draft",
        "modules": [{"key": module.key, "title": module.title, "lessons": [
            {"key": lesson.key, "kind": lesson.kind, "title": lesson.title,
             "is_required": lesson.is_required, "estimated_minutes": lesson.estimated_minutes}
            for lesson in module.lessons]} for module in version.modules],
        "prerequisites": [{"kind": p.kind, "course_id": p.required_course_id,
                           "course_slug": p.required_course.slug,
                           "course_title": p.required_course.title} for p in prerequisites],
    }


def _course_data(payload: dict, course: Course | None = None) -> authoring.CourseData:
    current: dict = {}
    if course is not None:
        version = course.latest
        current = {"title": version.title, "slug": course.slug, "summary": version.summary,
                   "audience": version.audience_levels, "tags": version.tag_list,
                   "estimated_minutes": version.estimated_minutes,
                   "self_enrol": course.self_enrol, "owner_id": None}
    current.update(payload)
    if current.get("owner_id") is not None and db.session.get(User, current["owner_id"]) is None:
        raise ValidationError("No one has that id.", field="owner_id")
    return authoring.CourseData(
        title=current["title"], slug=current["slug"], summary=current["summary"],
        audience=tuple(Level(level) for level in current["audience"]),
        tags=tuple(current["tags"]), estimated_minutes=current["estimated_minutes"],
        self_enrol=current["self_enrol"], owner_id=current["owner_id"])


@blp.route("/")
@token_required("courses:read")
@blp.arguments(CourseQuerySchema, location="query")
@blp.response(200, CourseListSchema)
def index(args):
    """Published courses (admins: every course, optionally of one ``status``)."""
    user = g.api_user
    version = CourseVersion.__table__.alias("shown")
    stmt = (visible(select(Course), user)
            .join(version, version.c.id == func.coalesce(Course.current_version_id,
                                                            Course.draft_version_id))
            .options(joinedload(Course.current_version), joinedload(Course.draft_version))
            .order_by(version.c.title, Course.id))
    if not user.is_admin:
        stmt = stmt.where(Course.status == CourseStatus.PUBLISHED)
    if args["status"]:
        stmt = stmt.where(Course.status == args["status"])
    if args["q"]:
        # autoescape: a "%" or "_" typed in the search matches itself, not everything.
        stmt = stmt.where(or_(version.c.title.icontains(args["q"], autoescape=True),
                              version.c.summary.icontains(args["q"], autoescape=True),
                              Course.slug.contains(args["q"].lower(), autoescape=True)))
    if args["level"]:
        stmt = stmt.where(version.c.audience.contains(f",{args['level']},"))
    if args["tag"]:
        tag = " ".join(args["tag"].lower().split())
        stmt = stmt.where(version.c.tags.contains(f",{tag},", autoescape=True))
    page = page_of(stmt, args)
    page["items"] = [_course_out(course, _shown(course)) for course in page["items"]]
    return page


@blp.route("/<int:course_id>")
@token_required("courses:read")
@blp.arguments(CourseVersionQuerySchema, location="query")
@blp.response(200, CourseDetailSchema)
def detail(args, course_id):
    """One course with the outline of its current version (admins may ask for the draft)."""
    course = load_visible(Course, course_id, g.api_user)
    if args["version"] == "draft":
        require(g.api_user, "course.author", course)
        if course.draft_version is None:
            abort(404, description="This course has no unpublished draft.")
        return _detail_out(course, course.draft_version)
    return _detail_out(course, _shown(course))


@blp.route("/", methods=["POST"])
@token_required("courses:write")
@blp.arguments(CourseCreateSchema)
@blp.response(201, CourseDetailSchema)
def create(payload):
    """Create a draft course (admins)."""
    require(g.api_user, "course.author")
    with one_transaction():
        course = authoring.create_course(_course_data(payload), by=g.api_user)
    return _detail_out(course, course.latest)


@blp.route("/<int:course_id>", methods=["PATCH"])
@token_required("courses:write")
@blp.arguments(CourseUpdateSchema)
@blp.response(200, CourseDetailSchema)
def update(payload, course_id):
    """Change a course's details (admins); content details go into its draft version."""
    course = load_visible(Course, course_id, g.api_user)
    require(g.api_user, "course.author", course)
    with one_transaction():
        authoring.update_course(course, _course_data(payload, course), by=g.api_user)
    return _detail_out(course, course.latest)


@blp.route("/<int:course_id>/publish", methods=["POST"])
@token_required("courses:write")
@blp.response(200, CourseDetailSchema)
def publish(course_id):
    """Publish the draft: learners follow it from now on (admins)."""
    course = load_visible(Course, course_id, g.api_user)
    require(g.api_user, "course.author", course)
    with one_transaction():
        authoring.publish(course, by=g.api_user)
    return _detail_out(course, course.current_version)


@blp.route("/<int:course_id>/export")
@token_required("courses:read")
@blp.response(200, CourseDocumentSchema)
def export(course_id):
    """The course as one self-contained JSON document, the same as the HTML export (admins)."""
    course = load_visible(Course, course_id, g.api_user)
    require(g.api_user, "course.author", course)
    return jsonify(exchange.export_course(course))


# --- enrolments and progress -------------------------------------------------------------------

def _enrollment_out(enrollment: Enrollment, progress: player.Progress) -> dict:
    overdue = (enrollment.status == EnrollmentStatus.ACTIVE and enrollment.due_at is not None
               and enrollment.due_at < utcnow())
    return {
        "id": enrollment.id, "course_id": enrollment.course_id,
        "user_id": enrollment.user_id, "user_name": enrollment.user.name,
        "status": enrollment.status, "due_at": enrollment.due_at, "overdue": overdue,
        "enrolled_at": enrollment.enrolled_at, "started_at": enrollment.started_at,
        "completed_at": enrollment.completed_at,
        "progress": {"done": progress.required_done, "required": len(progress.required),
                     "percent": progress.percent},
    }


@blp.route("/<int:course_id>/enrollments")
@token_required("courses:read")
@blp.arguments(EnrollmentQuerySchema, location="query")
@blp.response(200, EnrollmentListSchema)
def enrollments(args, course_id):
    """Enrolments in the course that the token's owner may see, with progress."""
    course = load_visible(Course, course_id, g.api_user)
    stmt = (visible(select(Enrollment), g.api_user)
            .join(User, User.id == Enrollment.user_id).options(contains_eager(Enrollment.user))
            .where(Enrollment.course_id == course.id).order_by(User.name, Enrollment.id))
    if args["status"]:
        stmt = stmt.where(Enrollment.status == args["status"])
    page = page_of(stmt, args)
    version_id = course.current_version_id
    lessons = lessons_of({version_id} if version_id else set()).get(version_id, [])
    done = done_of([enrollment.id for enrollment in page["items"]])
    page["items"] = [_enrollment_out(enrollment, progress_from(lessons, done[enrollment.id]))
                     for enrollment in page["items"]]
    return page


@blp.route("/<int:course_id>/enrollments", methods=["POST"])
@token_required("courses:write")
@blp.arguments(EnrollmentCreateSchema)
@blp.response(200, EnrolResultSchema)
def enrol(payload, course_id):
    """Enrol people of the token owner's subtree (admins: anyone), with an optional due date."""
    user = g.api_user
    course = load_visible(Course, course_id, user)
    require(user, "course.enrol_others")
    wanted = list(dict.fromkeys(payload["user_ids"]))
    found = {person.id: person for person in db.session.scalars(
        visible(select(User), user).where(User.id.in_(wanted)))}
    missing = {f"user_ids.{index}": [f"No one with id {person_id} is in your team."]
               for index, person_id in enumerate(payload["user_ids"]) if person_id not in found}
    if missing:
        abort_with_fields(404, messages={"json": missing})
    with one_transaction():
        result = enrolment.enrol_many([found[person_id] for person_id in wanted], course,
                                      by=user, due_at=payload["due_at"])
    return result


@blp.route("/me/enrollments")
@token_required("courses:read")
@blp.arguments(EnrollmentQuerySchema, location="query")
@blp.response(200, MyEnrollmentListSchema)
def my_enrollments(args):
    """The token owner's own enrolments, with progress and what keeps a course locked."""
    user = g.api_user
    stmt = (select(Enrollment).join(Course, Course.id == Enrollment.course_id)
            .options(contains_eager(Enrollment.course).joinedload(Course.current_version))
            .where(Enrollment.user_id == user.id)
            .order_by(Enrollment.enrolled_at.desc(), Enrollment.id.desc()))
    if args["status"]:
        stmt = stmt.where(Enrollment.status == args["status"])
    page = page_of(stmt, args)
    rows: list[Enrollment] = page["items"]
    lessons = lessons_of({e.course.current_version_id for e in rows
                           if e.course.current_version_id})
    done = done_of([enrollment.id for enrollment in rows])
    locks = lock_reasons_by_course(user, [enrollment.course for enrollment in rows])
    items = []
    for enrollment in rows:
        course, mine = enrollment.course, lessons.get(enrollment.course.current_version_id, [])
        reasons = [reason.message for reason in locks[course.id]]
        items.append({**_enrollment_out(enrollment, progress_from(mine, done[enrollment.id])),
                      "course": {"id": course.id, "slug": course.slug, "title": course.title},
                      "locked": bool(reasons), "lock_reasons": reasons,
                      "resume_lesson_key": resume_key(enrollment, mine, done[enrollment.id])})
    page["items"] = items
    return page


@blp.route("/<int:course_id>/lessons/<key>/complete", methods=["POST"])
@token_required("courses:write")
@blp.response(200, LessonCompletionSchema)
@blp.alt_response(409, response="CONFLICT")
def complete(course_id, key):
    """Mark a lesson of the token owner's own enrolment done (409 while the course is locked)."""
    user = g.api_user
    course = load_visible(Course, course_id, user)
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == user.id))
    if enrollment is None or enrollment.status == EnrollmentStatus.WITHDRAWN:
        abort(409, description="You are not enrolled in this course.")
    version = course.current_version
    lesson = authoring.lesson_by_key(version, key) if version is not None else None
    if lesson is None:
        abort(404, description="This course has no lesson with that key.")
    try:
        with one_transaction():
            progress = player.complete_lesson(enrollment, lesson, by=user)
    except player.CourseLockedError as locked:
        abort(409, description=locked.message)
    return {"enrollment_id": enrollment.id, "lesson_key": lesson.key,
            "status": enrollment.status, "completed_at": enrollment.completed_at,
            "progress": {"done": progress.required_done, "required": len(progress.required),
                         "percent": progress.percent}}
