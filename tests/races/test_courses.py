"""Publishing, enrolling, registering and cancelling, confirming attendance and revoking,
from requests racing each other: each happens once, with one of every side effect, and a
session never overfills."""

from __future__ import annotations

from sqlalchemy import select

from courses.certificates.models import Certificate
from courses.live import services as live_sessions
from courses.live.models import AttendanceConfirmation, Registration
from courses.models import Course, CourseStatus, Enrollment
from courses.services import enrolment, player
from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.people.models import Level
from tests import factories
from tests.courses import factories_live
from tests.races.conftest import post_all


def test_a_draft_is_published_once(live, crowd):
    def build():
        admin = factories.admin()
        course = factories.course(published=False, by=admin)
        return admin.email, course.id
    email, course_id = live.seed(build)

    statuses = post_all(live.signed_in(email), f"{live.url}/courses/manage/{course_id}/publish",
                        crowd)

    assert live.audits("course.publish", course_id) == 1
    assert live.read(lambda: db.session.get(Course, course_id).status) == CourseStatus.PUBLISHED
    assert statuses.count(302) >= 1


def test_a_double_click_registers_once(live, crowd):
    def build():
        rep = factories.person()
        session = factories_live.a_session(None, days=7, title="Discovery calls")
        return rep.email, session.id
    email, session_id = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/courses/sessions/{session_id}/register", crowd)

    assert live.count(Registration, Registration.session_id == session_id) == 1
    registration_id = live.read(lambda: db.session.scalar(
        select(Registration.id).where(Registration.session_id == session_id)))
    assert live.audits("session.register", registration_id) == 1


def test_a_crowd_never_overfills_a_session(live):
    seats, people = 3, 20

    def build():
        manager = factories.person(level=Level.MANAGER)
        reps = [factories.person(manager=manager) for _ in range(people)]
        session = factories_live.a_session(None, days=7, title="Negotiation")
        session.capacity = seats
        return manager.email, [rep.email for rep in reps], [rep.id for rep in reps], session.id
    email, rep_emails, rep_ids, session_id = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/courses/sessions/{session_id}/register",
             people, data=lambda number: {"email": rep_emails[number]})

    def statuses():
        return sorted(db.session.scalars(select(Registration.status).where(
            Registration.session_id == session_id)))
    assert live.read(statuses) == ["registered"] * seats + ["waitlisted"] * (people - seats)
    assert live.notifications("session.registered", rep_ids) == people
    assert live.emails("session.registered", rep_ids) == people


def test_a_leader_confirms_attendance_once(live, crowd):
    def build():
        leader = factories.person(level=Level.LEADER)
        manager = factories.person(level=Level.MANAGER, manager=leader)
        session = factories_live.a_session(None, days=-1, title="Coaching clinic")
        factories_live.register(session, manager)
        return leader.email, session.id
    email, session_id = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/courses/sessions/{session_id}/confirm", crowd)

    assert live.count(AttendanceConfirmation,
                      AttendanceConfirmation.session_id == session_id) == 1
    confirmation_id = live.read(lambda: db.session.scalar(select(AttendanceConfirmation.id)
                                .where(AttendanceConfirmation.session_id == session_id)))
    assert live.audits("session.confirm", confirmation_id) == 1


def test_a_certificate_is_revoked_once(live, crowd):
    def build():
        admin = factories.admin()
        rep = factories.person()
        course = factories.course(lessons=1, by=admin)
        enrollment = enrolment.enrol(rep, course, by=rep)
        player.complete_lesson(enrollment, course.current_version.lessons[0], by=rep)
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.course_id == course.id))
        return admin.email, rep.id, certificate.id
    email, rep_id, certificate_id = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/certificates/{certificate_id}/revoke", crowd,
             data=lambda number: {"reason": f"Issued by mistake ({number})"})

    assert live.audits("certificate.revoke", certificate_id) == 1
    assert live.notifications("certificate.revoked", [rep_id]) == 1
    assert live.emails("certificate.revoked", [rep_id]) == 1
    revoked = live.read(lambda: db.session.get(Certificate, certificate_id))
    entry_reason = live.read(lambda: _audited_reason(certificate_id))
    assert revoked.revoked_reason == entry_reason  # the winner's reason, not the last writer's


def _audited_reason(certificate_id: int) -> str:
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "certificate.revoke", AuditEntry.object_id == certificate_id))
    return entry.changes["revoked_reason"][1]


def test_a_double_click_enrols_once(live, crowd):
    def build():
        rep = factories.person()
        course = factories.course()
        return rep.email, rep.id, course.id, course.slug
    email, rep_id, course_id, slug = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/courses/{slug}/join", crowd)

    assert live.count(Enrollment, Enrollment.course_id == course_id) == 1
    enrollment_id = live.read(lambda: db.session.scalar(
        select(Enrollment.id).where(Enrollment.course_id == course_id)))
    assert live.audits("enrollment.create", enrollment_id) == 1


def test_a_double_click_cancels_once_and_frees_one_seat(live, crowd):
    def build():
        rep, waiting = factories.person(), [factories.person() for _ in range(2)]
        session = factories_live.a_session(None, days=7, title="Pipeline reviews")
        session.capacity = 1
        live_sessions.register(rep, session, by=rep)
        for person in waiting:
            live_sessions.register(person, session, by=person)
        return rep.email, rep.id, session.id, [person.id for person in waiting]
    email, rep_id, session_id, waiting = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/courses/sessions/{session_id}/unregister",
             crowd)

    mine = live.read(lambda: db.session.scalar(select(Registration.id).where(
        Registration.session_id == session_id, Registration.user_id == rep_id)))
    assert live.audits("session.unregister", mine) == 1
    assert live.count(Registration, Registration.session_id == session_id,
                      Registration.status == "registered") == 1
    assert live.notifications("session.promoted", waiting) == 1
    assert live.emails("session.promoted", waiting) == 1
