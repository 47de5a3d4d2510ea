"""A rep's and a manager's path through their training, at desk and phone sizes.

The rep finds a required course on Home, locked until their manager finishes hers; the
manager takes her course through the player (a reading, a file to download, a quiz step),
fails the quiz once, tries again, reaches the completion moment and opens her certificate;
the rep's course opens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from assessments.models import QuestionType
from courses.models import LessonKind, PrerequisiteKind
from courses.services import authoring, enrolment
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User
from lms.web import files
from tests import factories
from tests.assessments import factories_quiz
from tests.browser.conftest import Account

pytestmark = pytest.mark.browser

SIZES = {
    "desk": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PROMPT = "A rep's deal stalls after the demo. What do you ask first?"
RIGHT, WRONG = "What changed for the buyer since the demo?", "Can we offer a discount?"
SUBMIT_CONFIRM = "Submit your answers now? You cannot change them afterwards."


@dataclass(frozen=True)
class Journey:
    manager: Account
    rep: Account
    coaching: str  # the manager's course
    discovery: str  # the rep's course, locked until the manager completes hers
    quiz: str


@pytest.fixture
def journey(seed, live_server):
    """Maya Karimi (a manager) and her rep, each enrolled by someone else in one course."""
    def build(size: str) -> Journey:
        admin = db.session.get(User, live_server.people["admin"].id)
        maya = factories.person(level=Level.MANAGER, name="Maya Karimi")
        rep = factories.person(manager=maya, name=f"Ravi Rep {size}")
        coaching = authoring.create_course(authoring.CourseData(
            title=f"Coaching the Coach ({size})", slug=f"coaching-journey-{size}",
            audience=(Level.MANAGER,)), by=admin)
        module = authoring.add_module(coaching, "Coaching basics", by=admin)
        authoring.add_lesson(module, authoring.LessonData(
            title="Why coach weekly", body_markdown="Reps improve when someone asks."),
            by=admin)
        stored = files.store_bytes(PDF, "coaching-plan.pdf", by=admin)
        authoring.add_lesson(module, authoring.LessonData(
            title="Coaching plan", kind=LessonKind.FILE, file_id=stored.id), by=admin)
        step = authoring.add_lesson(module, authoring.LessonData(
            title="Coaching check", kind=LessonKind.ASSESSMENT), by=admin)
        authoring.publish(coaching, by=admin)
        pool = factories_quiz.bank(coaching, title=f"Coaching questions ({size})")
        factories_quiz.question(pool, QuestionType.SINGLE, prompt=PROMPT, spec={
            "choices": [{"key": "a", "text": WRONG}, {"key": "b", "text": RIGHT}],
            "correct": ["b"]})
        quiz = factories_quiz.assessment(coaching, [pool], by=admin, count=1, pass_mark=100,
                                         title=f"Coaching check ({size})", attempt_limit=3,
                                         lesson_key=step.key)
        discovery = factories.course(title=f"Discovery Calls ({size})", lessons=1, by=admin)
        authoring.add_prerequisite(discovery, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                                   by=admin)
        enrolment.enrol(maya, coaching, by=admin, notify_person=False)
        enrolment.enrol(rep, discovery, by=maya, notify_person=False,
                        due_at=utcnow() + timedelta(days=30))
        return Journey(Account(maya.id, maya.name, maya.email),
                       Account(rep.id, rep.name, rep.email), coaching.title, discovery.title,
                       quiz.title)
    return lambda size: seed(lambda: build(size))


def _my_learning(page: Page, title: str):
    section = page.get_by_role("region", name="My learning")
    return section.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=title))


def _answer_and_submit(page: Page, answer: str) -> None:
    question = page.locator("fieldset.quiz-question", has_text=PROMPT)
    page.wait_for_load_state("load")  # the autosave script runs at the end of the page
    with page.expect_response(re.compile(r"/attempts/\d+/items/\d+$")):
        question.get_by_label(answer, exact=True).check()
    expect(question.get_by_role("status")).to_have_text("Answer saved.")

    def accept(dialog) -> None:
        assert dialog.message == SUBMIT_CONFIRM
        dialog.accept()
    page.once("dialog", accept)
    page.get_by_role("button", name="Submit", exact=True).click()


def _rep_sees_the_lock(page: Page, seeded: Journey) -> None:
    item = _my_learning(page, seeded.discovery)
    expect(item).to_contain_text("Locked")
    expect(item).to_contain_text(
        f"Waiting for Maya Karimi to finish “{seeded.coaching}”.")
    expect(item).to_contain_text(re.compile(r"Due \w{3} \d{1,2} \w{3} \d{4}"))
    item.get_by_role("link", name=seeded.discovery, exact=True).click()
    expect(page.get_by_role("heading", name=seeded.discovery, level=1)).to_be_visible()
    expect(page.get_by_text("Required: assigned by Maya Karimi.")).to_be_visible()
    expect(page.get_by_role("button", name="Unenrol")).to_have_count(0)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link",
                                                                  name="Courses").click()
    card = page.get_by_role("article").filter(has_text=seeded.discovery)
    expect(card).to_contain_text(f"Waiting for Maya Karimi to finish “{seeded.coaching}”.")


def _manager_takes_her_course(page: Page, seeded: Journey) -> None:
    item = _my_learning(page, seeded.coaching)
    expect(item).to_contain_text("Not started")
    item.get_by_role("link", name=re.compile(r"^Start\b")).click()
    expect(page.get_by_role("heading", name="Why coach weekly", level=1)).to_be_visible()
    page.get_by_role("button", name="Mark complete").click()

    # The file lesson counts the moment its download ends, without reloading the page.
    expect(page.get_by_role("heading", name="Coaching plan", level=1)).to_be_visible()
    progress = page.locator("#progress-text")
    expect(progress).to_have_text("1 of 3 required lessons done (33%).")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download coaching-plan.pdf").click()
    assert downloading.value.suggested_filename == "coaching-plan.pdf"
    expect(progress).to_have_text("2 of 3 required lessons done (67%).")
    expect(page.get_by_role("status").filter(has_text="Downloaded: this lesson is done.")
           ).to_be_visible()
    page.get_by_role("link", name="Next: Coaching check").click()

    step = page.get_by_role("region", name=seeded.quiz)
    step.get_by_role("link", name="Start the assessment").click()
    page.get_by_role("button", name="Start the assessment").click()
    _answer_and_submit(page, WRONG)
    expect(page.get_by_role("status").filter(has_text="Not passed")).to_be_visible()
    expect(page.get_by_text("2 attempts left")).to_be_visible()
    page.get_by_role("button", name="Try again").click()
    _answer_and_submit(page, RIGHT)


def _completion_moment(page: Page, seeded: Journey) -> None:
    moment = page.get_by_role("region", name="Course complete")
    expect(moment).to_contain_text(f"You finished “{seeded.coaching}”.")
    expect(moment.get_by_role("link", name="Download PDF")).to_have_attribute(
        "href", re.compile(r"^/certificates/\d+/pdf$"))
    moment.get_by_role("link", name="View certificate").click()
    expect(page.get_by_role("heading", name=seeded.coaching, level=1)).to_contain_text("Valid")
    expect(page.locator("dt:text-is('Awarded to') + dd")).to_have_text("Maya Karimi")
    page.go_back()
    page.get_by_role("region", name="Course complete").get_by_role(
        "link", name="Back to the course").click()
    expect(page.get_by_text(re.compile(r"^Course complete on"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Review"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Resume"))).to_have_count(0)
    expect(page.get_by_role("link", name="View certificate")).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_rep_waits_for_the_manager_who_finishes_her_course_to_a_certificate(
        size, open_page, sign_in, journey):
    seeded = journey(size)
    rep = open_page(**SIZES[size])
    sign_in(rep, seeded.rep)
    _rep_sees_the_lock(rep, seeded)

    manager = open_page(**SIZES[size])
    sign_in(manager, seeded.manager)
    _manager_takes_her_course(manager, seeded)
    _completion_moment(manager, seeded)

    rep.goto("/")
    item = _my_learning(rep, seeded.discovery)
    expect(item).not_to_contain_text("Locked")
    item.get_by_role("link", name=re.compile(r"^Start\b")).click()
    expect(rep.get_by_role("heading", name="Lesson 1.1", level=1)).to_be_visible()
    expect(rep.get_by_role("button", name="Mark complete")).to_be_visible()
