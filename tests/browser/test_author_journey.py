"""An L&D admin builds a course with a quiz step, publishes it, enrols a team and sees who
waits for their manager, at desk and phone sizes, clicking the widgets a person clicks."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from courses.services import authoring, enrolment
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User
from tests import factories

pytestmark = pytest.mark.browser

SIZES = {
    "desk": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
MODULE = "Handling objections"
READING = "Hear the objection out"
QUIZ = "Objections check"


@dataclass(frozen=True)
class Team:
    coaching_id: int  # the managers' course one manager completed
    leader: str  # "Name (Leader)" as the team picker lists them
    waiting: str  # the rep whose manager did not complete it
    open: str  # a rep whose manager did


@pytest.fixture
def team(seed, live_server, request) -> Team:
    """A team of its own (other journeys add people to the shared organisation): a leader,
    a manager who completed the managers' course with two reps, one who did not with one."""
    size = request.node.callspec.params["size"]

    def build() -> Team:
        admin = db.session.get(User, live_server.people["admin"].id)
        executive = db.session.get(User, live_server.people["exec"].id)
        leader = factories.person(level=Level.LEADER, manager=executive,
                                  name=f"Lia Lead {size}")
        done = factories.person(level=Level.MANAGER, manager=leader, name=f"Dora Done {size}")
        later = factories.person(level=Level.MANAGER, manager=leader, name=f"Walt Later {size}")
        reps = [factories.person(manager=manager, name=f"{first} {size}")
                for manager, first in ((done, "Opal Open"), (done, "Otto Open"),
                                       (later, "Wren Waits"))]
        course = authoring.create_course(authoring.CourseData(
            title=f"Coaching objections ({size})", slug=f"coaching-objections-{size}",
            audience=(Level.MANAGER,)), by=admin)
        module = authoring.add_module(course, "The essentials", by=admin)
        authoring.add_lesson(module, authoring.LessonData(
            title="Listen first", body_markdown="Let the rep finish."), by=admin)
        authoring.publish(course, by=admin)
        enrolment.enrol(done, course, by=admin).completed_at = utcnow()
        return Team(course.id, f"{leader.name} (Leader)", reps[2].name, reps[0].name)
    return seed(build)


def _main_nav(page: Page, phone: bool) -> Locator:
    nav = page.get_by_role("navigation", name="Main")
    if phone:
        nav.get_by_role("button", name="Show navigation").click()
    return nav


def _create_course(page: Page, phone: bool, title: str) -> None:
    nav = _main_nav(page, phone)
    nav.get_by_role("button", name="Admin", exact=True).click()
    nav.get_by_role("link", name="Course authoring", exact=True).click()
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary").fill("Answer the five objections reps hear most.")
    expect(page.get_by_label("Rep", exact=True)).to_be_checked()
    page.get_by_role("button", name="Create course").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    page.get_by_label("Module title").fill(MODULE)
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_text(f"Module “{MODULE}” added.")).to_be_visible()


def _add_reading(page: Page) -> None:
    page.get_by_role("link", name=f"Add a reading to {MODULE}").click()
    page.get_by_label("Lesson title").fill(READING)
    page.get_by_label("Text (Markdown)").fill("Let them **finish**, then ask what lies behind.")
    page.get_by_role("button", name="Add lesson").click()
    # Back on the outline, the new lesson is marked and has the focus.
    expect(page.get_by_text(f"Lesson “{READING}” added.")).to_be_visible()
    expect(page.get_by_role("heading", name="Modules and lessons")).to_be_visible()
    added = page.locator("#course-outline li.outline-added")
    expect(added).to_have_count(1)
    expect(added.get_by_role("link", name=READING, exact=True)).to_have_attribute(
        "aria-current", "true")
    expect(added.get_by_text("Added", exact=True)).to_be_visible()
    expect(added).to_be_focused()
    expect(added).to_be_in_viewport()


def _add_quiz(page: Page) -> None:
    choices = page.locator("#course-outline [data-add-kind]")
    expect(choices).to_have_text([re.compile(rf"^Add a {kind}\s*to {MODULE}$") for kind in
                                  ("reading", "video", "file", "live session", "quiz")])
    page.get_by_role("link", name=f"Add a quiz to {MODULE}").click()
    expect(page.get_by_role("heading", name=f"Add a quiz to “{MODULE}”")).to_be_visible()
    page.get_by_label("Title", exact=True).fill(QUIZ)
    page.get_by_role("button", name="Add quiz and write its questions").click()
    expect(page.get_by_text(f"Quiz step “{QUIZ}” added to “{MODULE}”.")).to_be_visible()
    questions = page.get_by_role("region", name="Questions")
    expect(questions).to_contain_text("0 questions")

    questions.get_by_role("link", name=f"True or false question in {QUIZ} questions").click()
    page.get_by_label("Question (Markdown)").fill(
        "“Too expensive” is usually about value, not price.")
    page.get_by_role("radio", name="True", exact=True).check()
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Question added.")).to_be_visible()
    expect(page.get_by_role("region", name="Questions")).to_contain_text("1 question")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published: enrolled learners can take it.")).to_be_visible()


def _publish_with_manager_first(page: Page, title: str, coaching_id: int) -> None:
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=title).click()
    outline = page.locator("#course-outline")
    expect(outline.get_by_role("link", name=QUIZ, exact=True)).to_be_visible()
    rules = page.get_by_role("region", name="Prerequisites")
    rules.get_by_label("Who must have completed it").select_option(
        label="The learner's manager completed")
    rules.get_by_label("Course", exact=True).select_option(value=str(coaching_id))
    rules.get_by_role("button", name="Add prerequisite").click()
    expect(page.get_by_text("Prerequisite added.")).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published: learners now follow this version.")).to_be_visible()


def _enrol_a_team(page: Page, team: Team) -> None:
    page.get_by_role("link", name="Enrol people").click()
    page.get_by_label("Whom to enrol").select_option(label="A whole team")
    page.get_by_label("Team of").select_option(label=team.leader)
    page.get_by_role("button", name="Preview").click()
    # The leader's three reps: two whose manager completed the managers' course, one not.
    preview = page.get_by_role("status").filter(has_text="Preview")
    expect(preview).to_contain_text(re.compile(
        r"3 will be enrolled;\s+1 will wait for their manager\."))
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.get_by_text("3 enrolled, 0 enrolled again, 0 already enrolled.")
           ).to_be_visible()


@pytest.mark.parametrize("size", list(SIZES))
def test_admin_builds_a_course_with_a_quiz_and_enrols_a_team(
        size, team, open_page, live_server, sign_in):
    phone = size == "phone"
    page = open_page(**SIZES[size])
    title = f"Objection Handling ({size})"
    sign_in(page, live_server.people["admin"])

    _create_course(page, phone, title)
    _add_reading(page)
    _add_quiz(page)
    _publish_with_manager_first(page, title, team.coaching_id)
    _enrol_a_team(page, team)

    expect(page.get_by_role("heading", name=f"Course report: {title}")).to_be_visible()
    learners = page.get_by_role("region", name=re.compile(r"^Learners"))
    waiting = learners.locator("tr", has=page.get_by_role("link", name=team.waiting))
    unlocked = learners.locator("tr", has=page.get_by_role("link", name=team.open))
    expect(waiting.locator(".badge", has_text=re.compile("^Locked$"))).to_be_visible()
    expect(waiting).not_to_contain_text("Not started")
    expect(unlocked.locator(".badge", has_text=re.compile("^Not started$"))).to_be_visible()
