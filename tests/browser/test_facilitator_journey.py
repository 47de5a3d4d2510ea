"""On a phone: a facilitator takes attendance with one tap per person while the session runs,
and a leader reads the decisive columns of their reports without scrolling sideways.

1. The facilitator opens the roster of the session under way, taps each person's status,
   filters by status, searches, adds a walk-in found by name without losing a tap, and saves
   from the bar that stays at the bottom of the screen; the marks persist.
2. A leader on a 390 px phone sees adherence's "Needs help", the review's decision and
   Confirm, readiness per leader and attendance by level as cards, status first, inside the
   screen; at 1280 px the same reports are tables.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from courses.live import programs
from courses.live import services as live
from lms.db import utcnow
from lms.extensions import db
from tests.browser.test_programs import (
    PHONE,
    _accounts,
    _admin,
    _people,
    _row,
    _session,
    tap_status,
)

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 800}}
WIDTH = PHONE["viewport"]["width"]


def _started_a_minute_ago(session) -> None:
    length = session.ends_at - session.starts_at
    session.starts_at = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
    session.ends_at = session.starts_at + length
    db.session.flush()


def _shown(page: Page) -> list[str]:
    """The names of the roster rows shown now."""
    return page.locator("fieldset.roster-row:visible legend").all_inner_texts()


def _within_the_screen(page: Page, locator: Locator) -> dict:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    return box


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


# --- 1. one tap per person ----------------------------------------------------------------------

def test_facilitator_takes_attendance_with_one_tap_per_person_on_a_phone(
        open_page, live_server, sign_in, seed):
    def build():
        people = _people([
            ("facilitator", "manager", None, "Frida Facilitator"),
            ("leader", "leader", None, "Lior Lund"),
            ("manager", "manager", "leader", "Mila Marsh"),
            ("pavel", "rep", "manager", "Pavel Petrov"),
            ("lotta", "rep", "manager", "Lotta Lang"),
            ("aino", "rep", "manager", "Aino Aalto"),
            ("eero", "rep", "manager", "Eero Eskola"),
            ("wanda", "rep", "manager", "Wanda Walkabout"),
        ])
        session = _session(_admin(live_server), "Coaching rhythm live (one tap)",
                           facilitator=people["facilitator"], start_in=timedelta(days=1),
                           registrants=[people[k] for k in ("leader", "manager", "pavel",
                                                            "lotta", "aino", "eero")])
        _started_a_minute_ago(session)
        return _accounts(people), session.title
    people, title = seed(build)

    phone = open_page(**PHONE)
    sign_in(phone, people["facilitator"])
    nav = phone.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Show navigation").tap()
    nav.get_by_role("link", name="Sessions", exact=True).tap()
    phone.get_by_role("link", name=title, exact=True).tap()
    phone.get_by_role("link", name="Roster and attendance").tap()
    expect(phone.get_by_role("heading", name="Attendance")).to_be_visible()
    counts = phone.locator("#roster-counts")
    expect(counts).to_have_text("Present 0 · Left early 0 · Absent 0 · Excused 0 · Not marked 6")

    # One tap each; only the details a status needs appear.
    for name in ("Lior Lund", "Mila Marsh", "Pavel Petrov"):
        tap_status(_row(phone, name), "Present")
    lotta = _row(phone, "Lotta Lang")
    expect(lotta.get_by_label("Left after")).to_be_hidden()
    tap_status(lotta, "Left early")
    lotta.get_by_label("Left after").select_option(label="Coaching rhythm")
    expect(lotta.get_by_label("Minutes")).to_have_value("60")  # 15 + 45, from the agenda
    tap_status(_row(phone, "Aino Aalto"), "Absent")
    eero = _row(phone, "Eero Eskola")
    tap_status(eero, "Excused")
    eero.get_by_label("Excuse", exact=True).fill("Customer escalation in Lyon")
    expect(counts).to_have_text("Present 3 · Left early 1 · Absent 1 · Excused 1 · Not marked 0")
    _no_sideways_scroll(phone)

    # Filter by status, then search by name.
    show = phone.get_by_label("Show", exact=True)
    show.select_option(label="Left early")
    assert _shown(phone) == ["Lotta Lang"]
    expect(phone.get_by_text("Showing 1 of 6.")).to_be_visible()
    show.select_option(label="Present")
    assert _shown(phone) == ["Lior Lund", "Mila Marsh", "Pavel Petrov"]
    show.select_option(label="Everyone")
    phone.get_by_label("Find a person").fill("aal")
    assert _shown(phone) == ["Aino Aalto"]
    phone.get_by_label("Find a person").fill("")
    assert len(_shown(phone)) == 6

    # A walk-in found by name joins the roster without a reload: the taps so far stay.
    phone.get_by_label("Walk-in's name or email").fill("walkab")
    phone.get_by_role("button", name=re.compile(r"^Add Wanda Walkabout")).tap()
    expect(phone.get_by_text("Wanda Walkabout added as a walk-in.")).to_be_visible()
    wanda = _row(phone, "Wanda Walkabout")
    expect(wanda.get_by_text("Walk-in")).to_be_visible()
    expect(wanda.get_by_label("Present", exact=True)).to_be_focused()
    expect(lotta.get_by_label("Left early", exact=True)).to_be_checked()
    expect(lotta.get_by_label("Minutes")).to_have_value("60")
    # The choices are radio buttons: Space picks the focused one, arrow keys move along.
    phone.keyboard.press("Space")
    expect(wanda.get_by_label("Present", exact=True)).to_be_checked()
    phone.keyboard.press("ArrowRight")
    expect(wanda.get_by_label("Left early", exact=True)).to_be_checked()
    expect(wanda.get_by_label("Left after")).to_be_visible()
    phone.keyboard.press("ArrowLeft")
    expect(wanda.get_by_label("Present", exact=True)).to_be_checked()
    expect(wanda.get_by_label("Left after")).to_be_hidden()
    expect(counts).to_have_text("Present 4 · Left early 1 · Absent 1 · Excused 1 · Not marked 0")

    # The Save bar stays at the bottom of the screen while the top of the roster shows.
    _row(phone, "Aino Aalto").scroll_into_view_if_needed()
    phone.evaluate("window.scrollTo(0, 0)")
    save = phone.get_by_role("button", name="Save attendance")
    box = _within_the_screen(phone, save)
    assert box["y"] + box["height"] <= PHONE["viewport"]["height"]
    roster_end = phone.locator("#roster-rows").bounding_box()
    assert roster_end["y"] + roster_end["height"] > PHONE["viewport"]["height"]  # it scrolls
    save.tap()

    expect(phone.get_by_text("Attendance saved for 7 people.")).to_be_visible()
    phone.reload()
    for name in ("Lior Lund", "Mila Marsh", "Pavel Petrov", "Wanda Walkabout"):
        expect(_row(phone, name).get_by_label("Present", exact=True)).to_be_checked()
    expect(lotta.get_by_label("Left early", exact=True)).to_be_checked()
    expect(lotta.get_by_label("Left after").locator("option:checked")).to_have_text(
        "Coaching rhythm")
    expect(lotta.get_by_label("Minutes")).to_have_value("60")
    expect(_row(phone, "Aino Aalto").get_by_label("Absent", exact=True)).to_be_checked()
    expect(eero.get_by_label("Excused", exact=True)).to_be_checked()
    expect(eero.get_by_label("Excuse", exact=True)).to_have_value("Customer escalation in Lyon")
    expect(counts).to_have_text("Present 4 · Left early 1 · Absent 1 · Excused 1 · Not marked 0")
    _no_sideways_scroll(phone)


# --- 2. the decisive columns on a phone -----------------------------------------------------------

@pytest.fixture
def leader_reports(live_server, seed):
    """A leader with two managers and their reps, in a program whose session they attended."""
    def build():
        people = _people([
            ("leader", "leader", None, "Liv Lindahl"),
            ("manager", "manager", "leader", "Mats Moberg"),
            ("other", "manager", "leader", "Maja Mork"),
            ("rep", "rep", "manager", "Ruben Roos"),
            ("rep2", "rep", "other", "Rakel Ruud"),
        ])
        admin = _admin(live_server)
        program = programs.create_program(programs.ProgramData(
            name="Phone cards program", starts_on=utcnow().date() - timedelta(days=5),
            ends_on=utcnow().date() + timedelta(days=60)), by=admin)
        programs.set_status(program, "active", by=admin)
        db.session.flush()
        session = _session(admin, "Phone cards kick-off", facilitator=admin,
                           start_in=timedelta(days=1),
                           registrants=[people[k] for k in ("leader", "manager", "other")])
        session.program = program
        _started_a_minute_ago(session)
        seats = {r.user_id: r.id for r, _a in live.roster(session)}
        live.take_attendance(session, [
            live.AttendanceRow(seats[people["leader"].id], "attended"),
            live.AttendanceRow(seats[people["manager"].id], "left_early", minutes_present=40),
            live.AttendanceRow(seats[people["other"].id], "absent")], by=admin)
        return _accounts(people), program.id
    return seed(build)


def _card_cell(page: Page, caption: str, heading: str, label: str) -> Locator:
    """One labelled cell of the row headed ``heading`` in the stacked table ``caption``."""
    table = page.locator("table.table-stack").filter(
        has=page.locator("caption", has_text=caption))
    row = table.locator("tr").filter(has=page.locator("th", has_text=heading)).first
    return row.locator(f'td[data-label="{label}"]').first


REPORTS = [  # page, table caption, row heading, the lead cell, a figure cell after it
    ("/reinforcement/adherence/", "Adherence of each coach", "Mats Moberg", "Needs help",
     "Check-ins due"),
    ("/reinforcement/reviews/", "Managers under you", "Mats Moberg", "Your decision",
     "Held on time"),
    ("/courses/programs/{program}/readiness", "Readiness of each leader", "Liv Lindahl",
     "Attendance confirmed", None),
    ("/courses/sessions/reports/program/{program}", "per level, all sessions", "Manager",
     "Left early", "Registered"),
]


def test_leader_reads_status_and_action_first_on_a_phone(open_page, sign_in, leader_reports):
    people, program = leader_reports
    phone = open_page(**PHONE)
    sign_in(phone, people["leader"])
    for url, caption, heading, lead, figure in REPORTS:
        phone.goto(url.format(program=program))
        status = _card_cell(phone, caption, heading, lead)
        status_box = _within_the_screen(phone, status)
        if figure is not None:  # status comes before the figures in the card
            figure_box = _within_the_screen(phone, _card_cell(phone, caption, heading, figure))
            assert status_box["y"] < figure_box["y"], (url, status_box, figure_box)
        _no_sideways_scroll(phone)
    # Mats held no check-in: confirming his month asks for a note, on the review page.
    phone.goto("/reinforcement/reviews/")
    confirm = phone.get_by_role("link", name=re.compile(
        r"^No check-ins held: confirm with a note\s*for Mats Moberg$"))
    _within_the_screen(phone, confirm)
    confirm.tap()
    expect(phone.get_by_role("heading", name="Your decision")).to_be_visible()


def test_the_same_reports_are_tables_at_desk_size(open_page, sign_in, leader_reports):
    people, program = leader_reports
    desk = open_page(**DESK)
    sign_in(desk, people["leader"])
    for url, caption, heading, lead, figure in REPORTS:
        desk.goto(url.format(program=program))
        status = _card_cell(desk, caption, heading, lead)
        expect(status).to_be_visible()
        assert status.evaluate("cell => getComputedStyle(cell).display") == "table-cell"
        expect(desk.locator("table.table-stack thead").first).to_be_visible()
        if figure is not None:  # side by side in one row
            other = _card_cell(desk, caption, heading, figure).bounding_box()
            assert abs(status.bounding_box()["y"] - other["y"]) < 1
