"""Communication coverage pages (a session, a program) and a program's readiness checklist.

Coverage follows the attendance reports: leaders and executives see the people of their
subtree, admins everyone; ``?days=`` sets how early a message must have arrived (default
``COMMUNICATION_LEAD_DAYS``) and ``?format=csv&table=levels|sessions|managers`` exports a
table. The readiness page is for whoever may view the program, over their own subtree.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from courses import bp
from courses.live import coverage, readiness
from courses.live.models import LiveSession, Program
from courses.live.report_pages import (
    BAR_HEIGHT,
    Panel,
    chart,
    levels_csv,
    people_in_sight,
)
from lms.authz import can, permission_required
from lms.config import MAX_LEAD_DAYS
from lms.extensions import db
from lms.web.spreadsheets import csv_response

FIGURES = ("attendees", "in_time", "received", "acknowledged", "never")
LEVEL_HEADER = ("level", "attendees", "received_in_time", "received", "acknowledged",
                "never_received", "received_in_time_share", "received_share",
                "acknowledged_share")
MANAGER_HEADER = ("name", "email", "leader", "sessions", "first_session_starts_at")
# The chart: one panel per level, two bars per session.
BAR_WIDTH, PAIR_GAP = 7, 6


@dataclass(frozen=True)
class PairBar:
    x: int
    in_time: float  # percent of the attendees
    acknowledged: float
    title: str

    @property
    def in_time_y(self) -> float:
        return BAR_HEIGHT - self.in_time

    @property
    def acknowledged_y(self) -> float:
        return BAR_HEIGHT - self.acknowledged


def _chart(sessions: list[coverage.SessionCoverage], days: int) -> list[Panel]:
    """Received-in-time and acknowledged shares per level across sessions, as geometry."""
    def pair(x: int, figures: coverage.SessionCoverage,
             row: coverage.CoverageFigures) -> PairBar:
        in_time, acked = row.share("in_time") or 0.0, row.share("acknowledged") or 0.0
        title = (f"{figures.title} ({figures.starts_at:%Y-%m-%d}): "
                 + (f"{in_time}% received it {days}+ days before, {acked}% acknowledged, "
                    f"of {row.attendees}" if row.attendees else "no attendees"))
        return PairBar(x, in_time, acked, title)

    return chart(sessions, 2 * BAR_WIDTH + PAIR_GAP, pair)


def _days() -> int:
    """``?days=``: a whole number of days from 0 to 365, else 400 with the reason."""
    raw = request.args.get("days", "").strip()
    if not raw:
        return current_app.config["COMMUNICATION_LEAD_DAYS"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3 or int(raw) > MAX_LEAD_DAYS:
        abort(400, description=f"“days” must be a whole number of days from 0 to "
                               f"{MAX_LEAD_DAYS}, got “{raw[:20]}”.")
    return int(raw)


def _figures(row: coverage.CoverageFigures) -> list:
    return [*(getattr(row, name) for name in FIGURES),
            *(row.share(name) for name in coverage.SHARES)]


def _csv(report: coverage.Coverage, stem: str):
    table = request.args.get("table", "levels")
    stem = f"{stem}-{report.days}d"
    if table == "managers":
        rows = ([m.name, m.email, m.leader_name or "", m.sessions, m.first_starts_at]
                for m in report.unheard)
        return csv_response(rows, MANAGER_HEADER, f"{stem}-managers-never-heard")
    return levels_csv(report, table, LEVEL_HEADER, _figures, stem)


def _respond(report: coverage.Coverage, template: str, stem: str, **context):
    if request.args.get("format") == "csv":
        return _csv(report, stem)
    return render_template(f"courses/live/coverage/{template}", report=report,
                           whole=current_user.is_admin, max_days=MAX_LEAD_DAYS, **context)


@bp.get("/sessions/reports/session/<int:id>/coverage")
@permission_required("attendance.report")
def coverage_session(id: int):
    session = db.get_or_404(LiveSession, id)
    report = coverage.session_coverage(session, people_in_sight(), _days())
    return _respond(report, "session.html", f"coverage-session-{id}", session=session)


@bp.get("/sessions/reports/program/<int:id>/coverage")
@permission_required("attendance.report")
def coverage_program(id: int):
    program = db.get_or_404(Program, id)
    report = coverage.program_coverage(program, people_in_sight(), _days())
    return _respond(report, "program.html", f"coverage-program-{id}", program=program,
                    chart=_chart(report.sessions, report.days), bar_width=BAR_WIDTH,
                    bar_height=BAR_HEIGHT)


# --- readiness ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One line of the checklist: done, to do, or nothing to do yet (``state`` "none")."""

    label: str
    state: str
    summary: str
    next_text: str = ""
    next_url: str = ""


def _session_link(board: readiness.Readiness, session_id: int, endpoint: str, text: str):
    title = board.sessions[session_id].title
    return f"{text} “{title}”", url_for(endpoint, id=session_id)


def _communication_item(board, figures: readiness.Figures, person_id: int | None) -> Item:
    label = "Communications sent"
    written = f"{figures.sent} sent, {figures.scheduled} scheduled"
    if not figures.upcoming:
        return Item(label, "none" if not figures.sent else "done",
                    f"{written}; no upcoming session with people registered.")
    summary = (f"{written}; {figures.covered} of {figures.upcoming} upcoming sessions "
               "have a message.")
    if not figures.uncovered:
        return Item(label, "done", summary)
    # Only the leader can write their own message; others get to the session.
    verb = "See" if person_id not in (None, current_user.id) else "Write about"
    return Item(label, "todo", summary, *_session_link(
        board, figures.uncovered[0], "courses.session_detail", verb))


def _registration_item(board, figures: readiness.Figures) -> Item:
    label = "Registrations"
    if not figures.audience:
        return Item(label, "none", "Nobody in the waves' audience.")
    summary = f"{figures.registered} of {figures.audience} people in the audience registered."
    if figures.registered >= figures.audience:
        return Item(label, "done", summary)
    upcoming = board.first_upcoming()
    if upcoming is None:
        return Item(label, "todo", summary, "Add a session to the program",
                    url_for("courses.program_detail", id=board.program_id))
    return Item(label, "todo", summary, *_session_link(
        board, upcoming.id, "courses.session_detail", "Register people for"))


def _confirmation_item(board, figures: readiness.Figures, person_id: int | None) -> Item:
    label = "Attendance confirmed"
    if not figures.to_confirm:
        return Item(label, "none", "No past session to confirm yet.")
    summary = f"{figures.confirmed} of {figures.to_confirm} past sessions confirmed."
    if not figures.unconfirmed:
        return Item(label, "done", summary)
    first = figures.unconfirmed[0]
    if person_id == current_user.id:
        return Item(label, "todo", summary,
                    *_session_link(board, first, "courses.session_confirm", "Confirm"))
    if can(current_user, "attendance.report"):
        return Item(label, "todo", summary, *_session_link(
            board, first, "courses.attendance_session", "See attendance at"))
    return Item(label, "todo", summary)


def _completion_item(board, figures: readiness.Figures) -> Item:
    label = "Completion by wave"
    counted = [(wave, figures.waves.get(wave.id, readiness.WaveCount())) for wave in board.waves]
    if not any(count.enrolled for _wave, count in counted):
        return Item(label, "none", "Nobody enrolled in the waves' courses yet.")
    summary = " · ".join(f"Wave {wave.number}: {count.completed} of {count.enrolled}"
                         for wave, count in counted)
    behind = next((wave for wave, count in counted if count.completed < count.enrolled), None)
    if behind is None:
        return Item(label, "done", summary)
    return Item(label, "todo", summary, f"See wave {behind.number}'s progress",
                url_for("courses.program_detail", id=board.program_id,
                        _anchor=f"wave-{behind.id}"))


def _stay_item(board, figures: readiness.Figures, person_id: int | None) -> Item:
    label = "Leaders stayed" if person_id is None else "Stayed for the whole session"
    if not figures.stayed + figures.left_early + figures.missed:
        return Item(label, "none", "No leader attendance recorded yet.")
    summary = (f"{figures.stayed} stayed for the whole session, {figures.left_early} left "
               f"early, {figures.missed} absent or excused.")
    if figures.stayed and not figures.left_early:
        return Item(label, "done", summary)
    if can(current_user, "attendance.report"):
        return Item(label, "todo", summary, "See the attendance",
                    url_for("courses.attendance_program", id=board.program_id,
                            _anchor="left"))
    return Item(label, "todo", summary)


def checklist(board: readiness.Readiness, figures: readiness.Figures,
              person_id: int | None = None) -> list[Item]:
    """The five items for the whole program (``person_id`` None) or one leader."""
    return [_communication_item(board, figures, person_id), _registration_item(board, figures),
            _confirmation_item(board, figures, person_id), _completion_item(board, figures),
            _stay_item(board, figures, person_id)]


@bp.get("/programs/<int:id>/readiness")
@permission_required("program.view", Program)
def program_readiness(program: Program):
    board = readiness.program_readiness(program, current_user)
    leaders = [(leader, checklist(board, leader.figures, leader.person_id))
               for leader in board.leaders]
    return render_template("courses/live/programs/readiness.html", program=program,
                           board=board, whole=checklist(board, board.whole), leaders=leaders,
                           reports=can(current_user, "attendance.report"))
