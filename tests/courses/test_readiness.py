"""Program readiness: the checklist figures, who sees which leaders, the page, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from courses.live import readiness
from courses.live.models import (
    Attendance,
    AttendanceConfirmation,
    AttendanceStatus,
    CommunicationStatus,
    ConfirmationStatus,
    Program,
    Registration,
    SessionStatus,
)
from courses.models import Enrollment, EnrollmentStatus
from lms.extensions import db
from lms.people.models import Level
from tests import factories
from tests.courses.factories_live import NOW, a_program, a_session, message, register


def attend(live, person, status: AttendanceStatus) -> None:
    registration = db.session.query(Registration).filter_by(session=live, user=person).one()
    db.session.add(Attendance(registration=registration, status=status))
    db.session.flush()


def confirm(live, leader, status=ConfirmationStatus.CONFIRMED) -> None:
    db.session.add(AttendanceConfirmation(session=live, leader=leader, status=status))
    db.session.flush()


def enrol(person, course, *, done: bool) -> None:
    enrollment = Enrollment(course=course, user=person, status=EnrollmentStatus.ACTIVE)
    if done:
        enrollment.complete(NOW)
    db.session.add(enrollment)
    db.session.flush()


@pytest.fixture
def rollout(org):
    """A program with a past wave-1 session and an upcoming wave-2 one.

    Kick-off (3 days ago): the executive, both leaders and all managers; exec and leader_a
    stayed, leader_b left early; only leader_a confirmed (leader_b disputed). Reps day (in
    20 days): rep_a1a, rep_a1b and rep_b1a; leader_a wrote about wave 2, nobody else did.
    rep_a2a is registered nowhere. Wave 1's course: leader_a, manager_a1 and manager_b1
    completed it, manager_a2 has not; rep_a1a is enrolled in wave 2's course.
    """
    program = a_program()
    wave1, wave2 = program.waves
    wave1.courses = [factories.course(title="Coaching rhythm", audience=("manager",),
                                      by=org.admin)]
    wave2.courses = [factories.course(title="Discovery calls", by=org.admin)]
    kickoff = a_session(program, days=-3, title="Kick-off", wave=wave1)
    reps_day = a_session(program, days=20, title="Reps day", wave=wave2)
    gone = a_session(program, days=5, title="Cancelled", status=SessionStatus.CANCELLED)
    register(kickoff, org.exec, org.leader_a, org.leader_b, org.manager_a1, org.manager_a2,
             org.manager_b1)
    register(reps_day, org.rep_a1a, org.rep_a1b, org.rep_b1a)
    register(gone, org.rep_a2a)
    attend(kickoff, org.exec, AttendanceStatus.ATTENDED)
    attend(kickoff, org.leader_a, AttendanceStatus.ATTENDED)
    attend(kickoff, org.leader_b, AttendanceStatus.LEFT_EARLY)
    confirm(kickoff, org.leader_a)
    confirm(kickoff, org.leader_b, ConfirmationStatus.DISPUTED)
    message(org.leader_a, session=kickoff)
    message(org.leader_a, wave=wave2, status=CommunicationStatus.SCHEDULED)
    message(org.leader_b, session=reps_day, status=CommunicationStatus.CANCELLED)
    for person, done in ((org.leader_a, True), (org.manager_a1, True),
                         (org.manager_a2, False), (org.manager_b1, True)):
        enrol(person, wave1.courses[0], done=done)
    enrol(org.rep_a1a, wave2.courses[0], done=False)
    return program, kickoff, reps_day


def by_name(board: readiness.Readiness) -> dict[str, readiness.Figures]:
    return {leader.name: leader.figures for leader in board.leaders}


def waves(program: Program, figures: readiness.Figures) -> list[tuple[int, int]]:
    counts = [figures.waves.get(w.id, readiness.WaveCount()) for w in program.waves]
    return [(count.enrolled, count.completed) for count in counts]


def test_each_leader_gets_their_subtree_figures(rollout, org):
    program, kickoff, reps_day = rollout
    board = readiness.program_readiness(program, org.admin)
    # Executives first, then by name; the admin fixture is a leader-level person too.
    assert [leader.name for leader in board.leaders] == [
        "Erin Exec", "Ada Admin", "Lars Leader", "Lena Leader"]
    lena, lars, erin = (by_name(board)[name] for name in
                        ("Lena Leader", "Lars Leader", "Erin Exec"))
    assert (lena.sent, lena.scheduled, lena.upcoming, lena.uncovered) == (1, 1, 1, [])
    assert (lars.sent, lars.scheduled, lars.uncovered) == (0, 0, [reps_day.id])
    assert erin.uncovered == [reps_day.id]
    assert (lena.audience, lena.registered) == (6, 5)  # rep_a2a is only in a cancelled one
    assert (lars.audience, lars.registered) == (3, 3)
    assert (erin.audience, erin.registered) == (9, 8)  # the executive is in no wave
    assert (lena.to_confirm, lena.unconfirmed) == (1, [])
    assert lars.unconfirmed == [kickoff.id] and erin.unconfirmed == [kickoff.id]
    assert waves(program, lena) == [(3, 2), (1, 0)]
    assert waves(program, lars) == [(1, 1), (0, 0)]
    assert waves(program, erin) == [(4, 3), (1, 0)]
    assert (lena.stayed, lena.left_early) == (1, 0)
    assert (lars.stayed, lars.left_early) == (0, 1)


def test_the_whole_program_row_adds_up_the_viewers_part(rollout, org):
    program, kickoff, _reps_day = rollout
    whole = readiness.program_readiness(program, org.admin).whole
    assert (whole.sent, whole.scheduled) == (1, 1)  # the cancelled message is left out
    assert (whole.upcoming, whole.uncovered) == (1, [])  # leader_a's wave message covers it
    assert (whole.audience, whole.registered) == (10, 8)  # the admin is a leader, too
    assert (whole.to_confirm, whole.unconfirmed) == (1, [kickoff.id])
    assert waves(program, whole) == [(4, 3), (1, 0)]
    assert (whole.stayed, whole.left_early) == (2, 1)


def test_a_leader_sees_only_themselves_and_their_subtree(rollout, org):
    program, _kickoff, _reps_day = rollout
    board = readiness.program_readiness(program, org.leader_a)
    assert [leader.name for leader in board.leaders] == ["Lena Leader"]
    assert (board.whole.audience, board.whole.registered) == (6, 5)
    assert (board.whole.stayed, board.whole.left_early) == (1, 0)
    assert [row.title for row in board.stay_rows()] == ["Kick-off"]


def test_past_and_upcoming_follow_the_clock(rollout, org):
    program, kickoff, reps_day = rollout
    later = readiness.program_readiness(program, org.admin, now=NOW + timedelta(days=30))
    lena = by_name(later)["Lena Leader"]
    assert lena.upcoming == 0 and lena.to_confirm == 2
    assert lena.unconfirmed == [reps_day.id]
    assert later.first_upcoming() is None


# --- the page ---------------------------------------------------------------------------

def test_page_shows_the_checklist_with_next_steps(client, login, rollout, org):
    program, kickoff, reps_day = rollout
    login(org.exec)
    response = client.get(f"/courses/programs/{program.id}/readiness")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for label in ("Communications sent", "Registrations", "Attendance confirmed",
                  "Completion by wave", "Leaders stayed"):
        assert label in page
    assert "8 of 9 people in the audience registered." in page
    assert "Wave 1: 3 of 4 · Wave 2: 0 of 1" in page
    # The executive confirms their own part; for leader_b they see the attendance.
    assert f'href="/courses/sessions/{kickoff.id}/confirm">Confirm “Kick-off”' in page
    assert f"/courses/sessions/reports/session/{kickoff.id}" in page
    assert f'href="/courses/sessions/{reps_day.id}">Write about “Reps day”' in page
    assert f'href="/courses/sessions/{reps_day.id}">See “Reps day”' in page  # leader_b's
    assert "Ada Admin" not in page  # outside the executive's subtree
    assert "<script>" not in page


def test_done_items_say_so(client, login, rollout, org):
    program, _kickoff, _reps_day = rollout
    login(org.leader_b)
    page = client.get(f"/courses/programs/{program.id}/readiness").get_data(as_text=True)
    assert "3 of 3 people in the audience registered." in page
    assert page.count(">Done<") >= 2  # registrations and completion, whole and own row
    assert "Lena Leader" not in page


def test_program_detail_links_to_readiness(client, login, rollout, org):
    program, _kickoff, _reps_day = rollout
    login(org.leader_a)
    page = client.get(f"/courses/programs/{program.id}").get_data(as_text=True)
    assert f"/courses/programs/{program.id}/readiness" in page


def test_owner_who_is_a_manager_sees_their_part_and_others_get_404(client, login, rollout,
                                                                   org):
    program, _kickoff, _reps_day = rollout
    program.owner = org.manager_a1
    db.session.flush()
    login(org.manager_a1)
    page = client.get(f"/courses/programs/{program.id}/readiness")
    assert page.status_code == 200
    assert "No leader or executive in your part of the organisation" in page.get_data(
        as_text=True)
    assert "/courses/sessions/reports/" not in page.get_data(as_text=True)
    client.post("/logout")
    login(org.manager_a2)
    assert client.get(f"/courses/programs/{program.id}/readiness").status_code == 404


# --- query counts -------------------------------------------------------------------------

def _leaders(org, program: Program, count: int) -> None:
    """``count`` leaders under the executive, each with a manager and a rep in the program."""
    wave1, wave2 = program.waves
    kickoff = a_session(program, days=-2, title=f"Past {count}", wave=wave1)
    upcoming = a_session(program, days=9, title=f"Next {count}", wave=wave2)
    for number in range(count):
        leader = factories.person(level=Level.LEADER, manager=org.exec, password=None)
        manager = factories.person(level=Level.MANAGER, manager=leader, password=None)
        rep = factories.person(manager=manager, password=None)
        register(kickoff, leader, manager)
        register(upcoming, rep)
        attend(kickoff, leader, AttendanceStatus.ATTENDED if number % 2
               else AttendanceStatus.LEFT_EARLY)
        if number % 3:
            confirm(kickoff, leader)
            message(leader, session=upcoming)
        enrol(manager, wave1.courses[0], done=bool(number % 2))


@pytest.mark.parametrize("viewer", ["admin", "exec"])
def test_readiness_query_count_is_the_same_for_2_and_20_leaders(client, login, org,
                                                                count_queries, viewer):
    login(getattr(org, viewer))
    counts = []
    for count in (2, 20):
        program = a_program(f"Program with {count} leaders")
        program.waves[0].courses = [factories.course(audience=("manager",), by=org.admin)]
        _leaders(org, program, count)
        url = f"/courses/programs/{program.id}/readiness"
        client.get(url)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('scope="row"') >= count
        counts.append(counter.count)
    assert counts[0] == counts[1]
