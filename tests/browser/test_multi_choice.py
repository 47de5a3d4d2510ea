"""Multi-choice fields in the browser: an admin ticks a wave's audience levels and course, saves
it, saves it again unchanged, and builds an assessment by ticking a question bank, on a desk
and on a phone. Each saved result is read back from the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assessments.models import Assessment
from courses.live import programs
from courses.live.models import Program
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User
from tests import factories
from tests.assessments import factories_quiz as quiz_make

pytestmark = pytest.mark.browser

SIZES = {
    "desk": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _tick(page: Page, legend: str, label: str) -> None:
    """Tick ``label`` in the checkbox list headed ``legend`` by tapping its label."""
    box = page.get_by_role("group", name=legend).get_by_role("checkbox", name=label, exact=True)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


@pytest.mark.parametrize("size", SIZES)
def test_wave_and_assessment_are_built_by_ticking(open_page, sign_in, seed, live_server,
                                                  size):
    def build():
        admin = db.session.get(User, live_server.people["admin"].id)
        today = utcnow().date()
        program = programs.create_program(programs.ProgramData(
            name=f"Rollout {size}", starts_on=today, ends_on=today + timedelta(days=90)),
            by=admin)
        course = factories.course(title=f"Coaching basics {size}", by=admin)
        quizzed = factories.course(title=f"Discovery {size}", lessons=1, by=admin)
        pool = quiz_make.bank(quizzed, title=f"Openers {size}")
        quiz_make.question(pool)
        quiz_make.question(pool)
        return program.id, course.id, quizzed.id, pool.id

    program_id, course_id, quizzed_id, pool_id = seed(build)
    page = open_page(**SIZES[size])
    sign_in(page, live_server.people["admin"])

    page.goto(f"/courses/programs/{program_id}")
    page.get_by_role("link", name="Add a wave").click()
    page.get_by_label("Name", exact=True).fill("Managers and reps")
    _tick(page, "Audience levels", "Rep")
    leader = page.get_by_role("group", name="Audience levels").get_by_role(
        "checkbox", name="Leader", exact=True)
    expect(leader).to_be_checked()  # the default audience shows ticked
    leader.press("Space")  # the keyboard unticks it
    expect(leader).not_to_be_checked()
    _tick(page, "Courses (published)", f"Coaching basics {size}")
    # Nothing of the form is cut off or scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Wave saved.")).to_be_visible()

    def saved_wave():
        program = db.session.get(Program, program_id)
        (wave,) = program.waves
        return wave.id, set(filter(None, wave.audience.split(","))), [c.id for c in wave.courses]

    wave_id, audience, courses = seed(saved_wave)
    assert audience == {"rep", "manager"} and courses == [course_id]

    page.get_by_role("link", name="Edit wave").click()
    expect(page.get_by_role("checkbox", name="Rep", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name=f"Coaching basics {size}")).to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Wave saved.")).to_be_visible()
    assert seed(saved_wave) == (wave_id, audience, courses)

    page.goto(f"/assessments/courses/{quizzed_id}/quizzes/new")
    page.get_by_label("Title", exact=True).fill(f"Discovery check {size}")
    _tick(page, "Draw from these banks", f"Openers {size}")
    page.get_by_label("Questions per attempt").fill("2")
    page.get_by_role("button", name="Create assessment").click()
    expect(page.get_by_role("alert").filter(has_text="Choose at least one")).to_have_count(0)

    def saved_assessment():
        made = db.session.scalar(select(Assessment).where(
            Assessment.title == f"Discovery check {size}"))
        return made and [source.bank_id for source in made.sources]

    assert seed(saved_assessment) == [pool_id]
