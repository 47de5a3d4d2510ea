"""Assessment and certificate journeys in the browser: a quiz step of a course, its result as
the feedback policy allows, and the certificate a pass earns, checked by anyone.

Each journey seeds its own learner and course. A certificate PDF is slow to render, so the
whole file renders exactly one.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from assessments.models import FeedbackPolicy, QuestionType
from courses.certificates.models import Certificate
from courses.models import LessonKind
from courses.services import authoring, enrolment
from lms.extensions import db
from lms.people.models import Level, User
from tests import factories
from tests.assessments import factories_quiz
from tests.browser.conftest import Account

pytestmark = pytest.mark.browser


def _account_menu(page, name: str):
    """Open the navigation bar's account menu (the person's name) and return one of its links."""
    nav = page.get_by_role("navigation", name="Main")
    toggle = nav.locator(".dropdown-menu-end").locator("xpath=..").locator(
        "button.dropdown-toggle")
    if toggle.get_attribute("aria-expanded") != "true":  # a second click would close it
        toggle.click()
    return nav.get_by_role("link", name=name, exact=True)

SUBMIT_CONFIRM = "Submit your answers now? You cannot change them afterwards."


@dataclass(frozen=True)
class Question:
    type: QuestionType
    prompt: str
    spec: dict
    explanation: str


# In the learner's words: a choice, a statement, a word. The accepted word and the
# explanations appear nowhere else, so a page or a JSON body that holds them leaks the key.
BUDGET = Question(
    QuestionType.SINGLE, "The prospect says the budget is frozen until July. What do you ask?",
    {"choices": [{"key": "a", "text": "When exactly does the freeze end?"},
                 {"key": "b", "text": "What does waiting until July cost the team?"},
                 {"key": "c", "text": "Would a discount help?"}], "correct": ["b"]},
    "Frozen budgets move when the cost of standing still is clear.")
TALKING = Question(
    QuestionType.TRUE_FALSE, "In a weekly 1:1 the manager should do most of the talking.",
    {"correct": False}, "The rep talks; the manager asks and listens.")
KIND = Question(
    QuestionType.SHORT_TEXT,
    "Which kind of question asks what happens if nothing changes? Answer in one word.",
    {"accepted": ["Implication"], "case_sensitive": False},
    "Implication questions make the size of the problem visible.")
QUESTIONS = (BUDGET, TALKING, KIND)
SECRETS = ("implication", *(q.explanation for q in QUESTIONS))


@dataclass(frozen=True)
class Seeded:
    learner: Account
    slug: str
    course: str
    quiz: str


@pytest.fixture
def make_quiz_course(seed, live_server):
    """A published course whose only lesson is an assessment step drawing the three
    questions above, and a new learner at ``level`` enrolled in it."""
    def making(slug: str, title: str, learner: str, level: Level,
               policy: FeedbackPolicy) -> Seeded:
        def build() -> Seeded:
            admin = db.session.get(User, live_server.people["admin"].id)
            person = factories.person(level=level, name=learner)
            course = authoring.create_course(authoring.CourseData(
                title=title, slug=slug, audience=(level,),
                summary="Check what you know before the workshop."), by=admin)
            module = authoring.add_module(course, "Check your understanding", by=admin)
            step = authoring.add_lesson(module, authoring.LessonData(
                title="Discovery check", kind=LessonKind.ASSESSMENT), by=admin)
            authoring.publish(course, by=admin)
            pool = factories_quiz.bank(course, title=f"{title} questions")
            for question in QUESTIONS:
                factories_quiz.question(pool, question.type, prompt=question.prompt,
                                        spec=question.spec, explanation=question.explanation)
            quiz = factories_quiz.assessment(
                course, [pool], by=admin, title=f"{title}: the check", count=len(QUESTIONS),
                pass_mark=60, lesson_key=step.key, feedback_policy=policy)
            enrolment.enrol(person, course, by=admin)
            return Seeded(Account(person.id, person.name, person.email), course.slug,
                          course.title, quiz.title)
        return seed(build)
    return making


def _question(page: Page, question: Question) -> Locator:
    """The fieldset of ``question`` (the draw orders them at random)."""
    return page.locator("fieldset.quiz-question", has_text=question.prompt)


def _answer(page: Page, question: Question, answer: str) -> str:
    """Answer one question as a person would; return the body of the autosave it triggers."""
    fieldset = _question(page, question)
    page.wait_for_load_state("load")  # the autosave script runs at the end of the page
    with page.expect_response(re.compile(r"/attempts/\d+/items/\d+$")) as saved:
        if question.type == QuestionType.SHORT_TEXT:
            box = fieldset.get_by_label("Your answer")
            box.fill(answer)
            box.press("Tab")  # leaving the field fires its change event
        else:
            fieldset.get_by_label(answer, exact=True).check()
    body = saved.value.text()
    expect(fieldset.get_by_role("status")).to_have_text("Answer saved.")
    return body


def _open_the_step(page: Page, seeded: Seeded) -> None:
    """From the course page to the assessment's page, through the course player."""
    page.goto(f"/courses/{seeded.slug}")
    page.get_by_role("link", name=f"Start “{seeded.course}”").click()
    step = page.get_by_role("region", name=seeded.quiz)
    expect(step).to_contain_text("3 questions, pass mark 60%.")
    step.get_by_role("link", name="Start the assessment").click()
    expect(page.get_by_role("heading", name=seeded.quiz, level=1)).to_be_visible()


def _submit(page: Page) -> None:
    def accept(dialog) -> None:
        assert dialog.message == SUBMIT_CONFIRM
        dialog.accept()
    page.once("dialog", accept)
    page.get_by_role("button", name="Submit", exact=True).click()


def test_open_attempt_holds_no_answer_key_and_a_failed_attempt_shows_the_score_only(
        page, live_server, sign_in, make_quiz_course):
    seeded = make_quiz_course("discovery-check-keys", "Discovery Check", "Quinn Quiroga",
                              Level.REP, FeedbackPolicy.AFTER_PASSING)
    sign_in(page, seeded.learner)
    _open_the_step(page, seeded)
    expect(page.get_by_text("Once the learner has passed")).to_be_visible()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_text("0 of 3 answered.")).to_be_visible()

    html = page.content().lower()
    assert [secret for secret in SECRETS if secret.lower() in html] == []
    assert '"correct"' not in html and "data-correct" not in html
    saved = [_answer(page, BUDGET, "Would a discount help?"),
             _answer(page, TALKING, "False"),
             _answer(page, KIND, "Situation")]
    for body in saved:
        assert json.loads(body)["saved"] is True
        assert [secret for secret in SECRETS if secret.lower() in body.lower()] == []

    # Leave and come back: the answers were saved as they went.
    page.reload()
    expect(_question(page, BUDGET).get_by_label("Would a discount help?")).to_be_checked()
    expect(_question(page, TALKING).get_by_label("False", exact=True)).to_be_checked()
    expect(_question(page, KIND).get_by_label("Your answer")).to_have_value("Situation")
    assert [secret for secret in SECRETS if secret.lower() in page.content().lower()] == []

    _submit(page)
    result = page.get_by_role("status").filter(has_text="Not passed")
    expect(result).to_contain_text("1 of 3 points (33.33%; the pass mark is 60%).")
    expect(page.get_by_text("The right answers are shown once you pass this assessment.")
           ).to_be_visible()
    expect(page.get_by_text("Right answer", exact=True)).to_have_count(0)
    assert [secret for secret in SECRETS if secret.lower() in page.content().lower()] == []


def _wait_until_stored(seed, learner_id: int, timeout: float = 60.0) -> None:
    """Wait for the job that renders a new certificate after the completing request."""
    def rendered() -> bool:
        return bool(db.session.scalar(select(Certificate.rendered_at).where(
            Certificate.user_id == learner_id)))
    deadline = time.monotonic() + timeout
    while not seed(rendered):
        assert time.monotonic() < deadline, "the certificate was never rendered"
        time.sleep(0.1)


def test_manager_passes_the_quiz_step_downloads_the_certificate_and_anyone_can_verify_it(
        page, open_page, live_server, sign_in, seed, make_quiz_course):
    seeded = make_quiz_course("coaching-check-certificate", "Coaching Check", "Nadia Novak",
                              Level.MANAGER, FeedbackPolicy.AFTER_ATTEMPT)
    sign_in(page, seeded.learner)
    _open_the_step(page, seeded)
    page.get_by_role("button", name="Start the assessment").click()
    _answer(page, BUDGET, "What does waiting until July cost the team?")
    _answer(page, TALKING, "False")
    _answer(page, KIND, "Implication")
    expect(page.get_by_text("3 of 3 answered.")).to_be_visible()
    _submit(page)

    result = page.get_by_role("status").filter(has_text="Passed")
    expect(result).to_contain_text("3 of 3 points (100%; the pass mark is 60%).")
    answers = page.get_by_role("region", name="Answers")
    expect(answers.get_by_text("Right", exact=True)).to_have_count(3)
    for question in QUESTIONS:
        expect(answers.get_by_text(question.explanation)).to_be_visible()

    page.get_by_role("link", name="Back to the assessment").click()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=seeded.course).click()
    expect(page.get_by_text(re.compile(
        r"^Course complete on [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}\.$"))
           ).to_be_visible()

    # My certificates: the PDF the completion rendered once, served as stored.
    _account_menu(page, "Certificates").click()
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    mine = page.get_by_role("listitem").filter(has_text=seeded.course)
    expect(mine).to_contain_text(
        re.compile(r"Issued [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}"))
    _wait_until_stored(seed, seeded.learner.id)
    download_link = mine.get_by_role("link", name=f"Download PDF for {seeded.course}")
    with page.expect_download() as downloading:
        download_link.click()
    download = downloading.value
    assert download.suggested_filename == "certificate-coaching-check.pdf"
    with open(download.path(), "rb") as pdf:
        first = pdf.read()
    assert first.startswith(b"%PDF")
    again = page.request.get(download_link.get_attribute("href"))
    assert again.headers["content-type"] == "application/pdf"
    assert again.body() == first  # the stored file, not a second rendering

    mine.get_by_role("link", name=seeded.course, exact=True).click()
    code = page.locator("dt:text-is('Code') + dd").inner_text().strip()
    issued = page.locator("dt:text-is('Issued') + dd").inner_text().strip()

    # Anyone, signed in or not, checks the code on the public page.
    visitor = open_page()
    visitor.goto("/verify")
    visitor.get_by_label("Certificate code", exact=True).fill(code)
    visitor.get_by_role("button", name="Check").click()
    expect(visitor.get_by_role("status")).to_contain_text("Valid.")
    facts = visitor.locator("main dl")
    expect(facts.locator("dt")).to_have_text(["Awarded to", "Course", "Issued", "Code"])
    expect(facts.locator("dd")).to_have_text([seeded.learner.name, seeded.course, issued, code])
    expect(visitor.get_by_text(seeded.learner.email)).to_have_count(0)
    expect(visitor.get_by_role("button", name="Sign out")).to_have_count(0)

    # An admin revokes it; the public page says so.
    admin = open_page()
    sign_in(admin, live_server.people["admin"])
    _account_menu(admin, "Certificates").click()
    admin.get_by_role("link", name="All certificates").click()
    admin.get_by_label("Search").fill(code)
    admin.get_by_role("button", name="Show", exact=True).click()
    admin.get_by_role("row", name=re.compile(rf"^{seeded.learner.name}")).get_by_role(
        "link", name=seeded.course).click()
    admin.get_by_label(re.compile(r"^Reason")).fill("Issued against the wrong course version.")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Revoke").click()
    expect(admin.get_by_text(f"{seeded.learner.name}'s certificate is revoked; the "
                             "verification page now says so.")).to_be_visible()

    visitor.reload()
    expect(visitor.get_by_role("status")).to_contain_text("Revoked.")
    expect(visitor.get_by_text("Issued against the wrong course version.")).to_have_count(0)
