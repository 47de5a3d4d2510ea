"""The user guide's tour: each role's first pages on the demo organisation, at desk and phone.

Every stop opens a page a person of that role uses for their job and checks it answered with
its heading, so the guide's pictures are of pages that work. With ``CADENCE_GUIDE_SHOTS`` set
to a folder (``make guide-shots`` sets it to the documentation's image folder) each stop is
also saved as ``<role>-<stop>-<size>.png``; otherwise the pictures go to a temporary folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from courses.live.models import LiveSession, Program
from courses.models import Course, Enrollment
from lms.demo import DEMO_PASSWORD, load_demo
from lms.extensions import db
from lms.people.models import Level, User
from reinforcement.checkins.models import CheckIn, CheckInStatus
from tests.live import live_app, serving

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SIZES = {"desk": DESK, "phone": PHONE}


@dataclass(frozen=True)
class Stop:
    name: str  # the picture's file name part
    path: str
    heading: str | re.Pattern  # the page's h1


@dataclass(frozen=True)
class Tour:
    role: str
    email: str
    stops: tuple[Stop, ...]
    phone_stops: tuple[str, ...]  # names of the stops also pictured on a phone


@dataclass(frozen=True)
class DemoServer:
    url: str
    tours: dict[str, Tour]


def _one(statement) -> int:
    found = db.session.scalar(statement)
    assert found is not None, f"the demo data lacks {statement}"
    return found


def _waiting_rep():
    """A rep whose course still waits for their manager: the guide shows a lock's reason."""
    rep_course = aliased(Enrollment)
    manager_course = aliased(Enrollment)
    return (select(User.id).join(rep_course, rep_course.user_id == User.id)
            .join(Course, Course.id == rep_course.course_id)
            .where(User.level == Level.REP, Course.slug == "discovery-conversations",
                   rep_course.completed_at.is_(None),
                   ~exists().where(manager_course.user_id == User.manager_id,
                                   manager_course.completed_at.is_not(None)))
            .order_by(User.id).limit(1))


def _tours() -> dict[str, Tour]:
    """The guide's stops, found in the demo data the way a person would reach them."""
    def person(email: str) -> User:
        return db.session.scalars(select(User).where(User.email == email)).one()

    manager, leader = person("manager1@cadence.example"), person("leader1@cadence.example")
    rep = db.session.get(User, _one(_waiting_rep()))
    program = _one(select(Program.id).order_by(Program.id))
    session = _one(select(LiveSession.id).where(LiveSession.program_id == program)
                   .order_by(LiveSession.starts_at))
    manager_course, rep_course = "coaching-rhythm", "discovery-conversations"
    course_id = _one(select(Course.id).where(Course.slug == rep_course))
    check_in = _one(select(CheckIn.id).where(CheckIn.coach_id == manager.id,
                                             CheckIn.status == CheckInStatus.SCHEDULED)
                    .order_by(CheckIn.scheduled_at))
    home = Stop("home", "/", re.compile(r"^Hello, "))
    return {tour.role: tour for tour in (
        Tour("rep", rep.email, (
            home,
            Stop("catalog", "/courses/", re.compile("^Courses")),
            Stop("course", f"/courses/{rep_course}", re.compile("^Discovery")),
        ), ("home", "course")),
        Tour("manager", manager.email, (
            home,
            Stop("course", f"/courses/{manager_course}", re.compile("^Coaching Rhythm")),
            Stop("week", "/reinforcement/", "Coaching"),
            Stop("check-in", f"/reinforcement/check-ins/{check_in}", re.compile("Check-in")),
            Stop("team-goals", "/reinforcement/goals/team", re.compile("goals", re.I)),
        ), ("home", "check-in")),
        Tour("leader", leader.email, (
            home,
            Stop("adherence", "/reinforcement/adherence/", "Rhythm adherence"),
            Stop("review", f"/reinforcement/reviews/managers/{manager.id}", re.compile(
                manager.name)),
            Stop("session", f"/courses/sessions/{session}", re.compile(".")),
            Stop("readiness", f"/courses/programs/{program}/readiness",
                 re.compile("readiness", re.I)),
        ), ("home", "adherence")),
        Tour("executive", "cso@cadence.example", (
            home,
            Stop("programs", "/courses/programs", "Programs"),
            Stop("program", f"/courses/programs/{program}", re.compile(".")),
            Stop("attendance", f"/courses/sessions/reports/program/{program}",
                 re.compile("attendance", re.I)),
            Stop("readiness", f"/courses/programs/{program}/readiness",
                 re.compile("readiness", re.I)),
        ), ("home", "readiness")),
        Tour("admin", "admin@cadence.example", (
            home,
            Stop("authoring", "/courses/manage/", re.compile("course", re.I)),
            Stop("outline", f"/courses/manage/{course_id}", re.compile("^Discovery")),
            Stop("people", "/people/", re.compile("^People")),
        ), ("home",)),
        Tour("facilitator", "admin@cadence.example", (
            Stop("roster", f"/courses/sessions/{session}/roster", re.compile(".")),
        ), ("roster",)),
    )}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[DemoServer]:
    """The demo organisation, served like ``make run`` serves it, on a SQLite file."""
    folder = tmp_path_factory.mktemp("guide")
    app: Flask = live_app(folder, f"sqlite:///{folder / 'demo.db'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        load_demo()
        db.session.commit()
        tours = _tours()
    with serving(app) as url:
        yield DemoServer(url, tours)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("CADENCE_GUIDE_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("guide-shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
    page.wait_for_load_state("load")  # left before its styles load, a page reads as unstyled


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ["rep", "manager", "leader", "executive", "admin",
                                  "facilitator"])
def test_each_role_tours_their_pages_on_the_demo_data(role: str, size: str, demo_server,
                                                       shots: Path,
                                                       open_page: Callable[..., Page]):
    tour = demo_server.tours[role]
    page = open_page(**SIZES[size])
    _sign_in(page, demo_server.url, tour.email)
    stops = [stop for stop in tour.stops if size == "desk" or stop.name in tour.phone_stops]
    assert stops, f"the {role} tour has no stop at {size} size"
    for stop in stops:
        response = page.goto(demo_server.url + stop.path)
        assert response is not None and response.status == 200, f"{stop.path}: {response}"
        expect(page.locator("h1")).to_have_text(stop.heading)
        page.wait_for_load_state("load")
        picture = shots / f"{role}-{stop.name}-{size}.png"
        page.screenshot(path=picture)
        assert picture.stat().st_size > 0
