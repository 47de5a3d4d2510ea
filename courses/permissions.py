"""Course rules for the one permission layer (registered into ``lms.authz``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from courses.models import Course, CourseStatus, Enrollment
from lms.authz import in_subtree, rule, scope, visibility
from lms.people.models import Level, User


@visibility(Course)
def _course_visible(user: User, course: Course) -> bool:
    # Published and archived courses exist for everyone signed in (managers look at the
    # courses their reps take); a never-published draft only for admins.
    return user.is_admin or course.current_version_id is not None


@scope(Course)
def _course_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(Course.current_version_id.is_not(None))


@visibility(Enrollment)
def _enrollment_visible(user: User, enrollment: Enrollment) -> bool:
    return user.is_admin or in_subtree(user, enrollment.user)


@scope(Enrollment)
def _enrollment_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    from lms.people.tree import subtree_ids
    return stmt.where(Enrollment.user_id.in_(subtree_ids(user.id)))


@rule("course.view")
def _view(user: User, course: Course) -> bool:
    return True


@rule("course.author")
def _author(user: User, _course: Any) -> bool:
    return user.is_admin


@rule("course.enrol_self")
def _enrol_self(user: User, course: Course) -> bool:
    version = course.current_version
    return (course.status == CourseStatus.PUBLISHED and version is not None
            and course.self_enrol and f",{user.level}," in version.audience)


@rule("course.enrol_others")
def _enrol_others(user: User, course: Any) -> bool:
    published = course is None or course.status == CourseStatus.PUBLISHED
    return published and (user.is_admin or Level(user.level).rank >= Level.MANAGER.rank)


@rule("course.progress")
def _course_progress(user: User, _course: Any) -> bool:
    """See enrolment and completion across a course: admins, and managers for their team."""
    return user.is_admin or Level(user.level).rank >= Level.MANAGER.rank


@rule("enrollment.take")
def _take(user: User, enrollment: Enrollment) -> bool:
    return enrollment.user_id == user.id


@rule("enrollment.withdraw")
def _withdraw(user: User, enrollment: Enrollment) -> bool:
    """Leave a course you chose yourself; a required one only the people who assign it."""
    if enrollment.user_id == user.id:
        return user.is_admin or not enrollment.is_required
    return user.is_admin or Level(user.level).rank >= Level.MANAGER.rank


@rule("attendance.report")
def _attendance_report(user: User, _obj: Any) -> bool:
    """Attendance by level: leaders and executives (for their subtree), and admins."""
    return user.is_admin or Level(user.level).rank >= Level.LEADER.rank


# --- live sessions (issue 5) ----------------------------------------------------------------

def _live_models():
    from courses.live import models
    return models


def _register_live_visibility() -> None:
    live = _live_models()

    @visibility(live.LiveSession)
    def _session_visible(user: User, session: Any) -> bool:
        # Scheduled sessions are a catalog for everyone signed in; a cancelled one stays
        # visible to admins and its facilitator (registrants reach it through the list).
        return (session.status == live.SessionStatus.SCHEDULED or user.is_admin
                or session.facilitator_id == user.id)

    @scope(live.LiveSession)
    def _session_scope(stmt: Select, user: User) -> Select:
        if user.is_admin:
            return stmt
        return stmt.where((live.LiveSession.status == live.SessionStatus.SCHEDULED)
                          | (live.LiveSession.facilitator_id == user.id))

    @visibility(live.Registration)
    def _registration_visible(user: User, registration: Any) -> bool:
        return (user.is_admin or registration.session.facilitator_id == user.id
                or in_subtree(user, registration.user))

    @visibility(live.AttendanceConfirmation)
    def _confirmation_visible(user: User, confirmation: Any) -> bool:
        return (user.is_admin or confirmation.leader_id == user.id
                or confirmation.session.facilitator_id == user.id)


_register_live_visibility()


@rule("session.view")
def _session_view(user: User, _session: Any) -> bool:
    return True


@rule("session.manage")
def _session_manage(user: User, _session: Any) -> bool:
    return user.is_admin


@rule("session.facilitate")
def _session_facilitate(user: User, session: Any) -> bool:
    return user.is_admin or (session is not None and session.facilitator_id == user.id)


@rule("session.register_others")
def _session_register_others(user: User, _session: Any) -> bool:
    return user.is_admin or Level(user.level).rank >= Level.MANAGER.rank


@rule("session.confirm")
def _session_confirm(user: User, session: Any) -> bool:
    from courses.live.services import has_people_in
    return session is not None and has_people_in(user, session)


# --- programs (issue 5) ---------------------------------------------------------------------

def _sees_programs(user: User, program: Any) -> bool:
    """Admins, the program's owner, and leaders and executives (for their subtree)."""
    return (user.is_admin or Level(user.level).rank >= Level.LEADER.rank
            or (program is not None and program.owner_id == user.id))


def _register_program_visibility() -> None:
    live = _live_models()

    @visibility(live.Program)
    def _program_visible(user: User, program: Any) -> bool:
        return _sees_programs(user, program)

    @scope(live.Program)
    def _program_scope(stmt: Select, user: User) -> Select:
        if _sees_programs(user, None):
            return stmt
        return stmt.where(live.Program.owner_id == user.id)


_register_program_visibility()


@rule("program.manage")
def _program_manage(user: User, _program: Any) -> bool:
    return user.is_admin


@rule("program.view")
def _program_view(user: User, program: Any) -> bool:
    return _sees_programs(user, program)


# --- pre-training communication (issue 5) ---------------------------------------------------

def _receives(user: User, communication: Any) -> bool:
    from courses.live.communications import is_recipient
    return is_recipient(communication, user)


def _register_communication_visibility() -> None:
    live = _live_models()

    @visibility(live.Communication)
    def _communication_visible(user: User, communication: Any) -> bool:
        # The author, the leaders above the author (their message goes out in their name),
        # the people it went to, and admins.
        if user.is_admin or communication.author_id == user.id:
            return True
        author = communication.author
        return (author is not None and in_subtree(user, author)) or _receives(user, communication)

    @scope(live.Communication)
    def _communication_scope(stmt: Select, user: User) -> Select:
        if user.is_admin:
            return stmt
        from lms.people.tree import subtree_ids
        received = select(live.CommunicationRecipient.communication_id).where(
            live.CommunicationRecipient.user_id == user.id)
        return stmt.where(live.Communication.author_id.in_(subtree_ids(user.id))
                          | live.Communication.id.in_(received))


_register_communication_visibility()


@rule("communication.view")
def _communication_view(user: User, _communication: Any) -> bool:
    return True  # visibility already decided


@rule("communication.write")
def _communication_write(user: User, _obj: Any) -> bool:
    """Leaders and executives write to the people they lead; admins on anyone's behalf."""
    return user.is_admin or Level(user.level).rank >= Level.LEADER.rank


@rule("communication.manage")
def _communication_manage(user: User, communication: Any) -> bool:
    """Edit, cancel, send now and see who received, opened and acknowledged."""
    return user.is_admin or (communication is not None and communication.author_id == user.id)


@rule("communication.acknowledge")
def _communication_acknowledge(user: User, communication: Any) -> bool:
    return communication is not None and _receives(user, communication)
