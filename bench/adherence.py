"""Rhythm adherence benchmark; prints figures, asserts nothing.

    python -m bench.adherence                    # a temporary SQLite file
    python -m bench.adherence --requests 30 --weeks 52
    python -m bench.adherence --database-url postgresql+psycopg://user@host/empty_db --reset

A 2,000-person subtree under one executive (10 leaders, 180 managers, reps), every coaching
pair (executive -> leaders, leaders -> managers, managers -> reps) with a check-in every week
of last calendar year (about 100,000 check-ins: most held, some late, missed, cancelled or
rescheduled, agendas prepared ahead or not, each coach with a steadier or a slipping rhythm),
an action item from half of them (done on time, late, or still open) and a gap review per
pair and month (some followed up); rows are bulk inserted. The executive's adherence roll-up
(per coach, per leader, per level, the trend) is timed through the test client for the whole
year and for its last month (median and p95 over ``--requests`` signed-in requests; target:
median under 300 ms), and each page's query count is compared with a 5-person leader's
(target: the same). On PostgreSQL the tables are analyzed after the bulk load, as autovacuum
would do; SQLite is left as a fresh database is.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import select, text

from bench.courses import People, insert_in_chunks, sync_sequence, vp_and_small_leader
from bench.pages import page_lines, report_head, time_page
from bench.run import add_database_options, check_database_url, scratch_app, timing
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus
from reinforcement.goals.models import GapReview, Goal, Metric

TARGET_MEDIAN_MS = 300.0


class Rows:
    """Bulk rows with ids chosen here, so action items can refer to their check-ins."""

    def __init__(self, year: int, weeks: int, rng: random.Random):
        self.year, self.weeks, self.rng = year, weeks, rng
        self.check_ins: list[dict] = []
        self.actions: list[dict] = []
        self.goals: list[dict] = []
        self.reviews: list[dict] = []
        first = date(year, 1, 1)
        self.monday = first + timedelta(days=(7 - first.weekday()) % 7)

    def pair(self, coach: int, coachee: int, steadiness: float, metric_id: int) -> None:
        """A year of weekly check-ins of one pair, their action items and gap reviews."""
        for week in range(self.weeks):
            when = datetime.combine(self.monday + timedelta(weeks=week),
                                    datetime.min.time(), UTC) + timedelta(hours=9)
            self._check_in(coach, coachee, when, steadiness)
        goal_id = len(self.goals) + 1
        self.goals.append({"id": goal_id, "person_id": coachee, "metric_id": metric_id,
                           "starts_on": date(self.year, 1, 1),
                           "ends_on": date(self.year, 12, 31), "target": 20.0,
                           "proposed_by_id": coach, "proposed_at": self._stamp(1, 1),
                           "coach_agreed_at": None, "coachee_agreed_at": None})
        for month in range(1, 13):
            created = self._stamp(month, 10)
            evaluated = self.rng.random() < steadiness
            self.reviews.append({
                "goal_id": goal_id, "check_in_id": None, "coach_id": coach,
                "root_cause": self.rng.choice(("skills", "capacity", "knowledge")),
                "notes": "", "gap_at_review": 4.0, "action_item_id": None,
                "created_at": created, "evaluated_at": created + timedelta(days=14)
                if evaluated else None, "evaluated_check_in_id": None,
                "gap_at_evaluation": 2.0 if evaluated else None,
                "improved": True if evaluated else None, "evaluation_note": ""})

    def _stamp(self, month: int, day: int) -> datetime:
        return datetime(self.year, month, day, 12, tzinfo=UTC)

    def _check_in(self, coach: int, coachee: int, when: datetime, steadiness: float) -> None:
        roll, check_in_id = self.rng.random(), len(self.check_ins) + 1
        status, held_at = CheckInStatus.HELD, when + timedelta(minutes=5)
        if roll > steadiness:
            status, held_at = self.rng.choice((
                (CheckInStatus.HELD, when + timedelta(days=2)),  # held late
                (CheckInStatus.MISSED, None), (CheckInStatus.CANCELLED, None),
                (CheckInStatus.RESCHEDULED, None)))
        prepared = when - timedelta(hours=20) if self.rng.random() < steadiness else None
        self.check_ins.append({
            "id": check_in_id, "plan_team_id": None, "coach_id": coach, "coachee_id": coachee,
            "scheduled_at": when, "minutes": 30, "status": status, "held_at": held_at,
            "agenda_prepared_at": prepared, "rescheduled_to_id": None, "shared_notes": "",
            "private_notes": "", "sequence": 0, "created_at": when - timedelta(days=7),
            "updated_at": when})
        if status == CheckInStatus.HELD and self.rng.random() < 0.5:
            due = (when + timedelta(days=7)).date()
            late = self.rng.random() > steadiness
            done_at = None if late and self.rng.random() < 0.4 else (
                when + timedelta(days=self.rng.randint(9, 20) if late else 6))
            self.actions.append({
                "title": "Send two proposals", "owner_id": coachee, "due_on": due,
                "done_at": done_at, "check_in_id": check_in_id, "coach_id": coach,
                "coachee_id": coachee, "council_meeting_id": None, "created_by_id": coach,
                "created_at": when})

    def save(self) -> None:
        for model, rows in ((CheckIn, self.check_ins), (ActionItem, self.actions),
                            (Goal, self.goals), (GapReview, self.reviews)):
            insert_in_chunks(model, rows)
        for model in (CheckIn, Goal):
            sync_sequence(model)


def _pairs(people: People, members: list[int]) -> list[tuple[int, int]]:
    """``(coach, coachee)`` for everyone in ``members`` who has a manager among them."""
    inside = set(members)
    return [(row["manager_id"], row["id"]) for row in people.rows
            if row["id"] in inside and row["manager_id"] in inside]


def build(people: People, args) -> dict:
    rng = random.Random(2026)
    year = utcnow().year - 1
    cso = people.add(Level.EXECUTIVE, None, name="Chief Sales Officer")
    vp, members, small, small_team = vp_and_small_leader(people, cso, args.people)
    metric_id = db.session.scalar(select(Metric.id).where(Metric.key == "proposals_sent"))
    rows = Rows(year, args.weeks, rng)
    steadiness: dict[int, float] = {}
    for coach, coachee in _pairs(people, members) + _pairs(people, small_team):
        level = steadiness.setdefault(coach, rng.choice((0.95, 0.9, 0.8, 0.6)))
        rows.pair(coach, coachee, level, metric_id)
    rows.save()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Autovacuum analyzes tables this size within a minute of a bulk load; the planner
        # needs the statistics, so gather them now rather than time guesses.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"vp": people.email(vp), "small": people.email(small), "people": len(members),
            "year": year, "check_ins": len(rows.check_ins), "actions": len(rows.actions),
            "reviews": len(rows.reviews)}


def run(app: Flask, args) -> tuple[list, dict]:
    people = People()
    with timing() as built:
        info = build(people, args)
    info["bulk_seconds"] = built.wall
    year = info["year"]
    pages = [
        time_page(app, info["vp"], info["small"],
                  f"/reinforcement/adherence/?period=year&start={year}-01", args.requests,
                  f"adherence roll-up, {year} (coaches, leaders, levels, 12 months)"),
        time_page(app, info["vp"], info["small"],
                  f"/reinforcement/adherence/?period=month&start={year}-12", args.requests,
                  f"adherence roll-up, December {year} (weekly trend)"),
    ]
    return pages, info


def report(pages: list, info: dict, backend: str) -> str:
    lines = report_head(
        f"Cadence rhythm adherence benchmark on {backend}",
        f"data: {info['people']:,}-person subtree, {info['check_ins']:,} check-ins, "
        f"{info['actions']:,} action items, {info['reviews']:,} gap reviews in {info['year']}, "
        f"bulk inserted in {info['bulk_seconds']:.1f} s")
    for page in pages:
        ok = "ok" if page.median_ms < TARGET_MEDIAN_MS else "MISSED"
        lines += page_lines(page, f"    SQL queries, {info['people']:,}-person subtree",
                            "    SQL queries, 5-person subtree",
                            target=f"< {TARGET_MEDIAN_MS:.0f} ms {ok}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rhythm adherence benchmark (figures).")
    parser.add_argument("--people", type=int, default=2000, help="people in the subtree")
    parser.add_argument("--weeks", type=int, default=52, help="weekly check-ins per pair")
    parser.add_argument("--requests", type=int, default=30, help="page requests to time")
    add_database_options(parser)
    args = parser.parse_args(argv)
    if args.requests < 2 or args.people < 400 or not 1 <= args.weeks <= 52:
        parser.error("--requests >= 2, --people >= 400, --weeks from 1 to 52")
    check_database_url(parser, args)
    with scratch_app(args.database_url, "cadence-bench-adherence-") as app:
        backend = db.engine.dialect.name
        pages, info = run(app, args)
    print(report(pages, info, backend))


if __name__ == "__main__":
    main()
