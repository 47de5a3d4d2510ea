"""Demo content for assessments: a question bank and check, scorecards, a coaching self-check.

*Coaching Rhythm* gets a bank of questions and a published "Coaching Rhythm check"; the
managers who completed the course have taken it (most passed, one needed two attempts).
Managers in the East have scored discovery role-plays of their first reps, and the East
leader scored one manager's coaching conversation. Leaders have taken the coaching-habits
self-check once or twice. Everything goes through the services; nothing here commits.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from assessments import banks, scorecards, surveys
from assessments.models import FeedbackPolicy, ObservationKind, Rubric, SurveyQuestionKind
from assessments.quiz import attempts, authoring
from courses.models import Course, Enrollment
from lms import demo as lms_demo
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User

COURSE_SLUG = "coaching-rhythm"
RUBRIC_TITLE = "Discovery role-play"

QUESTIONS = [
    banks.QuestionData(
        "single", "How often does a manager hold a coaching 1:1 with each rep in the rhythm?",
        {"choices": ["Every week", "Every month", "When a deal is at risk",
                     "Once a quarter, at the review"], "correct": ["a"]},
        tags=("rhythm",), explanation="A weekly cadence keeps the gap between practice and "
                                      "feedback short enough for habits to form."),
    banks.QuestionData(
        "multiple", "Which of these are **activity** goals?",
        {"choices": ["Proposals sent", "Close ratio", "New contacts made", "Average sale value"],
         "correct": ["a", "c"], "partial_credit": True},
        tags=("goals",), explanation="Activities are things a rep does; ratios and averages "
                                     "measure how well they do them (proficiency)."),
    banks.QuestionData(
        "true_false", "The agenda of a 1:1 should be prepared before the meeting starts.",
        {"correct": True}, tags=("rhythm",),
        explanation="Preparing ahead is what turns a status chat into coaching."),
    banks.QuestionData(
        "single", "A rep knows the steps but skips them when busy. What is the likely root cause?",
        {"choices": ["Knowledge", "Skills", "Commitment", "Environment"], "correct": ["c"]},
        tags=("root-cause",),
        explanation="Knowing and being able, yet not doing, points at commitment."),
    banks.QuestionData(
        "short_text", "What do you call the open tasks a 1:1 carries forward until they are done?",
        {"accepted": ["action items", "action item"]}, tags=("rhythm",),
        explanation="Action items stay on the agenda until they are closed."),
    banks.QuestionData(
        "numeric", "A rep sent 20 proposals and closed 5. What is the close ratio, in percent?",
        {"value": 25, "tolerance": 0.5}, tags=("goals",),
        explanation="5 / 20 = 0.25, so 25%."),
    banks.QuestionData(
        "single", "Who confirms that the coaching rhythm is happening in a manager's team?",
        {"choices": ["The manager's leader", "The L&D team", "The rep", "Nobody"],
         "correct": ["a"]}, tags=("leadership",),
        explanation="The second-line leader inspects and confirms the rhythm."),
    banks.QuestionData(
        "true_false", "Gap reviews are only for reps who miss their activity goals.",
        {"correct": False}, tags=("root-cause",),
        explanation="A proficiency gap (a low close ratio, say) deserves a review too."),
]

CRITERIA = [
    scorecards.CriterionData("Opens with the customer's world", [
        "Pitches the product straight away", "Asks one generic question",
        "Asks about the customer's situation", "Explores the situation and its history",
        "Makes the customer describe their world in their own words"]),
    scorecards.CriterionData("Finds the gap", [
        "No problem identified", "Accepts the first problem named",
        "Asks what the problem costs", "Quantifies the cost with the customer",
        "The customer states the cost and the urgency themselves"]),
    scorecards.CriterionData("Agrees a next step", [
        "Ends without a next step", "Suggests a vague follow-up",
        "Proposes a dated next step", "Agrees a dated step with the buyer",
        "Agrees a dated step with every decision maker involved"]),
]
COACHING_CRITERIA = [
    scorecards.CriterionData("Agenda prepared", [
        "No agenda", "Agenda written during the meeting", "Agenda ready at the start",
        "Agenda shared the day before", "Rep added to an agenda shared ahead"]),
    scorecards.CriterionData("Coaches rather than tells", [
        "Only gives instructions", "Mostly tells, one question", "Balances questions and advice",
        "Mostly asks; the rep finds the answer", "Rep leaves with their own plan"]),
]


def _answer(item, right: bool):
    spec, kind = item.question.spec, item.question.type
    if kind in ("single", "multiple"):
        keys = spec["correct"] if right else [k for k in item.choice_order
                                              if k not in spec["correct"]][:1]
        return keys[0] if kind == "single" else keys
    if kind == "true_false":
        return spec["correct"] if right else not spec["correct"]
    if kind == "short_text":
        return spec["accepted"][0] if right else "notes"
    return spec["value"] if right else spec["value"] * 2


def _sit(person: User, assessment, wrong: int, when) -> None:
    attempt = attempts.start_attempt(person, assessment, now=when).attempt
    answers = {item.id: _answer(item, right=index >= wrong)
               for index, item in enumerate(attempt.items)}
    attempts.save_answers(attempt, answers, now=when + timedelta(minutes=6))
    attempts.submit(attempt, now=when + timedelta(minutes=8))


def _quiz(course: Course, admin: User) -> None:
    bank = banks.create_bank(course, banks.BankData(
        "Coaching rhythm essentials", "Questions on the weekly rhythm, goals and root causes."),
        by=admin)
    for question in QUESTIONS:
        banks.add_question(bank, question, by=admin)
    assessment = authoring.create_assessment(course, authoring.AssessmentData(
        title="Coaching Rhythm check", sources=(authoring.SourceData(bank_id=bank.id),),
        instructions="Eight questions on what the course covered. You need 75% to pass; "
                     "you can try three times and see the answers after each attempt.",
        question_count=8, pass_mark=75, attempt_limit=3,
        feedback_policy=FeedbackPolicy.AFTER_ATTEMPT), by=admin)
    authoring.publish_assessment(assessment, by=admin)
    done = db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == course.id, Enrollment.completed_at.is_not(None))
        .order_by(User.id)).all()
    start = utcnow() - timedelta(days=5)
    for number, person in enumerate(done):
        when = start + timedelta(hours=number * 5)
        if number == 1:  # failed once, then passed
            _sit(person, assessment, wrong=4, when=when)
            when += timedelta(days=1)
        _sit(person, assessment, wrong=number % 3, when=when)


def _observations(people: list[User], admin: User) -> None:
    rubric = scorecards.create_rubric(scorecards.RubricData(
        RUBRIC_TITLE, "How a rep runs the first ten minutes of a discovery call.",
        Level.REP.value, CRITERIA), by=admin)
    coaching = scorecards.create_rubric(scorecards.RubricData(
        "Coaching conversation", "How a manager runs a weekly 1:1.", Level.MANAGER.value,
        COACHING_CRITERIA), by=admin)
    leader = next(p for p in people if p.level == Level.LEADER and not p.is_admin)
    managers = [p for p in people if p.manager_id == leader.id]
    pick = random.Random(7)  # noqa: S311  (believable demo scores, the same every time)
    today = utcnow().date()
    for manager in managers[:2]:
        reps = [p for p in people if p.manager_id == manager.id][:3]
        for rep in reps:
            for weeks_ago in (6, 3, 1):
                scores = [scorecards.ScoreData(c.id, min(5, max(1, pick.randint(2, 3)
                                                                + (6 - weeks_ago) // 3)))
                          for c in rubric.criteria]
                scorecards.create_observation(rubric, scorecards.ObservationData(
                    subject=rep, kind=ObservationKind.ROLE_PLAY,
                    observed_on=today - timedelta(weeks=weeks_ago), scores=scores,
                    context="Discovery role-play, new-logo account",
                    comments="Good opening; push for the cost of doing nothing."),
                    by=manager, share=True)
    scorecards.create_observation(coaching, scorecards.ObservationData(
        subject=managers[0], kind=ObservationKind.COACHING, observed_on=today - timedelta(days=4),
        scores=[scorecards.ScoreData(c.id, 4 - i) for i, c in enumerate(coaching.criteria)],
        context="Weekly 1:1 with a new rep",
        comments="The agenda was shared the day before. Let the rep find the next step."),
        by=leader, share=True)


def _self_checks(people: list[User], admin: User) -> None:
    survey = surveys.default_coaching_survey(admin)
    questions = [q for section in survey.sections for q in section.questions]
    leaders = [p for p in people if p.level == Level.LEADER and not p.is_admin]
    for number, leader in enumerate(leaders):
        for sitting in range(1 if number else 2):
            answers = [surveys.AnswerData(q.id, likert=min(5, 2 + sitting + (q.id + number) % 3))
                       if q.kind == SurveyQuestionKind.LIKERT
                       else surveys.AnswerData(q.id, text="Managers review goals monthly.")
                       for q in questions]
            surveys.submit_response(survey, answers, by=leader)


def load_demo_assessments(people: list[User], admin: User) -> bool:
    """Add the demo's assessments content; False when it is already there."""
    if db.session.scalar(select(Rubric.id).where(Rubric.title == RUBRIC_TITLE)):
        return False
    course = db.session.scalar(select(Course).where(Course.slug == COURSE_SLUG))
    if course is not None:
        _quiz(course, admin)
    _observations(people, admin)
    _self_checks(people, admin)
    return True


def _load_with_the_demo_organisation(people: list[User]) -> None:
    admin = next((person for person in people if person.is_admin), None)
    if admin is not None:
        load_demo_assessments(people, admin)


_load_with_the_demo_organisation.demo_order = 20  # type: ignore[attr-defined]
if _load_with_the_demo_organisation not in lms_demo.DEMO_LOADERS:
    lms_demo.DEMO_LOADERS.append(_load_with_the_demo_organisation)
