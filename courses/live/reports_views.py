"""Attendance by leadership level: pages for a session, a program and a subtree over a period.

Leaders and executives see the people of their subtree; admins see everyone. Each page reads
its figures through ``courses.live.reports`` in a fixed number of queries and exports each of
its tables with ``?format=csv&table=levels|sessions|left``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from courses import bp
from courses.live import reports
from courses.live.models import LiveSession, Program
from courses.live.report_pages import BAR_HEIGHT, chart, levels_csv, people_in_sight
from lms.authz import load_visible, permission_required, visible
from lms.db import utcnow
from lms.extensions import db
from lms.people import tree
from lms.people.models import Level, User
from lms.web.args import int_arg
from lms.web.spreadsheets import csv_response

DEFAULT_PERIOD_DAYS = 90
FIGURES = ("registered", "attended", "left_early", "absent", "excused", "not_taken")
RATES = ("attended", "left_early", "absent", "excused")
LEVEL_HEADER = ("level", *FIGURES, *(f"{status}_rate" for status in RATES))
LEFT_HEADER = ("session", "starts_at", "name", "email", "level", "minutes_present",
               "left_after")
# The chart: one panel per level, one bar per session.
BAR_WIDTH, BAR_GAP = 14, 6


@dataclass(frozen=True)
class Bar:
    x: int
    attended: float  # percent of recorded attendance
    left_early: float
    title: str

    @property
    def attended_y(self) -> float:
        return BAR_HEIGHT - self.attended

    @property
    def left_y(self) -> float:
        return BAR_HEIGHT - self.attended - self.left_early


def _bar(x: int, figures: reports.SessionFigures, row: reports.LevelFigures) -> Bar:
    """Attended and left-early rates of one level at one session, as bar geometry."""
    attended, left = row.rate("attended") or 0.0, row.rate("left_early") or 0.0
    title = (f"{figures.title} ({figures.starts_at:%Y-%m-%d}): "
             + (f"{attended}% attended, {left}% left early of {row.taken}"
                if row.taken else "no attendance recorded"))
    return Bar(x, attended, left, title)


def _figures(row: reports.LevelFigures) -> list:
    return [*(getattr(row, name) for name in FIGURES), *(row.rate(status) for status in RATES)]


def _csv(report: reports.Report, stem: str):
    table = request.args.get("table", "levels")
    if table == "left":
        rows = ([r.session_title, r.starts_at, r.name, r.email, r.level, r.minutes_present,
                 r.left_after or ""] for r in report.left_after_opening)
        return csv_response(rows, LEFT_HEADER, f"{stem}-left-after-opening")
    return levels_csv(report, table, LEVEL_HEADER, _figures, stem)


def _respond(report: reports.Report, template: str, stem: str, **context):
    if request.args.get("format") == "csv":
        return _csv(report, stem)
    return render_template(f"courses/live/reports/{template}", report=report,
                           whole=current_user.is_admin, **context)


@bp.get("/sessions/reports/")
@permission_required("attendance.report")
def attendance_index():
    return render_template("courses/live/reports/index.html",
                           programs=reports.program_choices())


@bp.get("/sessions/reports/session/<int:id>")
@permission_required("attendance.report")
def attendance_session(id: int):
    session = db.get_or_404(LiveSession, id)
    report = reports.session_report(session, people_in_sight())
    return _respond(report, "session.html", f"attendance-session-{id}", session=session)


@bp.get("/sessions/reports/program/<int:id>")
@permission_required("attendance.report")
def attendance_program(id: int):
    program = db.get_or_404(Program, id)
    report = reports.program_report(program, people_in_sight())
    return _respond(report, "program.html", f"attendance-program-{id}", program=program,
                    chart=chart(report.sessions, BAR_WIDTH + BAR_GAP, _bar),
                    bar_width=BAR_WIDTH, bar_height=BAR_HEIGHT)


def _period() -> tuple[date, date]:
    """``?start=`` and ``?end=`` (ISO dates); by default the last 90 days."""
    today = utcnow().date()
    try:
        end = date.fromisoformat(request.args.get("end", ""))
    except ValueError:
        end = today
    try:
        start = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        start = end - timedelta(days=DEFAULT_PERIOD_DAYS)
    return (start, end) if start <= end else (end, start)


def _leaders() -> list[tuple[int, str]]:
    """Leaders and executives the viewer may pick as the subtree's root; one query."""
    stmt = (select(User.id, User.name)
            .where(User.level.in_((Level.LEADER.value, Level.EXECUTIVE.value)),
                   User.is_active.is_(True))
            .order_by(User.name, User.id))
    return [(pid, name) for pid, name in db.session.execute(visible(stmt, current_user, User))]


@bp.get("/sessions/reports/people")
@permission_required("attendance.report")
def attendance_subtree():
    person_id = int_arg("person")
    root = load_visible(User, person_id) if person_id else None
    if root is None and not current_user.is_admin:
        root = current_user
    start, end = _period()
    people = tree.subtree_ids(root.id) if root is not None else None
    report = reports.period_report(start, end, people)
    return _respond(report, "subtree.html", f"attendance-{start}-{end}", root=root,
                    start=start, end=end, leaders=_leaders())
