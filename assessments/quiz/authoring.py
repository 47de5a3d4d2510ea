"""Authoring assessments: what they draw from, their rules, publishing and the course step.

An assessment draws ``question_count`` questions at random from its *pool*: the
non-archived questions of its sources (a bank of the course, a tag within a bank, or a tag
across all the course's banks). Every change is checked whole before anything is written
and recorded in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, false, func, or_, select

from assessments.banks import BankData, create_bank, tag_slug
from assessments.models import (
    Assessment,
    AssessmentSource,
    AssessmentStatus,
    FeedbackPolicy,
    Question,
    QuestionBank,
)
from courses.models import Course, Lesson, LessonKind
from courses.services import authoring as course_authoring
from lms.audit import services as audit
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User
from lms.web.markdown import render_markdown

MAX_QUESTIONS = 200
MAX_MINUTES = 600
AUDITED = ("title", "instructions", "lesson_key", "question_count", "pass_mark",
           "attempt_limit", "time_limit_minutes", "feedback_policy", "shuffle_choices",
           "status")


@dataclass(frozen=True)
class SourceData:
    """A bank (``bank_id``), a tag within it, or a tag across the course (no bank)."""

    bank_id: int | None = None
    tag: str = ""


@dataclass(frozen=True)
class AssessmentData:
    title: str
    sources: tuple[SourceData, ...] = ()
    instructions: str = ""
    question_count: int = 10
    pass_mark: int = 80
    attempt_limit: int | None = None
    time_limit_minutes: int | None = None
    feedback_policy: FeedbackPolicy = FeedbackPolicy.AFTER_ATTEMPT
    shuffle_choices: bool = True
    lesson_key: str | None = None


# --- the pool ---------------------------------------------------------------------------------

def _source_clause(course_id: int, source: SourceData | AssessmentSource):
    clauses = []
    if source.bank_id is not None:
        clauses.append(Question.bank_id == source.bank_id)
    else:
        clauses.append(Question.bank_id.in_(
            select(QuestionBank.id).where(QuestionBank.course_id == course_id)))
    if source.tag:
        clauses.append(Question.tags.contains(f",{source.tag},", autoescape=True))
    return and_(*clauses)


def pool_ids(course_id: int, sources) -> Select:
    """A SELECT of the ids of the questions ``sources`` draw from (archived left out)."""
    sources = list(sources)
    where = or_(*(_source_clause(course_id, s) for s in sources)) if sources else false()
    return select(Question.id).where(where, Question.is_archived.is_(False))


def pool_size(course_id: int, sources) -> int:
    return db.session.scalar(select(func.count()).select_from(
        pool_ids(course_id, sources).subquery())) or 0


# --- checking ---------------------------------------------------------------------------------

def _clean_sources(course: Course, sources: tuple[SourceData, ...]) -> list[SourceData]:
    if not sources:
        raise ValidationError("Choose at least one bank or tag to draw questions from.",
                              field="sources")
    bank_ids = {s.bank_id for s in sources if s.bank_id is not None}
    known = set(db.session.scalars(select(QuestionBank.id).where(
        QuestionBank.id.in_(bank_ids), QuestionBank.course_id == course.id))) if bank_ids else set()
    if bank_ids - known:
        raise ValidationError("Draw only from the banks of this course.", field="sources")
    clean: list[SourceData] = []
    for source in sources:
        tag = tag_slug(source.tag or "")
        if len(tag) > 64:
            raise ValidationError("A tag may have at most 64 characters.", field="tags")
        item = SourceData(source.bank_id, tag)
        if item not in clean:
            clean.append(item)
    return clean


def _check_numbers(data: AssessmentData) -> None:
    if not 1 <= data.question_count <= MAX_QUESTIONS:
        raise ValidationError(f"Draw between 1 and {MAX_QUESTIONS} questions.",
                              field="question_count")
    if not 1 <= data.pass_mark <= 100:
        raise ValidationError("The pass mark is a percentage from 1 to 100.", field="pass_mark")
    if data.attempt_limit is not None and data.attempt_limit < 1:
        raise ValidationError("Allow at least one attempt, or leave the limit empty.",
                              field="attempt_limit")
    if data.time_limit_minutes is not None and not 1 <= data.time_limit_minutes <= MAX_MINUTES:
        raise ValidationError(f"The time limit is 1 to {MAX_MINUTES} minutes, or empty.",
                              field="time_limit_minutes")
    FeedbackPolicy(data.feedback_policy)


def step_lessons(course: Course) -> list[Lesson]:
    """The course's assessment steps, in the version an author works on."""
    version = course.latest
    return [] if version is None else [
        lesson for lesson in version.lessons if lesson.kind == LessonKind.ASSESSMENT]


def _check_lesson(course: Course, key: str | None, assessment: Assessment | None) -> str | None:
    if not key:
        return None
    keys = {lesson.key for lesson in step_lessons(course)}
    if course.current_version is not None:
        keys |= {lesson.key for lesson in course.current_version.lessons
                 if lesson.kind == LessonKind.ASSESSMENT}
    if key not in keys:
        raise ValidationError("Choose an assessment step of this course.", field="lesson_key")
    taken = db.session.scalar(select(Assessment).where(
        Assessment.course_id == course.id, Assessment.lesson_key == key))
    if taken is not None and taken is not assessment:
        raise ValidationError(f"That step already belongs to “{taken.title}”.",
                              field="lesson_key")
    return key


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > 200:
        raise ValidationError("Give a title of up to 200 characters.", field="title")
    return title


def _apply(assessment: Assessment, course: Course, data: AssessmentData) -> None:
    title = _clean_title(data.title)
    try:
        render_markdown(data.instructions)
    except ValueError as error:
        raise ValidationError(f"The instructions cannot be used: {error}.",
                              field="instructions") from error
    _check_numbers(data)
    sources = _clean_sources(course, data.sources)
    held = pool_size(course.id, sources)
    if data.question_count > held:
        raise ValidationError(
            f"The chosen banks and tags hold {held} question{'s' if held != 1 else ''}; "
            f"draw at most that many, or add questions.", field="question_count")
    assessment.lesson_key = _check_lesson(course, data.lesson_key, assessment)
    assessment.title = title
    assessment.instructions = data.instructions.strip()
    assessment.question_count = data.question_count
    assessment.pass_mark = data.pass_mark
    assessment.attempt_limit = data.attempt_limit
    assessment.time_limit_minutes = data.time_limit_minutes
    assessment.feedback_policy = FeedbackPolicy(data.feedback_policy)
    assessment.shuffle_choices = data.shuffle_choices
    current = [SourceData(s.bank_id, s.tag) for s in assessment.sources]
    if current != sources:
        assessment.sources = [AssessmentSource(bank_id=s.bank_id, tag=s.tag) for s in sources]


def _sources_text(sources) -> str:
    return "; ".join(f"bank {s.bank_id or 'any'}" + (f" tag {s.tag}" if s.tag else "")
                     for s in sources)


# --- use cases --------------------------------------------------------------------------------

def create_assessment(course: Course, data: AssessmentData, *, by: User) -> Assessment:
    """Add a draft assessment to ``course``."""
    assessment = Assessment(course=course, status=AssessmentStatus.DRAFT)
    _apply(assessment, course, data)
    return _added(assessment, course, by)


def _added(assessment: Assessment, course: Course, by: User) -> Assessment:
    """Add a new ``assessment`` of ``course`` and audit its creation."""
    db.session.add(assessment)
    db.session.flush()
    audit.record(by, "assessment.create", assessment,
                 summary=f"Created assessment {assessment.title} in {course.title}",
                 changes={"title": [None, assessment.title],
                          "sources": [None, _sources_text(assessment.sources)]})
    return assessment


def update_assessment(assessment: Assessment, data: AssessmentData, *, by: User) -> Assessment:
    """Change an assessment; attempts already drawn keep their questions."""
    before = _sources_text(assessment.sources)
    _apply(assessment, assessment.course, data)
    changes = audit.pending_changes(assessment, AUDITED)
    after = _sources_text(assessment.sources)
    if after != before:
        changes["sources"] = [before, after]
    if changes:
        audit.record(by, "assessment.update", assessment,
                     summary=f"Changed assessment {assessment.title}", changes=changes)
    return assessment


def publish_assessment(assessment: Assessment, *, by: User) -> Assessment:
    """Open the assessment to the course's learners."""
    if assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError("The assessment is already published.")
    held = pool_size(assessment.course_id, assessment.sources)
    if held < assessment.question_count:
        raise ValidationError(f"It draws {assessment.question_count} questions but its banks "
                              f"hold {held}; add questions or draw fewer.",
                              field="question_count")
    assessment.status = AssessmentStatus.PUBLISHED
    audit.record(by, "assessment.publish", assessment,
                 summary=f"Published assessment {assessment.title}")
    return assessment


def archive_assessment(assessment: Assessment, *, by: User) -> Assessment:
    """Close the assessment to new attempts; results stay."""
    if assessment.status == AssessmentStatus.ARCHIVED:
        raise ValidationError("The assessment is already archived.")
    assessment.status = AssessmentStatus.ARCHIVED
    audit.record(by, "assessment.archive", assessment,
                 summary=f"Archived assessment {assessment.title}")
    return assessment


def add_step(course: Course, module_key: str, title: str, *, by: User) -> str:
    """Add an assessment step at the end of a module of the course's draft; its key."""
    draft = course_authoring.draft_for_editing(course, by=by)
    module = next((m for m in draft.modules if m.key == module_key), None)
    if module is None:
        raise ValidationError("Choose a module of this course.", field="lesson_key")
    lesson = course_authoring.add_lesson(module, course_authoring.LessonData(
        title=title.strip() or "Assessment", kind=LessonKind.ASSESSMENT, estimated_minutes=15),
        by=by)
    audit.record(by, "course.lesson_add", course,
                 summary=f"Added the assessment step {lesson.title} to {module.title}",
                 changes={"lesson_key": [None, lesson.key]})
    return lesson.key


def add_quiz_step(course: Course, module_key: str, title: str, *, pass_mark: int = 80,
                  by: User) -> Assessment:
    """Add a quiz step to a module: the step, an empty bank for its questions and a draft
    assessment drawing one question from it (publishing waits for the questions)."""
    title = _clean_title(title)
    _check_numbers(AssessmentData(title=title, pass_mark=pass_mark, question_count=1))
    key = add_step(course, module_key, title, by=by)
    bank = create_bank(course, BankData(title=f"{title} questions"), by=by)
    assessment = Assessment(course=course, status=AssessmentStatus.DRAFT, lesson_key=key,
                            title=title, pass_mark=pass_mark, question_count=1,
                            sources=[AssessmentSource(bank_id=bank.id)])
    return _added(assessment, course, by)
