"""Course suggestions for Home: people waiting on you, courses due soon, courses to finish."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flask import url_for
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrollment,
    EnrollmentStatus,
    Prerequisite,
    PrerequisiteKind,
)
from courses.unlocking import waiting_on
from lms.db import utcnow
from lms.extensions import db
from lms.home.nextsteps import NextStep, provider
from lms.people.models import Level, User
from lms.web.templating import date_text, relative_text

SOON = timedelta(days=7)
MAX_CONTINUE = 3


@provider
def course_steps(user: User) -> list[NextStep]:
    return [*_waiting_steps(user), *_enrolment_steps(user)]


def _waiting_steps(user: User) -> list[NextStep]:
    """One step per course that ``user`` must complete before people under them can start."""
    if Level(user.level).rank < Level.MANAGER.rank:
        return []  # nobody reports to a rep
    waiting = waiting_on(user)
    if not waiting:
        return []
    done = aliased(Enrollment)
    rows = db.session.execute(
        select(Prerequisite.course_id, Course.slug, CourseVersion.title)
        .join(Course, Course.id == Prerequisite.required_course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Prerequisite.course_id.in_({course.id for _, course in waiting}),
               Prerequisite.kind != PrerequisiteKind.OWN_COMPLETION,
               ~exists().where(done.course_id == Course.id, done.user_id == user.id,
                               done.completed_at.is_not(None))))
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    for dependent_id, slug, title in rows:
        people[(slug, title)].update(person.name for person, course in waiting
                                     if course.id == dependent_id)
    steps = []
    for (slug, title), names in sorted(people.items()):
        listed = ", ".join(sorted(names)[:3]) + (" and others" if len(names) > 3 else "")
        steps.append(NextStep(
            f"Complete “{title}”",
            f"{len(names)} of your people {'is' if len(names) == 1 else 'are'} waiting on "
            f"you: {listed}.", url_for("courses.detail", slug=slug), 15, "Open course"))
    return steps


def _enrolment_steps(user: User) -> list[NextStep]:
    """Overdue courses, courses due within a week, and courses started but not finished."""
    rows = db.session.execute(
        select(Enrollment.due_at, Enrollment.started_at, Course.slug, CourseVersion.title)
        .join(Course, Course.id == Enrollment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.ACTIVE,
               Course.status == CourseStatus.PUBLISHED)
        .order_by(Enrollment.due_at.is_(None), Enrollment.due_at, Enrollment.started_at.desc(),
                  Course.id))
    now, steps, continuing = utcnow(), [], 0
    for due_at, started_at, slug, title in rows:
        url = url_for("courses.detail", slug=slug)
        action = "Continue" if started_at else "Start"
        if due_at is not None and due_at < now:
            steps.append(NextStep(f"“{title}” is overdue",
                                  f"It was due {date_text(due_at)}.", url, 12,
                                  action))
        elif due_at is not None and due_at <= now + SOON:
            steps.append(NextStep(f"“{title}” is due soon",
                                  f"Due {relative_text(due_at, now)}.", url, 20, action))
        elif started_at is not None and continuing < MAX_CONTINUE:
            continuing += 1
            steps.append(NextStep(f"Continue “{title}”", "Pick up where you left off.", url,
                                  30, "Continue"))
    return steps
