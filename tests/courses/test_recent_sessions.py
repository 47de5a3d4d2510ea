"""Sessions that have ended: the list's "Recently ended" section and a past session's page.

The facilitator finds the roster and the leaders find the confirmation page there; a session
that has started takes no registrations, so its page offers none.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from courses.live import services as live
from courses.live.models import LiveSession
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User
from tests import factories

RECENT = "Recently ended"


@pytest.fixture
def facilitator(session):
    return factories.person(level="manager", is_facilitator=True, name="Fran Facilitator")


_offset = iter(range(1, 10_000))


def ended(by: User, title: str, *, facilitator: User | None = None,
          registrants: tuple[User, ...] = (), ago: timedelta = timedelta(days=1),
          cancelled: bool = False) -> LiveSession:
    """A two-hour session that ended ``ago`` (scheduled ahead, registered, then moved)."""
    starts = utcnow().replace(microsecond=0) + timedelta(days=next(_offset))
    session = live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
        facilitator=facilitator), by=by)
    for person in registrants:
        live.register(person, session, by=by)
    if cancelled:
        live.cancel_session(session, by=by)
    session.ends_at = utcnow().replace(microsecond=0) - ago
    session.starts_at = session.ends_at - timedelta(hours=2)
    db.session.flush()
    return session


def recent_part(client) -> str:
    """The part of the sessions list after the "Recently ended" heading ('' without one)."""
    page = client.get("/courses/sessions").get_data(as_text=True)
    return page.partition(f">{RECENT}</h2>")[2]


@pytest.fixture
def past(org, facilitator):
    return {
        "ran": ended(org.admin, "Ran by Fran", facilitator=facilitator,
                     registrants=(org.rep_a1a,)),
        "branch_b": ended(org.admin, "Branch B only", registrants=(org.rep_b1a,)),
        "long_ago": ended(org.admin, "Long ago", registrants=(org.rep_a1a,),
                          ago=timedelta(days=40)),
        "cancelled": ended(org.admin, "Called off", registrants=(org.rep_a1a,),
                           cancelled=True),
    }


@pytest.mark.parametrize(("who", "shown"), [
    ("facilitator", {"Ran by Fran"}),
    ("leader_a", {"Ran by Fran"}),  # Rita, under Lena, was registered
    ("rep_a1a", {"Ran by Fran"}),  # her own registration
    ("leader_b", {"Branch B only"}),
    ("admin", {"Ran by Fran", "Branch B only"}),
])
def test_recently_ended_lists_sessions_people_ran_or_had_people_in(client, login, org,
                                                                   facilitator, past, who,
                                                                   shown):
    login(facilitator if who == "facilitator" else getattr(org, who))
    part = recent_part(client)
    titles = {"Ran by Fran", "Branch B only", "Long ago", "Called off"}
    assert {title for title in titles if title in part} == shown


def test_recently_ended_is_left_out_for_someone_with_nobody_in_a_past_session(
        client, login, org, past):
    login(org.rep_a2a)
    page = client.get("/courses/sessions").get_data(as_text=True)
    assert RECENT not in page and "Ran by Fran" not in page


def test_recently_ended_costs_the_same_queries_for_one_session_and_ten(
        client, login, org, count_queries):
    ended(org.admin, "Only one", registrants=(org.rep_a1a,))
    login(org.leader_a)
    with count_queries() as one:
        assert "Only one" in recent_part(client)
    for number in range(9):
        ended(org.admin, f"More {number}", registrants=(org.rep_a1a, org.rep_a2a))
    with count_queries() as ten:
        part = recent_part(client)
    assert part.count('href="/courses/sessions/') == 10
    assert ten.count == one.count


def test_a_session_that_has_started_offers_no_registration(client, login, org, past):
    login(org.leader_a)
    page = client.get(f"/courses/sessions/{past['ran'].id}").get_data(as_text=True)
    assert "Registration is closed: the session has started." in page
    assert ">Register<" not in page and "Register them" not in page
    assert "Write to your people" not in page  # a communication about it is refused
    assert "Confirm attendance" in page
