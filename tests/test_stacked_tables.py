"""The tables a phone would squeeze (adherence, reviews of managers, readiness per leader and
attendance by level) stack into cards below the md breakpoint: each is a ``table-stack``, every
cell names its column, and the row's status and action are marked to come first in the card
(the browser journeys check the layout itself at phone and desk sizes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from courses.live import services as live
from lms.extensions import db
from tests import factories
from tests.courses.factories_live import a_program, a_session, begin, register

pytestmark = pytest.mark.usefixtures("ctx")


@dataclass
class Cell:
    tag: str
    label: str | None
    lead: bool
    text: str = ""


@dataclass
class Table:
    caption: str = ""
    rows: list[list[Cell]] = field(default_factory=list)


class _StackedTables(HTMLParser):
    """Each ``table.table-stack`` with its caption and its body rows' cells in order."""

    def __init__(self):
        super().__init__()
        self.tables: list[Table] = []
        self.plain_tables = 0
        self._where: list[str] = []  # "caption", "thead", "cell" while inside them

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "table":
            if "table-stack" in (found.get("class") or "").split():
                self.tables.append(Table())
            else:
                self.plain_tables += 1
        elif not self.tables:
            return
        elif tag in ("caption", "thead"):
            self._where.append(tag)
        elif tag == "tr" and "thead" not in self._where:
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and "thead" not in self._where:
            self.tables[-1].rows[-1].append(Cell(
                tag, found.get("data-label"), found.get("data-stack") == "lead"))
            self._where.append("cell")

    def handle_endtag(self, tag):
        if self._where and {"caption": "caption", "thead": "thead", "td": "cell",
                            "th": "cell"}.get(tag) == self._where[-1]:
            self._where.pop()

    def handle_data(self, data):
        if not self.tables or not self._where:
            return
        if self._where[-1] == "caption":
            self.tables[-1].caption += data.strip()
        elif self._where[-1] == "cell":
            self.tables[-1].rows[-1][-1].text += " ".join(data.split()) + " "


def stacked(page: str) -> dict[str, Table]:
    """The page's stacked tables by caption; every data cell names its column."""
    parser = _StackedTables()
    parser.feed(page)
    for table in parser.tables:
        for row in table.rows:
            for cell in row:
                if cell.tag == "td" and len(row) > 1:
                    assert cell.label, f"unlabelled cell {cell.text!r} in {table.caption!r}"
    return {table.caption: table for table in parser.tables}


def leads(row: list[Cell]) -> list[str]:
    return [cell.label for cell in row if cell.lead]


def test_adherence_needs_help_leads_each_card(client, login, org):
    login(org.leader_a)
    tables = stacked(client.get("/reinforcement/adherence/").get_data(as_text=True))
    coaches = tables["Adherence of each coach"]
    assert coaches.rows and all(leads(row) == ["Needs help"] for row in coaches.rows)
    dana = next(row for row in coaches.rows if row[0].text.startswith("Dana Reyes"))
    assert dana[0].tag == "th" and dana[-1].text.strip()
    assert [cell.label for cell in dana[1:]] == [
        "Level", "Check-ins due", "Held on time", "Agenda ahead", "Actions done",
        "Median days overdue", "Gap reviews followed up", "Needs help"]
    levels = tables["Adherence by level of the coach"]
    assert all(leads(row) == ["Coaching", "Needs help"] for row in levels.rows)
    assert "The trend as figures" in tables


def test_review_decision_and_confirm_lead_each_card(client, login, org):
    login(org.leader_a)
    page = client.get("/reinforcement/reviews/").get_data(as_text=True)
    managers = next(table for caption, table in stacked(page).items()
                    if caption.startswith("Managers under you"))
    assert {row[0].text.strip() for row in managers.rows} == {"Dana Reyes", "Max Manager"}
    for row in managers.rows:
        assert leads(row) == ["Your decision", "Needs help"]
        decision = next(cell for cell in row if cell.label == "Your decision")
        assert "Not reviewed" in decision.text and "Feedback" in decision.text


@pytest.fixture
def program_with_attendance(org):
    """A program whose session began a minute ago: leader_a stayed, manager_a1 left early."""
    program = a_program()
    session = a_session(program, days=1, title="Kick-off", segments=(("Opening", 15),))
    register(session, org.leader_a, org.manager_a1, org.rep_a1a)
    begin(session)
    seats = {registration.user_id: registration.id for registration, _ in live.roster(session)}
    live.take_attendance(session, [
        live.AttendanceRow(seats[org.leader_a.id], "attended"),
        live.AttendanceRow(seats[org.manager_a1.id], "left_early", minutes_present=30),
    ], by=org.admin)
    db.session.flush()
    return program


def test_readiness_per_leader_cards_lead_with_their_states(client, login, org,
                                                          program_with_attendance):
    login(org.admin)
    page = client.get(f"/courses/programs/{program_with_attendance.id}/readiness")
    tables = stacked(page.get_data(as_text=True))
    per_leader = tables["Readiness of each leader and executive with people in the program"]
    assert per_leader.rows
    for row in per_leader.rows:
        assert row[0].tag == "th"
        assert leads(row) == [cell.label for cell in row[1:]]  # every state is the point
        assert "Attendance confirmed" in leads(row)
    stayed = next(table for caption, table in tables.items() if caption.startswith(
        "Leaders and executives per session"))
    assert leads(stayed.rows[0]) == ["Stayed", "Left early"]


def test_attendance_by_level_leads_with_attended_and_left_early(client, login, org,
                                                                program_with_attendance):
    login(org.admin)
    page = client.get(f"/courses/sessions/reports/program/{program_with_attendance.id}")
    tables = stacked(page.get_data(as_text=True))
    by_level = tables["Registered, attended, left early, absent and excused per level, "
                      "all sessions"]
    manager = next(row for row in by_level.rows if row[0].text.strip() == "Manager")
    assert leads(manager) == ["Attended", "Left early"]
    assert [cell.label for cell in manager[1:]] == [
        "Registered", "Attended", "Left early", "Absent", "Excused", "Not taken yet"]
    assert manager[3].text.startswith("1 ")  # Dana Reyes left early
    assert "Attendance per session and level" in tables
    left = tables["Leaders and executives who left after the opening"]
    assert all(leads(row) == ["Left after", "Minutes present"] for row in left.rows
               if len(row) > 1)


def test_a_wide_chart_scrolls_as_a_focusable_labelled_region(client, login, org,
                                                            program_with_attendance):
    login(org.admin)
    page = client.get(f"/courses/sessions/reports/program/{program_with_attendance.id}")
    assert 'class="overflow-auto" tabindex="0" role="group" aria-label="' in page.get_data(
        as_text=True)


def test_leader_confirm_page_stacks_with_status_first(client, login, org):
    session = a_session(None, days=1, title="Kick-off", segments=(("Opening", 15),))
    session.facilitator = factories.person(level="manager", is_facilitator=True)
    register(session, org.rep_a1a)
    begin(session)
    login(org.leader_a)
    page = client.get(f"/courses/sessions/{session.id}/confirm").get_data(as_text=True)
    table = stacked(page)["Attendance of your people at Kick-off"]
    assert [leads(row) for row in table.rows] == [["Status"]]
