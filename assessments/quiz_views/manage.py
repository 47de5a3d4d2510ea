"""Authoring assessments (admins): a course's assessments, the editor, publishing, regrading
and item analysis."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, func, select
from wtforms import SelectChoice

from assessments import bp, quiz
from assessments.item_analysis import analyse
from assessments.models import (
    Assessment,
    Attempt,
    AttemptStatus,
    Question,
    QuestionBank,
    QuestionType,
)
from assessments.quiz_forms import NEW_STEP, AssessmentForm, QuizStepForm
from courses.models import Course, CourseModule
from courses.services.authoring import module_by_key
from lms.authz import permission_required
from lms.errors import CadenceError
from lms.extensions import db
from lms.web.forms import PostForm, apply_error

MANAGE = "assessment.manage"


def _attempt_counts(course: Course) -> dict[int, int]:
    return dict(db.session.execute(
        select(Attempt.assessment_id, func.count(Attempt.id))
        .join(Assessment, Assessment.id == Attempt.assessment_id)
        .where(Assessment.course_id == course.id, Attempt.status == AttemptStatus.SUBMITTED)
        .group_by(Attempt.assessment_id)).all())


@bp.get("/courses/<int:course_id>/quizzes")
@permission_required(MANAGE, load=Course, arg="course_id")
def quiz_index(course: Course):
    assessments = list(db.session.scalars(select(Assessment).where(
        Assessment.course_id == course.id).order_by(Assessment.title, Assessment.id)))
    steps = {lesson.key: lesson.title for lesson in quiz.step_lessons(course)}
    return render_template("assessments/quiz/index.html", course=course,
                           assessments=assessments, steps=steps,
                           attempts=_attempt_counts(course))


def _choices(form: AssessmentForm, course: Course, assessment: Assessment | None) -> None:
    form.sources.choices = [SelectChoice(bank.id, bank.title) for bank in db.session.scalars(
        select(QuestionBank).where(QuestionBank.course_id == course.id)
        .order_by(QuestionBank.title))]
    taken = set(db.session.scalars(select(Assessment.lesson_key).where(
        Assessment.course_id == course.id, Assessment.lesson_key.is_not(None),
        Assessment.id != (assessment.id if assessment else None))))
    lessons = [SelectChoice(lesson.key, f"Step: {lesson.title} ({lesson.module.title})")
               for lesson in quiz.step_lessons(course) if lesson.key not in taken]
    modules = course.latest.modules if course.latest is not None else []
    form.lesson_key.choices = [
        SelectChoice("", "None: not a step of the course"), *lessons,
        *[SelectChoice(NEW_STEP + m.key, f"Add a new step at the end of {m.title}")
          for m in modules]]


def _save(form: AssessmentForm, course: Course, assessment: Assessment | None):
    """Create or change; the new or changed assessment, or None when refused."""
    if not form.validate_on_submit():
        return None
    try:
        key = form.lesson_key.data or None
        if key and key.startswith(NEW_STEP):
            key = quiz.add_step(course, key.removeprefix(NEW_STEP), form.title.data or "",
                                by=current_user)
        data = form.data_for(key)
        if assessment is None:
            assessment = quiz.create_assessment(course, data, by=current_user)
        else:
            quiz.update_assessment(assessment, data, by=current_user)
    except CadenceError as error:
        db.session.rollback()
        apply_error(form, error)
        return None
    db.session.commit()
    return assessment


def _form_page(form: AssessmentForm, course: Course, assessment: Assessment | None):
    return render_template("assessments/quiz/form.html", form=form, course=course,
                           assessment=assessment, post=PostForm(),
                           banks=_banks_of(assessment) if assessment else [],
                           question_types=list(QuestionType)), 422 if form.errors else 200


@bp.route("/courses/<int:course_id>/quizzes/new", methods=["GET", "POST"])
@permission_required(MANAGE, load=Course, arg="course_id")
def quiz_create(course: Course):
    form = AssessmentForm()
    _choices(form, course, None)
    if assessment := _save(form, course, None):
        flash(f"Assessment “{assessment.title}” created as a draft.", "success")
        return redirect(url_for("assessments.quiz_edit", id=assessment.id))
    return _form_page(form, course, None)


@bp.route("/courses/<int:course_id>/modules/<key>/quiz", methods=["GET", "POST"])
@permission_required(MANAGE, load=Course, arg="course_id")
def quiz_step_create(course: Course, key: str):
    """Add a quiz step from the course outline, then write its questions."""
    module: CourseModule | None = module_by_key(course.latest, key)
    if module is None:
        abort(404)
    form = QuizStepForm()
    if form.validate_on_submit():
        try:
            assessment = quiz.add_quiz_step(course, key, form.title.data,
                                            pass_mark=form.pass_mark.data, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(f"Quiz step “{assessment.title}” added to “{module.title}”. "
                  "Write its questions, then publish it.", "success")
            return redirect(url_for("assessments.quiz_edit", id=assessment.id,
                                    _anchor="questions"))
    return render_template("assessments/quiz/step_new.html", form=form, course=course,
                           module=module), 422 if form.errors else 200


def _banks_of(assessment: Assessment) -> list[tuple[QuestionBank, int]]:
    """The banks the assessment draws from, with their live question counts (one query)."""
    bank_ids = {source.bank_id for source in assessment.sources if source.bank_id}
    rows = db.session.execute(
        select(QuestionBank, func.count(Question.id))
        .outerjoin(Question, and_(Question.bank_id == QuestionBank.id,
                                  Question.is_archived.is_(False)))
        .where(QuestionBank.id.in_(bank_ids)).group_by(QuestionBank.id)
        .order_by(QuestionBank.title)).all() if bank_ids else []
    return [(bank, count) for bank, count in rows]


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
@permission_required(MANAGE, load=Assessment)
def quiz_edit(assessment: Assessment):
    form = AssessmentForm()
    if request.method == "GET":
        form.load(assessment)
    _choices(form, assessment.course, assessment)
    if _save(form, assessment.course, assessment):
        flash("Assessment saved.", "success")
        return redirect(url_for("assessments.quiz_edit", id=assessment.id))
    return _form_page(form, assessment.course, assessment)


def _act(assessment: Assessment, change, success: str):
    if not PostForm().validate_on_submit():
        flash("The form expired; try again.", "danger")
        return redirect(url_for("assessments.quiz_edit", id=assessment.id))
    try:
        message = change() or success
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("assessments.quiz_edit", id=assessment.id))


@bp.post("/<int:id>/publish")
@permission_required(MANAGE, load=Assessment)
def quiz_publish(assessment: Assessment):
    return _act(assessment, lambda: quiz.publish_assessment(assessment, by=current_user) and None,
                "Published: enrolled learners can take it.")


@bp.post("/<int:id>/archive")
@permission_required(MANAGE, load=Assessment)
def quiz_archive(assessment: Assessment):
    return _act(assessment, lambda: quiz.archive_assessment(assessment, by=current_user) and None,
                "Archived: no new attempts; results stay.")


@bp.post("/<int:id>/regrade")
@permission_required(MANAGE, load=Assessment)
def quiz_regrade(assessment: Assessment):
    return _act(assessment, lambda: quiz.regrade(assessment, by=current_user).summary, "")


@bp.get("/<int:id>/analysis")
@permission_required(MANAGE, load=Assessment)
def quiz_analysis(assessment: Assessment):
    stats = analyse(assessment)
    return render_template("assessments/quiz/analysis.html", assessment=assessment, stats=stats)
