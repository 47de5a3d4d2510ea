"""Program waves keep their courses closed: the manager-first rule enforced everywhere."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from courses.live import programs
from courses.models import Enrollment, PrerequisiteKind
from courses.services import authoring, enrolment, player
from courses.unlocking import (
    LockReason,
    WaveLock,
    lock_reasons,
    lock_reasons_by_course,
    lock_reasons_for,
    waiting_on,
)
from lms.extensions import db
from lms.notify.models import Notification
from tests import factories
from tests.api_support import token_headers

TODAY = date.today()


@pytest.fixture
def courses(ctx, org):
    return {"w1": factories.course(title="Coaching Rhythm", audience=("manager",), by=org.admin),
            "w1b": factories.course(title="Pipeline Reviews", audience=("manager",),
                                    by=org.admin),
            "w2": factories.course(title="Discovery Calls", by=org.admin)}


def rollout(org, courses, *, status="active", starts=TODAY - timedelta(days=10),
            second_opens=None):
    program = programs.create_program(programs.ProgramData(
        name="Manager-first rollout", starts_on=starts, ends_on=TODAY + timedelta(days=90)),
        by=org.admin)
    first, second = programs.default_waves(program, [courses["w1"], courses["w1b"]],
                                           [courses["w2"]], by=org.admin)
    if second_opens is not None:
        second.opens_on = second_opens
    if status != "draft":
        programs.set_status(program, "active", by=org.admin)
    if status not in ("draft", "active"):
        programs.set_status(program, status, by=org.admin)
    db.session.flush()
    return program


@pytest.fixture
def program(org, courses):
    return rollout(org, courses)


def enrol(person, course, by):
    return enrolment.enrol(person, course, by=by, notify_person=False)


def complete(person, course, org) -> Enrollment:
    enrollment = enrol(person, course, org.admin)
    for lesson in course.current_version.lessons:
        player.complete_lesson(enrollment, lesson, by=person)
    return enrollment


def messages(course, person) -> list[str]:
    return [reason.message for reason in lock_reasons_for(course, person)]


def unlocked_notices(person) -> list[str]:
    return list(db.session.scalars(select(Notification.subject).where(
        Notification.recipient_id == person.id, Notification.kind == "course.unlocked")))


# --- the rule ----------------------------------------------------------------------------------

def test_rep_wave2_course_locked_until_manager_completes_wave1_then_opens(program, org,
                                                                          courses):
    rep, manager = org.rep_a1a, org.manager_a1
    enrol(rep, courses["w2"], org.admin)
    assert messages(courses["w2"], rep) == [
        "Opens when your manager, Dana Reyes, completes wave 1 of “Manager-first rollout”."]

    complete(manager, courses["w1"], org)
    assert messages(courses["w2"], rep)  # one wave-1 course is not the whole wave
    assert unlocked_notices(rep) == []

    complete(manager, courses["w1b"], org)
    assert messages(courses["w2"], rep) == []
    # The same "course unlocked" notification the prerequisites send, once.
    assert unlocked_notices(rep) == ["“Discovery Calls” is open for you"]
    # Another manager's reps still wait on theirs.
    assert messages(courses["w2"], org.rep_a2a)


def test_future_opening_date_locks_even_with_the_manager_done(org, courses):
    opens = TODAY + timedelta(days=7)
    day = f"{opens:%a} {opens.day} {opens:%b %Y}"  # "Tue 8 Dec 2026"
    rollout(org, courses, second_opens=opens)
    complete(org.manager_a1, courses["w1"], org)
    complete(org.manager_a1, courses["w1b"], org)
    assert messages(courses["w2"], org.rep_a1a) == [
        f"Opens on {day} (wave 2 of “Manager-first rollout”)."]
    # Before the date and before the manager: both said at once.
    assert messages(courses["w2"], org.rep_a2a) == [
        f"Opens on {day} (wave 2 of “Manager-first rollout”), once your "
        "manager, Max Manager, completes wave 1."]


def test_wave1_opening_in_the_future_locks_managers_too(org, courses):
    rollout(org, courses, starts=TODAY + timedelta(days=3))
    assert messages(courses["w1"], org.manager_a1)[0].startswith("Opens on ")
    assert messages(courses["w1"], org.leader_a)  # leaders are in wave 1's audience too


@pytest.mark.parametrize("status", ["draft", "cancelled", "completed"])
def test_program_that_is_not_active_does_not_lock(org, courses, status):
    rollout(org, courses, status=status, starts=TODAY + timedelta(days=3))
    assert messages(courses["w2"], org.rep_a1a) == []
    assert messages(courses["w1"], org.manager_a1) == []


def test_only_the_wave_audience_is_locked(program, org, courses):
    # Wave 2 is for reps: a manager taking the rep course, or someone with no manager, is free.
    assert messages(courses["w2"], org.manager_a1) == []
    loner = factories.person(name="No Manager")
    assert messages(courses["w2"], loner) == []


def test_reasons_come_after_prerequisites_and_are_wave_locks(program, org, courses):
    reasons = lock_reasons(courses["w2"], [org.rep_a1a, org.rep_b1a])
    assert all(isinstance(r, WaveLock) for found in reasons.values() for r in found)
    assert reasons[org.rep_b1a.id][0].pending_name == "Mia Manager"


# --- set-based ---------------------------------------------------------------------------------

def test_lock_reasons_cost_the_same_for_2_and_40_people(program, org, courses, count_queries):
    lock_reasons(courses["w2"], [org.rep_a1a])  # loads the course's (empty) prerequisites
    counts = []
    for size in (2, 40):
        people = [factories.person(manager=org.manager_a1) for _ in range(size)]
        with count_queries() as counter:
            reasons = lock_reasons(courses["w2"], people)
        assert all(reasons[p.id] for p in people)
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_lock_reasons_by_course_cost_the_same_for_1_and_6_courses(program, org, courses,
                                                                  count_queries):
    more = [factories.course(title=f"Rep course {n}", by=org.admin) for n in range(5)]
    programs.update_wave(program.waves[1], programs.WaveData(
        number=2, name="Reps", opens_on=program.starts_on, audience=["rep"],
        course_ids=[courses["w2"].id] + [c.id for c in more], requires_manager_previous=True),
        by=org.admin)
    for course in (courses["w2"], *more):  # prerequisites and waves together
        authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION, courses["w1"],
                                   by=org.admin)
    db.session.flush()
    counts = []
    for chosen in ([courses["w2"]], [courses["w2"], *more]):
        with count_queries() as counter:
            reasons = lock_reasons_by_course(org.rep_a1a, chosen)
        assert all(reasons[c.id] for c in chosen)
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert [type(r) for r in lock_reasons_by_course(org.rep_a1a, more[:1])[more[0].id]] == [
        LockReason, WaveLock]


# --- enforced where lock reasons are respected -------------------------------------------------

def test_player_refuses_the_locked_lesson_and_completion(client, login, program, org, courses):
    rep = org.rep_a1a
    enrol(rep, courses["w2"], org.admin)
    db.session.commit()
    login(rep)
    lesson = courses["w2"].current_version.lessons[0]
    url = f"/courses/{courses['w2'].slug}/lessons/{lesson.key}"
    page = client.get(url)
    assert page.status_code == 403
    assert "completes wave 1 of “Manager-first rollout”" in page.get_data(as_text=True)
    done = client.post(url + "/complete", headers={"Accept": "application/json"})
    assert done.status_code == 403
    assert "wave 1" in done.get_json()["errors"]["request"][0]


def test_catalog_and_course_page_show_the_wave_lock(client, login, program, org, courses):
    enrol(org.rep_a1a, courses["w2"], org.admin)
    db.session.commit()
    login(org.rep_a1a)
    catalog = client.get("/courses/").get_data(as_text=True)
    assert "Locked" in catalog.split("Discovery Calls", 1)[1][:600]
    detail = client.get(f"/courses/{courses['w2'].slug}").get_data(as_text=True)
    assert "This course is locked" in detail and "wave 1 of" in detail


def test_api_lists_the_wave_lock_on_my_enrolments(client, program, org, courses):
    enrol(org.rep_a1a, courses["w2"], org.admin)
    items = client.get("/api/v1/courses/me/enrollments",
                       headers=token_headers(org.rep_a1a, ["courses:read"])).get_json()["items"]
    assert items[0]["locked"] is True
    assert items[0]["lock_reasons"] == [
        "Opens when your manager, Dana Reyes, completes wave 1 of “Manager-first rollout”."]


def test_manager_sees_reps_waiting_on_their_wave(client, login, program, org, courses):
    enrol(org.rep_a1a, courses["w2"], org.admin)
    enrol(org.rep_b1a, courses["w2"], org.admin)  # another team
    assert [(p.name, c.title) for p, c in waiting_on(org.manager_a1)] == [
        ("Rita Rep", "Discovery Calls")]
    db.session.commit()
    login(org.manager_a1)
    page = client.get(f"/courses/{courses['w1'].slug}").get_data(as_text=True)
    assert "Waiting on you" in page and "Rita Rep" in page and "Raj Rep" not in page
    complete(org.manager_a1, courses["w1"], org)
    complete(org.manager_a1, courses["w1b"], org)
    assert waiting_on(org.manager_a1) == []
