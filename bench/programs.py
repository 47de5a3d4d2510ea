"""Program reports benchmark; prints figures, asserts nothing.

    python -m bench.programs                     # a temporary SQLite file
    python -m bench.programs --requests 30 --sessions 100
    python -m bench.programs --database-url postgresql+psycopg://user@host/empty_db --reset

A program in two waves (leaders and managers, then reps) with ``--sessions`` live sessions,
three in five of them past with attendance recorded and the rest upcoming, and a 2,000-person
subtree under one executive, each person registered for a session of their wave; leaders'
pre-training communications about waves and sessions with their recipients (most delivered,
some acknowledged), leaders' attendance confirmations, and enrolments with progress in each
wave's course; rows are bulk inserted. Timed through the test client as that executive
(median and p95 over ``--requests`` signed-in requests; target: median under 200 ms): the
attendance-by-level program report, communication coverage for the program and for one
session, and the program's readiness page. Each page's query count is compared with a
5-person leader's (same pages) and, for the program pages, with a 5-session program's
(target: the same counts). On PostgreSQL the tables are analyzed after the bulk load, as
autovacuum would do; SQLite is left as a fresh database is.
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta

from flask import Flask
from sqlalchemy import insert, text

from bench.attendance import Rows
from bench.courses import (
    People,
    author_courses,
    enrol_with_progress,
    insert_in_chunks,
    sync_sequence,
    vp_and_small_leader,
)
from bench.pages import (
    PageFigures,
    page_lines,
    query_count,
    report_head,
    sign_in,
    time_page,
    verdict,
)
from bench.run import add_database_options, check_database_url, scratch_app, timing
from courses.live.models import (
    AttendanceConfirmation,
    Communication,
    CommunicationRecipient,
    ProgramWave,
    RegistrationStatus,
    wave_courses,
)
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User

PAST_SHARE = 0.6  # of the sessions, the rest are upcoming
LEADING = (Level.LEADER.value, Level.EXECUTIVE.value)


class ProgramRows(Rows):
    """The attendance benchmark's bulk rows, plus waves, communications and confirmations."""

    def __init__(self):
        super().__init__()
        self.communications: list[dict] = []
        self.recipients: list[dict] = []
        self.confirmations: list[dict] = []

    def session_in(self, program_id: int, wave_id: int | None, days_ago: int,
                   title: str) -> tuple[int, int]:
        made = self.session(program_id, days_ago, title)
        self.sessions[-1]["wave_id"] = wave_id
        return made

    def register_ahead(self, session: tuple[int, int], user_id: int) -> None:
        """A seat at an upcoming session: no attendance yet."""
        self.registrations.append({
            "id": len(self.registrations) + 1, "session_id": session[0], "user_id": user_id,
            "status": RegistrationStatus.REGISTERED, "registered_at": utcnow(),
            "is_walk_in": False})

    def communication(self, author: int, *, program: int, wave: int | None = None,
                      session: int | None = None, sent_days_ago: int | None) -> int:
        """A message; ``sent_days_ago`` None leaves it scheduled."""
        now = utcnow().replace(microsecond=0)
        sent = now - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
        self.communications.append({
            "id": len(self.communications) + 1, "author_id": author, "program_id": program,
            "wave_id": wave, "session_id": session, "subject": "Before the training",
            "what_you_learn": "The coaching rhythm.", "why_it_matters": "Reps copy it.",
            "how_work_changes": "A weekly 1:1.", "expected_results": "Better forecasts.",
            "audience_levels": ",manager,", "audience_root_id": None,
            "send_at": sent or now + timedelta(days=5),
            "status": "sent" if sent else "scheduled", "sent_at": sent, "created_at": now,
            "updated_at": now})
        return len(self.communications)

    def deliver(self, communication: int, user_id: int, rng: random.Random) -> None:
        sent = self.communications[communication - 1]["sent_at"]
        acknowledged = sent + timedelta(hours=rng.randint(1, 72)) if rng.random() < 0.6 else None
        self.recipients.append({
            "communication_id": communication, "user_id": user_id, "delivered_at": sent,
            "opened_at": acknowledged, "acknowledged_at": acknowledged, "question": ""})

    def save(self) -> None:
        super().save()
        for model, rows in ((Communication, self.communications),
                            (CommunicationRecipient, self.recipients),
                            (AttendanceConfirmation, self.confirmations)):
            insert_in_chunks(model, rows)
        sync_sequence(Communication)


def leaders_above(people: People) -> dict[int, list[int]]:
    """Per person id: the leaders and executives among them and their managers."""
    rows = {row["id"]: row for row in people.rows}
    found: dict[int, list[int]] = {}
    for person_id in rows:
        chain, current = [], person_id
        while current is not None:
            if rows[current]["level"] in LEADING:
                chain.append(current)
            current = rows[current]["manager_id"]
        found[person_id] = chain
    return found


def add_waves(program: int, courses) -> tuple[int, int]:
    start = utcnow().date() - timedelta(days=60)
    ids = []
    for number, audience, course in ((1, ",leader,manager,", courses[0]),
                                     (2, ",rep,", courses[1])):
        ids.append(db.session.execute(insert(ProgramWave).values(
            program_id=program, number=number, name=f"Wave {number}", audience=audience,
            opens_on=start, requires_manager_previous=number == 2)
            .returning(ProgramWave.id)).scalar_one())
        db.session.execute(insert(wave_courses).values(wave_id=ids[-1], course_id=course.id))
    return ids[0], ids[1]


def schedule(rows: ProgramRows, program: int, waves: tuple[int, int], count: int,
             prefix: str) -> list[tuple[tuple[int, int], int, bool]]:
    """``count`` sessions alternating between the waves: (session, wave, is past)."""
    past = round(count * PAST_SHARE)
    made = []
    for n in range(count):
        is_past = n < past
        days_ago = 1 + n % 50 if is_past else -(5 + n % 40)
        wave = waves[n % 2]
        made.append((rows.session_in(program, wave, days_ago, f"{prefix} {n + 1:03}"), wave,
                     is_past))
    return made


def seat(rows: ProgramRows, sessions, people: list[int], levels: dict[int, str],
         rng: random.Random) -> None:
    """Seat each person at a session of their wave (leaders and managers: wave 1)."""
    first, second = ([s for s in sessions if s[1] == sessions[0][1]],
                     [s for s in sessions if s[1] != sessions[0][1]])
    for index, person in enumerate(people):
        pool = second if levels[person] == Level.REP.value else first
        session, _wave, is_past = pool[index % len(pool)]
        if is_past:
            rows.register(session, person, rng)
        else:
            rows.register_ahead(session, person)


def communicate(rows: ProgramRows, program: int, waves: tuple[int, int], sessions,
                people: People, above: dict[int, list[int]], rng: random.Random) -> None:
    """Each leader writes about wave 1 to their managers; most also about wave 2 to their
    reps and about a few upcoming sessions (some still scheduled)."""
    leaders = [row["id"] for row in people.rows if row["level"] == Level.LEADER.value]
    reports = {leader: [] for leader in leaders}
    for row in people.rows:
        chain = above[row["id"]]
        if row["level"] != Level.LEADER.value and chain and chain[0] in reports:
            reports[chain[0]].append(row)
    upcoming = [s for s in sessions if not s[2]]
    for number, leader in enumerate(leaders):
        managers = [r["id"] for r in reports[leader] if r["level"] == Level.MANAGER.value]
        reps = [r["id"] for r in reports[leader] if r["level"] == Level.REP.value]
        first = rows.communication(leader, program=program, wave=waves[0], sent_days_ago=70)
        for person in managers[: int(len(managers) * 0.9)]:
            rows.deliver(first, person, rng)
        if number % 4:
            second = rows.communication(leader, program=program, wave=waves[1],
                                        sent_days_ago=30)
            for person in reps:
                rows.deliver(second, person, rng)
        for session, wave, _past in upcoming[number::len(leaders)][:3]:
            rows.communication(leader, program=program, wave=wave, session=session[0],
                               sent_days_ago=None)


def confirm(rows: ProgramRows, above: dict[int, list[int]], rng: random.Random) -> None:
    """Leaders with people in a past session confirm it, seven times in ten."""
    past = {s["id"] for s in rows.sessions if s["starts_at"] < utcnow()}
    pairs = {(r["session_id"], leader) for r in rows.registrations
             if r["session_id"] in past and r["status"] == RegistrationStatus.REGISTERED
             for leader in above[r["user_id"]]}
    now = utcnow()
    rows.confirmations.extend(
        {"session_id": session, "leader_id": leader, "status": "confirmed", "note": "",
         "resolution": "", "created_at": now}
        for session, leader in sorted(pairs) if rng.random() < 0.7)


def build(people: People, args) -> dict:
    rng = random.Random(2026)
    cso = people.add(Level.EXECUTIVE, None, name="Chief Sales Officer")
    admin_id = people.add(Level.LEADER, None, name="Bench Admin", admin=True)
    vp, members, small, small_team = vp_and_small_leader(people, cso, args.people)
    courses = author_courses(db.session.get(User, admin_id), 2, 4)
    levels = {row["id"]: row["level"] for row in people.rows}
    everyone = [*members, *small_team]
    enrol_with_progress([p for p in everyone if levels[p] != Level.REP.value], courses[:1], rng)
    enrol_with_progress([p for p in everyone if levels[p] == Level.REP.value], courses[1:], rng)
    rows = ProgramRows()
    program = rows.program("Coaching rhythm rollout")
    waves = add_waves(program, courses)
    sessions = schedule(rows, program, waves, args.sessions, "Session")
    seat(rows, sessions, everyone, levels, rng)
    above = leaders_above(people)
    communicate(rows, program, waves, sessions, people, above, rng)
    pilot = rows.program("Five-session pilot")
    pilot_waves = add_waves(pilot, courses)
    pilot_sessions = schedule(rows, pilot, pilot_waves, 5, "Pilot")
    seat(rows, pilot_sessions, members[:40], levels, rng)
    confirm(rows, above, rng)
    rows.save()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Autovacuum analyzes tables this size within a minute of a bulk load; the planner
        # needs the statistics, so gather them now rather than time guesses.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    big_session = max(
        (s for s, _wave, is_past in sessions if is_past),
        key=lambda s: sum(1 for r in rows.registrations if r["session_id"] == s[0]))[0]
    return {"program": program, "pilot": pilot, "session": big_session,
            "vp": people.email(vp), "small": people.email(small), "people": len(members),
            "registrations": len(rows.registrations), "attendances": len(rows.attendances),
            "communications": len(rows.communications), "recipients": len(rows.recipients),
            "confirmations": len(rows.confirmations)}


def run(app: Flask, args) -> tuple[list[PageFigures], dict]:
    people = People()
    with timing() as built:
        info = build(people, args)
    info["bulk_seconds"] = built.wall
    program, session = info["program"], info["session"]
    urls = [
        (f"/courses/sessions/reports/program/{program}", "attendance by level, program", True),
        (f"/courses/sessions/reports/program/{program}/coverage",
         "communication coverage, program", True),
        (f"/courses/sessions/reports/session/{session}/coverage",
         "communication coverage, one session", False),
        (f"/courses/programs/{program}/readiness", "program readiness", True),
    ]
    pages, pilot_counts = [], []
    client = sign_in(app, info["vp"])
    for url, label, per_program in urls:
        pages.append(time_page(app, info["vp"], info["small"], url, args.requests, label))
        if per_program:
            pilot_url = url.replace(f"/{program}", f"/{info['pilot']}", 1)
            pilot_counts.append(query_count(app, client, pilot_url))
        else:
            pilot_counts.append(None)
    info["pilot_queries"] = pilot_counts
    return pages, info


def report(pages: list[PageFigures], info: dict, backend: str, sessions: int) -> str:
    lines = report_head(
        f"Cadence program reports benchmark on {backend}",
        f"data: {info['people']:,}-person subtree, {sessions} sessions in one program, "
        f"{info['registrations']:,} registrations, {info['attendances']:,} attendance rows, "
        f"{info['communications']:,} communications to {info['recipients']:,} recipients, "
        f"{info['confirmations']:,} confirmations, bulk inserted in "
        f"{info['bulk_seconds']:.1f} s")
    big_label = f"    SQL queries, {info['people']:,}-person subtree"
    for page, pilot in zip(pages, info["pilot_queries"], strict=True):
        lines += page_lines(page, big_label, "    SQL queries, 5-person subtree")
        if pilot is not None:
            lines.append(f"{'    SQL queries, 5-session program':<52} {pilot:>12}  "
                         f"same as {sessions} {verdict(pilot == page.queries)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Program reports benchmark (figures).")
    parser.add_argument("--people", type=int, default=2000, help="people in the subtree")
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--requests", type=int, default=30, help="page requests to time")
    add_database_options(parser)
    args = parser.parse_args(argv)
    if args.requests < 2 or args.people < 400 or args.sessions < 4:
        parser.error("--requests >= 2, --people >= 400, --sessions >= 4")
    check_database_url(parser, args)
    with scratch_app(args.database_url, "cadence-bench-programs-") as app:
        backend = db.engine.dialect.name
        pages, info = run(app, args)
    print(report(pages, info, backend, args.sessions))


if __name__ == "__main__":
    main()
