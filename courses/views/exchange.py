"""Course pages: export a course as a JSON document, import one back (admins)."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional

from courses import bp, exchange
from courses.models import Course
from lms.authz import permission_required
from lms.errors import CadenceError
from lms.extensions import db


class ImportForm(FlaskForm):
    file = FileField("Course document", validators=[
        FileRequired("Choose a course document."),
        FileAllowed(["json"], "Upload the .json file a Cadence export produced."),
    ], description="A .json file exported from Cadence (Manage courses → a course → Export).")
    slug = StringField("Import under another address", validators=[Optional(), Length(max=80)],
                       description="Leave empty to use the address in the document; give a new "
                                   "one to import a copy.")
    replace = BooleanField("If a course already has this address, import the document as a "
                           "new draft version of it")


@bp.get("/manage/<int:id>/export.json")
@permission_required("course.author", load=Course)
def export_json(course: Course):
    try:
        document = exchange.export_course(course)
    except CadenceError as error:
        flash(error.message, "danger")
        return redirect(url_for("courses.manage_editor", id=course.id))
    return Response(json.dumps(document, ensure_ascii=False, indent=2), headers={
        "Content-Disposition": f"attachment; filename={course.slug}.course.json"},
        mimetype="application/json")


@bp.route("/manage/import", methods=["GET", "POST"])
@permission_required("course.author")
def import_json():
    form = ImportForm()
    problems: list[exchange.Problem] = []
    if form.validate_on_submit():
        try:
            course = exchange.import_course(form.file.data.read(), by=current_user,
                                            replace=form.replace.data, slug=form.slug.data)
        except exchange.ImportRejected as rejected:
            db.session.rollback()
            problems = rejected.problems
        else:
            db.session.commit()
            flash(f"Imported “{course.latest.title}” as a draft: check it, then publish.",
                  "success")
            return redirect(url_for("courses.manage_editor", id=course.id))
    return render_template("courses/exchange/import.html", form=form, problems=problems), (
        422 if problems or form.errors else 200)
