"""Home asks a leader to review last month's coaching of their managers, by a due date.

"Now" is pinned for the Home step: early April 2030, so the month to review is March 2030
and its review is due on 10 April.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from html import unescape

import pytest

from reinforcement.leaders import nextsteps, reviews
from reinforcement.leaders.adherence import Period
from reinforcement.leaders.models import ReviewDecision
from tests import factories
from tests.reinforcement.leaders import factories as make
from tests.reinforcement.leaders.factories import MARCH

APRIL_5 = datetime(2030, 4, 5, 9, 0, tzinfo=UTC)
APRIL_12 = datetime(2030, 4, 12, 9, 0, tzinfo=UTC)
STEP = "Review your managers' coaching in March 2030"


@pytest.fixture
def today(monkeypatch):
    """Pin the Home step's clock to ``when``."""
    def pin(when: datetime) -> None:
        monkeypatch.setattr(nextsteps, "utcnow", lambda: when)
    pin(APRIL_5)
    return pin


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_the_month_to_review_is_the_last_complete_one_and_due_on_the_tenth_after():
    assert reviews.last_complete_month(date(2030, 4, 5)) == Period("month", MARCH)
    assert reviews.last_complete_month(date(2030, 1, 31)).start == date(2029, 12, 1)
    assert reviews.review_due_on(Period("month", MARCH)) == date(2030, 4, 10)
    assert reviews.review_due_on(Period("month", date(2029, 12, 1))) == date(2030, 1, 10)


def test_leader_is_asked_to_review_last_month_with_its_due_date(client, login, org, today):
    login(org.leader_a)
    page = _home(client)
    assert STEP in page
    assert "Due Wed 10 Apr 2030: all 2 managers under you wait for your decision." in page
    assert 'href="/reinforcement/reviews/?month=2030-03"' in page
    assert page.index(STEP) < page.index("Check on your team")  # before the team overview


def test_the_step_counts_the_managers_still_waiting_and_goes_once_all_are_reviewed(
        client, login, org, today):
    make.review(org.leader_a, org.manager_a1, decision=ReviewDecision.CONFIRMED)
    login(org.leader_a)
    assert "1 of the 2 managers under you waits for your decision" in _home(client)
    make.review(org.leader_a, org.manager_a2)  # feedback is a decision too
    assert STEP not in _home(client)


def test_a_review_of_another_month_or_by_another_leader_does_not_count(
        client, login, org, today):
    make.review(org.leader_a, org.manager_a1, month=date(2030, 2, 1))
    make.review(org.exec, org.manager_a2, decision=ReviewDecision.CONFIRMED)
    login(org.leader_a)
    assert "all 2 managers under you wait" in _home(client)


def test_past_the_due_date_the_step_says_it_is_overdue(client, login, org, today):
    today(APRIL_12)
    login(org.leader_b)
    page = _home(client)
    assert f"{STEP}: overdue" in page
    assert "It was due Wed 10 Apr 2030; the manager under you waits for your decision." in page


def test_an_executive_reviews_every_manager_under_them(client, login, org, today):
    login(org.exec)
    assert "all 3 managers under you wait for your decision" in _home(client)


def test_managers_reps_and_a_leader_without_managers_are_not_asked(
        client, login, org, today):
    lone = factories.person(level="leader", name="Lone Leader")
    for person in (org.manager_a1, org.rep_a1a, lone):
        login(person)
        assert "Review your managers' coaching" not in _home(client)
        client.post("/logout")


def test_the_step_opens_the_review_of_that_month(client, login, org, today):
    login(org.leader_a)
    page = client.get("/reinforcement/reviews/?month=2030-03").get_data(as_text=True)
    assert "Review managers: March 2030" in page
    assert "Dana Reyes" in page and "Max Manager" in page


def test_the_review_page_opens_on_the_last_complete_month_by_default(client, login, org):
    login(org.leader_a)
    page = client.get("/reinforcement/reviews/").get_data(as_text=True)
    expected = reviews.last_complete_month(datetime.now(UTC).date())
    assert f"Review managers: {expected.label}" in page


def test_the_review_step_costs_the_same_queries_for_two_managers_or_twelve(
        client, login, org, today, count_queries):
    login(org.leader_a)
    with count_queries() as two:
        _home(client)
    for _ in range(10):
        factories.person(level="manager", manager=org.leader_a)
    with count_queries() as twelve:
        assert "all 12 managers under you wait" in _home(client)
    assert twelve.count == two.count
