"""The demo curriculum: leaders first, then managers, then reps, some part-way through."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from courses import demo, reports
from courses.demo_curriculum import CURRICULUM
from courses.models import Course, Enrollment, PrerequisiteKind
from courses.services.player import progress_of
from courses.unlocking import lock_reasons, waiting_on
from lms.db import utcnow
from lms.demo import DEMO_LOADERS, load_demo
from lms.extensions import db
from lms.notify.models import Notification
from lms.people.models import Level, User


@pytest.fixture
def loaded(session, ctx):
    people = load_demo()
    courses = {c.slug: c for c in session.scalars(select(Course).order_by(Course.id))}
    return people, courses


def _enrolled(course: Course) -> list[Enrollment]:
    return list(db.session.scalars(select(Enrollment).where(Enrollment.course_id == course.id)))


def _by(level: str, people: list[User]) -> list[User]:
    return [person for person in people if person.level == level and not person.is_admin]


def test_the_loader_is_registered_with_the_demo_organisation():
    assert demo._load_with_the_demo_organisation in DEMO_LOADERS


def test_demo_has_three_published_courses_for_leaders_managers_and_reps(loaded):
    _people, courses = loaded
    assert set(courses) == {"leading-the-change", "coaching-rhythm", "discovery-conversations"}
    audiences = {slug: course.current_version.audience_levels
                 for slug, course in courses.items()}
    assert audiences == {"leading-the-change": [Level.LEADER, Level.EXECUTIVE],
                         "coaching-rhythm": [Level.MANAGER],
                         "discovery-conversations": [Level.REP]}
    assert all(course.status == "published" for course in courses.values())
    assert {slug: len(c.current_version.lessons) for slug, c in courses.items()} == {
        "leading-the-change": 6, "coaching-rhythm": 8, "discovery-conversations": 5}


def test_lessons_are_substantial_markdown_with_lists_and_safe_html(loaded):
    _people, courses = loaded
    for course in courses.values():
        for lesson in course.current_version.lessons:
            words = len(lesson.body_markdown.split())
            assert 150 <= words <= 400, (lesson.title, words)
            assert "<script" not in lesson.body_html
        assert any("<li>" in lesson.body_html for lesson in course.current_version.lessons)
    assert len({lesson.title for text in CURRICULUM for module in text.modules
                for lesson in module.lessons}) == 19


def test_prerequisites_put_leaders_then_managers_then_reps(loaded):
    _people, courses = loaded
    rules = {(course.slug, p.kind, p.required_course.slug)
             for course in courses.values() for p in course.prerequisites}
    assert rules == {
        ("coaching-rhythm", PrerequisiteKind.MANAGER_COMPLETION, "leading-the-change"),
        ("discovery-conversations", PrerequisiteKind.MANAGER_COMPLETION, "coaching-rhythm"),
    }


def test_whoever_a_rule_waits_on_is_enrolled_in_the_required_course(loaded):
    """A rule nobody can satisfy would lock a learner for good."""
    people, courses = loaded
    for course in courses.values():
        for prerequisite in course.prerequisites:
            required = {e.user_id for e in _enrolled(prerequisite.required_course)}
            for enrollment in _enrolled(course):
                assert enrollment.user.manager_id in required, enrollment.user


def test_each_level_is_enrolled_in_its_course(loaded):
    people, courses = loaded
    expected = {"leading-the-change": _by("leader", people),
                "coaching-rhythm": _by("manager", people),
                "discovery-conversations": _by("rep", people)}
    for slug, learners in expected.items():
        assert {e.user_id for e in _enrolled(courses[slug])} == {p.id for p in learners}
    assert [len(v) for v in expected.values()] == [3, 12, 72]


def _states(course: Course) -> Counter:
    version = course.current_version
    states = Counter()
    for enrollment in _enrolled(course):
        progress = progress_of(enrollment, version)
        states["completed" if enrollment.completed_at else
               "part-way" if progress.required_done else "not started"] += 1
    return states


def test_some_have_completed_some_are_part_way_and_some_have_not_started(loaded):
    _people, courses = loaded
    assert _states(courses["leading-the-change"]) == {"completed": 2, "part-way": 1}
    assert _states(courses["coaching-rhythm"]) == {"completed": 3, "part-way": 2,
                                                   "not started": 7}
    assert _states(courses["discovery-conversations"]) == {"completed": 3, "part-way": 6,
                                                           "not started": 63}


def test_some_reps_are_unlocked_and_the_rest_wait_on_their_manager(loaded):
    people, courses = loaded
    reps = _by("rep", people)
    reasons = lock_reasons(courses["discovery-conversations"], reps)
    locked = [rep for rep in reps if reasons[rep.id]]
    assert (len(reps) - len(locked), len(locked)) == (18, 54)
    rep = locked[0]
    assert reasons[rep.id][0].message == (
        f"Locked until your manager, {rep.manager.name}, completes "
        "“Coaching Rhythm for Sales Managers”.")
    assert {r.id for r, _course in waiting_on(rep.manager)} == {
        p.id for p in people if p.manager_id == rep.manager_id}
    unlocked = Counter(db.session.execute(
        select(User.level, Notification.recipient_id)
        .join(Notification, Notification.recipient_id == User.id)
        .where(Notification.kind == "course.unlocked")).all())
    # Reps hear when their manager completes; managers when their leader does.
    assert Counter(level for level, _id in unlocked) == {"rep": 18, "manager": 8}
    assert not {person_id for _level, person_id in unlocked} & {r.id for r in locked}


def test_third_region_managers_wait_on_their_leader(loaded):
    people, courses = loaded
    leader = next(p for p in people if p.email == "leader3@cadence.example")
    managers = [p for p in people if p.manager_id == leader.id]
    reasons = lock_reasons(courses["coaching-rhythm"], managers)
    assert all(reasons[m.id] for m in managers)
    assert reasons[managers[0].id][0].message == (
        f"Locked until your manager, {leader.name}, completes “Leading the Change”.")


def test_the_demo_shows_overdue_people(loaded):
    _people, courses = loaded
    overdue = reports.enrollment_rows(reports.overdue_ids(None, now=utcnow()), now=utcnow())
    assert {row.course_slug for row in overdue} == {"leading-the-change", "coaching-rhythm"}
    assert {row.level for row in overdue} == {"leader", "manager"}


def test_loading_again_adds_nothing(loaded):
    people, _courses = loaded
    admin = next(p for p in people if p.is_admin)
    assert demo.load_demo_courses(people, admin) is None
    assert db.session.scalar(select(func.count()).select_from(Course)) == 3


def test_cli_demo_if_empty_loads_the_curriculum_once(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["cadence", "demo", "--if-empty"])
    enrolments = db.session.scalar(select(func.count()).select_from(Enrollment))
    second = runner.invoke(args=["cadence", "demo", "--if-empty"])

    assert first.exit_code == second.exit_code == 0, first.output
    assert "demo data not loaded" in second.output
    assert db.session.scalar(select(func.count()).select_from(Course)) == 3
    assert enrolments == 3 + 12 + 72
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == enrolments
