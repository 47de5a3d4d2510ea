"""Reminder sweep benchmark; prints figures, asserts nothing.

    python -m bench.reminders                    # a temporary SQLite file
    python -m bench.reminders --people 50000
    python -m bench.reminders --database-url postgresql+psycopg://user@host/empty_db --reset

``--people`` people (one manager for every nine reps) in four time zones, each enrolled in one
of 10 published courses with a due date between 20 days ago and 10 days ahead; rows are bulk
inserted. The sweep runs at 10:00 UTC, the morning in UTC, Berlin and (evening) Tokyo but
night in New York, so New York's people wait for their morning. Printed: the statements the
rule's candidate query took (target: one per rule, whatever the size), all statements of the
sweep (a notification batch is a few statements per course and stage), reminders sent and
seconds; then the same for a second sweep, which must send nothing.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bench.run import counting_queries, ensure_empty, scratch_app, timing
from courses.models import Course, Enrollment
from courses.services import authoring
from lms.extensions import db
from lms.notify.models import Notification, OutboxMessage
from lms.people.models import Level, User
from lms.reminders import sweep as reminder_sweep
from lms.reminders.models import ReminderSent
from lms.reminders.rules import RULES, thresholds

NOW = datetime(2024, 6, 4, 10, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "Asia/Tokyo", "America/New_York")
COURSES, TEAM = 10, 10  # a manager and nine reps


def seed(app, people: int) -> None:
    """Bulk insert the people, courses and enrolments."""
    with app.test_request_context():
        admin = User(email="admin@bench-reminders.example", name="Bench Admin",
                     level=Level.EXECUTIVE, is_admin=True)
        db.session.add(admin)
        db.session.flush()
        courses = []
        for number in range(COURSES):
            course = authoring.create_course(authoring.CourseData(
                title=f"Course {number}", slug=f"bench-course-{number}",
                audience=(Level.REP, Level.MANAGER)), by=admin)
            module = authoring.add_module(course, "Module", by=admin)
            authoring.add_lesson(module, authoring.LessonData(title="Lesson",
                                                              body_markdown="Read."), by=admin)
            authoring.publish(course, by=admin)
            courses.append(course.id)
        first = admin.id + 1
        users, enrollments = [], []
        for index in range(people):
            is_manager = index % TEAM == 0
            manager_index = index - index % TEAM
            users.append({"id": first + index, "email": f"p{index}@bench-reminders.example",
                          "name": f"Person {index}", "time_zone": ZONES[index % len(ZONES)],
                          "level": Level.MANAGER if is_manager else Level.REP,
                          "manager_id": None if is_manager else first + manager_index,
                          "is_active": True})
            enrollments.append({"course_id": courses[index % COURSES], "user_id": first + index,
                                "status": "active", "enrolled_at": NOW - timedelta(days=40),
                                "due_at": NOW + timedelta(days=index % 31 - 20, hours=1)})
        managers = [row for row in users if row["manager_id"] is None]
        db.session.execute(insert(User), managers)
        db.session.execute(insert(User), [row for row in users if row["manager_id"]])
        db.session.execute(insert(Enrollment), enrollments)
        db.session.commit()


def one_sweep(app) -> tuple[dict, int, float]:
    with app.test_request_context(), counting_queries() as statements, timing() as elapsed:
        sent = reminder_sweep.sweep(NOW)
        db.session.commit()
    return sent, len(statements), elapsed.wall


def candidate_queries(app) -> dict[str, int]:
    """Statements each rule's candidate query takes (the sweep's part that scales)."""
    zones = reminder_sweep.morning_zones(NOW, 8, 21)
    limits = thresholds()
    counts = {}
    for key, rule in RULES.items():
        with counting_queries() as statements:
            reminder_sweep.candidates(rule, limits[key], NOW, zones)
        counts[key] = len(statements)
    return counts


def run(app, people: int) -> str:
    with timing() as elapsed:
        seed(app, people)
    lines = [f"seeded {people:,} people and enrolments in {elapsed.wall:.1f} s "
             f"({db.engine.dialect.name})"]
    per_rule = candidate_queries(app)
    for label in ("first sweep", "second sweep"):
        sent, statements, seconds = one_sweep(app)
        lines.append(f"{label}: {sum(sent.values()):,} reminders sent, {statements} statements "
                     f"in all, {seconds:.2f} s")
    notifications = db.session.scalar(select(func.count()).select_from(Notification))
    emails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    logged = db.session.scalar(select(func.count()).select_from(ReminderSent))
    courses = db.session.scalar(select(func.count()).select_from(Course))
    lines.append(f"candidate query per rule: {per_rule} statement(s); {courses} courses")
    lines.append(f"rows: {notifications:,} notifications, {emails:,} emails queued, "
                 f"{logged:,} reminders logged")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Cadence reminder sweep benchmark.")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database; "
                                               "default: a temporary SQLite file")
    parser.add_argument("--reset", action="store_true",
                        help="allow emptying a --database-url that already has tables")
    args = parser.parse_args(argv)
    if args.database_url:
        ensure_empty(args.database_url, args.reset)
    with scratch_app(args.database_url, "cadence-bench-reminders-") as app:
        print(run(app, args.people))


if __name__ == "__main__":
    main()
