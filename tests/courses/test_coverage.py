"""Communication coverage by level: the figures, the days rule, scoping, pages, CSV, queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from courses.live import coverage
from courses.live.models import (
    CommunicationRecipient,
    LiveSession,
    Program,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from lms.config import ConfigError, load_config
from lms.extensions import db
from lms.people import tree
from tests import csv_files, factories
from tests.courses.factories_live import NOW, a_program, a_session, deliver, message, register


@pytest.fixture
def kickoff(org):
    """A past wave-1 session with every kind of reach, and two more program sessions.

    The session (``live``) started a day ago. leader_a and leader_b heard through a wave
    message 15 and exactly 14 days before; manager_a1 through a session message 20 days
    before (acknowledged), manager_a2 5 days before; rep_a1a through a program message a
    day before (acknowledged); manager_b1 only about another session; exec about nothing.
    """
    program = a_program()
    wave1 = program.waves[0]
    live = a_session(program, days=-1, title="Kick-off", wave=wave1)
    later = a_session(program, days=40, title="Follow-up", wave=wave1)
    gone = a_session(program, days=10, title="Cancelled", status=SessionStatus.CANCELLED)
    register(live, org.exec, org.leader_a, org.leader_b, org.manager_a1, org.manager_a2,
             org.manager_b1, org.rep_a1a)
    register(live, org.rep_a1b, status=RegistrationStatus.CANCELLED)
    register(live, org.rep_b1a, status=RegistrationStatus.WAITLISTED)
    register(later, org.manager_b1, org.rep_b1a)
    register(gone, org.manager_a1)
    start = live.starts_at
    about_session = message(org.leader_a, session=live)
    deliver(about_session, org.manager_a1, start - timedelta(days=20), acknowledged=True)
    deliver(about_session, org.manager_a2, start - timedelta(days=5))
    about_wave = message(org.exec, wave=wave1)
    deliver(about_wave, org.leader_a, start - timedelta(days=15), acknowledged=True)
    deliver(about_wave, org.leader_b, start - timedelta(days=14))
    about_later = message(org.leader_b, session=later)
    deliver(about_later, org.manager_b1, start - timedelta(days=30))
    about_program = message(org.admin, program=program)
    deliver(about_program, org.rep_a1a, start - timedelta(days=1), acknowledged=True)
    other = message(org.admin, program=a_program("Another program"))
    deliver(other, org.exec, start - timedelta(days=30), acknowledged=True)
    return program, live, later


def figures(table: coverage.CoverageTable) -> dict[str, tuple[int, int, int, int]]:
    return {row.level: (row.attendees, row.in_time, row.received, row.acknowledged)
            for row in table.rows}


def test_session_coverage_counts_each_level_by_the_days_rule(kickoff):
    _program, live, _later = kickoff
    report = coverage.session_coverage(live, None, 14)
    assert figures(report.total) == {
        "executive": (1, 0, 0, 0),  # a message about another program does not count
        "leader": (2, 2, 2, 1),  # 15 days and exactly 14 days before are both in time
        "manager": (3, 1, 2, 1),  # manager_b1's message was about another session
        "rep": (1, 0, 1, 1),  # cancelled and waitlisted registrations are left out
        "all": (7, 3, 5, 3),
    }
    manager = report.total.levels["manager"]
    assert (manager.share("in_time"), manager.share("received"), manager.never) == (33.3, 66.7, 1)
    assert report.total.levels["executive"].share("acknowledged") == 0.0


@pytest.mark.parametrize(("days", "in_time"), [(15, (1, 1, 0)), (5, (2, 2, 0)),
                                               (0, (2, 2, 1))])
def test_days_moves_the_line_for_in_time(kickoff, days, in_time):
    _program, live, _later = kickoff
    levels = coverage.session_coverage(live, None, days).total.levels
    assert (levels["leader"].in_time, levels["manager"].in_time, levels["rep"].in_time) == in_time


def test_managers_who_never_heard_are_listed_with_their_leader(kickoff, org):
    _program, live, later = kickoff
    unheard = coverage.session_coverage(live, None, 14).unheard
    assert [(m.name, m.leader_name, m.sessions) for m in unheard] == [
        ("Mia Manager", "Lars Leader", 1)]
    # The message manager_b1 got is about the follow-up, so that session is covered.
    assert coverage.session_coverage(later, None, 14).unheard == []


def test_program_coverage_covers_its_held_sessions_in_date_order(kickoff, org):
    program, _live, _later = kickoff
    report = coverage.program_coverage(program, None, 14)
    assert [s.title for s in report.sessions] == ["Kick-off", "Follow-up"]
    follow_up = report.sessions[1].table.levels
    assert (follow_up["manager"].attendees, follow_up["manager"].in_time) == (1, 1)
    assert (follow_up["rep"].attendees, follow_up["rep"].received) == (1, 0)
    # Per registration across sessions; the cancelled session's registration is not counted.
    assert figures(report.total)["all"] == (9, 4, 6, 3)
    # Every manager heard about some session of the program.
    assert report.unheard == []


def test_a_leader_sees_only_their_subtree(kickoff, org):
    _program, live, _later = kickoff
    report = coverage.session_coverage(live, tree.subtree_ids(org.leader_a.id), 14)
    assert figures(report.total) == {"executive": (0, 0, 0, 0), "leader": (1, 1, 1, 1),
                                     "manager": (2, 1, 2, 1), "rep": (1, 0, 1, 1),
                                     "all": (4, 2, 4, 3)}
    assert report.unheard == []


def test_empty_session_has_no_shares(org):
    live = a_session(a_program(), days=5, title="Nobody yet")
    report = coverage.session_coverage(live, None, 14)
    assert report.sessions == [] and report.total.total.share("in_time") is None


# --- pages --------------------------------------------------------------------------------

def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return csv_files.rows(response.data)


def test_session_page_shows_levels_and_the_managers_list(client, login, kickoff, org):
    _program, live, _later = kickoff
    login(org.exec)
    page = client.get(f"/courses/sessions/reports/session/{live.id}/coverage")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Managers who never heard from their leader" in text
    assert "Mia Manager" in text and "Lars Leader" in text
    assert 'value="14"' in text  # the configured default


def test_days_default_comes_from_the_configuration(app, client, login, kickoff, org):
    _program, live, _later = kickoff
    login(org.admin)
    url = f"/courses/sessions/reports/session/{live.id}/coverage?format=csv"
    app.config["COMMUNICATION_LEAD_DAYS"] = 5
    try:
        rows = rows_of(client.get(url))
    finally:
        app.config["COMMUNICATION_LEAD_DAYS"] = 14
    assert rows[3][:3] == ["Manager", "3", "2"]
    assert rows_of(client.get(url))[3][:3] == ["Manager", "3", "1"]


def test_session_csv_exports_levels_and_managers(client, login, kickoff, org):
    _program, live, _later = kickoff
    login(org.admin)
    url = f"/courses/sessions/reports/session/{live.id}/coverage?format=csv&days=14"
    levels = rows_of(client.get(url))
    assert levels[0] == ["level", "attendees", "received_in_time", "received", "acknowledged",
                         "never_received", "received_in_time_share", "received_share",
                         "acknowledged_share"]
    assert levels[2] == ["Leader", "2", "2", "2", "1", "0", "100.0", "100.0", "50.0"]
    assert levels[-1][:5] == ["All levels", "7", "3", "5", "3"]
    response = client.get(url + "&table=managers")
    assert "coverage-session-" in response.headers["Content-Disposition"]
    managers = rows_of(response)
    assert managers[0] == ["name", "email", "leader", "sessions", "first_session_starts_at"]
    assert [row[:4] for row in managers[1:]] == [
        ["Mia Manager", org.manager_b1.email, "Lars Leader", "1"]]


def test_program_page_has_a_chart_and_sessions_csv(client, login, kickoff, org):
    program, live, _later = kickoff
    login(org.leader_a)
    url = f"/courses/sessions/reports/program/{program.id}/coverage"
    page = client.get(url).get_data(as_text=True)
    assert page.count('role="img"') == 4  # one panel per level
    assert "Kick-off (" in page and "50.0% received it 14+ days before" in page
    assert "<script>" not in page and "style=" not in page
    assert "Lars Leader" not in page  # another branch
    assert f"/courses/sessions/reports/session/{live.id}/coverage?days=14" in page
    sessions = rows_of(client.get(url + "?format=csv&table=sessions&days=0"))
    assert [row[0] for row in sessions[1:]] == ["Kick-off"] * 5
    assert sessions[-1][2:6] == ["All levels", "4", "4", "4"]


@pytest.mark.parametrize("days", ["abc", "-1", "366", "1.5", "1e3", "²", "0" * 5000])
def test_bad_days_is_refused_with_a_clear_message(client, login, kickoff, org, days):
    program, _live, _later = kickoff
    login(org.leader_a)
    response = client.get(f"/courses/sessions/reports/program/{program.id}/coverage"
                          f"?days={days}")
    assert response.status_code == 400
    assert "must be a whole number of days from 0 to 365" in response.get_data(as_text=True)


def test_managers_and_reps_are_refused(client, login, kickoff, org):
    program, live, _later = kickoff
    login(org.manager_a1)
    assert client.get(f"/courses/sessions/reports/program/{program.id}/coverage"
                      ).status_code == 403
    assert client.get(f"/courses/sessions/reports/session/{live.id}/coverage"
                      ).status_code == 403


def test_unknown_session_is_404(client, login, org):
    login(org.admin)
    assert client.get("/courses/sessions/reports/session/999999/coverage").status_code == 404


def test_report_pages_and_session_detail_link_to_coverage(client, login, kickoff, org):
    program, live, _later = kickoff
    login(org.leader_a)
    session_url = f"/courses/sessions/reports/session/{live.id}/coverage"
    program_url = f"/courses/sessions/reports/program/{program.id}/coverage"
    attendance = client.get(f"/courses/sessions/reports/session/{live.id}")
    assert session_url in attendance.get_data(as_text=True)
    assert program_url in client.get(
        f"/courses/sessions/reports/program/{program.id}").get_data(as_text=True)
    assert session_url in client.get(f"/courses/sessions/{live.id}").get_data(as_text=True)


def test_session_detail_hides_the_coverage_link_from_a_rep(client, login, kickoff, org):
    _program, live, _later = kickoff
    login(org.rep_a1a)
    page = client.get(f"/courses/sessions/{live.id}").get_data(as_text=True)
    assert "/coverage" not in page


# --- configuration --------------------------------------------------------------------------

def test_lead_days_setting_is_checked(tmp_path, monkeypatch):
    app = Flask("cadence-test", instance_path=str(tmp_path))
    monkeypatch.setenv("CADENCE_COMMUNICATION_LEAD_DAYS", "21")
    load_config(app)
    assert app.config["COMMUNICATION_LEAD_DAYS"] == 21
    monkeypatch.setenv("CADENCE_COMMUNICATION_LEAD_DAYS", "400")
    with pytest.raises(ConfigError, match="COMMUNICATION_LEAD_DAYS must be between 0 and 365"):
        load_config(Flask("cadence-test", instance_path=str(tmp_path)))


# --- query counts ---------------------------------------------------------------------------

def _big_program(org, sessions: int, people: int) -> tuple[Program, LiveSession]:
    """``sessions`` sessions, ``people`` managers and reps spread over them, half reached."""
    program = a_program(f"Program {sessions}x{people}")
    lives = [a_session(program, days=5 + n, title=f"S{n}", wave=program.waves[n % 2])
             for n in range(sessions)]
    team = [factories.person(level="manager" if n % 3 == 0 else "rep",
                             manager=org.leader_a if n % 3 == 0 else org.manager_a1,
                             password=None) for n in range(people)]
    db.session.add_all(Registration(session=lives[n % sessions], user=person)
                       for n, person in enumerate(team))
    sent = message(org.leader_a, program=program)
    db.session.add_all(CommunicationRecipient(communication=sent, user=person,
                                              delivered_at=NOW - timedelta(days=n % 30),
                                              acknowledged_at=NOW if n % 4 == 0 else None)
                       for n, person in enumerate(team) if n % 2)
    db.session.flush()
    return program, lives[0]


@pytest.mark.parametrize("page", ["program/{program}/coverage", "session/{session}/coverage",
                                  "program/{program}/coverage?format=csv&table=managers"])
def test_coverage_query_counts_do_not_grow(login, org, page_queries, page):
    login(org.leader_a)
    counts = []
    for sessions, people in ((2, 6), (40, 300)):
        program, first = _big_program(org, sessions, people)
        counts.append(page_queries("/courses/sessions/reports/"
                                   + page.format(program=program.id, session=first.id)))
    assert counts[0] == counts[1]
