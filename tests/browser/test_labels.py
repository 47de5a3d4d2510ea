"""A manager's check-in page reads plainly: each agenda topic says where it comes from and a
near meeting reads "tomorrow 09:00", with the full date kept in the <time> element's title.

At a desk size and at a phone size.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User
from lms.web import dates
from reinforcement.checkins.models import CheckIn
from reinforcement.plans import services as plans
from tests.reinforcement.plans.factories import plan, program

pytestmark = pytest.mark.browser

SIZES = {
    "desk": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _plan_starting_tomorrow(people: dict, name: str) -> tuple[int, str]:
    """Start a one-week plan for Dana's team tomorrow at 09:00 on her clock: the id of her
    first check-in and its full date."""
    admin = db.session.get(User, people["admin"].id)
    coach = db.session.get(User, people["manager_a1"].id)
    made = plan(admin, of=program(admin, name=f"Labels rollout ({name})"),
                title=f"Labels plan ({name})", weeks=1, agenda_template="Wins\nObstacles")
    tomorrow = dates.local(utcnow(), coach.zone).date() + timedelta(days=1)
    team = plans.start_plan(made, coach, starts_on=tomorrow, local_time="09:00", by=coach)
    first = db.session.scalars(select(CheckIn).where(CheckIn.plan_team_id == team.id)
                               .order_by(CheckIn.scheduled_at, CheckIn.id)).first()
    return first.id, dates.full(first.scheduled_at, coach.zone)


@pytest.mark.parametrize("size", list(SIZES))
def test_check_in_page_names_the_template_and_says_tomorrow(size, open_page, live_server, seed,
                                                             sign_in):
    people = live_server.people
    check_in_id, full = seed(lambda: _plan_starting_tomorrow(people, size))
    page = open_page(**SIZES[size])
    sign_in(page, people["manager_a1"])
    page.goto(f"/reinforcement/check-ins/{check_in_id}")

    agenda = page.get_by_role("region", name="Agenda").get_by_role("listitem")
    expect(agenda).to_have_count(2)
    source = f"From the agenda template of the plan “Labels plan ({size})”"
    for item, topic in zip(agenda.all(), ("Wins", "Obstacles"), strict=True):
        expect(item).to_contain_text(topic)
        expect(item.get_by_text(source)).to_be_visible()
    expect(page.get_by_text("(removed)")).to_have_count(0)

    when = page.locator("dd time").first
    expect(when).to_have_text("tomorrow 09:00")
    expect(when).to_be_visible()
    expect(when).to_have_attribute("title", full)
    expect(when).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT09:00"))
