"""Question banks, assessments and attempts; observation scorecards; readiness surveys.

A question's answer key lives in ``spec`` (see ``assessments.grading`` for its shape per
type) and never leaves the server before an attempt is submitted. An attempt stores the
questions it drew and the order of their choices, so leaving and resuming shows the same
paper; grading reads the question's current key, so fixing a key and regrading updates results.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models import Course
from lms.db import UTCDateTime, utcnow
from lms.extensions import db
from lms.people.models import User

# --- question banks ------------------------------------------------------------------------


class QuestionType(StrEnum):
    SINGLE = "single"  # one right choice
    MULTIPLE = "multiple"  # several right choices; all-or-nothing or partial credit
    TRUE_FALSE = "true_false"
    SHORT_TEXT = "short_text"  # one of the accepted answers
    NUMERIC = "numeric"  # a value within a tolerance

    @property
    def label(self) -> str:
        return {"single": "Single choice", "multiple": "Multiple choice",
                "true_false": "True or false", "short_text": "Short text",
                "numeric": "Number"}[self.value]


class QuestionBank(db.Model):
    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", cascade="all, delete-orphan", order_by="Question.position")


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[QuestionType] = mapped_column(String(16))
    prompt_markdown: Mapped[str] = mapped_column(Text)
    prompt_html: Mapped[str] = mapped_column(Text, default="")  # sanitised render
    explanation_markdown: Mapped[str] = mapped_column(Text, default="")
    explanation_html: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[float] = mapped_column(Float, default=1.0)
    # The skills it tests, stored ",discovery,negotiation," so one LIKE finds a tag.
    tags: Mapped[str] = mapped_column(String(500), default=",")
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # choices and answer key
    key_version: Mapped[int] = mapped_column(Integer, default=1)  # bumped when the key changes
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


# --- assessments and attempts ----------------------------------------------------------------


class FeedbackPolicy(StrEnum):
    NEVER = "never"
    AFTER_ATTEMPT = "after_attempt"
    AFTER_PASSING = "after_passing"


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Assessment(db.Model):
    """A quiz or exam drawn from banks; optionally the assessment step of a course."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("course_id", "lesson_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    # The course lesson (by its version-stable key) this assessment is the step of.
    lesson_key: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AssessmentStatus] = mapped_column(String(16),
                                                     default=AssessmentStatus.DRAFT)
    question_count: Mapped[int] = mapped_column(Integer, default=10)
    pass_mark: Mapped[int] = mapped_column(Integer, default=80)  # percent of points
    attempt_limit: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    feedback_policy: Mapped[FeedbackPolicy] = mapped_column(
        String(16), default=FeedbackPolicy.AFTER_ATTEMPT)
    shuffle_choices: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship()
    sources: Mapped[list[AssessmentSource]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan")


class AssessmentSource(db.Model):
    """Where questions are drawn from: a bank, a tag within a bank, or a tag across the
    course's banks (``bank_id`` empty)."""

    __tablename__ = "assessment_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(64), default="")

    assessment: Mapped[Assessment] = relationship(back_populates="sources")
    bank: Mapped[QuestionBank | None] = relationship()


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Attempt(db.Model):
    __tablename__ = "attempts"
    # One number per person and assessment: two racing "start" requests cannot both win.
    __table_args__ = (UniqueConstraint("assessment_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[AttemptStatus] = mapped_column(String(16),
                                                  default=AttemptStatus.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # from the time limit
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timed_out: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float)  # points earned
    max_score: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assessment: Mapped[Assessment] = relationship()
    user: Mapped[User] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptItem.position")


class AttemptItem(db.Model):
    """One drawn question of an attempt, its choice order, the answer given and its grade."""

    __tablename__ = "attempt_items"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position", name="uq_attempt_items_attempt_id_position"),
        UniqueConstraint("attempt_id", "question_id",
                         name="uq_attempt_items_attempt_id_question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"),
                                            index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer)
    choice_order: Mapped[list[str]] = mapped_column(JSON, default=list)  # choice keys shown
    # None until answered (stored as SQL NULL, not JSON null).
    response: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points_awarded: Mapped[float | None] = mapped_column(Float)
    is_correct: Mapped[bool | None] = mapped_column(Boolean)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


# --- observation scorecards ------------------------------------------------------------------

SCORES = (1, 2, 3, 4, 5)


class Rubric(db.Model):
    """Criteria scored 1-5, each score with a descriptor, for observing a role-play or call."""

    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Whom it observes: reps (by their manager) or managers' coaching (by their leader).
    subject_level: Mapped[str] = mapped_column(String(16), default="rep")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="rubric", cascade="all, delete-orphan",
        order_by="RubricCriterion.position")


class RubricCriterion(db.Model):
    __tablename__ = "rubric_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"),
                                           index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    descriptors: Mapped[list[str]] = mapped_column(JSON, default=list)  # five, for scores 1-5

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")


class ObservationKind(StrEnum):
    ROLE_PLAY = "role_play"
    CALL = "call"
    COACHING = "coaching"  # a leader observing a manager's coaching

    @property
    def label(self) -> str:
        return {"role_play": "Role-play", "call": "Real call",
                "coaching": "Coaching conversation"}[self.value]


class ObservationStatus(StrEnum):
    DRAFT = "draft"  # the observer alone sees it
    SHARED = "shared"


class Observation(db.Model):
    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="RESTRICT"),
                                           index=True)
    observer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[ObservationKind] = mapped_column(String(16))
    observed_on: Mapped[date] = mapped_column(Date)
    context: Mapped[str] = mapped_column(String(300), default="")  # e.g. "Discovery call, Acme"
    comments: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ObservationStatus] = mapped_column(String(16),
                                                      default=ObservationStatus.DRAFT)
    average: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rubric: Mapped[Rubric] = relationship()
    observer: Mapped[User | None] = relationship(foreign_keys=[observer_id])
    subject: Mapped[User] = relationship(foreign_keys=[subject_id])
    scores: Mapped[list[ObservationScore]] = relationship(
        back_populates="observation", cascade="all, delete-orphan")


class ObservationScore(db.Model):
    __tablename__ = "observation_scores"
    __table_args__ = (UniqueConstraint("observation_id", "criterion_id"),
                      CheckConstraint("score BETWEEN 1 AND 5", name="score_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    observation: Mapped[Observation] = relationship(back_populates="scores")
    criterion: Mapped[RubricCriterion] = relationship()


# --- readiness self-assessments --------------------------------------------------------------


class Survey(db.Model):
    """A self-assessment with Likert and free-text questions in sections, scored per section."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(64), default=",leader,manager,")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sections: Mapped[list[SurveySection]] = relationship(
        back_populates="survey", cascade="all, delete-orphan",
        order_by="SurveySection.position")


class SurveySection(db.Model):
    __tablename__ = "survey_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="section", cascade="all, delete-orphan",
        order_by="SurveyQuestion.position")


class SurveyQuestionKind(StrEnum):
    LIKERT = "likert"  # 1 (strongly disagree) to 5 (strongly agree)
    TEXT = "text"


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_sections.id",
                                                       ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[SurveyQuestionKind] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(Text)
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)

    section: Mapped[SurveySection] = relationship(back_populates="questions")


class SurveyResponse(db.Model):
    """One sitting of a survey by one person; repeatable, so trends show over time."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[float | None] = mapped_column(Float)  # mean of the Likert answers, 1-5

    survey: Mapped[Survey] = relationship()
    user: Mapped[User] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan")
    section_scores: Mapped[list[SurveySectionScore]] = relationship(
        back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),
                      CheckConstraint("likert IS NULL OR likert BETWEEN 1 AND 5",
                                      name="likert_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    likert: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()


class SurveySectionScore(db.Model):
    """A response's mean Likert score in one section, kept so trends are one query."""

    __tablename__ = "survey_section_scores"
    __table_args__ = (UniqueConstraint("response_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("survey_sections.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)

    response: Mapped[SurveyResponse] = relationship(back_populates="section_scores")
    section: Mapped[SurveySection] = relationship()
