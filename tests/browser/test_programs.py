"""Rollout journeys in the browser: attendance on a phone, leader confirmation, pre-training
communication and a wave that opens when the manager completes the one before.

Each journey seeds a branch of people of its own (a leader at its top, nobody above), so the
counts other journeys read for the shared organisation stay as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from courses.live import programs
from courses.live import services as live
from courses.live.models import LiveSession
from courses.models import Course
from courses.services import authoring, enrolment
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User
from tests import factories
from tests.browser.conftest import Account

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
AGENDA = [("Opening by the VP", 15), ("Coaching rhythm", 45), ("Practice", 45),
          ("Commitments", 15)]  # 120 minutes


def _people(spec: list[tuple[str, str, str | None, str]]) -> dict[str, User]:
    """Add ``(key, level, manager key, name)`` people in order; facilitators by key."""
    made: dict[str, User] = {}
    for key, level, manager, name in spec:
        made[key] = factories.person(level=Level(level), name=name,
                                     manager=made[manager] if manager else None,
                                     is_facilitator=key == "facilitator")
    return made


def _accounts(people: dict[str, User]) -> dict[str, Account]:
    return {key: Account(p.id, p.name, p.email) for key, p in people.items()}


def _admin(live_server) -> User:
    return db.session.get(User, live_server.people["admin"].id)


def _session(admin: User, title: str, *, facilitator: User | None, registrants: list[User],
             start_in: timedelta) -> LiveSession:
    """Schedule a two-hour session ``start_in`` from now and register ``registrants``."""
    starts = utcnow().replace(second=0, microsecond=0) + start_in
    session = live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
        facilitator=facilitator, location="Room 4", segments=AGENDA), by=admin)
    for person in registrants:
        live.register(person, session, by=admin)
    return session


def _into_the_past(session: LiveSession) -> None:
    """Move a session to yesterday (registration refuses a session that has started)."""
    starts = utcnow().replace(second=0, microsecond=0) - timedelta(days=1, hours=2)
    session.starts_at, session.ends_at = starts, starts + timedelta(hours=2)
    db.session.flush()


def _open_session_from_the_list(page: Page, title: str, *, phone: bool = False) -> None:
    """Sessions in the navigation bar (behind its toggle on a phone), then the session in
    the list of those that ended recently."""
    nav = page.get_by_role("navigation", name="Main")
    if phone:
        nav.get_by_role("button", name="Show navigation").tap()
    nav.get_by_role("link", name="Sessions", exact=True).click()
    recent = page.get_by_role("region", name="Recently ended")
    recent.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def _row(page: Page, name: str) -> Locator:
    """One person's fieldset on the roster (its legend is their name)."""
    return page.get_by_role("group", name=re.compile(rf"^{re.escape(name)}"))


def tap_status(row: Locator, label: str) -> None:
    """One tap on a status of a roster row (the segmented control's visible label)."""
    row.locator("label.btn", has_text=re.compile(rf"^{re.escape(label)}$")).tap()
    expect(row.get_by_label(label, exact=True)).to_be_checked()


def _hidden_suffix(label: str, context: str) -> re.Pattern:
    """The name of a link whose ``: context`` is visually hidden (Chromium may space it)."""
    return re.compile(rf"^{re.escape(label)}\s*: {re.escape(context)}$")


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


# --- 1. a facilitator takes attendance on a phone ----------------------------------------------

def test_facilitator_takes_attendance_on_a_phone_all_present_then_the_exceptions(
        open_page, live_server, sign_in, seed):
    def build():
        people = _people([
            ("facilitator", "manager", None, "Fay Facilitator"),
            ("leader", "leader", None, "Lou Lindqvist"),
            ("manager", "manager", "leader", "Mo Mbeki"),
            ("early", "rep", "manager", "Ria Early"),
            ("excused", "rep", "manager", "Rex Excused"),
            ("walk_in", "rep", "manager", "Wim Walkin"),
        ])
        session = _session(_admin(live_server), "Coaching rhythm kick-off (phone)",
                           facilitator=people["facilitator"], start_in=timedelta(days=1),
                           registrants=[people[k] for k in ("leader", "manager", "early",
                                                            "excused")])
        _into_the_past(session)
        return _accounts(people), session.title
    people, title = seed(build)

    phone = open_page(**PHONE)
    sign_in(phone, people["facilitator"])
    _open_session_from_the_list(phone, title, phone=True)
    expect(phone.get_by_role("button", name="Register")).to_have_count(0)  # it is over
    phone.get_by_role("link", name="Roster and attendance").tap()
    expect(phone.get_by_role("heading", name="Attendance")).to_be_visible()
    expect(phone.get_by_text("confirmed by 0 of 1 leaders")).to_be_visible()
    _no_sideways_scroll(phone)

    phone.get_by_role("button", name="Mark all present").tap()
    expect(phone.get_by_text("All 4 marked present.")).to_be_visible()
    for name in ("Lou Lindqvist", "Mo Mbeki", "Ria Early", "Rex Excused"):
        expect(_row(phone, name).get_by_label("Present", exact=True)).to_be_checked()
        expect(_row(phone, name).get_by_label("Minutes")).to_have_value("120")

    phone.get_by_label("Walk-in's name or email").fill(people["walk_in"].email)
    phone.get_by_role("button", name="Add", exact=True).tap()
    expect(phone.get_by_text("Wim Walkin added as a walk-in.")).to_be_visible()
    phone.wait_for_load_state("load")  # the roster's script runs at the end of the page
    walk_in = _row(phone, "Wim Walkin")
    expect(walk_in.get_by_text("Walk-in")).to_be_visible()
    tap_status(walk_in, "Present")

    early = _row(phone, "Ria Early")
    tap_status(early, "Left early")
    early.get_by_label("Left after").select_option(label="Coaching rhythm")
    # The whole session's minutes from "Mark all present" give way to the agenda's 15 + 45.
    expect(early.get_by_label("Minutes")).to_have_value("60")
    excused = _row(phone, "Rex Excused")
    tap_status(excused, "Excused")
    excused.get_by_label("Excuse", exact=True).fill("Customer escalation in Lyon")
    expect(excused.get_by_label("Minutes")).to_be_hidden()  # an excused person has none
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="Save attendance").tap()

    expect(phone.get_by_text("Attendance saved for 5 people.")).to_be_visible()
    expect(early.get_by_label("Left early", exact=True)).to_be_checked()
    expect(early.get_by_label("Left after").locator("option:checked")).to_have_text(
        "Coaching rhythm")
    expect(early.get_by_label("Minutes")).to_have_value("60")  # 15 + 45, from the agenda
    expect(excused.get_by_label("Excused", exact=True)).to_be_checked()
    expect(excused.get_by_label("Excuse", exact=True)).to_have_value("Customer escalation in Lyon")
    expect(excused.get_by_label("Minutes")).to_have_value("0")
    expect(walk_in.get_by_label("Present", exact=True)).to_be_checked()
    expect(_row(phone, "Mo Mbeki").get_by_label("Minutes")).to_have_value("120")
    _no_sideways_scroll(phone)


# --- 2. a leader confirms, after a dispute the facilitator resolves ---------------------------

def test_leader_disputes_an_entry_the_facilitator_corrects_it_then_the_leader_confirms(
        page, open_page, live_server, sign_in, seed):
    def build():
        people = _people([
            ("facilitator", "manager", None, "Finn Facilitator"),
            ("leader", "leader", None, "Lea Larsen"),
            ("manager", "manager", "leader", "Mads Moller"),
            ("rep", "rep", "manager", "Rune Rasmussen"),
        ])
        session = _session(_admin(live_server), "Coaching rhythm kick-off (confirm)",
                           facilitator=people["facilitator"], start_in=timedelta(days=1),
                           registrants=[people["manager"], people["rep"]])
        _into_the_past(session)
        seats = {registration.user_id: registration.id
                 for registration, _attendance in live.roster(session)}
        live.take_attendance(session, [
            live.AttendanceRow(seats[people["manager"].id], "attended"),
            live.AttendanceRow(seats[people["rep"].id], "left_early",
                               left_after_segment_id=session.segments[0].id),
        ], by=people["facilitator"])
        return _accounts(people), session.title
    people, title = seed(build)

    sign_in(page, people["leader"])
    _open_session_from_the_list(page, title)
    page.get_by_role("link", name="Confirm attendance").click()
    expect(page.get_by_role("heading", name="Your people's attendance")).to_be_visible()
    expect(page.get_by_text("You have not confirmed yet. 0 of 1 leaders confirmed.")
           ).to_be_visible()
    table = page.get_by_role("table", name=f"Attendance of your people at {title}")
    rune = table.get_by_role("row", name=re.compile(r"^Rune Rasmussen"))
    expect(rune.get_by_role("cell")).to_have_text(["left early", "15", "Opening by the VP"])
    expect(table.get_by_role("row", name=re.compile(r"^Mads Moller")).get_by_role("cell")
           ).to_have_text(["attended", "120", ""])

    page.get_by_label("Person").select_option(label="Rune Rasmussen")
    page.get_by_label("What is wrong").fill("Rune stayed for the practice; he left after it.")
    page.get_by_role("button", name="Dispute").click()
    expect(page.get_by_text("Dispute sent to the facilitator.")).to_be_visible()
    expect(page.get_by_text("Your answer: disputed.")).to_be_visible()

    # The facilitator is told, corrects the entry and resolves the dispute.
    finn = open_page()
    sign_in(finn, people["facilitator"])
    finn.get_by_role("link", name=re.compile(r"^Notifications \d+ unread$")).click()
    told = finn.get_by_role("listitem").filter(has_text=f"Attendance disputed: {title}")
    expect(told).to_contain_text("Lea Larsen: Rune stayed for the practice")
    told.get_by_role("button", name="Open").click()
    expect(finn.get_by_role("heading", name="Attendance")).to_be_visible()
    expect(finn.get_by_role("heading", name="Disputes")).to_be_visible()
    finn.wait_for_load_state("load")  # the roster's script runs at the end of the page
    _row(finn, "Rune Rasmussen").get_by_label("Left after").select_option(label="Practice")
    expect(_row(finn, "Rune Rasmussen").get_by_label("Minutes")).to_have_value("105")
    finn.get_by_role("button", name="Save attendance").click()
    expect(finn.get_by_text("Attendance saved for 2 people.")).to_be_visible()
    expect(_row(finn, "Rune Rasmussen").get_by_label("Minutes")).to_have_value("105")
    finn.get_by_label("Resolution").fill("Corrected: Rune left after the practice.")
    finn.get_by_role("button", name="Resolve").click()
    expect(finn.get_by_text("Dispute resolved; the leader is told.")).to_be_visible()
    expect(finn.get_by_text("Resolved: Corrected: Rune left after the practice.")).to_be_visible()

    # The leader sees the correction and confirms; the session counts as confirmed.
    page.reload()
    expect(page.get_by_text("Your answer: resolved (Corrected: Rune left after the practice.)."
                            )).to_be_visible()
    expect(rune.get_by_role("cell")).to_have_text(["left early", "105", "Practice"])
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Attendance confirmed.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Your answer: confirmed\b"))).to_contain_text(
        "1 of 1 leaders confirmed.")
    finn.reload()
    expect(finn.get_by_text("confirmed by 1 of 1 leaders")).to_be_visible()


# --- 3. a leader writes before the training; a manager acknowledges ----------------------------

PARTS = {
    "What you will learn": "How to run a **weekly coaching 1:1** with each rep.",
    "Why it matters": "Reps repeat what their manager inspects.",
    "How your work will change afterwards": "- a 30-minute 1:1 every week\n- one skill per 1:1",
    "The results we expect": "Close ratio up from 18% to 22% by the end of the quarter.",
}


def test_leader_schedules_a_communication_sends_it_and_a_manager_acknowledges_with_a_question(
        page, open_page, live_server, sign_in, seed):
    def build():
        people = _people([
            ("leader", "leader", None, "Lise Lambert"),
            ("marc", "manager", "leader", "Marc Martin"),
            ("mona", "manager", "leader", "Mona Moreau"),
            ("rep", "rep", "marc", "Remi Roux"),
        ])
        session = _session(_admin(live_server), "Coaching rhythm workshop (letters)",
                           facilitator=None, start_in=timedelta(days=20),
                           registrants=[people["marc"], people["rep"]])
        default_send = (session.starts_at - timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
        return _accounts(people), session.title, default_send
    people, title, default_send = seed(build)
    subject = f"Before “{title}”"

    sign_in(page, people["leader"])
    page.get_by_role("link", name=_hidden_suffix(
        "Write", f"Write to your managers about “{title}”")).click()
    expect(page.get_by_role("heading", name="Write to your people before the training")
           ).to_be_visible()
    expect(page.get_by_label("About").locator("option:checked")).to_contain_text(title)
    expect(page.get_by_label("Subject")).to_have_value(subject)
    expect(page.get_by_label("Send on (your time zone)")).to_have_value(default_send)
    expect(page.get_by_label("Managers", exact=True)).to_be_checked()
    for label, text in PARTS.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name="Schedule").click()

    expect(page.get_by_text(re.compile(r"^Scheduled for "))).to_be_visible()
    expect(page.get_by_role("heading", name=subject, level=1)).to_contain_text("Scheduled")
    expect(page.get_by_text("It would reach 2 people if it went out now")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_text("Sent to 2 people.")).to_be_visible()
    expect(page.get_by_text("2 received · 0 opened · 0 acknowledged")).to_be_visible()

    marc = open_page()
    sign_in(marc, people["marc"])
    marc.get_by_role("link", name=re.compile(r"^Notifications \d+ unread$")).click()
    told = marc.get_by_role("listitem").filter(has_text=subject)
    expect(told).to_contain_text(f"Lise Lambert wrote to you before “{title}”.")
    told.get_by_role("button", name="Open").click()
    expect(marc.get_by_role("heading", name=subject, level=1)).to_be_visible()
    learn = marc.get_by_role("region", name="What you will learn")
    expect(learn.locator("strong")).to_have_text("weekly coaching 1:1")
    change = marc.get_by_role("region", name="How your work will change afterwards")
    expect(change.get_by_role("listitem")).to_have_text(["a 30-minute 1:1 every week",
                                                         "one skill per 1:1"])
    ready = marc.get_by_role("region", name="Are you ready?")
    ready.get_by_label("A question for the author (optional)").fill(
        "Do the 1:1s replace the Monday pipeline call?")
    ready.get_by_role("button", name="I've read this and I'm ready").click()
    expect(marc.get_by_text("Thank you: the author knows you are ready.")).to_be_visible()
    expect(ready).to_contain_text(
        "Your question: “Do the 1:1s replace the Monday pipeline call?”")
    expect(ready.get_by_role("button")).to_have_count(0)

    page.reload()
    expect(page.get_by_text("2 received · 1 opened · 1 acknowledged")).to_be_visible()
    questions = page.get_by_role("heading", name="Questions for you").locator(
        "xpath=following-sibling::ul[1]")
    expect(questions.get_by_role("listitem")).to_have_text(
        "Marc Martin: Do the 1:1s replace the Monday pipeline call?")
    receipts = page.get_by_role("table", name="Who received, opened and acknowledged it")
    marc_row = receipts.get_by_role("row", name=re.compile(r"^Marc Martin"))
    mona_row = receipts.get_by_role("row", name=re.compile(r"^Mona Moreau"))
    expect(marc_row.get_by_role("cell").nth(2)).not_to_have_text("Not yet")  # opened
    expect(marc_row.get_by_role("cell").nth(3)).not_to_have_text("Not yet")  # acknowledged
    expect(mona_row.get_by_role("cell").nth(2)).to_have_text("Not yet")
    expect(mona_row.get_by_role("cell").nth(3)).to_have_text("Not yet")


# --- 4. manager first: the rep's wave opens when their manager completes wave 1 ---------------

LESSONS = ("Why it matters", "What to do on Monday")


@dataclass(frozen=True)
class Rollout:
    program: str
    manager_course: tuple[str, str]  # (slug, title)
    rep_course: tuple[str, str]


def _course(admin: User, title: str, slug: str, audience: Level) -> Course:
    """Publish a course of two short readings for ``audience``."""
    course = authoring.create_course(authoring.CourseData(
        title=title, slug=slug, audience=(audience,), summary="Part of a rollout."), by=admin)
    module = authoring.add_module(course, "The essentials", by=admin)
    for lesson in LESSONS:
        authoring.add_lesson(module, authoring.LessonData(
            title=lesson, body_markdown=f"{lesson}: read this."), by=admin)
    authoring.publish(course, by=admin)
    return course


def test_reps_wave_two_course_opens_once_their_manager_completes_wave_one(
        page, open_page, live_server, sign_in, seed):
    def build():
        people = _people([
            ("leader", "leader", None, "Liv Lund"),
            ("manager", "manager", "leader", "Magnus Moe"),
            ("rep", "rep", "manager", "Rolf Rye"),
        ])
        admin = _admin(live_server)
        program = programs.create_program(programs.ProgramData(
            name="Coaching Rhythm rollout (waves)", starts_on=date.today(),
            ends_on=date.today() + timedelta(days=90), owner=people["leader"],
            goal="Every manager coaches weekly."), by=admin)
        first = _course(admin, "Coaching Cadence", "coaching-cadence-wave-1", Level.MANAGER)
        second = _course(admin, "Discovery Conversations", "discovery-wave-2", Level.REP)
        programs.default_waves(program, [first], [second], by=admin)
        programs.set_status(program, "active", by=admin)
        enrolment.enrol(people["manager"], first, by=admin)
        enrolment.enrol(people["rep"], second, by=admin)
        return _accounts(people), Rollout(program.name, (first.slug, first.title),
                                          (second.slug, second.title))
    people, rollout = seed(build)
    rep_slug, rep_title = rollout.rep_course
    manager_slug, manager_title = rollout.manager_course
    locked = (f"Opens when your manager, Magnus Moe, completes wave 1 of "
              f"“{rollout.program}”.")

    rolf = page
    sign_in(rolf, people["rep"])
    rolf.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Courses", exact=True).click()
    card = rolf.locator("article", has=rolf.locator(f'a[href="/courses/{rep_slug}"]'))
    expect(card.locator(".badge", has_text="Locked")).to_be_visible()
    card.get_by_role("link", name=rep_title).click()
    lock = rolf.get_by_role("status").filter(has_text="This course is locked")
    expect(lock.get_by_role("listitem")).to_have_text(locked)
    expect(rolf.get_by_role("link", name=re.compile(r"^(Start|Resume)"))).to_have_count(0)

    magnus = open_page()
    sign_in(magnus, people["manager"])
    magnus.goto(f"/courses/{manager_slug}")
    waiting = magnus.get_by_role("region", name="Waiting on you")
    expect(waiting.get_by_role("listitem")).to_have_text(f"Rolf Rye — “{rep_title}”")
    magnus.get_by_role("link", name=f"Start “{manager_title}”").click()
    for lesson in LESSONS:
        expect(magnus.get_by_role("heading", name=re.compile(rf"^{lesson}"), level=1)
               ).to_be_visible()
        magnus.get_by_role("button", name="Mark complete").click()
    expect(magnus.get_by_text(f"Course complete: well done on “{manager_title}”.")
           ).to_be_visible()

    rolf.reload()
    expect(rolf.get_by_text("This course is locked")).to_have_count(0)
    rolf.get_by_role("link", name=f"Start “{rep_title}”").click()
    expect(rolf.get_by_role("heading", name=re.compile(r"^Why it matters"), level=1)
           ).to_be_visible()
    expect(rolf.get_by_role("button", name="Mark complete")).to_be_visible()
