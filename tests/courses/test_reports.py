"""Progress figures in SQL: percent of required lessons, states, overdue, completion by level."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from courses import reports
from courses.models import Course
from courses.reports import State
from courses.services import authoring, enrolment, player
from lms.db import utcnow
from lms.extensions import db
from lms.people import tree
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")


def _enrol(person, course, *, by, due_in_days: int | None = None):
    due = utcnow() + timedelta(days=due_in_days) if due_in_days is not None else None
    return enrolment.enrol(person, course, by=by, due_at=due, notify_person=False)


def _do(enrollment, count: int):
    for lesson in enrollment.course.current_version.lessons[:count]:
        player.complete_lesson(enrollment, lesson, by=enrollment.user)


def _by_person(rows):
    return {row.name: row for row in rows}


def test_percent_counts_required_lessons_of_the_current_version(org):
    course = factories.course(lessons=4, by=org.admin)
    mine = _enrol(org.rep_a1a, course, by=org.manager_a1)
    _do(mine, 2)

    (row,) = reports.team_rows([org.rep_a1a.id], now=utcnow())
    assert (row.done, row.required, row.percent, row.state) == (2, 4, 50, State.IN_PROGRESS)

    # A new version drops a done lesson and makes another optional: only the rest counts.
    draft = authoring.draft_for_editing(course, by=org.admin)
    first, second, third, fourth = draft.lessons
    authoring.delete_lesson(first, by=org.admin)
    authoring.update_lesson(fourth, authoring.LessonData(title=fourth.title, is_required=False),
                            by=org.admin)
    authoring.publish(course, by=org.admin)

    (row,) = reports.team_rows([org.rep_a1a.id], now=utcnow())
    assert (row.done, row.required, row.percent) == (1, 2, 50)


def test_completed_enrolment_shows_complete_even_after_lessons_are_added(org):
    course = factories.course(lessons=2, by=org.admin)
    mine = _enrol(org.rep_a1a, course, by=org.manager_a1)
    _do(mine, 2)
    draft = authoring.draft_for_editing(course, by=org.admin)
    authoring.add_lesson(draft.modules[0], authoring.LessonData(title="New"), by=org.admin)
    authoring.publish(course, by=org.admin)

    (row,) = reports.team_rows([org.rep_a1a.id], now=utcnow())
    assert (row.state, row.percent, row.done, row.required) == (State.COMPLETED, 100, 2, 3)
    assert row.completed_at is not None


def test_team_rows_list_each_person_in_each_course_and_people_enrolled_in_nothing(org):
    first = factories.course(title="Alpha", by=org.admin)
    second = factories.course(title="Beta", by=org.admin)
    _enrol(org.rep_a1a, first, by=org.manager_a1)
    _enrol(org.rep_a1a, second, by=org.manager_a1)
    withdrawn = _enrol(org.rep_a1b, first, by=org.manager_a1)
    enrolment.unenrol(withdrawn, by=org.manager_a1)

    rows = reports.team_rows(reports.reports_of(org.manager_a1.id), now=utcnow())

    assert [(r.name, r.course_title) for r in rows] == [
        ("Rita Rep", "Alpha"), ("Rita Rep", "Beta"), ("Ron Rep", None)]
    assert rows[2].state is None and rows[2].percent == 0


def test_team_rows_filter_by_course(org):
    first = factories.course(title="Alpha", by=org.admin)
    second = factories.course(title="Beta", by=org.admin)
    _enrol(org.rep_a1a, first, by=org.manager_a1)
    _enrol(org.rep_a1b, second, by=org.manager_a1)

    rows = reports.team_rows(reports.reports_of(org.manager_a1.id), now=utcnow(),
                             course_id=second.id)

    assert [(r.name, r.course_title) for r in rows] == [("Rita Rep", None), ("Ron Rep", "Beta")]


def test_reports_of_gives_direct_reports_or_the_whole_subtree(org):
    direct = set(db.session.scalars(reports.reports_of(org.leader_a.id)))
    everyone = set(db.session.scalars(reports.reports_of(org.leader_a.id, whole_subtree=True)))
    assert direct == {org.manager_a1.id, org.manager_a2.id}
    assert everyone == direct | {org.rep_a1a.id, org.rep_a1b.id, org.rep_a2a.id}


def test_overdue_means_active_and_past_due(org):
    course = factories.course(lessons=1, by=org.admin)
    late = _enrol(org.rep_a1a, course, by=org.manager_a1, due_in_days=-3)
    done_late = _enrol(org.rep_a1b, course, by=org.manager_a1, due_in_days=-3)
    _do(done_late, 1)
    _enrol(org.rep_a2a, course, by=org.leader_a, due_in_days=5)

    rows = _by_person(reports.team_rows(reports.reports_of(org.leader_a.id, whole_subtree=True),
                                        now=utcnow()))
    assert rows["Rita Rep"].overdue and rows["Rita Rep"].days_overdue == 3
    assert not rows["Ron Rep"].overdue and rows["Ron Rep"].state == State.COMPLETED
    assert not rows["Rosa Rep"].overdue
    overdue = db.session.scalars(reports.overdue_ids(None, now=utcnow())).all()
    assert overdue == [late.id]


def test_state_filters_pick_the_matching_enrolments(org):
    course = factories.course(lessons=2, by=org.admin)
    not_started = _enrol(org.rep_a1a, course, by=org.manager_a1, due_in_days=-1)
    started = _enrol(org.rep_a1b, course, by=org.manager_a1)
    _do(started, 1)
    done = _enrol(org.rep_a2a, course, by=org.leader_a)
    _do(done, 2)
    withdrawn = _enrol(org.rep_b1a, course, by=org.admin)
    enrolment.unenrol(withdrawn, by=org.admin)
    now = utcnow()

    def ids(state):
        return set(db.session.scalars(
            reports.enrollments(None, now=now, course_id=course.id, state=state)))

    assert ids(State.NOT_STARTED) == {not_started.id}
    assert ids(State.IN_PROGRESS) == {started.id}
    assert ids(State.COMPLETED) == {done.id}
    assert ids(State.OVERDUE) == {not_started.id}
    assert ids(State.WITHDRAWN) == {withdrawn.id}
    assert ids(None) == {not_started.id, started.id, done.id}


def test_search_matches_names_and_emails_and_treats_wildcards_literally(org):
    course = factories.course(by=org.admin)
    for person in (org.rep_a1a, org.rep_a1b):
        _enrol(person, course, by=org.admin)
    now = utcnow()

    def names(search):
        ids = reports.enrollments(None, now=now, course_id=course.id, search=search)
        return [row.name for row in reports.enrollment_rows(ids, now=now)]

    assert names("rita") == ["Rita Rep"]
    assert names(org.rep_a1b.email.upper()) == ["Ron Rep"]
    assert names("%") == []


def test_enrollment_rows_keep_the_order_of_the_given_ids(org):
    course = factories.course(by=org.admin)
    ids = [_enrol(p, course, by=org.admin).id for p in (org.rep_a1b, org.rep_a1a, org.rep_b1a)]
    rows = reports.enrollment_rows(ids, now=utcnow())
    assert [row.enrollment_id for row in rows] == ids
    assert rows[0].manager_name == "Dana Reyes"


def _setup_levels(org):
    course = factories.course(title="Leading the change", lessons=1, by=org.admin)
    enrolled = {name: _enrol(getattr(org, name), course, by=org.admin, due_in_days=-2)
                for name in ("leader_a", "leader_b", "manager_a1", "manager_a2", "manager_b1",
                             "rep_a1a", "rep_a1b", "rep_a2a", "rep_b1a")}
    for name in ("leader_a", "manager_a1", "rep_b1a"):
        _do(enrolled[name], 1)
    return course


def _figures(figures):
    return {f.title: [(lv.level, lv.enrolled, lv.completed, lv.rate, lv.overdue)
                      for lv in [*f.levels, f.total]] for f in figures}


def test_completion_by_level_for_a_subtree(org):
    _setup_levels(org)

    figures = reports.completion_by_level(tree.subtree_ids(org.leader_a.id), now=utcnow())

    assert _figures(figures) == {"Leading the change": [
        ("leader", 1, 1, 100, 0), ("manager", 2, 1, 50, 1), ("rep", 3, 0, 0, 3),
        ("all", 6, 2, 33, 4)]}


def test_completion_by_level_for_everyone_and_by_course(org):
    course = _setup_levels(org)
    other = factories.course(title="Other", by=org.admin)
    _enrol(org.rep_a1a, other, by=org.admin)

    everyone = _figures(reports.completion_by_level(None, now=utcnow()))
    one = _figures(reports.completion_by_level(None, now=utcnow(), course_id=course.id))

    assert everyone["Leading the change"][-1] == ("all", 9, 3, 33, 6)
    assert everyone["Other"] == [("rep", 1, 0, 0, 0), ("all", 1, 0, 0, 0)]
    assert list(one) == ["Leading the change"]


def test_deactivated_and_withdrawn_people_are_left_out_of_the_figures(org):
    course = factories.course(title="Solo", by=org.admin)
    _enrol(org.rep_a1a, course, by=org.admin)
    enrolment.unenrol(_enrol(org.rep_a1b, course, by=org.admin), by=org.admin)
    _enrol(org.rep_a2a, course, by=org.admin)
    org.rep_a2a.is_active = False
    db.session.flush()

    assert _figures(reports.completion_by_level(None, now=utcnow()))["Solo"][-1] == (
        "all", 1, 0, 0, 0)


def test_course_choices_list_published_courses_by_title(org):
    factories.course(title="Zulu", by=org.admin)
    factories.course(title="Alpha", by=org.admin)
    factories.course(title="Never published", published=False, by=org.admin)

    titles = [title for _id, title in reports.course_choices(select(Course.id))]
    assert titles == ["Alpha", "Zulu"]
