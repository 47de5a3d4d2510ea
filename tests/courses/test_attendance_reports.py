"""Attendance by leadership level: the figures, who sees them, the chart, CSV, query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from courses.live import reports
from courses.live.models import (
    Attendance,
    AttendanceStatus,
    LiveSession,
    Program,
    Registration,
    RegistrationStatus,
    SessionSegment,
    SessionStatus,
)
from lms import authz
from lms.extensions import db
from lms.people import tree
from tests import csv_files, factories
from tests.courses import factories_live
from tests.courses.factories_live import NOW, a_program


def a_session(program: Program | None, *, days_ago: int = 1, title: str = "Kick-off",
              status: SessionStatus = SessionStatus.SCHEDULED) -> LiveSession:
    """A past session with an opening segment, the one leaders must not leave after."""
    return factories_live.a_session(program, days=-days_ago, title=title, status=status,
                                    segments=(("Opening by the VP", 20), ("Practice", 100)))


def register(live: LiveSession, person, status: str | None = AttendanceStatus.ATTENDED, *,
             registration: RegistrationStatus = RegistrationStatus.REGISTERED,
             minutes: int | None = None, after: SessionSegment | None = None) -> Registration:
    row = Registration(session=live, user=person, status=registration)
    db.session.add(row)
    db.session.flush()
    if status is not None:
        db.session.add(Attendance(registration=row, status=status, minutes_present=minutes,
                                  left_after_segment=after))
        db.session.flush()
    return row


@pytest.fixture
def kickoff(org):
    """A program session with every status, a cancelled and a waitlisted registration."""
    program = a_program()
    live = a_session(program)
    opening = live.segments[0]
    register(live, org.exec, AttendanceStatus.LEFT_EARLY, minutes=20, after=opening)
    register(live, org.leader_a, AttendanceStatus.ATTENDED)
    register(live, org.leader_b, AttendanceStatus.LEFT_EARLY, minutes=15)  # by minutes
    register(live, org.manager_a1, AttendanceStatus.LEFT_EARLY, minutes=10, after=opening)
    register(live, org.manager_a2, AttendanceStatus.ABSENT)
    register(live, org.manager_b1, AttendanceStatus.EXCUSED)
    register(live, org.rep_a1a, AttendanceStatus.ATTENDED)
    register(live, org.rep_a1b, None)  # attendance not taken yet
    register(live, org.rep_a2a, None, registration=RegistrationStatus.CANCELLED)
    register(live, org.rep_b1a, None, registration=RegistrationStatus.WAITLISTED)
    return program, live


def test_session_report_counts_each_level_and_leaves_out_cancelled_and_waitlisted(kickoff):
    _program, live = kickoff
    report = reports.session_report(live, None)
    levels = report.total.levels
    assert (levels["executive"].registered, levels["executive"].left_early) == (1, 1)
    assert (levels["leader"].attended, levels["leader"].left_early) == (1, 1)
    manager = levels["manager"]
    assert (manager.registered, manager.left_early, manager.absent, manager.excused) == (
        3, 1, 1, 1)
    rep = levels["rep"]
    assert (rep.registered, rep.attended, rep.not_taken, rep.taken) == (2, 1, 1, 1)
    assert rep.rate("attended") == 100.0  # of the attendance recorded, not of the registered
    assert manager.rate("absent") == 33.3
    assert report.total.total.registered == 8


def test_leaders_and_executives_who_left_after_the_opening_are_listed(kickoff, org):
    _program, live = kickoff
    later = register(a_session(None, days_ago=2, title="Later"), org.leader_a,
                     AttendanceStatus.LEFT_EARLY, minutes=90)
    report = reports.session_report(live, None)
    names = [row.name for row in report.left_after_opening]
    # The manager left after the opening too, but the list is about leaders and executives.
    assert names == ["Erin Exec", "Lars Leader"]
    assert report.left_after_opening[0].left_after == "Opening by the VP"
    assert later.session_id not in {row.session_id for row in report.left_after_opening}


def test_leader_sees_only_their_subtree(kickoff, org):
    _program, live = kickoff
    report = reports.session_report(live, tree.subtree_ids(org.leader_a.id))
    levels = report.total.levels
    assert levels["executive"].registered == 0
    assert (levels["leader"].registered, levels["manager"].registered) == (1, 2)
    assert report.left_after_opening == []


def test_program_report_orders_sessions_by_date_and_skips_cancelled_ones(kickoff, org):
    program, first = kickoff
    newest = a_session(program, days_ago=0, title="Follow-up")
    older = a_session(program, days_ago=5, title="Warm-up")
    register(newest, org.rep_a1a, AttendanceStatus.ABSENT)
    register(older, org.rep_a1a, AttendanceStatus.ATTENDED)
    gone = a_session(program, days_ago=3, title="Cancelled", status=SessionStatus.CANCELLED)
    register(gone, org.rep_a1b, AttendanceStatus.ATTENDED)
    report = reports.program_report(program, None)
    assert [s.title for s in report.sessions] == ["Warm-up", "Kick-off", "Follow-up"]
    rep = report.total.levels["rep"]
    assert (rep.registered, rep.attended, rep.absent, rep.not_taken) == (4, 2, 1, 1)


def test_period_report_keeps_sessions_inside_the_dates(org):
    inside, outside = a_session(None, days_ago=3), a_session(None, days_ago=40)
    register(inside, org.rep_a1a)
    register(outside, org.rep_a1a)
    today = NOW.date()
    report = reports.period_report(today - timedelta(days=10), today, None)
    assert [s.session_id for s in report.sessions] == [inside.id]


def test_only_leaders_executives_and_admins_may_see_attendance_reports(org):
    allowed = {name: authz.can(getattr(org, name), "attendance.report")
               for name in ("rep_a1a", "manager_a1", "leader_a", "exec", "admin")}
    assert allowed == {"rep_a1a": False, "manager_a1": False, "leader_a": True, "exec": True,
                       "admin": True}


def test_manager_is_refused_the_report_pages(client, login, kickoff, org):
    login(org.manager_a1)
    assert client.get(f"/courses/sessions/reports/program/{kickoff[0].id}").status_code == 403


def test_program_page_shows_the_chart_as_inline_svg_without_scripts(client, login, kickoff,
                                                                      org):
    program, live = kickoff
    login(org.leader_a)
    response = client.get(f"/courses/sessions/reports/program/{program.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('role="img"') == 4  # one panel per level
    assert "Kick-off (" in page and "100.0% attended" in page
    assert "style=" not in page and "<script>" not in page
    assert "Lars Leader" not in page  # another branch
    assert f"/courses/sessions/reports/session/{live.id}" in page


def test_program_csv_exports_levels_sessions_and_left_after_opening(client, login, kickoff,
                                                                     org):
    program, _live = kickoff
    login(org.admin)
    url = f"/courses/sessions/reports/program/{program.id}?format=csv"
    levels = list(csv.reader(io.StringIO(csv_files.text(client.get(url).data))))
    assert levels[0][:3] == ["level", "registered", "attended"]
    assert levels[1][:2] == ["Executive", "1"] and levels[-1][:2] == ["All levels", "8"]
    sessions = client.get(url + "&table=sessions").get_data(as_text=True)
    assert sessions.count("Kick-off") == 5
    left = list(csv.reader(io.StringIO(csv_files.text(client.get(url + "&table=left").data))))
    assert [row[2] for row in left[1:]] == ["Erin Exec", "Lars Leader"]


def test_subtree_page_covers_the_chosen_leader_and_period(client, login, kickoff, org):
    login(org.exec)
    today = NOW.date()
    base = f"/courses/sessions/reports/people?person={org.leader_b.id}&format=csv"
    rows = list(csv.reader(io.StringIO(client.get(
        f"{base}&start={today - timedelta(days=7)}&end={today}").get_data(as_text=True))))
    assert rows[-1][:2] == ["All levels", "2"]  # leader_b and manager_b1
    empty = client.get(f"{base}&start={today - timedelta(days=90)}&end="
                       f"{today - timedelta(days=30)}").get_data(as_text=True)
    assert "All levels,0" in empty
    assert client.get("/courses/sessions/reports/people").status_code == 200


def test_leader_cannot_pick_another_branch_as_root(client, login, org):
    login(org.leader_a)
    url = f"/courses/sessions/reports/people?person={org.leader_b.id}"
    assert client.get(url).status_code == 404


def test_session_page_links_back_to_its_program(client, login, kickoff, org):
    program, live = kickoff
    login(org.exec)
    page = client.get(f"/courses/sessions/reports/session/{live.id}").get_data(as_text=True)
    assert f"/courses/sessions/reports/program/{program.id}" in page
    assert "Erin Exec" in page
    index = client.get("/courses/sessions/reports/").get_data(as_text=True)
    assert f"/courses/sessions/reports/program/{program.id}" in index


def _big_program(org, sessions: int, people: int) -> Program:
    """``sessions`` sessions sharing ``people`` registrations (everyone in one), in bulk."""
    program = a_program(f"Program {sessions}x{people}")
    team = [factories.person(manager=org.manager_a1, password=None) for _ in range(people)]
    lives = [a_session(program, days_ago=number % 60 + 1, title=f"S{number}")
             for number in range(sessions)]
    statuses = (AttendanceStatus.ATTENDED, AttendanceStatus.LEFT_EARLY,
                AttendanceStatus.ABSENT, None)
    rows = [Registration(session=lives[index % sessions], user=person)
            for index, person in enumerate([*team, *[org.leader_a] * sessions])]
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(Attendance(registration=row, status=statuses[index % 4] or "excused",
                                  minutes_present=10,
                                  left_after_segment_id=row.session.segments[0].id)
                       for index, row in enumerate(rows) if statuses[index % 4] or index % 2)
    db.session.flush()
    return program


@pytest.mark.parametrize("path", ["program/{id}", "people"])
def test_report_pages_query_counts_do_not_grow(login, org, page_queries, path):
    login(org.leader_a)
    counts = []
    for sessions, people in ((5, 20), (100, 500)):
        program = _big_program(org, sessions, people)
        counts.append(page_queries("/courses/sessions/reports/" + path.format(id=program.id)))
    assert counts[0] == counts[1]
