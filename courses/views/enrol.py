"""Enrolling other people in a course: pick people, a level or a team, preview, enrol.

The preview and the enrolment call the same planning service, so the figures shown are
what the enrolment does.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased
from wtforms import SelectChoice

from courses import bp
from courses.forms_learner import EnrolOthersForm
from courses.models import Course
from courses.services import enrolment
from courses.views.learner import load_course
from lms.authz import can, require, visible
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.people import tree
from lms.people.models import Level, User
from lms.web.forms import apply_error


def _team_choices() -> list[SelectChoice]:
    """The signed-in person's own team, then every manager or leader they see, by name."""
    report = aliased(User)
    heads = db.session.execute(
        visible(select(User.id, User.name, User.level), current_user)
        .where(User.is_active.is_(True), User.id != current_user.id,
               exists().where(report.manager_id == User.id, report.is_active.is_(True)))
        .order_by(User.name, User.id)).all()
    own = [] if current_user.is_admin else [SelectChoice("", "My own team")]
    return [*own, *(SelectChoice(str(pid), f"{name} ({Level(level).label})")
                    for pid, name, level in heads)]


def _team_root(form: EnrolOthersForm) -> User:
    if not form.team.data:
        if current_user.is_admin:
            raise ValidationError("Choose whose team to enrol.", field="team")
        return current_user
    root = (db.session.scalar(visible(select(User), current_user).where(
        User.id == int(form.team.data))) if form.team.data.isdigit() else None)
    if root is None:
        raise ValidationError("Choose a team from the list.", field="team")
    return root


def _chosen(form: EnrolOthersForm, course: Course) -> list[User]:
    """The people the form names, loaded only from what the signed-in person may see."""
    seen = visible(select(User), current_user)
    audience = [level.value for level in course.current_version.audience_levels]
    if form.mode.data == "people":
        emails = form.email_list
        people = list(db.session.scalars(seen.where(User.email.in_(emails))))
        missing = sorted(set(emails) - {person.email for person in people})
        if missing:
            raise ValidationError("Not found in your part of the organisation: "
                                  f"{', '.join(missing[:5])}.", field="emails")
        return people
    if form.mode.data == "level":
        if form.level.data not in audience:
            raise ValidationError("Choose one of the course's levels.", field="level")
        stmt = seen.where(User.level == form.level.data, User.id != current_user.id)
    else:
        # The root is someone the actor sees, so their subtree lies inside the actor's.
        stmt = select(User).where(User.id.in_(tree.subtree_ids(_team_root(form).id)),
                                  User.level.in_(audience), User.id != current_user.id)
    people = list(db.session.scalars(stmt.where(User.is_active.is_(True))))
    if not people:
        raise ValidationError("No one active matches that choice.", field="mode")
    return people


def _done(course: Course, result: enrolment.BulkResult):
    flash(f"{result.enrolled} enrolled, {result.reactivated} enrolled again, "
          f"{result.already} already enrolled.", "success")
    if can(current_user, "course.progress", course):
        return redirect(url_for("courses.progress_course", course=course.id))
    return redirect(url_for("courses.detail", slug=course.slug))


@bp.route("/<slug>/enrol", methods=["GET", "POST"])
@login_required
def enrol(slug: str):
    course = load_course(slug)
    require(current_user, "course.enrol_others", course)
    form = EnrolOthersForm()
    form.level.choices = [SelectChoice(lv.value, lv.label)
                          for lv in course.current_version.audience_levels]
    form.team.choices = _team_choices()
    plan = None
    if form.validate_on_submit():
        try:
            people = _chosen(form, course)
            if request.form.get("action") == "preview":
                plan = enrolment.plan_enrolment(people, course, by=current_user)
            else:
                result = enrolment.enrol_many(people, course, by=current_user,
                                              due_at=form.due_at)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            if plan is None:
                db.session.commit()
                return _done(course, result)
    return render_template("courses/enrol.html", form=form, course=course, plan=plan), (
        422 if form.errors or form.form_errors else 200)
