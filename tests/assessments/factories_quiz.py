"""Factories for assessment tests: banks and questions straight from the models, assessments
through the services. They flush, never commit."""

from __future__ import annotations

import itertools

from assessments import grading, quiz
from assessments.models import Assessment, FeedbackPolicy, Question, QuestionBank, QuestionType
from courses.models import Course, LessonKind
from courses.services import authoring, enrolment
from lms.extensions import db
from lms.people.models import User
from tests import factories

_counter = itertools.count(1)

# Answer keys that appear nowhere else, so a test can look for them in a page or a JSON body.
SPECS = {
    QuestionType.SINGLE: {"choices": [{"key": "a", "text": "Ask about budget first"},
                                      {"key": "b", "text": "Ask about the problem first"},
                                      {"key": "c", "text": "Pitch the product first"}],
                          "correct": ["b"]},
    QuestionType.MULTIPLE: {"choices": [{"key": "a", "text": "Situation"},
                                        {"key": "b", "text": "Weather"},
                                        {"key": "c", "text": "Implication"}],
                            "correct": ["a", "c"], "partial_credit": False},
    QuestionType.TRUE_FALSE: {"correct": True},
    QuestionType.SHORT_TEXT: {"accepted": ["Zephyrlike Discovery"], "case_sensitive": False},
    QuestionType.NUMERIC: {"value": 4242.5, "tolerance": 0.25},
}
# The right answer as a learner would give it, per type.
RIGHT = {QuestionType.SINGLE: "b", QuestionType.MULTIPLE: ["a", "c"],
         QuestionType.TRUE_FALSE: True, QuestionType.SHORT_TEXT: "zephyrlike discovery",
         QuestionType.NUMERIC: 4242.6}
WRONG = {QuestionType.SINGLE: "a", QuestionType.MULTIPLE: ["a"],
         QuestionType.TRUE_FALSE: False, QuestionType.SHORT_TEXT: "pitch",
         QuestionType.NUMERIC: 1}


def bank(course: Course, *, title: str | None = None) -> QuestionBank:
    found = QuestionBank(course=course, title=title or f"Bank {next(_counter)}")
    db.session.add(found)
    db.session.flush()
    return found


def question(in_bank: QuestionBank, type_: str = QuestionType.SINGLE, *, points: float = 1.0,
             tags: tuple[str, ...] = (), spec: dict | None = None, prompt: str | None = None,
             explanation: str = "", archived: bool = False) -> Question:
    number = next(_counter)
    prompt = prompt or f"Question {number}: what comes first?"
    found = Question(
        bank=in_bank, position=number, type=QuestionType(type_), prompt_markdown=prompt,
        prompt_html=f"<p>{prompt}</p>", explanation_markdown=explanation,
        explanation_html=f"<p>{explanation}</p>" if explanation else "", points=points,
        tags="," + "".join(f"{tag}," for tag in tags),
        spec=grading.check_spec(str(type_), spec or SPECS[QuestionType(type_)]),
        is_archived=archived)
    db.session.add(found)
    db.session.flush()
    return found


def assessment(course: Course, banks: list[QuestionBank] | None = None, *, by: User,
               count: int = 2, pass_mark: int = 50, publish: bool = True,
               tags: tuple[str, ...] = (), **fields) -> Assessment:
    """An assessment drawing from ``banks`` (or ``tags`` across the course)."""
    if banks and tags:
        sources = tuple(quiz.SourceData(b.id, t) for b in banks for t in tags)
    elif banks:
        sources = tuple(quiz.SourceData(b.id) for b in banks)
    else:
        sources = tuple(quiz.SourceData(None, t) for t in tags)
    fields.setdefault("feedback_policy", FeedbackPolicy.AFTER_ATTEMPT)
    created = quiz.create_assessment(course, quiz.AssessmentData(
        title=fields.pop("title", f"Quiz {next(_counter)}"), sources=sources,
        question_count=count, pass_mark=pass_mark, **fields), by=by)
    if publish:
        quiz.publish_assessment(created, by=by)
    return created


def course_with_step(by: User, *, lessons: int = 1, audience=("rep",)) -> tuple[Course, str]:
    """A published course with ``lessons`` readings and an assessment step; (course, key)."""
    course = factories.course(lessons=lessons, published=False, by=by, audience=audience)
    module = course.draft_version.modules[0]
    step = authoring.add_lesson(module, authoring.LessonData(
        title="Check your understanding", kind=LessonKind.ASSESSMENT), by=by)
    authoring.publish(course, by=by)
    return course, step.key


def ready(org: factories.Org, *, types=(QuestionType.SINGLE, QuestionType.TRUE_FALSE),
          step: bool = False, enrol: tuple[User, ...] | None = None, **fields):
    """A course (with an assessment step if ``step``) whose assessment draws every question
    of one bank, one question per type; ``enrol`` people (default Rita). (course, quiz)."""
    if step:
        course, key = course_with_step(org.admin)
        fields["lesson_key"] = key
    else:
        course = factories.course(lessons=1, by=org.admin)
    pool = bank(course)
    for type_ in types:
        question(pool, type_, explanation=f"Because of {QuestionType(type_).value} reasons.")
    fields.setdefault("count", len(types))
    found = assessment(course, [pool], by=org.admin, **fields)
    for person in (org.rep_a1a,) if enrol is None else enrol:
        enrolment.enrol(person, course, by=org.admin)
    return course, found
