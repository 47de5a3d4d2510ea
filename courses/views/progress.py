"""Progress pages: a manager's team, a leader's completion by level, an admin's course report.

Every page reads its figures through ``courses.reports`` in a fixed number of queries and
exports each of its tables with ``?format=csv``. Whom a page covers follows the tree: the
viewer's subtree, or everyone for admins.
"""

from __future__ import annotations

from itertools import groupby

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import Select, select

from courses import bp, reports, unlocking
from courses.models import Course
from courses.reports import State
from lms.authz import load_visible, permission_required, require, visible
from lms.db import utcnow
from lms.people import tree
from lms.people.models import LEVEL_VALUES, Level, User
from lms.web.args import int_arg, page_arg
from lms.web.spreadsheets import csv_response

PEOPLE_PER_PAGE = 50
ROWS_PER_PAGE = 50
ROW_HEADER = ("name", "email", "level", "manager", "course", "status", "percent_done",
              "required_done", "required_lessons", "started", "due", "overdue", "completed")
FILTERS = [state for state in State if state != State.LOCKED]  # locks are not stored
LEVEL_HEADER = ("course", "level", "enrolled", "completed", "completion_rate", "overdue")


def _with_locks(rows: list[reports.ProgressRow]) -> list[reports.ProgressRow]:
    """Mark the learners who have not started because the course is locked for them."""
    return reports.mark_locked(rows, unlocking.locked_pairs(
        (row.person_id, row.course_id) for row in rows if row.state == State.NOT_STARTED))


def _wants_csv() -> bool:
    return request.args.get("format") == "csv"


def _row_cells(row: reports.ProgressRow) -> list:
    return [row.name, row.email, row.level, row.manager_name or "", row.course_title or "",
            row.state.label if row.state else "not enrolled",
            row.percent if row.enrollment_id else "", row.done, row.required,
            row.started_at, row.due_at, row.overdue, row.completed_at]


def _rows_csv(rows: list[reports.ProgressRow], filename: str):
    return csv_response((_row_cells(row) for row in _with_locks(rows)), ROW_HEADER, filename)


def _levels_csv(figures: list[reports.CourseFigures], filename: str):
    return csv_response(
        ([f.title, level.label, level.enrolled, level.completed, level.rate, level.overdue]
         for f in figures for level in [*f.levels, f.total]),
        LEVEL_HEADER, filename)


def _course_choices() -> list[tuple[int, str]]:
    return reports.course_choices(visible(select(Course.id), current_user, Course))


def _chosen_course() -> Course | None:
    """The course picked with ``?course=``: 404 when the viewer cannot see it."""
    course_id = int_arg("course")
    if course_id is None:
        return None
    course = load_visible(Course, course_id)
    require(current_user, "course.progress", course)
    return course


def _scope_root() -> tuple[User | None, Select | None]:
    """Whose subtree a page covers: ``?person=`` (someone the viewer sees) or the viewer;
    admins who pick no one cover the whole organisation (``None``)."""
    person_id = int_arg("person")
    if person_id is not None:
        person = load_visible(User, person_id)
        return person, tree.subtree_ids(person.id)
    if current_user.is_admin:
        return None, None
    return current_user, tree.subtree_ids(current_user.id)


@bp.get("/progress/team")
@permission_required("course.progress")
def progress_team():
    whole = request.args.get("scope") == "all"
    course = _chosen_course()
    people = reports.reports_of(current_user.id, whole_subtree=whole)
    now, course_id = utcnow(), course.id if course else None
    if _wants_csv():
        rows = reports.team_rows(people, now=now, course_id=course_id)
        return _rows_csv(rows, f"team-progress{'-subtree' if whole else ''}")
    page = reports.people_page(people, per_page=PEOPLE_PER_PAGE, page=page_arg())
    rows = _with_locks(reports.team_rows([person.id for person in page.items], now=now,
                                         course_id=course_id))
    people_rows = [list(group) for _id, group in groupby(rows, key=lambda r: r.person_id)]
    return render_template("courses/progress/team.html", page=page, people_rows=people_rows,
                           whole=whole, course=course, choices=_course_choices())


@bp.get("/progress/levels")
@permission_required("course.progress")
def progress_levels():
    root, people = _scope_root()
    course = _chosen_course()
    now, course_id = utcnow(), course.id if course else None
    overdue = reports.overdue_ids(people, now=now, course_id=course_id)
    if _wants_csv() and request.args.get("table") == "overdue":
        rows = reports.enrollment_rows(overdue, now=now, state=State.OVERDUE)
        return _rows_csv(rows, "overdue")
    figures = reports.completion_by_level(people, now=now, course_id=course_id)
    if _wants_csv():
        return _levels_csv(figures, "completion-by-level")
    page = reports.enrollment_page(overdue, per_page=ROWS_PER_PAGE, page=page_arg())
    return render_template("courses/progress/levels.html", figures=figures, root=root,
                           course=course, choices=_course_choices(), overdue_page=page,
                           overdue=_with_locks(reports.enrollment_rows(list(page.items),
                                                                       now=now)))


@bp.get("/progress/course")
@permission_required("course.progress")
def progress_course():
    course = _chosen_course()
    if course is None:
        return render_template("courses/progress/course.html", course=None,
                               choices=_course_choices())
    people = None if current_user.is_admin else tree.subtree_ids(current_user.id)
    # An unknown filter value is ignored, as a hand-edited address should not break the page.
    state = request.args.get("state") if request.args.get("state") in set(FILTERS) else None
    level = request.args.get("level") if request.args.get("level") in LEVEL_VALUES else None
    now, search = utcnow(), (request.args.get("q") or "").strip()[:100]
    ids = reports.enrollments(people, now=now, course_id=course.id, state=state, level=level,
                              search=search)
    figures = reports.completion_by_level(people, now=now, course_id=course.id)
    if _wants_csv() and request.args.get("table") == "levels":
        return _levels_csv(figures, f"course-{course.slug}-by-level")
    if _wants_csv():
        rows = reports.enrollment_rows(ids, now=now, state=state)
        return _rows_csv(rows, f"course-{course.slug}")
    page = reports.enrollment_page(ids, per_page=ROWS_PER_PAGE, page=page_arg())
    rows = _with_locks(reports.enrollment_rows(list(page.items), now=now))
    return render_template(
        "courses/progress/course.html", course=course, choices=_course_choices(),
        figures=figures, page=page, rows=rows, states=FILTERS, levels=list(reversed(Level)),
        state=state, level=level, q=search)



