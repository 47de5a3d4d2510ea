"""Enrolment over HTTP: yourself, other people in bulk, unenrolling, and who waits on whom."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from courses.models import Enrollment, EnrollmentStatus, LessonProgress, PrerequisiteKind
from courses.services import authoring, enrolment, player
from lms.db import utcnow
from lms.extensions import db
from lms.notify.models import Notification
from tests import factories


def _enrollment(course, person) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == person.id))


def _enrolled_ids(course) -> set[int]:
    return set(db.session.scalars(select(Enrollment.user_id).where(
        Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.ACTIVE)))


def _enrollment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment))


# --- yourself ---------------------------------------------------------------------------------

def test_rep_enrols_in_an_open_course(client, login, org):
    course = factories.course(title="Discovery Calls", by=org.admin)
    login(org.rep_a1a)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f'action="/courses/{course.slug}/join"' in page
    response = client.post(f"/courses/{course.slug}/join")
    assert response.status_code == 302 and response.location.endswith(f"/courses/{course.slug}")
    assert _enrollment(course, org.rep_a1a).status == EnrollmentStatus.ACTIVE
    page = client.get(response.location).get_data(as_text=True)
    assert "You are enrolled" in page and ">Start" in page
    assert f'action="/courses/{course.slug}/join"' not in page


def test_course_assigned_by_managers_refuses_self_enrolment(client, login, org):
    course = factories.course(title="Assigned", self_enrol=False, by=org.admin)
    login(org.rep_a1a)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f"/courses/{course.slug}/join" not in page
    assert "Your manager or L&amp;D enrols people in this course." in page
    response = client.post(f"/courses/{course.slug}/join")
    assert response.status_code == 403
    assert "you cannot enrol yourself" in response.get_data(as_text=True)
    assert _enrollment(course, org.rep_a1a) is None


def test_course_for_another_level_refuses_self_enrolment(client, login, org):
    course = factories.course(title="Coaching the Coach", audience=("manager",), by=org.admin)
    login(org.rep_a1a)
    response = client.post(f"/courses/{course.slug}/join")
    assert response.status_code == 403
    assert "not meant for your level" in response.get_data(as_text=True)
    assert _enrollment(course, org.rep_a1a) is None


def test_draft_course_does_not_exist_for_a_learner(client, login, org):
    draft = factories.course(title="Draft", published=False, by=org.admin)
    login(org.rep_a1a)
    assert client.get(f"/courses/{draft.slug}").status_code == 404
    assert client.post(f"/courses/{draft.slug}/join").status_code == 404
    assert _enrollment(draft, org.rep_a1a) is None


def test_unenrol_keeps_progress_and_enrolling_again_restores_it(client, login, org):
    course = factories.course(lessons=3, by=org.admin)
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    player.complete_lesson(mine, course.current_version.lessons[0], by=org.rep_a1a)
    login(org.rep_a1a)
    response = client.post(f"/courses/{course.slug}/leave")
    assert response.status_code == 302
    assert mine.status == EnrollmentStatus.WITHDRAWN and mine.withdrawn_at is not None
    assert db.session.scalar(select(func.count()).select_from(LessonProgress).where(
        LessonProgress.enrollment_id == mine.id)) == 1
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "You left this course" in page
    client.post(f"/courses/{course.slug}/join")
    assert mine.status == EnrollmentStatus.ACTIVE
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "1 of 3 required lessons done" in page


def test_unenrol_when_not_enrolled_changes_nothing(client, login, org):
    course = factories.course(by=org.admin)
    login(org.rep_a1a)
    response = client.post(f"/courses/{course.slug}/leave")
    assert response.status_code == 409
    assert "You are not enrolled" in response.get_data(as_text=True)
    assert _enrollment(course, org.rep_a1a) is None


# --- other people -----------------------------------------------------------------------------

def test_rep_may_not_open_the_enrol_page(client, login, org):
    course = factories.course(by=org.admin)
    login(org.rep_a1a)
    assert client.get(f"/courses/{course.slug}/enrol").status_code == 403
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f"/courses/{course.slug}/enrol" not in page


def test_manager_enrols_reps_by_email_with_a_due_date(client, login, org):
    course = factories.course(title="Discovery Calls", by=org.admin)
    login(org.manager_a1)
    assert f"/courses/{course.slug}/enrol" in client.get(f"/courses/{course.slug}").get_data(
        as_text=True)
    due = date.today() + timedelta(days=10)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "people", "emails": f"{org.rep_a1a.email},\n {org.rep_a1b.email.upper()}",
        "due_on": due.isoformat()})
    assert response.status_code == 302
    assert _enrolled_ids(course) == {org.rep_a1a.id, org.rep_a1b.id}
    mine = _enrollment(course, org.rep_a1a)
    assert mine.due_at.date() == due and mine.enrolled_by_id == org.manager_a1.id
    told = db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "course.enrolled")).all()
    assert sorted(told) == sorted([org.rep_a1a.id, org.rep_a1b.id])
    assert "2 enrolled" in client.get(response.location).get_data(as_text=True)


def test_email_outside_your_subtree_is_refused_and_nothing_is_enrolled(client, login, org):
    course = factories.course(by=org.admin)
    before = _enrollment_count()
    login(org.manager_a1)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "people", "emails": f"{org.rep_a1a.email} {org.rep_b1a.email}"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Not found in your part of the organisation: {org.rep_b1a.email}" in page
    assert org.rep_a1a.email not in page.split("Not found")[1][:200]
    assert _enrollment_count() == before


def test_unknown_and_malformed_emails_are_field_errors(client, login, org):
    course = factories.course(by=org.admin)
    login(org.manager_a1)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "people", "emails": "not-an-address"})
    assert response.status_code == 422
    assert "Not an email address: not-an-address" in response.get_data(as_text=True)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "people", "emails": "nobody@example.test"})
    assert response.status_code == 422
    assert _enrolled_ids(course) == set()


def test_leader_enrols_everyone_at_a_level_in_their_subtree(client, login, org):
    course = factories.course(audience=("rep",), by=org.admin)
    login(org.leader_a)
    response = client.post(f"/courses/{course.slug}/enrol",
                           data={"mode": "level", "level": "rep"})
    assert response.status_code == 302
    assert _enrolled_ids(course) == {org.rep_a1a.id, org.rep_a1b.id, org.rep_a2a.id}


def test_level_outside_the_course_audience_is_refused(client, login, org):
    course = factories.course(audience=("rep",), by=org.admin)
    login(org.leader_a)
    response = client.post(f"/courses/{course.slug}/enrol",
                           data={"mode": "level", "level": "manager"})
    assert response.status_code == 422
    assert _enrolled_ids(course) == set()


def test_leader_enrols_a_named_managers_team_at_the_course_levels(client, login, org):
    course = factories.course(audience=("rep",), by=org.admin)
    login(org.leader_a)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "team", "team": str(org.manager_a1.id)})
    assert response.status_code == 302
    assert _enrolled_ids(course) == {org.rep_a1a.id, org.rep_a1b.id}


def test_manager_enrols_their_own_team_without_themselves(client, login, org):
    course = factories.course(audience=("rep", "manager"), by=org.admin)
    login(org.manager_a1)
    assert client.post(f"/courses/{course.slug}/enrol",
                       data={"mode": "team"}).status_code == 302
    assert _enrolled_ids(course) == {org.rep_a1a.id, org.rep_a1b.id}


def test_team_of_a_manager_outside_your_subtree_is_refused(client, login, org):
    course = factories.course(audience=("rep",), by=org.admin)
    login(org.leader_a)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "team", "team": str(org.manager_b1.id)})
    assert response.status_code == 422
    assert "Choose a team from the list." in response.get_data(as_text=True)
    assert _enrolled_ids(course) == set()


def test_admin_enrols_anyone(client, login, org):
    course = factories.course(by=org.admin)
    login(org.admin)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "people", "emails": f"{org.rep_a1a.email} {org.rep_b1a.email}"})
    assert response.status_code == 302
    assert _enrolled_ids(course) == {org.rep_a1a.id, org.rep_b1a.id}


def test_due_date_in_the_past_is_refused(client, login, org):
    course = factories.course(by=org.admin)
    login(org.manager_a1)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "people", "emails": org.rep_a1a.email,
        "due_on": (date.today() - timedelta(days=2)).isoformat()})
    assert response.status_code == 422
    assert "Choose today or a later day." in response.get_data(as_text=True)
    assert _enrolled_ids(course) == set()


def test_enrolling_again_sets_a_new_due_date_and_counts_as_already(client, login, org):
    course = factories.course(by=org.admin)
    enrolment.enrol(org.rep_a1a, course, by=org.manager_a1)
    login(org.manager_a1)
    due = date.today() + timedelta(days=3)
    response = client.post(f"/courses/{course.slug}/enrol", data={
        "mode": "people", "emails": org.rep_a1a.email, "due_on": due.isoformat()})
    assert response.status_code == 302
    assert _enrollment(course, org.rep_a1a).due_at.date() == due
    assert "1 already enrolled" in client.get(response.location).get_data(as_text=True)


# --- who waits on whom ------------------------------------------------------------------------

def _manager_first(org):
    coaching = factories.course(title="Coaching the Coach", audience=("manager",),
                                by=org.admin)
    discovery = factories.course(title="Discovery Calls", audience=("rep",), by=org.admin)
    authoring.add_prerequisite(discovery, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                               by=org.admin)
    return coaching, discovery


def test_manager_sees_who_waits_on_them_on_the_course_page(client, login, org):
    coaching, discovery = _manager_first(org)
    enrolment.enrol(org.rep_a1a, discovery, by=org.manager_a1)
    enrolment.enrol(org.rep_a2a, discovery, by=org.manager_a2)
    login(org.manager_a1)
    page = client.get(f"/courses/{coaching.slug}").get_data(as_text=True)
    assert "Waiting on you" in page
    assert "Rita Rep — “Discovery Calls”" in page and "Rosa Rep" not in page
    # The dependent course's own page does not claim anyone waits on its completion.
    assert "Waiting on you" not in client.get(f"/courses/{discovery.slug}").get_data(
        as_text=True)


def test_manager_home_suggests_the_course_their_reps_wait_for(client, login, org):
    coaching, discovery = _manager_first(org)
    enrolment.enrol(org.rep_a1a, discovery, by=org.manager_a1)
    enrolment.enrol(org.rep_a1b, discovery, by=org.manager_a1)
    login(org.manager_a1)
    home = client.get("/").get_data(as_text=True)
    assert "Complete “Coaching the Coach”" in home
    assert "2 of your people are waiting on you: Rita Rep, Ron Rep." in home
    assert f'href="/courses/{coaching.slug}"' in home


def test_home_lists_overdue_due_soon_and_in_progress_courses(client, login, org):
    overdue = factories.course(title="Overdue Course", by=org.admin)
    soon = factories.course(title="Soon Course", by=org.admin)
    later = factories.course(title="Later Course", by=org.admin)
    started = factories.course(title="Started Course", by=org.admin)
    today = utcnow()
    enrolment.enrol(org.rep_a1a, overdue, by=org.manager_a1, due_at=today - timedelta(days=1))
    enrolment.enrol(org.rep_a1a, soon, by=org.manager_a1, due_at=today + timedelta(days=3))
    enrolment.enrol(org.rep_a1a, later, by=org.manager_a1, due_at=today + timedelta(days=30))
    mine = enrolment.enrol(org.rep_a1a, started, by=org.rep_a1a)
    player.open_lesson(mine, started.current_version.lessons[0], by=org.rep_a1a)
    login(org.rep_a1a)
    home, learning = client.get("/").get_data(as_text=True).split('id="learning-heading"')
    assert "“Overdue Course” is overdue" in home
    assert "“Soon Course” is due soon" in home
    assert "Continue “Started Course”" in home
    assert "Later Course" not in home  # not a next step; "My learning" lists it
    assert "Later Course" in learning
    assert home.index("Overdue Course") < home.index("Soon Course") < home.index(
        "Started Course")
