"""Course benchmarks; prints figures, asserts nothing.

    python -m bench.courses                      # a temporary SQLite file
    python -m bench.courses --requests 30 --team 50
    python -m bench.courses --database-url postgresql+psycopg://user@host/empty_db --reset

(a) A 2,000-person subtree under one executive (leaders, managers, reps), 20 published courses
and 40,000 enrolments with varied progress (everyone in the subtree in every course), plus
a branch outside it; rows are bulk inserted. The leader's completion-by-level page is timed
through the test client (median and p95 over ``--requests`` signed-in requests; target:
median under 200 ms) and its query count compared with a 10-person subtree's (target: the
same). The team page (whole subtree) and a course report are timed alongside for reference.
(b) Unlocking: a manager with ``--team`` reports, each enrolled in a rep course that needs
the manager to complete the manager course; one request completes the manager's last lesson
and so unlocks and notifies every rep. Its query count is compared with a 5-report team's
(target: the same) and its time reported. Emails are delivered after the response, outside
the figure, as on a server.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, insert, select, text

from bench.pages import PageFigures, page_lines, report_head, sign_in, time_page, verdict
from bench.run import (
    PASSWORD,
    add_database_options,
    check_database_url,
    counting_queries,
    scratch_app,
    timing,
)
from courses.models import (
    Course,
    Enrollment,
    EnrollmentStatus,
    LessonProgress,
    PrerequisiteKind,
)
from courses.services import authoring
from courses.unlocking import lock_reasons
from lms.auth.passwords import hash_password
from lms.db import utcnow
from lms.extensions import db
from lms.notify.models import Notification
from lms.people.models import Level, User

DOMAIN = "bench-courses.example"
LEADERS, MANAGERS_PER_LEADER = 10, 18  # 10 + 180 managers + the rest reps: 2,000 in all
OUTSIDE = 300  # people in another branch, enrolled too, that the page must leave out


@dataclass
class UnlockFigures:
    team: int
    ms: list[float] = field(default_factory=list)
    queries: int = 0
    small_queries: int = 0
    notified: int = 0
    still_locked: int = 0


class People:
    """Bulk-inserted users with ids chosen here, so enrolments can refer to them at once."""

    def __init__(self):
        self.rows: list[dict] = []
        self.saved = 0
        self.password_hash = hash_password(PASSWORD)

    def add(self, level: Level, manager_id: int | None, *, name: str | None = None,
            admin: bool = False, signs_in: bool = False) -> int:
        person_id = len(self.rows) + 1
        now = utcnow()
        self.rows.append({
            "id": person_id, "email": f"p{person_id}@{DOMAIN}",
            "name": name or f"Person {person_id:05}", "job_title": level.label,
            "level": level.value, "manager_id": manager_id, "is_admin": admin,
            "is_facilitator": False, "is_active": True, "time_zone": "UTC",
            "session_generation": 1, "created_at": now, "updated_at": now,
            "password_hash": self.password_hash if signs_in else None})
        return person_id

    def team(self, manager_id: int, size: int) -> list[int]:
        return [self.add(Level.REP, manager_id) for _ in range(size)]

    def flush(self) -> None:
        """Insert the people added since the last flush."""
        if self.saved < len(self.rows):
            db.session.execute(insert(User), self.rows[self.saved:])
            sync_sequence(User)
        self.saved = len(self.rows)

    def may_sign_in(self, person_id: int) -> None:
        self.rows[person_id - 1]["password_hash"] = self.password_hash

    def email(self, person_id: int) -> str:
        return self.rows[person_id - 1]["email"]


def build_subtree(people: People, root: int, size: int) -> tuple[list[int], int]:
    """``size`` people under and including ``root``; returns them and a 10-person team lead."""
    members = [root]
    reps_left = size - 1 - LEADERS - LEADERS * MANAGERS_PER_LEADER
    managers = []
    for _ in range(LEADERS):
        leader = people.add(Level.LEADER, root)
        members.append(leader)
        for _ in range(MANAGERS_PER_LEADER):
            managers.append(people.add(Level.MANAGER, leader))
    members.extend(managers)
    for index, manager in enumerate(managers):
        share = reps_left // len(managers) + (1 if index < reps_left % len(managers) else 0)
        members.extend(people.team(manager, share))
    people.may_sign_in(managers[0])
    return members, managers[0]


def vp_and_small_leader(people: People, cso: int,
                        size: int) -> tuple[int, list[int], int, list[int]]:
    """Under ``cso``: an Area VP with a ``size``-person subtree, and a Small Leader with a
    manager and three reps (5 people); both may sign in. Returns the VP, the subtree, the
    Small Leader and their team, flushed."""
    vp = people.add(Level.EXECUTIVE, cso, name="Area VP", signs_in=True)
    members, _manager = build_subtree(people, vp, size)
    small = people.add(Level.LEADER, cso, name="Small Leader", signs_in=True)
    small_team = [small, *people.team(people.add(Level.MANAGER, small), 3)]
    people.flush()
    return vp, members, small, small_team


def author_courses(admin: User, count: int, lessons: int) -> list[Course]:
    courses = []
    for number in range(1, count + 1):
        course = authoring.create_course(authoring.CourseData(
            title=f"Bench course {number:02}", slug=f"bench-course-{number}",
            audience=(Level.REP, Level.MANAGER, Level.LEADER, Level.EXECUTIVE)), by=admin)
        for m in range(2):
            module = authoring.add_module(course, f"Module {m + 1}", by=admin)
            for n in range(lessons // 2):
                authoring.add_lesson(module, authoring.LessonData(
                    title=f"Lesson {m + 1}.{n + 1}", body_markdown="Read *this*."), by=admin)
        authoring.publish(course, by=admin)
        courses.append(course)
    return courses


def enrol_with_progress(learners: list[int], courses: list[Course], rng: random.Random) -> int:
    """Enrol every learner in every course with varied progress; returns enrolments made."""
    now = utcnow()
    keys = {course.id: [lesson.key for lesson in course.current_version.lessons]
            for course in courses}
    enrolments, progress = [], []
    next_id = (db.session.scalar(select(func.max(Enrollment.id))) or 0) + 1
    for person in learners:
        for course in courses:
            lessons = keys[course.id]
            done = rng.choice((0, 0, len(lessons), len(lessons), *range(1, len(lessons))))
            due = now + timedelta(days=rng.randint(-30, 45)) if rng.random() < 0.8 else None
            complete = done == len(lessons)
            enrolments.append({
                "id": next_id, "course_id": course.id, "user_id": person,
                "status": EnrollmentStatus.COMPLETED if complete else EnrollmentStatus.ACTIVE,
                "due_at": due, "enrolled_at": now - timedelta(days=60),
                "started_at": now - timedelta(days=50) if done else None,
                "completed_at": now - timedelta(days=rng.randint(1, 40)) if complete else None,
                "last_lesson_key": lessons[done - 1] if done else None})
            progress.extend({"enrollment_id": next_id, "lesson_key": key, "completed_at": now}
                            for key in lessons[:done])
            next_id += 1
    insert_in_chunks(Enrollment, enrolments)
    insert_in_chunks(LessonProgress, progress, 20_000)
    sync_sequence(Enrollment)
    return len(enrolments)


def insert_in_chunks(model, rows: list[dict], size: int = 10_000) -> None:
    """Bulk insert ``rows`` into ``model``'s table, ``size`` rows a statement."""
    for start in range(0, len(rows), size):
        db.session.execute(insert(model), rows[start:start + size])


def sync_sequence(model) -> None:
    """After inserting chosen ids, move PostgreSQL's id sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    table = model.__table__
    top = db.session.scalar(select(func.max(table.c.id)))
    db.session.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :top)"),
                       {"table": table.name, "top": top})


# --- (b) unlocking -----------------------------------------------------------------------------

def unlock_courses(admin: User) -> tuple[Course, Course]:
    manager_course, rep_course = author_courses_named(admin, ("Coach first", "Reps after"))
    authoring.add_prerequisite(rep_course, PrerequisiteKind.MANAGER_COMPLETION, manager_course,
                               by=admin)
    return manager_course, rep_course


def author_courses_named(admin: User, titles: tuple[str, ...]) -> list[Course]:
    courses = []
    for title in titles:
        course = authoring.create_course(authoring.CourseData(
            title=title, audience=(Level.REP, Level.MANAGER)), by=admin)
        module = authoring.add_module(course, "Only module", by=admin)
        for n in range(4):
            authoring.add_lesson(module, authoring.LessonData(title=f"Step {n + 1}"), by=admin)
        authoring.publish(course, by=admin)
        courses.append(course)
    return courses


def unlock_team(people: People, leader: int, size: int, manager_course: Course,
                rep_course: Course) -> tuple[int, list[int]]:
    """A manager one lesson short of the manager course, with ``size`` locked reps."""
    manager = people.add(Level.MANAGER, leader, signs_in=True)
    reps = people.team(manager, size)
    people.flush()
    now = utcnow()
    lessons = [lesson.key for lesson in manager_course.current_version.lessons]
    db.session.execute(insert(Enrollment), [
        {"course_id": rep_course.id, "user_id": rep, "status": EnrollmentStatus.ACTIVE,
         "enrolled_at": now} for rep in reps])
    enrollment_id = db.session.execute(insert(Enrollment).values(
        course_id=manager_course.id, user_id=manager, status=EnrollmentStatus.ACTIVE,
        enrolled_at=now, started_at=now).returning(Enrollment.id)).scalar_one()
    db.session.execute(insert(LessonProgress), [
        {"enrollment_id": enrollment_id, "lesson_key": key, "completed_at": now}
        for key in lessons[:-1]])
    return manager, reps


def complete_last_lesson(app: Flask, people: People, manager: int,
                         manager_course: Course) -> tuple[float, int]:
    client = sign_in(app, people.email(manager))
    last = manager_course.current_version.lessons[-1].key
    url = f"/courses/{manager_course.slug}/lessons/{last}/complete"
    with counting_queries() as statements, timing() as elapsed, app.app_context():
        response = client.post(url)
    if response.status_code not in (200, 302, 303):
        sys.exit(f"POST {url} answered HTTP {response.status_code}: "
                 + response.get_data(as_text=True)[-3000:])
    return elapsed.wall * 1000, len(statements)


def measure_unlock(app: Flask, people: People, admin: User, leader: int, size: int,
                   repeat: int) -> UnlockFigures:
    manager_course, rep_course = unlock_courses(admin)
    db.session.commit()
    figures = UnlockFigures(team=size)
    teams = []
    for team_size in [5] * repeat + [size] * repeat:
        teams.append((team_size, *unlock_team(people, leader, team_size, manager_course,
                                              rep_course)))
    db.session.commit()
    small_counts = []
    for team_size, manager, reps in teams:
        ms, queries = complete_last_lesson(app, people, manager, manager_course)
        db.session.rollback()  # end this session's read snapshot: see what the request wrote
        if team_size == size:
            figures.ms.append(ms)
            figures.queries = queries
            figures.notified += db.session.scalar(
                select(func.count()).select_from(Notification)
                .where(Notification.kind == "course.unlocked",
                       Notification.recipient_id.in_(reps)))
            rep_users = list(db.session.scalars(select(User).where(User.id.in_(reps))))
            reasons = lock_reasons(db.session.get(Course, rep_course.id), rep_users)
            figures.still_locked += sum(1 for found in reasons.values() if found)
        else:
            small_counts.append(queries)
    figures.small_queries = max(small_counts)
    return figures


# --- the run -----------------------------------------------------------------------------------

def run(app: Flask, args) -> tuple[list[PageFigures], UnlockFigures, dict]:
    rng = random.Random(2026)
    people = People()
    cso = people.add(Level.EXECUTIVE, None, name="Chief Sales Officer")
    admin_id = people.add(Level.LEADER, None, name="Bench Admin", admin=True)
    vp = people.add(Level.EXECUTIVE, cso, name="Area VP", signs_in=True)
    members, small = build_subtree(people, vp, args.people)
    other_vp = people.add(Level.EXECUTIVE, cso, name="Other VP")
    outside = [other_vp, *people.team(people.add(Level.MANAGER, other_vp), OUTSIDE - 2)]
    people.flush()
    admin = db.session.get(User, admin_id)
    courses = author_courses(admin, args.courses, args.lessons)
    with timing() as built:
        made = enrol_with_progress(members, courses, rng)
        enrol_with_progress(outside, courses, rng)
        db.session.commit()
    info = {"people": len(members), "enrolments": made, "courses": len(courses),
            "progress_rows": db.session.scalar(select(func.count(LessonProgress.id))),
            "small_team": sum(1 for row in people.rows if row["manager_id"] == small) + 1,
            "bulk_seconds": built.wall}
    vp_email, small_email = people.email(vp), people.email(small)
    pages = [time_page(app, vp_email, small_email, "/courses/progress/levels", args.requests,
                       "completion by level")]
    pages.append(time_page(app, vp_email, small_email, "/courses/progress/team?scope=all",
                           args.requests, "team page, whole subtree (50 a page)"))
    pages.append(time_page(app, vp_email, small_email,
                           f"/courses/progress/course?course={courses[0].id}", args.requests,
                           "course report (50 a page)"))
    unlock = measure_unlock(app, people, admin, members[1], args.team, args.unlock_repeat)
    return pages, unlock, info


def report(pages: list[PageFigures], unlock: UnlockFigures, info: dict, backend: str) -> str:
    big_label = f"    SQL queries, {info['people']:,}-person subtree"
    small_label = f"    SQL queries, {info['small_team']}-person subtree"
    unlock_median = statistics.median(unlock.ms)
    lines = report_head(
        f"Cadence course benchmarks on {backend}",
        f"data: {info['people']:,}-person subtree, {info['courses']} courses, "
        f"{info['enrolments']:,} enrolments in it ({info['progress_rows']:,} lesson completions "
        f"in all), bulk inserted in {info['bulk_seconds']:.1f} s")
    for page in pages:
        # Only the completion-by-level page has a target; the others are for reference.
        lines += page_lines(page, big_label, small_label,
                            None if page is pages[0] else "(reference)")
    lines += [
        f"{f'unlock: manager completes, {unlock.team} reps open':<52}",
        f"{f'    one request, median of {len(unlock.ms)} managers':<52} {unlock_median:>9.1f} ms",
        f"{f'    SQL queries, {unlock.team} reports':<52} {unlock.queries:>12}  "
        f"same as 5 {verdict(unlock.queries == unlock.small_queries)}",
        f"{'    SQL queries, 5 reports':<52} {unlock.small_queries:>12}",
        f"{'    reps notified / still locked':<52} "
        f"{f'{unlock.notified} / {unlock.still_locked}':>12}  "
        f"{verdict(unlock.notified == unlock.team * len(unlock.ms) and not unlock.still_locked)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Cadence course benchmarks (figures only).")
    parser.add_argument("--people", type=int, default=2000, help="people in the subtree")
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--lessons", type=int, default=6, help="lessons per course (even)")
    parser.add_argument("--requests", type=int, default=30, help="page requests to time")
    parser.add_argument("--team", type=int, default=50, help="reports of the unlocking manager")
    parser.add_argument("--unlock-repeat", type=int, default=5,
                        help="managers timed at each team size")
    add_database_options(parser)
    args = parser.parse_args(argv)
    minimum = 1 + LEADERS + LEADERS * MANAGERS_PER_LEADER * 2
    if args.requests < 2 or args.people < minimum or args.lessons < 2 or args.lessons % 2:
        parser.error(f"--requests >= 2, --people >= {minimum}, --lessons even and >= 2")
    check_database_url(parser, args)
    with scratch_app(args.database_url, "cadence-bench-courses-") as app:
        backend = db.engine.dialect.name
        pages, unlock, info = run(app, args)
    print(report(pages, unlock, info, backend))


if __name__ == "__main__":
    main()
