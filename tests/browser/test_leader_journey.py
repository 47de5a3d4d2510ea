"""A leader's and an executive's journey from Home, at desk and phone sizes: confirm the
attendance of their people at a past session (the session page asks for it), review last
month's coaching of the managers under them, then open Programs from the navigation, a
program's report and its readiness.

Each run seeds a branch of its own (an executive at its top, nobody above), so the steps on
Home are this branch's alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from courses.live import programs
from courses.live import services as live
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User
from reinforcement.leaders import reviews
from tests import factories
from tests.browser.conftest import Account
from tests.reinforcement.leaders import factories as factories_leaders

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SIZES = {"desk": DESK, "phone": PHONE}


def _branch(tag: str) -> dict[str, User]:
    """executive ── leader ── two managers ── a rep each; names carry ``tag``."""
    executive = factories.person(level=Level.EXECUTIVE, name=f"Eve Exec {tag}")
    leader = factories.person(level=Level.LEADER, manager=executive, name=f"Leo Lead {tag}")
    people = {"executive": executive, "leader": leader}
    for number in (1, 2):
        manager = factories.person(level=Level.MANAGER, manager=leader,
                                   name=f"Manager {number} {tag}")
        people[f"manager{number}"] = manager
        people[f"rep{number}"] = factories.person(manager=manager, name=f"Rep {number} {tag}")
    return people


def _held_session(admin: User, title: str, registrants: list[User]):
    """A session that ended yesterday, everyone marked present by the admin."""
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=3)
    session = live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2)), by=admin)
    for person in registrants:
        live.register(person, session, by=admin)
    session.starts_at = starts - timedelta(days=4)
    session.ends_at = session.starts_at + timedelta(hours=2)
    db.session.flush()
    live.mark_all_present(session, by=admin)
    return session


def _coached_last_month(people: dict[str, User]) -> str:
    """Each manager held a check-in in the last complete month; its label."""
    month = reviews.last_complete_month(utcnow().date())
    when = datetime.combine(month.start.replace(day=5), time(9), tzinfo=UTC)
    for number in (1, 2):
        factories_leaders.check_in(people[f"manager{number}"], people[f"rep{number}"], when,
                                   held_at=when)
    return month.label


def _seed(live_server, tag: str):
    admin = db.session.get(User, live_server.people["admin"].id)
    people = _branch(tag)
    program = programs.create_program(programs.ProgramData(
        name=f"Rollout {tag}", starts_on=utcnow().date() + timedelta(days=1),
        ends_on=utcnow().date() + timedelta(days=90)), by=admin)
    programs.set_status(program, "active", by=admin)
    held = _held_session(admin, f"Kick-off {tag}",
                         [people["manager1"], people["manager2"], people["rep1"]])
    programs.link_session(program, held, None, by=admin)
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=10)
    upcoming = live.create_session(live.SessionData(
        title=f"Practice lab {tag}", starts_at=starts, ends_at=starts + timedelta(hours=2)),
        by=admin)
    live.register(people["rep2"], upcoming, by=admin)
    month = _coached_last_month(people)
    accounts = {key: Account(p.id, p.name, p.email) for key, p in people.items()}
    return accounts, program.name, held.title, upcoming.title, month


def _step(page: Page, action: str, title: str):
    """The button of a step on Home (its visually hidden part repeats the step's title)."""
    return page.get_by_role("link", name=re.compile(
        rf"^{re.escape(action)}\s*: {re.escape(title)}$"))


def _home(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Cadence", exact=True).click()
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()


def _nav(page: Page, name: str, *, phone: bool) -> None:
    nav = page.get_by_role("navigation", name="Main")
    if phone:
        nav.get_by_role("button", name="Show navigation").click()
    nav.get_by_role("link", name=name, exact=True).click()


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def _confirm_attendance(page: Page, session: str, *, phone: bool) -> None:
    step = f"Confirm attendance at “{session}”"
    _step(page, "Confirm", step).click()
    expect(page.get_by_role("heading", name=session, level=1)).to_be_visible()
    banner = page.get_by_role("region", name="Your confirmation is needed")
    expect(banner).to_be_visible()
    if phone:
        _no_sideways_scroll(page)
    banner.get_by_role("link", name="Check and confirm").click()
    expect(page.get_by_role("heading", name="Your people's attendance")).to_be_visible()
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Attendance confirmed.")).to_be_visible()
    page.get_by_role("link", name=session, exact=True).click()  # the breadcrumb
    expect(page.get_by_role("heading", name=session, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Your confirmation is needed")).to_have_count(0)
    _home(page)
    expect(_step(page, "Confirm", step)).to_have_count(0)


def _review_last_month(page: Page, month: str, managers: list[str]) -> None:
    step = f"Review your managers' coaching in {month}"
    expect(page.get_by_text(re.compile(
        rf"^Due \w{{3}} 10 \w{{3}} \d{{4}}: all {len(managers)} managers under you wait"))
    ).to_be_visible()
    _step(page, "Review", step).click()
    expect(page.get_by_role("heading", name=f"Review managers: {month}")).to_be_visible()
    for name in managers:
        page.get_by_role("button", name=f"Confirm {name}", exact=True).click()
        expect(page.get_by_text(f"Confirmed {name}'s coaching for {month}.")).to_be_visible()
    _home(page)
    expect(_step(page, "Review", step)).to_have_count(0)


def _program_to_readiness(page: Page, program: str, *, phone: bool) -> None:
    _nav(page, "Programs", phone=phone)
    expect(page.get_by_role("heading", name="Programs", level=1)).to_be_visible()
    page.get_by_role("link", name=program, exact=True).click()
    expect(page.get_by_role("heading", name=program, level=1)).to_be_visible()
    page.get_by_role("link", name="Attendance by level").click()
    expect(page.get_by_role("heading", name=f"Attendance: {program}", level=1)).to_be_visible()
    page.get_by_role("link", name="Readiness", exact=True).click()
    expect(page.get_by_role("heading", name=f"Readiness: {program}", level=1)).to_be_visible()
    # This person's confirmation counts: the checklist (whole or per leader) says so.
    expect(page.get_by_role("main")).to_contain_text("1 of 1 past sessions confirmed.")
    if phone:
        _no_sideways_scroll(page)
    _home(page)
    _step(page, "Readiness", f"See how ready “{program}” is").click()
    expect(page.get_by_role("heading", name=f"Readiness: {program}", level=1)).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role, readers", [("leader", "managers"), ("executive", "leaders")])
def test_leader_confirms_attendance_reviews_last_month_and_finds_program_readiness(
        open_page, live_server, sign_in, seed, role, readers, size):
    tag = f"{role} {size}"
    people, program, session, upcoming, month = seed(lambda: _seed(live_server, tag))
    phone = size == "phone"
    page = open_page(**SIZES[size])
    sign_in(page, people[role])
    expect(_step(page, "Write", f"Write to your {readers} about “{upcoming}”")).to_be_visible()
    if phone:
        _no_sideways_scroll(page)

    _confirm_attendance(page, session, phone=phone)
    _review_last_month(page, month, [people["manager1"].name, people["manager2"].name])
    _program_to_readiness(page, program, phone=phone)
