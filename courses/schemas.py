"""marshmallow schemas: the course exchange document, and courses in the REST API.

The exchange document (``CourseDocumentSchema``) is what export writes and import reads:
one self-contained JSON object per course, files embedded as base64. The API schemas follow
the project's rule: ``<Noun>Schema`` out, ``<Noun>CreateSchema`` in, unknown fields refused.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC

import marshmallow as ma
from marshmallow import validate

from courses.models import CourseStatus, EnrollmentStatus, LessonKind, PrerequisiteKind
from lms.api import ApiSchema, PageArgsSchema, QueryArgsSchema, list_schema
from lms.errors import CadenceError
from lms.people.models import Level
from lms.web import files
from lms.web.text import single_line

FORMAT = "cadence.course"
FORMAT_VERSION = 1
KEY = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$",
                      error="Use 1 to 32 letters, digits, hyphens or underscores.")
LEVELS = validate.OneOf([level.value for level in Level])
TITLE = [validate.Length(min=1, max=200), single_line]
SLUG = validate.Regexp(r"^([a-z0-9]+(-[a-z0-9]+)*)?$",
                       error="Use lower-case letters, digits and single hyphens.")


class Base64Bytes(ma.fields.Field):
    """Bytes travelling as standard base64 text; anything else is refused, not guessed."""

    default_error_messages = {"invalid": "Not valid base64."}

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else base64.b64encode(value).decode("ascii")

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError) as error:
            raise self.make_error("invalid") from error


# --- the exchange document ---------------------------------------------------------------------

class _Strict(ApiSchema):
    class Meta:
        unknown = ma.RAISE


class FileDocumentSchema(_Strict):
    name = ma.fields.String(required=True,
                            validate=[validate.Length(min=1, max=255), single_line])
    content_type = ma.fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = Base64Bytes(required=True)

    @ma.validates_schema
    def _passes_the_upload_checks(self, data, **kwargs):
        """The same content checks as an upload, so an import cannot smuggle in a page."""
        content = data["data"]
        limit = files.max_bytes()
        if not content or len(content) > limit:
            raise ma.ValidationError("The file is empty." if not content else
                                     f"The file is larger than the limit of "
                                     f"{limit / 1024 / 1024:.1f} MiB.", "data")
        try:
            detected = files.detect(content)
        except CadenceError as error:
            raise ma.ValidationError(error.message, "data") from error
        try:
            _name, content_type = files.checked_name(data["name"], detected)
        except CadenceError as error:
            raise ma.ValidationError(error.message, "name") from error
        if content_type != data["content_type"]:
            # The document would not describe what it holds; a round trip would change it.
            raise ma.ValidationError(f"The content is a {detected.label}: its type is "
                                     f"“{content_type}”.", "content_type")


class LessonDocumentSchema(_Strict):
    key = ma.fields.String(load_default=None, validate=KEY)
    kind = ma.fields.String(required=True,
                            validate=validate.OneOf([kind.value for kind in LessonKind]))
    title = ma.fields.String(required=True, validate=TITLE)
    markdown = ma.fields.String(load_default="")
    video_url = ma.fields.String(load_default="", validate=validate.Length(max=500))
    is_required = ma.fields.Boolean(load_default=True)
    estimated_minutes = ma.fields.Integer(load_default=5, strict=True)
    file = ma.fields.Nested(FileDocumentSchema, load_default=None, allow_none=True)

    @ma.validates_schema
    def _file_goes_with_file_lessons(self, data, **kwargs):
        # A file on another kind would be dropped silently and the round trip would lose it.
        if data.get("file") is not None and data["kind"] != LessonKind.FILE:
            raise ma.ValidationError("Only a file lesson carries a file.", "file")
        if data.get("file") is None and data["kind"] == LessonKind.FILE:
            raise ma.ValidationError("A file lesson needs its file.", "file")


class ModuleDocumentSchema(_Strict):
    key = ma.fields.String(load_default=None, validate=KEY)
    title = ma.fields.String(required=True, validate=TITLE)
    lessons = ma.fields.List(ma.fields.Nested(LessonDocumentSchema), load_default=list)


class DetailsDocumentSchema(_Strict):
    title = ma.fields.String(required=True, validate=TITLE)
    summary = ma.fields.String(load_default="")
    audience = ma.fields.List(ma.fields.String(validate=LEVELS), required=True,
                              validate=validate.Length(min=1))
    tags = ma.fields.List(ma.fields.String(validate=validate.Length(max=40)),
                          load_default=list)
    estimated_minutes = ma.fields.Integer(load_default=30, strict=True)
    self_enrol = ma.fields.Boolean(load_default=True)


class PrerequisiteDocumentSchema(_Strict):
    kind = ma.fields.String(required=True,
                            validate=validate.OneOf([kind.value for kind in PrerequisiteKind]))
    course = ma.fields.String(required=True, validate=validate.Length(min=1, max=80),
                              metadata={"description": "The required course's slug."})


class CourseDocumentSchema(_Strict):
    """One course, self-contained: details, modules and lessons in order, files, prerequisites."""

    format = ma.fields.String(required=True, validate=validate.Equal(
        FORMAT, error=f"This is not a Cadence course document (expected “{FORMAT}”)."))
    format_version = ma.fields.Integer(required=True, strict=True, validate=validate.Equal(
        FORMAT_VERSION, error=f"Only version {FORMAT_VERSION} documents can be imported."))
    slug = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    details = ma.fields.Nested(DetailsDocumentSchema, required=True)
    modules = ma.fields.List(ma.fields.Nested(ModuleDocumentSchema), required=True)
    prerequisites = ma.fields.List(ma.fields.Nested(PrerequisiteDocumentSchema),
                                   load_default=list)

    @ma.validates_schema(pass_original=True, skip_on_field_errors=False)
    def _keys_are_unique(self, data, original_data, **kwargs):
        """Module keys, and lesson keys across the course, each name one thing."""
        modules = original_data.get("modules") if isinstance(original_data, dict) else None
        errors: dict = {}
        seen_modules: dict[str, str] = {}
        seen_lessons: dict[str, str] = {}
        for i, module in enumerate(modules if isinstance(modules, list) else []):
            if not isinstance(module, dict):
                continue
            _note_duplicate(errors, module.get("key"), seen_modules, f"modules[{i}]", (i,))
            lessons = module.get("lessons")
            for j, lesson in enumerate(lessons if isinstance(lessons, list) else []):
                if isinstance(lesson, dict):
                    _note_duplicate(errors, lesson.get("key"), seen_lessons,
                                    f"modules[{i}].lessons[{j}]", (i, "lessons", j))
        if errors:
            raise ma.ValidationError({"modules": errors})


def _note_duplicate(errors: dict, key, seen: dict[str, str], path: str, where: tuple) -> None:
    if not isinstance(key, str) or not key:
        return
    if key not in seen:
        seen[key] = path
        return
    node = errors
    for part in where:
        node = node.setdefault(part, {})
    node.setdefault("key", []).append(f"Duplicate key “{key}”: {seen[key]} uses it already.")


# --- the REST API ------------------------------------------------------------------------------

class CourseSchema(ApiSchema):
    """A course with the details of the version shown (the current one, else the draft)."""

    id = ma.fields.Integer(dump_only=True)
    slug = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True)
    title = ma.fields.String(dump_only=True)
    summary = ma.fields.String(dump_only=True)
    audience = ma.fields.List(ma.fields.String(), dump_only=True)
    tags = ma.fields.List(ma.fields.String(), dump_only=True)
    estimated_minutes = ma.fields.Integer(dump_only=True)
    self_enrol = ma.fields.Boolean(dump_only=True)
    owner_id = ma.fields.Integer(dump_only=True, allow_none=True)
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Version number."})
    published_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    has_draft = ma.fields.Boolean(dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


CourseListSchema = list_schema(CourseSchema, "CourseList")


class OutlineLessonSchema(ApiSchema):
    key = ma.fields.String()
    kind = ma.fields.String()
    title = ma.fields.String()
    is_required = ma.fields.Boolean()
    estimated_minutes = ma.fields.Integer()


class OutlineModuleSchema(ApiSchema):
    key = ma.fields.String()
    title = ma.fields.String()
    lessons = ma.fields.List(ma.fields.Nested(OutlineLessonSchema))


class PrerequisiteSchema(ApiSchema):
    kind = ma.fields.String()
    course_id = ma.fields.Integer()
    course_slug = ma.fields.String()
    course_title = ma.fields.String()


class CourseDetailSchema(CourseSchema):
    version_status = ma.fields.String(dump_only=True, metadata={
        "description": "`current` (what learners follow) or `draft`."})
    modules = ma.fields.List(ma.fields.Nested(OutlineModuleSchema), dump_only=True)
    prerequisites = ma.fields.List(ma.fields.Nested(PrerequisiteSchema), dump_only=True)


class CourseQuerySchema(PageArgsSchema):
    q = ma.fields.String(load_default="", metadata={"description": "Title, summary or slug."})
    level = ma.fields.String(load_default=None, validate=LEVELS)
    tag = ma.fields.String(load_default=None)
    status = ma.fields.String(load_default=None, validate=validate.OneOf(
        [status.value for status in CourseStatus]), metadata={
        "description": "Admins only; everyone else sees published courses."})


class CourseVersionQuerySchema(QueryArgsSchema):
    version = ma.fields.String(load_default="current",
                               validate=validate.OneOf(["current", "draft"]))


class CourseCreateSchema(_Strict):
    title = ma.fields.String(required=True, validate=TITLE)
    slug = ma.fields.String(load_default="", validate=[validate.Length(max=80), SLUG], metadata={
        "description": "Empty: made from the title."})
    summary = ma.fields.String(load_default="")
    audience = ma.fields.List(ma.fields.String(validate=LEVELS), load_default=lambda: ["rep"],
                              validate=validate.Length(min=1))
    tags = ma.fields.List(ma.fields.String(validate=validate.Length(max=40)),
                          load_default=list)
    estimated_minutes = ma.fields.Integer(load_default=30,
                                          validate=validate.Range(min=1, max=10_000))
    self_enrol = ma.fields.Boolean(load_default=True)
    owner_id = ma.fields.Integer(load_default=None, allow_none=True)


class CourseUpdateSchema(CourseCreateSchema):
    """Every field optional: only what is sent changes."""

    title = ma.fields.String(validate=TITLE)
    slug = ma.fields.String(validate=[validate.Length(min=1, max=80), SLUG])
    summary = ma.fields.String()
    audience = ma.fields.List(ma.fields.String(validate=LEVELS),
                              validate=validate.Length(min=1))
    tags = ma.fields.List(ma.fields.String(validate=validate.Length(max=40)))
    estimated_minutes = ma.fields.Integer(validate=validate.Range(min=1, max=10_000))
    self_enrol = ma.fields.Boolean()
    owner_id = ma.fields.Integer(allow_none=True)


class ProgressSchema(ApiSchema):
    done = ma.fields.Integer(metadata={"description": "Required lessons done."})
    required = ma.fields.Integer(metadata={"description": "Required lessons in the course."})
    percent = ma.fields.Integer()


class EnrollmentSchema(ApiSchema):
    id = ma.fields.Integer()
    course_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    user_name = ma.fields.String()
    status = ma.fields.String()
    due_at = ma.fields.AwareDateTime(allow_none=True)
    overdue = ma.fields.Boolean()
    enrolled_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    completed_at = ma.fields.AwareDateTime(allow_none=True)
    progress = ma.fields.Nested(ProgressSchema)


EnrollmentListSchema = list_schema(EnrollmentSchema, "EnrollmentList")


class CourseRefSchema(ApiSchema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    title = ma.fields.String()


class MyEnrollmentSchema(EnrollmentSchema):
    course = ma.fields.Nested(CourseRefSchema)
    locked = ma.fields.Boolean()
    lock_reasons = ma.fields.List(ma.fields.String())
    resume_lesson_key = ma.fields.String(allow_none=True)


MyEnrollmentListSchema = list_schema(MyEnrollmentSchema, "MyEnrollmentList")


class EnrollmentQuerySchema(PageArgsSchema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(
        [status.value for status in EnrollmentStatus]))


class EnrollmentCreateSchema(_Strict):
    user_ids = ma.fields.List(ma.fields.Integer(strict=True), required=True,
                              validate=validate.Length(
                                  min=1, max=1000,
                                  error="Name between {min} and {max} people to enrol."))
    due_at = ma.fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)


class EnrolResultSchema(ApiSchema):
    enrolled = ma.fields.Integer()
    reactivated = ma.fields.Integer()
    already = ma.fields.Integer()
    waiting = ma.fields.Integer(metadata={
        "description": "Of those enrolled: locked until their manager or leader acts."})
    locked = ma.fields.Integer(metadata={
        "description": "Of those enrolled: locked until they complete a prerequisite."})


class LessonCompletionSchema(ApiSchema):
    enrollment_id = ma.fields.Integer()
    lesson_key = ma.fields.String()
    status = ma.fields.String()
    completed_at = ma.fields.AwareDateTime(allow_none=True)
    progress = ma.fields.Nested(ProgressSchema)
