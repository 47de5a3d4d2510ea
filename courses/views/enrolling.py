"""Enrolling other people in a course: managers and leaders their team, admins anyone."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from courses import bp
from courses.forms_learner import EnrolOthersForm
from courses.models import Course
from courses.services import enrolment
from courses.views.learner import load_course
from lms.authz import require, visible
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.forms import apply_error
from lms.people import tree
from lms.people.models import User

# --- enrolling other people ---------------------------------------------------------------------

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
        root = current_user
        if form.manager_email.data:
            root = db.session.scalar(seen.where(User.email == form.manager_email.data.lower()))
            if root is None:
                raise ValidationError("No one with that email in your part of the "
                                      "organisation.", field="manager_email")
        # The root is someone the actor sees, so their subtree lies inside the actor's.
        stmt = select(User).where(User.id.in_(tree.subtree_ids(root.id)),
                                  User.level.in_(audience), User.id != current_user.id)
    people = list(db.session.scalars(stmt.where(User.is_active.is_(True))))
    if not people:
        raise ValidationError("No one active matches that choice.", field="mode")
    return people


@bp.route("/<slug>/enrol", methods=["GET", "POST"])
@login_required
def enrol(slug: str):
    course = load_course(slug)
    require(current_user, "course.enrol_others", course)
    form = EnrolOthersForm()
    form.level.choices = [(lv.value, lv.label) for lv in course.current_version.audience_levels]
    if form.validate_on_submit():
        try:
            result = enrolment.enrol_many(_chosen(form, course), course, by=current_user,
                                          due_at=form.due_at)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(f"{result.enrolled} enrolled, {result.reactivated} enrolled again, "
                  f"{result.already} already enrolled.", "success")
            return redirect(url_for("courses.detail", slug=course.slug))
    return render_template("courses/enrol.html", form=form, course=course), (
        422 if form.errors else 200)
