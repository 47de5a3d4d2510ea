"""Attendance-by-level benchmark; prints figures, asserts nothing.

    python -m bench.attendance                   # a temporary SQLite file
    python -m bench.attendance --requests 30 --sessions 100
    python -m bench.attendance --database-url postgresql+psycopg://user@host/empty_db --reset

A program with ``--sessions`` live sessions (four agenda segments each) and a 2,000-person
subtree under one executive, every person registered in one session with recorded attendance
(attended, left early, some right after the opening, absent, excused, a few not taken),
plus cancelled and waitlisted registrations; rows are bulk inserted. The executive's program
report and subtree-over-a-period report are timed through the test client (median and p95
over ``--requests`` signed-in requests; target: median under 200 ms). Query counts are
compared with a 5-person leader's (same pages) and with a 5-session program's (target: the
same counts).
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta

from flask import Flask
from sqlalchemy import insert

from bench.courses import People, insert_in_chunks, sync_sequence, vp_and_small_leader
from bench.pages import page_lines, query_count, report_head, sign_in, time_page, verdict
from bench.run import add_database_options, check_database_url, scratch_app, timing
from courses.live.models import (
    Attendance,
    AttendanceStatus,
    LiveSession,
    Program,
    Registration,
    RegistrationStatus,
    SessionSegment,
)
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level

SEGMENTS = (("Opening by the VP", 20), ("Coaching rhythm", 60), ("Practice", 80),
            ("Commitments", 20))


class Rows:
    """Bulk rows with ids chosen here, so children can refer to their parents at once."""

    def __init__(self):
        self.sessions: list[dict] = []
        self.segments: list[dict] = []
        self.registrations: list[dict] = []
        self.attendances: list[dict] = []

    def program(self, name: str) -> int:
        today = utcnow().date()
        return db.session.execute(insert(Program).values(
            name=name, starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=30),
            status="active").returning(Program.id)).scalar_one()

    def session(self, program_id: int, days_ago: int, title: str) -> tuple[int, int]:
        """Add a session; returns its id and its opening segment's id."""
        session_id = len(self.sessions) + 1
        starts = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
        self.sessions.append({
            "id": session_id, "program_id": program_id, "title": title, "description": "",
            "starts_at": starts, "ends_at": starts + timedelta(minutes=180), "time_zone": "UTC",
            "location": "", "meeting_url": "", "capacity": 40, "attended_threshold": 90,
            "status": "scheduled", "sequence": 0, "created_at": starts,
            "updated_at": starts})
        first = len(self.segments) + 1
        for position, (title_, minutes) in enumerate(SEGMENTS):
            self.segments.append({"id": first + position, "session_id": session_id,
                                  "position": position, "title": title_, "minutes": minutes})
        return session_id, first

    def register(self, session: tuple[int, int], user_id: int, rng: random.Random) -> None:
        registration_id = len(self.registrations) + 1
        roll = rng.random()
        status = (RegistrationStatus.CANCELLED if roll < 0.03 else
                  RegistrationStatus.WAITLISTED if roll < 0.05 else RegistrationStatus.REGISTERED)
        self.registrations.append({
            "id": registration_id, "session_id": session[0], "user_id": user_id,
            "status": status, "registered_at": utcnow(), "is_walk_in": False})
        if status != RegistrationStatus.REGISTERED or rng.random() < 0.05:
            return  # attendance not taken
        kind = rng.choice((AttendanceStatus.ATTENDED,) * 6 + (
            AttendanceStatus.LEFT_EARLY, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED))
        opening = kind == AttendanceStatus.LEFT_EARLY and rng.random() < 0.5
        self.attendances.append({
            "registration_id": registration_id, "status": kind,
            "minutes_present": (20 if opening else 100) if kind == "left_early" else None,
            "left_after_segment_id": session[1] if opening else None,
            "excuse": "Customer visit" if kind == AttendanceStatus.EXCUSED else "",
            "marked_at": utcnow()})

    def save(self) -> None:
        for model, rows in ((LiveSession, self.sessions), (SessionSegment, self.segments),
                            (Registration, self.registrations),
                            (Attendance, self.attendances)):
            insert_in_chunks(model, rows)
        for model in (LiveSession, SessionSegment, Registration):
            sync_sequence(model)


def build(people: People, args) -> dict:
    rng = random.Random(2026)
    cso = people.add(Level.EXECUTIVE, None, name="Chief Sales Officer")
    vp, members, small, small_team = vp_and_small_leader(people, cso, args.people)
    rows = Rows()
    program = rows.program("Coaching rhythm rollout")
    sessions = [rows.session(program, days_ago=1 + n % 80, title=f"Session {n + 1:03}")
                for n in range(args.sessions)]
    for index, person in enumerate([*members, *small_team]):
        rows.register(sessions[index % len(sessions)], person, rng)
    few = rows.program("Five-session pilot")
    pilot = [rows.session(few, days_ago=2 + n, title=f"Pilot {n + 1}") for n in range(5)]
    for index, person in enumerate(members[:40]):
        rows.register(pilot[index % 5], person, rng)
    rows.save()
    db.session.commit()
    return {"program": program, "pilot": few, "vp": people.email(vp),
            "small": people.email(small), "people": len(members),
            "registrations": len(rows.registrations), "attendances": len(rows.attendances)}


def run(app: Flask, args) -> tuple[list, dict]:
    people = People()
    with timing() as built:
        info = build(people, args)
    info["bulk_seconds"] = built.wall
    pages = [
        time_page(app, info["vp"], info["small"],
                  f"/courses/sessions/reports/program/{info['program']}", args.requests,
                  "program report (chart, sessions, left early)"),
        time_page(app, info["vp"], info["small"],
                  "/courses/sessions/reports/people?start=2000-01-01", args.requests,
                  "subtree report over a period"),
    ]
    client = sign_in(app, info["vp"])
    info["pilot_queries"] = query_count(
        app, client, f"/courses/sessions/reports/program/{info['pilot']}")
    return pages, info


def report(pages: list, info: dict, backend: str, sessions: int) -> str:
    lines = report_head(
        f"Cadence attendance-by-level benchmark on {backend}",
        f"data: {info['people']:,}-person subtree, {sessions} sessions in one program, "
        f"{info['registrations']:,} registrations, {info['attendances']:,} attendance rows, "
        f"bulk inserted in {info['bulk_seconds']:.1f} s")
    big_label = f"    SQL queries, {info['people']:,}-person subtree"
    for page in pages:
        lines += page_lines(page, big_label, "    SQL queries, 5-person subtree")
    program = pages[0].queries
    lines.append(f"{'program report SQL queries, 5-session program':<52} "
                 f"{info['pilot_queries']:>12}  same as {sessions} "
                 f"{verdict(info['pilot_queries'] == program)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Attendance-by-level benchmark (figures).")
    parser.add_argument("--people", type=int, default=2000, help="people in the subtree")
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--requests", type=int, default=30, help="page requests to time")
    add_database_options(parser)
    args = parser.parse_args(argv)
    if args.requests < 2 or args.people < 400 or args.sessions < 1:
        parser.error("--requests >= 2, --people >= 400, --sessions >= 1")
    check_database_url(parser, args)
    with scratch_app(args.database_url, "cadence-bench-attendance-") as app:
        backend = db.engine.dialect.name
        pages, info = run(app, args)
    print(report(pages, info, backend, args.sessions))


if __name__ == "__main__":
    main()
