"""Courses in the calendar, notification preferences and team digests.

Due dates of a person's enrolments become calendar events; a withdrawn enrolment stays
in the feed as a cancelled event for a while so calendar apps remove it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from courses.models import Course, Enrollment, EnrollmentStatus
from lms.calendar.feeds import Event, event_provider
from lms.extensions import db
from lms.notify.digests import TeamSection, team_digest_section
from lms.notify.preferences import register_kind
from lms.notify.services import absolute_url
from lms.people.models import User

CANCELLED_KEPT = timedelta(days=30)

register_kind("course.enrolled", "You are enrolled in a course")
register_kind("course.unlocked", "A course opens for you")


def _host() -> str:
    return current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]


def due_uid(enrollment_id: int) -> str:
    """The stable UID of an enrolment's due date, the same in every feed and download."""
    return f"enrollment-{enrollment_id}-due@{_host()}"


def _changed_at(enrollment: Enrollment) -> datetime:
    return max(moment for moment in (enrollment.enrolled_at, enrollment.withdrawn_at)
               if moment is not None)


@event_provider
def due_dates(person: User, now: datetime) -> list[Event]:
    """Due dates of the person's active enrolments, and recently withdrawn ones cancelled."""
    rows = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.user_id == person.id, Enrollment.due_at.is_not(None),
               or_(Enrollment.status == EnrollmentStatus.ACTIVE,
                   and_(Enrollment.status == EnrollmentStatus.WITHDRAWN,
                        Enrollment.withdrawn_at >= now - CANCELLED_KEPT)))
        .options(selectinload(Enrollment.course).selectinload(Course.current_version),
                 selectinload(Enrollment.course).selectinload(Course.draft_version))
        .order_by(Enrollment.due_at, Enrollment.id))
    events = []
    for enrollment in rows:
        changed = _changed_at(enrollment)
        events.append(Event(
            uid=due_uid(enrollment.id), summary=f"Due: {enrollment.course.title}",
            start=enrollment.due_at,
            description=f"Finish the course “{enrollment.course.title}” by this time.",
            url=absolute_url(url_for("courses.detail", slug=enrollment.course.slug)),
            cancelled=enrollment.status == EnrollmentStatus.WITHDRAWN,
            # Each status change moves the sequence on, so calendar apps take the update.
            sequence=int(changed.timestamp() // 60) % 2**31, last_modified=changed))
    return events


@team_digest_section
def overdue_enrolments(manager: User, team_ids: list[int], now: datetime) -> TeamSection | None:
    """List the team's active enrolments past their due date."""
    if not team_ids:
        return None
    rows = db.session.execute(
        select(User.name, Enrollment)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(User.id.in_(team_ids), Enrollment.status == EnrollmentStatus.ACTIVE,
               Enrollment.due_at < now)
        .options(selectinload(Enrollment.course).selectinload(Course.current_version))
        .order_by(Enrollment.due_at)).all()
    if not rows:
        return None
    return TeamSection("Overdue courses", [
        f"{name}: {enrollment.course.title} (due {enrollment.due_at:%Y-%m-%d})"
        for name, enrollment in rows])
