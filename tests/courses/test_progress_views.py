"""Progress pages: what each viewer sees, CSV exports, and query counts that do not grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from courses.models import Enrollment, EnrollmentStatus, LessonProgress
from courses.services import enrolment, player
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level
from tests import csv_files, factories

pytestmark = pytest.mark.usefixtures("ctx")

TEAM = "/courses/progress/team"
LEVELS = "/courses/progress/levels"
COURSE = "/courses/progress/course"


def _page(client, url: str, status: int = 200, **params) -> str:
    response = client.get(url, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def _csv(client, url: str, **params) -> list[dict]:
    response = client.get(url, query_string={**params, "format": "csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return csv_files.dicts(response.data)


def _enrol(person, course, *, by, due_in_days: int | None = None, lessons_done: int = 0):
    due = utcnow() + timedelta(days=due_in_days) if due_in_days is not None else None
    enrollment = enrolment.enrol(person, course, by=by, due_at=due, notify_person=False)
    for lesson in course.current_version.lessons[:lessons_done]:
        player.complete_lesson(enrollment, lesson, by=person)
    return enrollment


@pytest.fixture
def onboarding(org):
    """One course with Rita half-way and overdue, Ron done, Rosa and Raj not started."""
    course = factories.course(title="Discovery Calls", lessons=2, by=org.admin)
    _enrol(org.rep_a1a, course, by=org.manager_a1, due_in_days=-4, lessons_done=1)
    _enrol(org.rep_a1b, course, by=org.manager_a1, due_in_days=-4, lessons_done=2)
    _enrol(org.rep_a2a, course, by=org.leader_a, due_in_days=10)
    _enrol(org.rep_b1a, course, by=org.admin, due_in_days=-1)
    return course


# --- team progress -----------------------------------------------------------------------------

def test_manager_sees_each_direct_report_with_progress_due_date_and_overdue(
        client, login, org, onboarding):
    login(org.manager_a1)
    page = _page(client, TEAM)
    assert "Rita Rep" in page and "Ron Rep" in page
    assert "Rosa Rep" not in page and "Raj Rep" not in page
    assert "50%" in page and "Overdue" in page and "Completed" in page

    rows = {row["name"]: row for row in _csv(client, TEAM)}
    assert set(rows) == {"Rita Rep", "Ron Rep"}
    assert (rows["Rita Rep"]["percent_done"], rows["Rita Rep"]["overdue"]) == ("50", "yes")
    assert (rows["Ron Rep"]["status"], rows["Ron Rep"]["overdue"]) == ("Completed", "no")
    assert rows["Ron Rep"]["completed"] and rows["Rita Rep"]["due"]


def test_leader_sees_direct_reports_or_the_whole_subtree(client, login, org, onboarding):
    login(org.leader_a)
    direct = _page(client, TEAM)
    assert "Dana Reyes" in direct and "Not enrolled in any course." in direct
    assert "Rita Rep" not in direct

    whole = _page(client, TEAM, scope="all")
    assert "Rita Rep" in whole and "Rosa Rep" in whole and "reports to Dana Reyes" in whole
    assert "Raj Rep" not in whole
    names = {row["name"] for row in _csv(client, TEAM, scope="all")}
    assert names == {"Dana Reyes", "Max Manager", "Rita Rep", "Ron Rep", "Rosa Rep"}


def test_team_page_filters_by_course(client, login, org, onboarding):
    other = factories.course(title="Negotiation", by=org.admin)
    _enrol(org.rep_a1a, other, by=org.manager_a1)
    login(org.manager_a1)
    rows = _csv(client, TEAM, course=other.id)
    assert [(r["name"], r["course"], r["status"]) for r in rows] == [
        ("Rita Rep", "Negotiation", "Not started"), ("Ron Rep", "", "not enrolled")]


def test_a_deactivated_report_is_left_out(client, login, org, onboarding):
    org.rep_a1b.is_active = False
    login(org.manager_a1)
    assert "Ron Rep" not in _page(client, TEAM)


# --- completion by level -----------------------------------------------------------------------

def test_leader_sees_completion_by_level_for_their_subtree_only(client, login, org, onboarding):
    _enrol(org.manager_a1, onboarding, by=org.leader_a, lessons_done=2)
    login(org.leader_a)
    page = _page(client, LEVELS)
    assert "Discovery Calls" in page and "Raj Rep" not in page
    assert "Rita Rep" in page  # in the overdue list

    levels = {(r["course"], r["level"]): r for r in _csv(client, LEVELS)}
    assert {k: (v["enrolled"], v["completed"], v["completion_rate"], v["overdue"])
            for k, v in levels.items()} == {
        ("Discovery Calls", "Manager"): ("1", "1", "100", "0"),
        ("Discovery Calls", "Rep"): ("3", "1", "33", "1"),
        ("Discovery Calls", "All levels"): ("4", "2", "50", "1"),
    }
    overdue = _csv(client, LEVELS, table="overdue")
    assert [row["name"] for row in overdue] == ["Rita Rep"]


def test_admin_sees_the_whole_organisation_by_level(client, login, org, onboarding):
    login(org.admin)
    overdue = {row["name"] for row in _csv(client, LEVELS, table="overdue")}
    assert overdue == {"Rita Rep", "Raj Rep"}
    assert "The whole organisation." in _page(client, LEVELS)


def test_leader_may_look_at_someone_in_their_subtree_but_not_beyond(
        client, login, org, onboarding):
    login(org.leader_a)
    page = _page(client, LEVELS, person=org.manager_a2.id)
    assert "Max Manager and everyone under them." in page
    rows = _csv(client, LEVELS, person=org.manager_a2.id)
    assert [(r["level"], r["enrolled"]) for r in rows] == [("Rep", "1"), ("All levels", "1")]
    _page(client, LEVELS, 404, person=org.manager_b1.id)
    _page(client, LEVELS, 404, person=org.exec.id)


def test_level_page_filters_by_course(client, login, org, onboarding):
    other = factories.course(title="Negotiation", by=org.admin)
    _enrol(org.rep_a1a, other, by=org.admin)
    login(org.admin)
    assert {r["course"] for r in _csv(client, LEVELS)} == {"Discovery Calls", "Negotiation"}
    assert {r["course"] for r in _csv(client, LEVELS, course=other.id)} == {"Negotiation"}


# --- course report -----------------------------------------------------------------------------

def test_admin_course_report_lists_every_learner_with_filters(client, login, org, onboarding):
    login(org.admin)
    assert "Choose a course" in _page(client, COURSE)
    page = _page(client, COURSE, course=onboarding.id)
    assert "Course report: Discovery Calls" in page
    assert all(name in page for name in ("Rita Rep", "Ron Rep", "Rosa Rep", "Raj Rep"))

    def names(**filters):
        return [r["name"] for r in _csv(client, COURSE, course=onboarding.id, **filters)]

    assert names() == ["Raj Rep", "Rita Rep", "Ron Rep", "Rosa Rep"]
    assert names(state="overdue") == ["Rita Rep", "Raj Rep"]  # longest overdue first
    assert names(state="completed") == ["Ron Rep"]
    assert names(state="not_started") == ["Raj Rep", "Rosa Rep"]
    assert names(level="manager") == []
    assert names(q="ros") == ["Rosa Rep"]
    assert names(state="bogus") == names()  # an unknown filter is ignored


def test_leader_course_report_covers_only_their_subtree(client, login, org, onboarding):
    login(org.leader_a)
    names = {r["name"] for r in _csv(client, COURSE, course=onboarding.id)}
    assert names == {"Rita Rep", "Ron Rep", "Rosa Rep"}
    levels = _csv(client, COURSE, course=onboarding.id, table="levels")
    assert [(r["level"], r["enrolled"], r["completed"], r["overdue"]) for r in levels] == [
        ("Rep", "3", "1", "1"), ("All levels", "3", "1", "1")]


def test_course_report_is_paginated(client, login, org, onboarding):
    for number in range(55):
        rep = factories.person(manager=org.manager_b1, name=f"Zed {number:02}")
        _enrol(rep, onboarding, by=org.admin)
    login(org.admin)
    first = _page(client, COURSE, course=onboarding.id)
    second = _page(client, COURSE, course=onboarding.id, page=2)
    assert "Rita Rep" in first and "Zed 54" not in first
    assert "Zed 54" in second and "Rita Rep" not in second
    assert 'aria-label="Pages"' in first
    assert len(_csv(client, COURSE, course=onboarding.id)) == 59


def test_an_unpublished_course_does_not_exist_for_a_leader(client, login, org):
    draft = factories.course(title="Secret draft", published=False, by=org.admin)
    login(org.leader_a)
    _page(client, COURSE, 404, course=draft.id)
    _page(client, TEAM, 404, course=draft.id)
    assert "Secret draft" not in _page(client, COURSE)


# --- permissions and navigation ----------------------------------------------------------------

@pytest.mark.parametrize("url", [TEAM, LEVELS, COURSE])
def test_rep_is_refused_every_progress_page(client, login, org, onboarding, url):
    login(org.rep_a1a)
    _page(client, url, 403)
    _page(client, url, 403, course=onboarding.id, format="csv")


def test_progress_link_shows_for_managers_not_for_reps(client, login, org):
    login(org.manager_a1)
    assert f'href="{TEAM}"' in _page(client, "/")
    client.post("/logout")
    login(org.rep_a1a)
    assert f'href="{TEAM}"' not in _page(client, "/")


# --- CSV formula neutralisation ----------------------------------------------------------------

@pytest.mark.parametrize(("url", "table"), [(TEAM, None), (LEVELS, None), (LEVELS, "overdue"),
                                            (COURSE, None), (COURSE, "levels")])
def test_csv_cells_that_start_a_formula_are_neutralised(client, login, org, url, table):
    course = factories.course(title="=HYPERLINK(\"http://evil.example\")", by=org.admin)
    rep = factories.person(manager=org.manager_a1, name="@SUM(1+1)")
    _enrol(rep, course, by=org.admin, due_in_days=-1)
    login(org.manager_a1)
    params = {"course": course.id, "format": "csv", **({"table": table} if table else {})}
    text = client.get(url, query_string=params).get_data(as_text=True)
    assert "'=HYPERLINK(" in text
    assert "\n=" not in text and ",=" not in text and ",@" not in text
    if table != "levels" and (url, table) != (LEVELS, None):  # tables that list people
        assert "'@SUM(1+1)" in text


# --- query counts ------------------------------------------------------------------------------

def _bulk_team(manager, courses, size: int) -> None:
    """``size`` reports under ``manager``, each enrolled in every course, some progress."""
    reps = [factories.person(manager=manager, password=None) for _ in range(size)]
    now = utcnow()
    rows = [{"course_id": course.id, "user_id": rep.id, "status": EnrollmentStatus.ACTIVE,
             "enrolled_at": now, "due_at": now - timedelta(days=n % 3)}
            for n, rep in enumerate(reps) for course in courses]
    db.session.execute(insert(Enrollment), rows)
    first = {course.id: course.current_version.lessons[0].key for course in courses}
    enrolled = db.session.execute(
        Enrollment.__table__.select().where(Enrollment.user_id.in_([r.id for r in reps])))
    db.session.execute(insert(LessonProgress), [
        {"enrollment_id": e.id, "lesson_key": first[e.course_id], "completed_at": now}
        for e in enrolled if e.user_id % 2])


def _count(client, login, count_queries, person, url: str, **params) -> int:
    login(person)
    _page(client, url, **params)  # warm up: the first request loads more than the rest
    with count_queries() as counter:
        _page(client, url, **params)
    client.post("/logout")
    return counter.count


def test_team_page_query_count_is_the_same_for_5_and_200_learners_and_2_and_20_courses(
        client, login, org, count_queries):
    courses = [factories.course(lessons=2, by=org.admin) for _ in range(20)]
    small, big, wide = (factories.person(level=Level.MANAGER, manager=org.leader_a)
                        for _ in range(3))
    _bulk_team(small, courses[:2], 5)
    _bulk_team(big, courses[:2], 200)
    _bulk_team(wide, courses, 5)

    counts = {name: _count(client, login, count_queries, person, TEAM)
              for name, person in (("5x2", small), ("200x2", big), ("5x20", wide))}
    assert len(set(counts.values())) == 1, counts
    csv_counts = {name: _count(client, login, count_queries, person, TEAM, format="csv")
                  for name, person in (("5x2", small), ("200x2", big), ("5x20", wide))}
    assert len(set(csv_counts.values())) == 1, csv_counts


def test_level_and_course_pages_query_counts_do_not_grow(client, login, org, count_queries):
    courses = [factories.course(lessons=2, by=org.admin) for _ in range(20)]
    small, big = (factories.person(level=Level.MANAGER, manager=org.leader_a)
                  for _ in range(2))
    _bulk_team(small, courses[:2], 5)
    _bulk_team(big, courses, 120)

    levels = [_count(client, login, count_queries, person, LEVELS) for person in (small, big)]
    assert levels[0] == levels[1], levels
    reports = [_count(client, login, count_queries, person, COURSE, course=courses[0].id)
               for person in (small, big)]
    assert reports[0] == reports[1], reports
