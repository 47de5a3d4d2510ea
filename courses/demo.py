"""The demo curriculum, authored, enrolled and part-taken through the course services.

Leaders go first, managers follow their leader, reps follow their manager:

- *Leading the Change* (leaders): two leaders have completed it, the third is part-way and
  past the due date;
- *Coaching Rhythm* (managers) opens when the manager's own manager (their leader) has
  completed *Leading the Change*: some managers have completed it, some are part-way, some
  have not started, and the third region's managers are still waiting on their leader;
- *Discovery Conversations* (reps) opens when the rep's manager has completed *Coaching
  Rhythm*: three teams are open (a few reps part-way), the other nine are locked.

``flask cadence demo`` runs it after building the organisation (see ``lms.demo.DEMO_LOADERS``);
nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from courses.demo_curriculum import CURRICULUM, LEADER, MANAGER, REP, CourseText
from courses.models import Course, Enrollment, PrerequisiteKind
from courses.services import authoring, enrolment, player
from courses.unlocking import lock_reasons_for
from lms import demo as lms_demo
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User

# Lessons done per manager, by region (leader) and team: None = not started. The third
# region's leader has not finished, so its managers cannot start yet.
MANAGER_LESSONS_DONE = ((8, 8, 4, None), (8, 2, None, None), (None, None, None, None))
LEADER_LESSONS_DONE = (6, 6, 3)
REP_LESSONS_DONE = (5, 3, 1)  # the first reps of each open team; the rest have not started


@dataclass
class DemoCourses:
    leader: Course
    manager: Course
    rep: Course

    @property
    def all(self) -> list[Course]:
        return [self.leader, self.manager, self.rep]


def _author(text: CourseText, admin: User) -> Course:
    minutes = sum(lesson.minutes for module in text.modules for lesson in module.lessons)
    course = authoring.create_course(authoring.CourseData(
        title=text.title, slug=text.slug, summary=text.summary,
        audience=tuple(Level(level) for level in text.audience), tags=text.tags,
        estimated_minutes=minutes), by=admin)
    for module_text in text.modules:
        module = authoring.add_module(course, module_text.title, by=admin)
        for lesson in module_text.lessons:
            authoring.add_lesson(module, authoring.LessonData(
                title=lesson.title, body_markdown=lesson.body,
                estimated_minutes=lesson.minutes), by=admin)
    authoring.publish(course, by=admin)
    return course


def _take(enrollment: Enrollment, lessons: int | None) -> None:
    """Complete the first ``lessons`` lessons as the learner would."""
    for lesson in enrollment.course.current_version.lessons[:lessons or 0]:
        player.complete_lesson(enrollment, lesson, by=enrollment.user)


def _reports(people: list[User], manager: User) -> list[User]:
    return [person for person in people if person.manager_id == manager.id]


def load_demo_courses(people: list[User], admin: User) -> DemoCourses | None:
    """Add the demo curriculum for the demo ``people``; None when it is already there."""
    slugs = [text.slug for text in CURRICULUM]
    if db.session.scalar(select(Course.id).where(Course.slug.in_(slugs)).limit(1)):
        return None
    courses = DemoCourses(*(_author(text, admin) for text in (LEADER, MANAGER, REP)))
    authoring.add_prerequisite(courses.manager, PrerequisiteKind.MANAGER_COMPLETION,
                               courses.leader, by=admin)
    authoring.add_prerequisite(courses.rep, PrerequisiteKind.MANAGER_COMPLETION,
                               courses.manager, by=admin)
    now = utcnow()
    leaders = [p for p in people if p.level == Level.LEADER and not p.is_admin]
    plan: list[tuple[Enrollment, int | None]] = []
    for region, leader in enumerate(leaders):
        taken = enrolment.enrol(leader, courses.leader, by=admin, notify_person=False,
                                due_at=now - timedelta(days=3))
        plan.append((taken, LEADER_LESSONS_DONE[region % 3]))
    later: list[tuple[Enrollment, int | None]] = []
    for region, leader in enumerate(leaders):
        due = now + timedelta(days=(14, -2, 28)[region % 3])
        for team, manager in enumerate(_reports(people, leader)):
            taken = enrolment.enrol(manager, courses.manager, by=leader, due_at=due,
                                    notify_person=False)
            plan.append((taken, MANAGER_LESSONS_DONE[region % 3][team % 4]))
            for seat, rep in enumerate(_reports(people, manager)):
                taken = enrolment.enrol(rep, courses.rep, by=manager, notify_person=False,
                                        due_at=now + timedelta(days=30))
                later.append((taken, REP_LESSONS_DONE[seat] if seat < 3 else None))
    # Leaders, then managers (whose completions unlock and notify their reps), then reps.
    for taken, lessons in plan:
        _take(taken, lessons)
    for taken, lessons in later:
        if lessons and not _locked(taken):
            _take(taken, lessons)
    return courses


def _locked(enrollment: Enrollment) -> bool:
    return bool(lock_reasons_for(enrollment.course, enrollment.user))


def _load_with_the_demo_organisation(people: list[User]) -> None:
    admin = next((person for person in people if person.is_admin), None)
    if admin is None:
        return
    courses = load_demo_courses(people, admin)
    if courses is not None:
        from courses.live.demo import load_demo_program  # it builds on this module

        load_demo_program(people, admin, courses)


_load_with_the_demo_organisation.demo_order = 10  # type: ignore[attr-defined]
if _load_with_the_demo_organisation not in lms_demo.DEMO_LOADERS:
    lms_demo.DEMO_LOADERS.append(_load_with_the_demo_organisation)
