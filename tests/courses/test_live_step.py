"""The live-session step of a course, and prerequisites on a leader's attendance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import case, func, select

from courses.live import services as live
from courses.live.models import Attendance, AttendanceStatus, LiveSession
from courses.models import (
    Enrollment,
    EnrollmentStatus,
    LessonKind,
    LessonProgress,
    Prerequisite,
    PrerequisiteKind,
)
from courses.services import authoring, enrolment, player
from courses.unlocking import (
    counts_as_attended_sql,
    lock_reasons,
    lock_reasons_by_course,
    lock_reasons_for,
    waiting_on,
)
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.models import Notification
from tests import factories
from tests.api_support import token_headers
from tests.courses.factories_live import begin

A = AttendanceStatus


@pytest.fixture
def facilitator(session):
    return factories.person(level="manager", is_facilitator=True, name="Fran Facilitator")


def live_course(org, title="Coaching Rhythm", audience=("manager",)):
    """A published course: one reading, then the live-session step."""
    course = factories.course(title=title, audience=audience, lessons=1, by=org.admin,
                              published=False)
    authoring.add_lesson(course.draft_version.modules[0], authoring.LessonData(
        title="Join the workshop", kind=LessonKind.LIVE,
        body_markdown="Two hours of practice with your peers."), by=org.admin)
    authoring.publish(course, by=org.admin)
    return course


def schedule(org, facilitator, course=None, *, title="Coaching workshop", days=3,
             threshold=90) -> LiveSession:
    starts = utcnow().replace(microsecond=0) + timedelta(days=days)
    session = live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(minutes=120),
        facilitator=facilitator, attended_threshold=threshold, location="Room 4",
        capacity=100),
        by=org.admin)
    if course is not None:
        player.link_session(course, session, by=org.admin)
    return session


@pytest.fixture
def course(ctx, org):
    return live_course(org)


@pytest.fixture
def workshop(org, facilitator, course):
    return schedule(org, facilitator, course)


def lessons(course):
    reading, step = course.current_version.lessons
    return reading, step


def enrol(person, course, org):
    return enrolment.enrol(person, course, by=org.admin, notify_person=False)


def mark(session, by, **statuses) -> None:
    """``mark(session, by, rep=(status, minutes))`` for people registered (by registration)."""
    rows = [live.AttendanceRow(registration.id, *value)
            for registration, _ in live.roster(session)
            for name, value in statuses.items() if registration.user.email == name]
    begin(session)
    live.take_attendance(session, rows, by=by)


def done(enrollment, key) -> bool:
    return db.session.scalar(select(func.count()).select_from(LessonProgress).where(
        LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_key == key)) == 1


# --- authoring and the player ------------------------------------------------------------------

def test_admin_adds_a_live_session_step_from_the_editor(client, login, org, session):
    course = factories.course(title="Workshop course", lessons=1, by=org.admin)
    module = course.latest.modules[0]
    db.session.commit()
    login(org.admin)
    editor = client.get(f"/courses/manage/{course.id}").get_data(as_text=True)
    assert "Add a live session" in editor
    url = f"/courses/manage/{course.id}/modules/{module.key}/lessons/new?kind=live"
    form = client.get(url).get_data(as_text=True)
    assert "Add a live-session step to" in form and "What the session is about" in form
    response = client.post(url, data={"title": "Kick-off workshop", "estimated_minutes": "120",
                                      "body_markdown": "We **practise** the rhythm.",
                                      "is_required": "y"})
    assert response.status_code == 302
    lesson = course.latest.lessons[-1]
    assert (lesson.kind, lesson.title) == (LessonKind.LIVE, "Kick-off workshop")
    assert "<strong>practise</strong>" in lesson.body_html
    assert f"added={lesson.key}" in response.location
    page = client.get(f"/courses/manage/{course.id}/lessons/{lesson.key}/edit").get_data(
        as_text=True)
    assert "Sessions of this course" in page


def test_learner_cannot_mark_the_live_step_done(client, login, org, course, workshop):
    enrollment = enrol(org.manager_a1, course, org)
    headers = token_headers(org.manager_a1, ["courses:write"])
    _reading, step = lessons(course)
    login(org.manager_a1)
    page = client.get(f"/courses/{course.slug}/lessons/{step.key}").get_data(as_text=True)
    assert "Mark complete" not in page and "You do not tick this step off" in page
    refused = client.post(f"/courses/{course.slug}/lessons/{step.key}/complete",
                          headers={"Accept": "application/json"})
    assert refused.status_code == 422
    assert "attendance at a live session" in refused.get_json()["errors"]["request"][0]
    api = client.post(f"/api/v1/courses/{course.id}/lessons/{step.key}/complete",
                      headers=headers)
    assert api.status_code == 422
    assert not done(enrollment, step.key)


def test_player_lists_upcoming_sessions_with_a_register_button(client, login, org, course,
                                                               workshop, facilitator):
    other = schedule(org, facilitator, title="Unrelated session", days=4)  # of no course
    enrol(org.manager_a1, course, org)
    db.session.commit()
    _reading, step = lessons(course)
    login(org.manager_a1)
    url = f"/courses/{course.slug}/lessons/{step.key}"
    page = client.get(url).get_data(as_text=True)
    assert "Coaching workshop" in page and "Room 4" in page and other.title not in page
    assert f'action="/courses/sessions/{workshop.id}/register"' in page
    assert client.post(f"/courses/sessions/{workshop.id}/register").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Registered" in page and f"/sessions/{workshop.id}/register" not in page


def test_preview_shows_the_sessions_without_registering(client, login, org, course, workshop):
    db.session.commit()
    login(org.admin)
    _reading, step = lessons(course)
    page = client.get(f"/courses/manage/{course.id}/preview/{step.key}").get_data(as_text=True)
    assert "Coaching workshop" in page and "disabled>Register" in page


# --- attendance completes the step -------------------------------------------------------------

def test_attendance_completes_the_step_and_then_the_course(ctx, org, course, workshop,
                                                           facilitator):
    reading, step = lessons(course)
    first = enrol(org.manager_a1, course, org)
    second = enrol(org.manager_a2, course, org)
    player.complete_lesson(first, reading, by=org.manager_a1)
    for person in (org.manager_a1, org.manager_a2):
        live.register(person, workshop, by=person)
    mark(workshop, facilitator, **{org.manager_a1.email: (A.ATTENDED,),
                                   org.manager_a2.email: (A.ATTENDED,)})
    assert done(first, step.key) and done(second, step.key)
    assert first.status == EnrollmentStatus.COMPLETED and first.completed_at is not None
    assert second.completed_at is None  # the reading is still to do
    step_entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "session.live_step"))
    assert step_entry.actor_id == facilitator.id
    assert sorted(step_entry.changes["done_user_ids"][1]) == sorted(
        [org.manager_a1.id, org.manager_a2.id])
    finished = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "enrollment.complete_many"))
    assert finished.changes["completed_user_ids"] == [None, [org.manager_a1.id]]


@pytest.mark.parametrize(("minutes", "counts"), [(100, False), (108, True), (110, True)])
def test_leaving_early_counts_only_past_the_threshold(ctx, org, course, workshop, facilitator,
                                                      minutes, counts):
    _reading, step = lessons(course)
    enrollment = enrol(org.manager_a1, course, org)
    live.register(org.manager_a1, workshop, by=org.manager_a1)
    mark(workshop, facilitator, **{org.manager_a1.email: (A.LEFT_EARLY, minutes)})
    assert done(enrollment, step.key) is counts  # 90% of 120 minutes is 108


@pytest.mark.parametrize("status", [A.ABSENT, A.EXCUSED])
def test_absent_or_excused_does_not_count(ctx, org, course, workshop, facilitator, status):
    _reading, step = lessons(course)
    enrollment = enrol(org.manager_a1, course, org)
    live.register(org.manager_a1, workshop, by=org.manager_a1)
    mark(workshop, facilitator, **{org.manager_a1.email: (status, None, None, "Sick")})
    assert not done(enrollment, step.key)


def test_correction_takes_the_step_back_but_never_reopens_a_completed_course(
        ctx, org, course, workshop, facilitator):
    reading, step = lessons(course)
    halfway = enrol(org.manager_a1, course, org)
    finished = enrol(org.manager_a2, course, org)
    player.complete_lesson(finished, reading, by=org.manager_a2)
    for person in (org.manager_a1, org.manager_a2):
        live.register(person, workshop, by=person)
    live.mark_all_present(begin(workshop), by=facilitator)
    assert done(halfway, step.key) and finished.completed_at is not None
    mark(workshop, facilitator, **{org.manager_a1.email: (A.ABSENT,),
                                   org.manager_a2.email: (A.ABSENT,)})
    assert not done(halfway, step.key)
    assert finished.completed_at is not None and done(finished, step.key)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "session.live_step").order_by(AuditEntry.id.desc())).first()
    assert entry.changes["undone_user_ids"] == [None, [org.manager_a1.id]]


def test_another_session_of_the_course_keeps_the_step_done(ctx, org, course, workshop,
                                                           facilitator):
    _reading, step = lessons(course)
    enrollment = enrol(org.manager_a1, course, org)
    repeat = schedule(org, facilitator, course, title="Repeat workshop", days=8)
    for session in (workshop, repeat):
        live.register(org.manager_a1, session, by=org.manager_a1)
    mark(repeat, facilitator, **{org.manager_a1.email: (A.ATTENDED,)})
    mark(workshop, facilitator, **{org.manager_a1.email: (A.ABSENT,)})
    assert done(enrollment, step.key)


def test_attendee_enrolled_later_has_the_step_done_on_opening_it(ctx, org, course, workshop,
                                                                 facilitator):
    _reading, step = lessons(course)
    live.register(org.manager_a1, workshop, by=org.manager_a1)
    mark(workshop, facilitator, **{org.manager_a1.email: (A.ATTENDED,)})
    enrollment = enrol(org.manager_a1, course, org)
    assert not done(enrollment, step.key)
    player.open_lesson(enrollment, step, by=org.manager_a1)
    assert done(enrollment, step.key)


def test_withdrawn_or_unenrolled_attendees_get_nothing(ctx, org, course, workshop, facilitator):
    gone = enrol(org.manager_a1, course, org)
    enrolment.unenrol(gone, by=org.admin)
    for person in (org.manager_a1, org.manager_a2):
        live.register(person, workshop, by=person)
    live.mark_all_present(begin(workshop), by=facilitator)
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 1


def test_saving_the_roster_costs_the_same_for_5_and_40_enrolled(ctx, org, course, facilitator,
                                                                count_queries):
    reading, step = lessons(course)
    counts = []
    for size, days in ((5, 3), (40, 6)):
        session = schedule(org, facilitator, course, title=f"Workshop {size}", days=days)
        people = [factories.person(level="manager", manager=org.leader_a) for _ in range(size)]
        for person in people:
            player.complete_lesson(enrol(person, course, org), reading, by=person)
            live.register(person, session, by=person)
        begin(session)
        with count_queries() as counter:
            live.mark_all_present(session, by=facilitator)
        counts.append(counter.count)
        assert all(e.completed_at for e in db.session.scalars(select(Enrollment).where(
            Enrollment.user_id.in_([p.id for p in people]))))
    assert counts[0] == counts[1]


def test_resolving_a_dispute_brings_the_step_in_line(ctx, org, course, workshop, facilitator):
    _reading, step = lessons(course)
    enrollment = enrol(org.manager_a1, course, org)
    registration = live.register(org.manager_a1, workshop, by=org.manager_a1)
    mark(workshop, facilitator, **{org.manager_a1.email: (A.ABSENT,)})
    confirmation = live.dispute(workshop, org.leader_a, registration, "Dana was there.")
    # The facilitator corrects the record, then answers the dispute.
    db.session.execute(Attendance.__table__.update().values(status=A.ATTENDED,
                                                            minutes_present=120))
    live.resolve(confirmation, facilitator, "Corrected: Dana attended.")
    assert done(enrollment, step.key)


@pytest.mark.parametrize(("status", "minutes", "threshold"), [
    (A.ATTENDED, 120, 90), (A.ATTENDED, None, 90), (A.LEFT_EARLY, 107, 90),
    (A.LEFT_EARLY, 108, 90), (A.LEFT_EARLY, None, 10), (A.LEFT_EARLY, 12, 10),
    (A.ABSENT, 0, 1), (A.EXCUSED, 120, 50), (A.ATTENDED, 30, 50)])
def test_sql_rule_agrees_with_counts_as_attended(ctx, org, facilitator, status, minutes,
                                                 threshold):
    session = schedule(org, facilitator, threshold=threshold)
    registration = live.register(org.manager_a1, session, by=org.manager_a1)
    attendance = Attendance(registration_id=registration.id, status=status,
                            minutes_present=minutes)
    db.session.add(attendance)
    db.session.flush()
    in_sql = db.session.scalar(
        select(case((counts_as_attended_sql(Attendance, LiveSession), True), else_=False))
        .join(LiveSession, LiveSession.id == session.id)
        .where(Attendance.id == attendance.id))
    assert bool(in_sql) is live.counts_as_attended(attendance, session)


# --- authoring: which sessions belong to the course ---------------------------------------------

def test_admin_adds_a_session_whose_attendance_is_already_taken(client, login, org, course,
                                                                facilitator):
    _reading, step = lessons(course)
    enrollment = enrol(org.manager_a1, course, org)
    session = schedule(org, facilitator)  # of no course yet
    live.register(org.manager_a1, session, by=org.manager_a1)
    mark(session, facilitator, **{org.manager_a1.email: (A.ATTENDED,)})
    assert not done(enrollment, step.key)
    db.session.commit()
    login(org.admin)
    edit = f"/courses/manage/{course.id}/lessons/{step.key}/edit"
    assert f'<option value="{session.id}">' in client.get(edit).get_data(as_text=True)
    response = client.post(f"/courses/manage/{course.id}/lessons/{step.key}/sessions",
                           data={"session": str(session.id)})
    assert response.status_code == 302
    assert session.course_id == course.id and done(enrollment, step.key)
    assert db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "session.course_link", AuditEntry.object_id == session.id))
    client.post(f"/courses/manage/{course.id}/lessons/{step.key}/sessions/{session.id}/unlink")
    assert session.course_id is None and done(enrollment, step.key)  # what counted stays


def test_a_session_of_another_course_is_refused_and_nothing_changes(client, login, org, course,
                                                                    facilitator):
    other = live_course(org, title="Other course")
    session = schedule(org, facilitator, other)
    _reading, step = lessons(course)
    with pytest.raises(ValidationError, match="belongs to another course"):
        player.link_session(course, session, by=org.admin)
    db.session.commit()
    login(org.admin)
    response = client.post(f"/courses/manage/{course.id}/lessons/{step.key}/sessions",
                           data={"session": str(session.id)})
    assert response.status_code == 302 and session.course_id == other.id
    assert "Choose one of the sessions listed" in client.get(response.location).get_data(
        as_text=True)
    not_live = course.current_version.lessons[0]
    assert client.post(f"/courses/manage/{course.id}/lessons/{not_live.key}/sessions",
                       data={"session": str(session.id)}).status_code == 404


# --- completing through the live step unlocks others ------------------------------------------

def test_manager_finishing_through_attendance_unlocks_their_reps(ctx, org, course, workshop,
                                                                 facilitator):
    rep_course = factories.course(title="Discovery Calls", by=org.admin)
    authoring.add_prerequisite(rep_course, PrerequisiteKind.MANAGER_COMPLETION, course,
                               by=org.admin)
    for rep in (org.rep_a1a, org.rep_a1b):
        enrol(rep, rep_course, org)
    reading, _step = lessons(course)
    player.complete_lesson(enrol(org.manager_a1, course, org), reading, by=org.manager_a1)
    live.register(org.manager_a1, workshop, by=org.manager_a1)
    mark(workshop, facilitator, **{org.manager_a1.email: (A.ATTENDED,)})
    told = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "course.unlocked")))
    assert told == {org.rep_a1a.id, org.rep_a1b.id}
    assert lock_reasons_for(rep_course, org.rep_a1a) == []


# --- a prerequisite on the leader's attendance -------------------------------------------------

@pytest.fixture
def leader_gated(org, course):
    rep_course = factories.course(title="Discovery Calls", by=org.admin)
    authoring.add_prerequisite(rep_course, PrerequisiteKind.LEADER_ATTENDED, course,
                               by=org.admin)
    return rep_course


def test_rep_course_locked_until_the_leader_attends_a_session(ctx, org, workshop, facilitator,
                                                              leader_gated):
    enrol(org.rep_a1a, leader_gated, org)
    assert [r.message for r in lock_reasons_for(leader_gated, org.rep_a1a)] == [
        "Locked until your leader, Lena Leader, attends a live session of “Coaching Rhythm”."]
    assert [p.name for p, _course in waiting_on(org.leader_a)] == ["Rita Rep"]
    live.register(org.leader_a, workshop, by=org.leader_a)
    mark(workshop, facilitator, **{org.leader_a.email: (A.LEFT_EARLY, 60)})  # left at half
    assert lock_reasons_for(leader_gated, org.rep_a1a)
    mark(workshop, facilitator, **{org.leader_a.email: (A.ATTENDED,)})
    assert lock_reasons_for(leader_gated, org.rep_a1a) == []
    assert lock_reasons_for(leader_gated, org.rep_b1a)  # Lars has not attended
    assert waiting_on(org.leader_a) == []
    told = list(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "course.unlocked")))
    assert told == [org.rep_a1a.id]  # once, though attendance was saved twice
    mark(workshop, facilitator, **{org.leader_a.email: (A.ATTENDED, 119)})
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "course.unlocked")) == 1


def test_leader_attended_reasons_agree_for_one_person_and_many(ctx, org, workshop,
                                                               facilitator, leader_gated):
    live.register(org.leader_a, workshop, by=org.leader_a)
    mark(workshop, facilitator, **{org.leader_a.email: (A.ATTENDED,)})
    loner = factories.person(name="Nadia Nomanager")
    reps = [org.rep_a1a, org.rep_b1a, loner]
    many = lock_reasons(leader_gated, reps)
    one = {rep.id: lock_reasons_for(leader_gated, rep) for rep in reps}
    by_course = {rep.id: lock_reasons_by_course(rep, [leader_gated])[leader_gated.id]
                 for rep in reps}
    for found in (many, one, by_course):
        assert found[org.rep_a1a.id] == []
        assert [r.message for r in found[org.rep_b1a.id]] == [
            "Locked until your leader, Lars Leader, attends a live session of "
            "“Coaching Rhythm”."]
        assert [r.message for r in found[loner.id]] == [
            "Locked: it needs your leader to attend a live session of “Coaching Rhythm”, and "
            "you have no leader in Cadence yet."]


def test_leader_attended_checks_cost_the_same_for_2_and_30_reps(ctx, org, workshop,
                                                                leader_gated, count_queries):
    lock_reasons(leader_gated, [org.rep_a1a])
    counts = []
    for size in (2, 30):
        reps = [factories.person(manager=org.manager_a1) for _ in range(size)]
        with count_queries() as counter:
            found = lock_reasons(leader_gated, reps)
        assert all(found[rep.id] for rep in reps)
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_authoring_form_offers_the_leader_attended_prerequisite(client, login, org, course):
    rep_course = factories.course(title="Discovery Calls", by=org.admin)
    db.session.commit()
    login(org.admin)
    editor = client.get(f"/courses/manage/{rep_course.id}").get_data(as_text=True)
    assert 'value="leader_attended"' in editor
    response = client.post(f"/courses/manage/{rep_course.id}/prerequisites", data={
        "kind": "leader_attended", "required_course_id": str(course.id)})
    assert response.status_code == 302
    prerequisite = db.session.scalar(select(Prerequisite).where(
        Prerequisite.course_id == rep_course.id))
    assert (prerequisite.kind, prerequisite.required_course_id) == ("leader_attended", course.id)
    assert "attended a live session of" in client.get(
        f"/courses/manage/{rep_course.id}").get_data(as_text=True)
