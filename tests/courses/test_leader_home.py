"""Home asks leaders to act on a rollout: confirm the attendance of their people at a past
session (the session page says so too), write to the right level, and see each active
program's readiness."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from courses.live import services as live
from courses.live.models import LiveSession, ProgramStatus
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User
from lms.people.services import direct_reports_noun
from tests import factories
from tests.courses.factories_live import a_program

BANNER = "Your confirmation is needed"
_offset = iter(range(1, 10_000))


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _step(title: str) -> str:
    return f"Confirm attendance at “{title}”"


def held(org, title: str, *registrants: User, marked: bool = True,
         ago: timedelta = timedelta(days=1)) -> LiveSession:
    """A two-hour session that ended ``ago``, ``registrants`` marked attended (``marked``)."""
    starts = utcnow().replace(microsecond=0) + timedelta(days=next(_offset))
    session = live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2)), by=org.admin)
    for person in registrants:
        live.register(person, session, by=org.admin)
    session.ends_at = utcnow().replace(microsecond=0) - ago
    session.starts_at = session.ends_at - timedelta(hours=2)
    db.session.flush()
    if marked:
        live.mark_all_present(session, by=org.admin)
    return session


# --- attendance to confirm -------------------------------------------------------------------

def test_leader_whose_people_attended_a_past_session_is_asked_to_confirm(client, login, org):
    session = held(org, "Kick-off East", org.manager_a1, org.rep_a1a)
    login(org.leader_a)
    page = _home(client)
    assert _step("Kick-off East") in page
    assert f'href="/courses/sessions/{session.id}"' in page
    assert page.index(_step("Kick-off East")) < page.index("Check on your team")


def test_every_leader_above_the_people_is_asked_and_no_one_else(client, switch, org):
    held(org, "Kick-off East", org.rep_a1a)
    for person, asked in ((org.leader_a, True), (org.exec, True), (org.leader_b, False),
                          (org.manager_a1, False), (org.rep_a1a, False), (org.admin, False)):
        switch(person)
        assert (_step("Kick-off East") in _home(client)) is asked, person.name


def test_a_confirmed_session_is_no_longer_a_step(client, login, org):
    session = held(org, "Kick-off East", org.manager_a1)
    live.confirm(session, org.leader_a)
    login(org.leader_a)
    assert _step("Kick-off East") not in _home(client)


def test_a_dispute_waits_for_the_facilitator_then_the_step_comes_back(client, login, org):
    session = held(org, "Kick-off East", org.manager_a1)
    registration = live.roster(session)[0][0]
    disputed = live.dispute(session, org.leader_a, registration, "Dana left at noon.")
    login(org.leader_a)
    assert _step("Kick-off East") not in _home(client)
    live.resolve(disputed, org.admin, "Corrected.")
    assert _step("Kick-off East") in _home(client)


def test_future_unmarked_and_cancelled_sessions_are_not_steps(client, login, org):
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    upcoming = live.create_session(live.SessionData(
        title="Next week", starts_at=starts, ends_at=starts + timedelta(hours=2)), by=org.admin)
    live.register(org.manager_a1, upcoming, by=org.admin)
    held(org, "Not taken yet", org.manager_a1, marked=False)
    cancelled = held(org, "Called off", org.manager_a1)
    live.cancel_session(cancelled, by=org.admin)
    login(org.leader_a)
    page = _home(client)
    for title in ("Next week", "Not taken yet", "Called off"):
        assert _step(title) not in page


def test_the_session_page_shows_the_banner_until_the_leader_confirms(client, login, org):
    session = held(org, "Kick-off East", org.manager_a1)
    login(org.leader_a)
    page = _page(client, f"/courses/sessions/{session.id}")
    assert BANNER in page
    assert f'href="/courses/sessions/{session.id}/confirm"' in page
    client.post(f"/courses/sessions/{session.id}/confirm")
    assert BANNER not in _page(client, f"/courses/sessions/{session.id}")


def test_no_banner_for_people_who_have_nothing_to_confirm(client, switch, org):
    session = held(org, "Kick-off East", org.manager_a1)
    unmarked = held(org, "Not taken yet", org.manager_a1, marked=False)
    for person in (org.leader_b, org.manager_a1, org.admin):
        switch(person)
        assert BANNER not in _page(client, f"/courses/sessions/{session.id}")
    switch(org.leader_a)
    assert BANNER not in _page(client, f"/courses/sessions/{unmarked.id}")


def test_home_asks_for_the_three_latest_sessions_in_a_constant_number_of_queries(
        client, login, org, count_queries):
    held(org, "First", org.rep_a1a, ago=timedelta(days=9))
    login(org.leader_a)
    with count_queries() as one:
        _home(client)
    for number in range(6):
        held(org, f"More {number}", org.rep_a1a, org.rep_a2a, org.manager_a2,
             ago=timedelta(days=number + 1))
    with count_queries() as seven:
        page = _home(client)
    assert seven.count == one.count
    asked = [title for title in ("First", *(f"More {n}" for n in range(6)))
             if _step(title) in page]
    assert asked == ["More 0", "More 1", "More 2"]  # the three latest


# --- who "your people" are -------------------------------------------------------------------

def _upcoming(org, title: str, *registrants: User) -> LiveSession:
    starts = utcnow().replace(microsecond=0) + timedelta(days=10)
    session = live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2)), by=org.admin)
    for person in registrants:
        live.register(person, session, by=org.admin)
    return session


def test_an_executive_is_asked_to_write_to_their_leaders_a_leader_to_their_managers(
        client, switch, org):
    _upcoming(org, "Kick-off West", org.manager_a1)
    switch(org.exec)
    page = _home(client)
    assert "Write to your leaders about “Kick-off West”" in page
    assert "Write to your managers" not in page
    switch(org.leader_a)
    assert "Write to your managers about “Kick-off West”" in _home(client)


def test_direct_reports_are_named_by_their_levels_highest_first(org):
    assert direct_reports_noun(org.exec) == "leaders"
    assert direct_reports_noun(org.manager_a1) == "reps"
    factories.person(level="manager", manager=org.exec)
    factories.person(level="rep", manager=org.exec)
    assert direct_reports_noun(org.exec) == "leaders, managers and reps"
    assert direct_reports_noun(org.rep_a1a) == "people"


# --- readiness from Home ---------------------------------------------------------------------

def test_home_links_the_readiness_of_each_active_program(client, switch, org):
    active = a_program("East rollout")
    active.status = ProgramStatus.ACTIVE
    a_program("Still a draft")
    db.session.flush()
    for person in (org.admin, org.leader_a, org.exec):
        switch(person)
        page = _home(client)
        assert "See how ready “East rollout” is" in page
        assert f'href="/courses/programs/{active.id}/readiness"' in page
        assert "Still a draft" not in page
    for person in (org.manager_a1, org.rep_a1a):
        switch(person)
        assert "/readiness" not in _home(client)
