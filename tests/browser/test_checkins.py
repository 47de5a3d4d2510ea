"""A coach in a live check-in: notes saved with one click, and a warning before text is lost.

Both journeys run at a desk size and at a phone size.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from lms.extensions import db
from lms.people.models import User
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.browser

SIZES = {
    "desk": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _box(page: Page, name: str) -> Locator:
    return page.get_by_role("textbox", name=name, exact=True)


@pytest.fixture(params=list(SIZES))
def coach_page(request, open_page, live_server, seed, sign_in) -> Page:
    """Dana, signed in at the given size, on a new check-in with Rita."""
    people = live_server.people
    check_in_id = seed(lambda: make.check_in(
        db.session.get(User, people["manager_a1"].id),
        db.session.get(User, people["rep_a1a"].id), days=0.1).id)
    page = open_page(**SIZES[request.param])
    sign_in(page, people["manager_a1"])
    page.goto(f"/reinforcement/check-ins/{check_in_id}")
    expect(page.get_by_role("heading", name="Check-in with Rita Rep")).to_be_visible()
    page.wait_for_load_state("load")  # the warning's script is at the end of the body
    return page


def test_coach_saves_shared_and_private_notes_with_one_click(coach_page):
    page = coach_page
    _box(page, "Shared notes").fill("Agreed: two proposals by Friday")
    _box(page, "Private notes").fill("Ask about the Acme deal next time")
    saves = page.get_by_role("button", name=re.compile(r"^Save"))
    expect(saves).to_have_count(1)
    saves.click()
    expect(page.get_by_text("Notes saved")).to_be_visible()

    page.reload()
    expect(_box(page, "Shared notes")).to_have_value("Agreed: two proposals by Friday")
    expect(_box(page, "Private notes")).to_have_value(
        "Ask about the Acme deal next time")


def test_leaving_with_unsaved_notes_asks_first_and_a_save_clears_the_warning(coach_page):
    page = coach_page
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    _box(page, "Private notes").fill("Worried about the quarter")
    start = page.url
    page.get_by_role("link", name="Check-ins", exact=True).click()
    expect(_box(page, "Private notes")).to_have_value("Worried about the quarter")
    assert asked == ["beforeunload"]
    assert page.url == start

    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_text("Notes saved")).to_be_visible()
    page.get_by_role("link", name="Check-ins", exact=True).click()
    expect(page).to_have_url(re.compile(r"/reinforcement/check-ins\?role=mine$"))
    assert asked == ["beforeunload"]
