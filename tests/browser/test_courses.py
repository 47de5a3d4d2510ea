"""Course journeys in the browser: authoring, taking a course, manager-first unlocking.

Each journey seeds its own courses under its own addresses, so the journeys do not depend on
one another's order; several courses may share a title, as they would after a copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from courses.services import authoring, enrolment
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User

pytestmark = pytest.mark.browser

COACHING = "Coaching the Coach"
LOCKED_BY_DANA = "Locked until your manager, Dana Reyes, completes “Coaching the Coach”."
COACHING_LESSONS = (
    ("Why coach the coach",
     "## What reps copy\n\nReps repeat what their manager **inspects**, so:\n\n"
     "- ask about the next step\n- ask who else decides\n"),
    ("Running the weekly 1:1",
     "1. Start with what moved since last week.\n2. Agree one thing to try.\n"),
)
DISCOVERY_LESSONS = (
    ("Open with their world", "Ask about the customer's week before your product."),
    ("Questions that find the gap", "Ask *what happens if nothing changes*."),
)


@dataclass(frozen=True)
class Seeded:
    id: int
    slug: str
    lessons: tuple[tuple[str, str], ...]  # (key, title) in the learner's order

    def lesson_url(self, index: int) -> str:
        return f"/courses/{self.slug}/lessons/{self.lessons[index][0]}"


@pytest.fixture
def make_course(seed, live_server):
    """Publish a one-module course as Ada Admin and enrol ``learners`` (keys of the Org)."""
    def making(title: str, slug: str, audience: str, lessons, *, learners=(),
               due_in: timedelta | None = None) -> Seeded:
        def build() -> Seeded:
            admin = db.session.get(User, live_server.people["admin"].id)
            course = authoring.create_course(authoring.CourseData(
                title=title, slug=slug, audience=(Level(audience),),
                summary=f"A short course for {audience}s."), by=admin)
            module = authoring.add_module(course, "The essentials", by=admin)
            for lesson_title, text in lessons:
                authoring.add_lesson(module, authoring.LessonData(
                    title=lesson_title, body_markdown=text), by=admin)
            authoring.publish(course, by=admin)
            due_at = utcnow() + due_in if due_in else None
            for key in learners:
                person = db.session.get(User, live_server.people[key].id)
                enrolment.enrol(person, course, by=admin, due_at=due_at)
            return Seeded(course.id, course.slug, tuple(
                (lesson.key, lesson.title) for lesson in course.current_version.lessons))
        return seed(build)
    return making


def _nav(page: Page, name: str) -> Locator:
    """A link in the main navigation bar."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def _admin_menu(page: Page, name: str) -> Locator:
    """Open the navigation bar's Admin menu and return one of its links."""
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Admin", exact=True).click()
    return nav.get_by_role("link", name=name, exact=True)


def _course_card(page: Page, slug: str) -> Locator:
    """The catalog card that links to ``slug`` (titles may repeat; addresses do not)."""
    return page.locator("article", has=page.locator(f'a[href="/courses/{slug}"]'))


def _lesson_heading(page: Page, title: str) -> Locator:
    """The player's heading for the lesson ``title``, with its "Done" badge or without."""
    return page.get_by_role("heading", name=re.compile(rf"^{re.escape(title)}( Done)?$"),
                            level=1)


def _hidden_suffix(label: str, context: str) -> re.Pattern:
    """The name of a button whose ``: context`` is visually hidden (Chromium may space it)."""
    return re.compile(rf"^{re.escape(label)}\s*: {re.escape(context)}$")


def _tab_to(page: Page, target: Locator, limit: int = 25) -> None:
    """Press Tab until ``target`` has the focus; fail if it never gets it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def _add_reading(page: Page, module: str, title: str, text: str) -> None:
    """From the editor, add a Markdown lesson to ``module``; back on the outline, the new
    lesson is marked "Added" and has the focus."""
    page.get_by_role("link", name=f"Add a reading to {module}").click()
    expect(page.get_by_role("heading", name=f"Add a reading to “{module}”")).to_be_visible()
    page.get_by_label("Lesson title").fill(title)
    page.get_by_label("Text (Markdown)").fill(text)
    page.get_by_role("button", name="Add lesson").click()
    expect(page.get_by_text(f"Lesson “{title}” added.")).to_be_visible()
    added = page.locator("#course-outline li.outline-added")
    expect(added).to_have_count(1)
    expect(added.get_by_role("link", name=title, exact=True)).to_have_attribute(
        "aria-current", "true")
    expect(added).to_contain_text("Added")
    expect(added).to_be_focused()


def test_admin_authors_and_publishes_a_course_that_managers_find_in_the_catalog(
        page, live_server, sign_in, open_page):
    sign_in(page, live_server.people["admin"])
    _admin_menu(page, "Course authoring").click()
    page.get_by_role("link", name="New course").click()
    expect(page.get_by_role("heading", name="New course")).to_be_visible()
    page.get_by_label("Title", exact=True).fill(COACHING)
    page.get_by_label("Summary").fill("How managers coach their reps every week.")
    page.get_by_label("Rep", exact=True).uncheck()
    page.get_by_label("Manager", exact=True).check()
    page.get_by_label("Tags").fill("coaching, rhythm")
    page.get_by_role("button", name="Create course").click()

    expect(page.get_by_text("Course created. Add modules and lessons, then publish it.")
           ).to_be_visible()
    expect(page.get_by_role("heading", name=COACHING, level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Draft (version 1)")).to_contain_text(
        "not published yet")
    page.get_by_label("Module title").fill("Running the weekly 1:1")
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_text("Module “Running the weekly 1:1” added.")).to_be_visible()

    first, second = COACHING_LESSONS
    _add_reading(page, "Running the weekly 1:1", first[0],
                 first[1] + "\n<script>document.title = 'hacked'</script>\n")
    page.get_by_role("link", name=first[0], exact=True).click()
    preview = page.get_by_role("region", name="Preview of the saved lesson")
    expect(preview.get_by_role("heading", name="What reps copy")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("inspects")
    expect(preview.get_by_role("listitem")).to_have_text(
        ["ask about the next step", "ask who else decides"])
    expect(preview.locator("script")).to_have_count(0)  # removed when saved, not just inert
    page.get_by_role("link", name="Back to the course").click()
    _add_reading(page, "Running the weekly 1:1", *second)

    lessons = page.locator("#course-outline .list-group-item a")
    expect(lessons).to_have_text([first[0], second[0]])
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: learners now follow this version.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Published —")).to_contain_text(
        "version 1")

    page.get_by_role("link", name="Manage courses").click()
    page.get_by_label("Search").fill("coaching-the-coach")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tbody tr", has_text="coaching-the-coach")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link")).to_have_text(COACHING)
    expect(row.locator("td").nth(1)).to_have_text("published")
    expect(row.locator("td").nth(2)).to_have_text("v1")

    manager = open_page()
    sign_in(manager, live_server.people["manager_a2"])
    _nav(manager, "Courses").click()
    card = _course_card(manager, "coaching-the-coach")
    expect(card.get_by_role("heading")).to_have_text(COACHING)
    expect(card).to_contain_text("How managers coach their reps every week.")
    expect(card.locator(".badge.level-manager")).to_have_text("Manager")
    card.get_by_role("link", name=COACHING).click()
    expect(manager.get_by_role("heading", name=COACHING, level=1)).to_be_visible()
    expect(manager.get_by_role("button", name="Enrol", exact=True)).to_be_visible()
    expect(manager.get_by_role("listitem").filter(has_text=second[0])).to_be_visible()


def test_manager_works_through_every_lesson_to_course_complete(page, live_server, sign_in,
                                                               make_course):
    course = make_course(COACHING, "coaching-the-coach-for-dana", "manager", COACHING_LESSONS,
                         learners=["manager_a1"], due_in=timedelta(days=3))
    (_, first), (_, second) = course.lessons
    sign_in(page, live_server.people["manager_a1"])
    page.get_by_role("link", name=_hidden_suffix("Start", f"“{COACHING}” is due soon")).click()
    expect(page.get_by_role("heading", name=COACHING, level=1)).to_be_visible()
    expect(page.get_by_text("0 of 2 required lessons done (0%).")).to_be_visible()
    page.get_by_role("link", name=f"Start “{COACHING}”").click()

    expect(_lesson_heading(page, first)).to_be_visible()
    body = page.locator(".lesson-body")
    expect(body.get_by_role("heading", name="What reps copy")).to_be_visible()
    expect(body.get_by_role("listitem")).to_have_count(2)
    outline = page.get_by_role("navigation", name="Course outline")
    expect(outline.locator("[aria-current=page]")).to_contain_text(first)
    page.get_by_role("button", name="Mark complete").click()

    expect(page.get_by_text(f"“{first}” is done.")).to_be_visible()
    expect(_lesson_heading(page, second)).to_be_visible()
    expect(page.get_by_text("1 of 2 required lessons done (50%).")).to_be_visible()
    expect(outline.get_by_role("link", name=re.compile(rf"^{first} \(done\)"))).to_be_visible()
    page.get_by_role("link", name=_hidden_suffix("← Previous", first)).click()
    expect(_lesson_heading(page, first)).to_contain_text("Done")
    expect(page.get_by_role("button", name="Mark complete")).to_have_count(0)
    page.get_by_role("link", name=f"Next: {second} →").click()
    expect(_lesson_heading(page, second)).to_be_visible()
    page.get_by_role("button", name="Mark complete").click()

    expect(page.get_by_text(f"Course complete: well done on “{COACHING}”.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Course complete.")).to_contain_text(
        f"You finished “{COACHING}”")
    expect(page.get_by_text("2 of 2 required lessons done (100%).")).to_be_visible()
    page.get_by_role("link", name="Back to the course").click()
    expect(page.get_by_text(re.compile(
        r"^Course complete on [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}\.$"))
           ).to_be_visible()
    _nav(page, "Courses").click()
    expect(_course_card(page, course.slug).get_by_text("Completed", exact=True)).to_be_visible()


def test_rep_course_stays_locked_until_the_manager_completes_then_the_rep_is_told(
        page, live_server, sign_in, open_page, make_course):
    coaching = make_course(COACHING, "coaching-the-coach-unlocks", "manager", COACHING_LESSONS)
    discovery = make_course("Discovery Calls", "discovery-calls", "rep", DISCOVERY_LESSONS)
    rita_account = live_server.people["rep_a1a"]

    # The admin sets the rule in the prerequisites editor.
    sign_in(page, live_server.people["admin"])
    _admin_menu(page, "Course authoring").click()
    page.get_by_label("Search").fill("Discovery Calls")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Discovery Calls", exact=True).click()
    rules = page.get_by_role("region", name="Prerequisites")
    expect(rules).to_contain_text("None: anyone in the audience may start it.")
    rules.get_by_label("Who must have completed it").select_option(
        label="The learner's manager completed")
    required = rules.get_by_label("Course", exact=True)
    required.select_option(value=str(coaching.id))  # titles may repeat; the id does not
    expect(required.locator("option:checked")).to_have_text(COACHING)
    rules.get_by_role("button", name="Add prerequisite").click()
    expect(page.get_by_text("Prerequisite added.")).to_be_visible()
    expect(rules.get_by_role("listitem")).to_contain_text(
        f"The learner's manager completed “{COACHING}”")

    # Dana enrols her rep, who finds the course locked and cannot start it.
    dana = open_page()
    sign_in(dana, live_server.people["manager_a1"])
    dana.goto(f"/courses/{discovery.slug}")
    dana.get_by_role("link", name="Enrol people").click()
    dana.get_by_label("Email addresses").fill(rita_account.email)
    dana.get_by_role("button", name="Enrol", exact=True).click()
    expect(dana.get_by_text("1 enrolled, 0 enrolled again, 0 already enrolled.")).to_be_visible()

    rita = open_page()
    sign_in(rita, rita_account)
    _nav(rita, "Courses").click()
    card = _course_card(rita, discovery.slug)
    expect(card.locator(".badge", has_text="Locked")).to_be_visible()
    card.get_by_role("link", name="Discovery Calls").click()
    lock = rita.get_by_role("status").filter(has_text="This course is locked")
    expect(lock.get_by_role("listitem")).to_have_text(LOCKED_BY_DANA)
    expect(rita.get_by_role("link", name=re.compile(r"^(Start|Resume)"))).to_have_count(0)
    expect(rita.get_by_role("link", name=discovery.lessons[0][1])).to_have_count(0)
    refused = rita.goto(discovery.lesson_url(0))
    assert refused is not None and refused.status == 403
    expect(rita.get_by_role("alert")).to_have_text(LOCKED_BY_DANA)
    expect(rita.get_by_role("button", name="Mark complete")).to_have_count(0)
    rita.goto(f"/courses/{discovery.slug}")

    # Dana sees who waits on her, enrols herself and completes the manager course.
    _nav(dana, "Home").click()
    expect(dana.get_by_text("1 of your people is waiting on you: Rita Rep.")).to_be_visible()
    dana.get_by_role("link", name=_hidden_suffix("Open course", f"Complete “{COACHING}”")).click()
    waiting = dana.get_by_role("region", name="Waiting on you")
    expect(waiting.get_by_role("listitem")).to_have_text("Rita Rep — “Discovery Calls”")
    dana.get_by_role("button", name="Enrol", exact=True).click()
    expect(dana.get_by_text(f"You are enrolled in “{COACHING}”.")).to_be_visible()
    dana.get_by_role("link", name=f"Start “{COACHING}”").click()
    for _key, title in coaching.lessons:
        expect(_lesson_heading(dana, title)).to_be_visible()
        dana.get_by_role("button", name="Mark complete").click()
    expect(dana.get_by_text(f"Course complete: well done on “{COACHING}”.")).to_be_visible()

    # Rita reloads: open, with a notification that says why.
    rita.reload()
    expect(rita.get_by_text("This course is locked")).to_have_count(0)
    expect(rita.get_by_role("link", name="Start “Discovery Calls”")).to_be_visible()
    rita.get_by_role("link", name=re.compile(r"^Notifications \d+ unread$")).click()
    told = rita.get_by_role("listitem").filter(has_text="“Discovery Calls” is open for you")
    expect(told).to_contain_text("Unread: “Discovery Calls” is open for you")
    expect(told).to_contain_text(f"Dana Reyes completed “{COACHING}”, so you can start.")
    told.get_by_role("button", name="Open").click()
    expect(rita).to_have_url(f"{live_server.url}/courses/{discovery.slug}")
    rita.get_by_role("link", name="Start “Discovery Calls”").click()
    expect(_lesson_heading(rita, discovery.lessons[0][1])).to_be_visible()
    expect(rita.get_by_role("button", name="Mark complete")).to_be_visible()


def test_keyboard_alone_moves_through_the_player_and_completes_the_course(
        page, live_server, sign_in, make_course):
    course = make_course("Handling Objections", "handling-objections-keys", "rep",
                         DISCOVERY_LESSONS, learners=["rep_a1b"])
    (_, first), (_, second) = course.lessons
    sign_in(page, live_server.people["rep_a1b"])
    page.goto(course.lesson_url(0))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    _tab_to(page, page.get_by_role("button", name="Mark complete"))
    page.keyboard.press("Enter")
    expect(_lesson_heading(page, second)).to_be_visible()
    expect(page.get_by_text(f"“{first}” is done.")).to_be_visible()

    _tab_to(page, page.get_by_role("link", name=_hidden_suffix("← Previous", first)))
    page.keyboard.press("Enter")
    expect(_lesson_heading(page, first)).to_contain_text("Done")
    _tab_to(page, page.get_by_role("link", name=f"Next: {second} →"))
    page.keyboard.press("Enter")
    expect(_lesson_heading(page, second)).to_be_visible()

    _tab_to(page, page.get_by_role("button", name="Mark complete"))
    page.keyboard.press("Space")
    expect(page.get_by_text("Course complete: well done on “Handling Objections”.")
           ).to_be_visible()
    expect(page.get_by_text("2 of 2 required lessons done (100%).")).to_be_visible()


def test_phone_width_player_keeps_the_outline_behind_a_toggle(page, live_server, sign_in,
                                                              make_course):
    course = make_course("Handling Objections", "handling-objections-phone", "rep",
                         DISCOVERY_LESSONS, learners=["rep_a2a"])
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server.people["rep_a2a"])
    page.goto(course.lesson_url(0))

    toggle = page.get_by_role("button", name="Course outline · 0% done")
    outline = page.get_by_role("navigation", name="Course outline")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(outline).to_be_hidden()
    expect(_lesson_heading(page, course.lessons[0][1])).to_be_visible()
    expect(page.get_by_role("button", name="Mark complete")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(outline).to_be_visible()
    outline.get_by_role("link", name=re.compile(rf"^{course.lessons[1][1]}")).click()
    expect(_lesson_heading(page, course.lessons[1][1])).to_be_visible()
    expect(page.get_by_role("navigation", name="Course outline")).to_be_hidden()
