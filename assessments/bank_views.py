"""Question bank pages (admins): a course's banks, a bank's questions, the question editor,
a learner's-eye preview, import and export."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select

from assessments import bank_exchange, banks, bp, grading
from assessments.bank_forms import (
    QUESTION_FORMS,
    BankForm,
    ImportForm,
    NewBankImportForm,
    QuestionForm,
)
from assessments.models import (
    Assessment,
    AssessmentSource,
    Question,
    QuestionBank,
    QuestionType,
)
from courses.models import Course
from lms.authz import permission_required, visible
from lms.errors import CadenceError, ValidationError
from lms.extensions import db
from lms.web.args import int_arg, page_arg
from lms.web.forms import apply_error
from lms.web.spreadsheets import csv_download

VIEW, MANAGE = "bank.view", "bank.manage"
PER_PAGE = 100
TYPES = "any(" + ", ".join(t.value for t in QuestionType) + ")"


def _submit(form: FlaskForm, change):
    """Validate ``form`` and run ``change``; commit and return its result, or None.

    A refusal is rolled back and shown beside its field (answer-key errors beside the
    form's answer fields).
    """
    if not form.validate_on_submit():
        return None
    try:
        result = change()
    except CadenceError as error:
        db.session.rollback()
        if error.field == "spec":
            error = ValidationError(error.message, field=getattr(form, "SPEC_FIELD", None))
        apply_error(form, error)
        return None
    db.session.commit()
    return result


def _attempt(change, success: str, target: str):
    """Run ``change``; commit and flash ``success``, or flash the refusal; go to ``target``."""
    try:
        change()
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(target)


def _bank_url(bank: QuestionBank, anchor: str | None = None) -> str:
    return url_for("assessments.bank_detail", id=bank.id, _anchor=anchor)


# --- banks -----------------------------------------------------------------------------------

@bp.get("/courses/<int:course_id>/banks")
@permission_required(VIEW, load=Course, arg="course_id")
def bank_index(course: Course):
    active = func.sum(case((Question.is_archived.is_(False), 1), else_=0))
    rows = db.session.execute(
        visible(select(QuestionBank, func.coalesce(active, 0), func.count(Question.id)),
                current_user)
        .outerjoin(Question, Question.bank_id == QuestionBank.id)
        .where(QuestionBank.course_id == course.id)
        .group_by(QuestionBank.id).order_by(QuestionBank.title, QuestionBank.id)).all()
    return render_template("assessments/banks/index.html", course=course, rows=rows)


@bp.route("/courses/<int:course_id>/banks/new", methods=["GET", "POST"])
@permission_required(MANAGE, load=Course, arg="course_id")
def bank_create(course: Course):
    form = BankForm()
    if bank := _submit(form, lambda: banks.create_bank(
            course, banks.BankData(form.title.data, form.description.data or ""),
            by=current_user)):
        flash("Bank created. Add its questions.", "success")
        return redirect(_bank_url(bank))
    return render_template("assessments/banks/form.html", form=form, course=course,
                           bank=None), 422 if form.errors else 200


@bp.get("/banks/<int:id>")
@permission_required(VIEW, load=QuestionBank)
def bank_detail(questionbank: QuestionBank):
    bank, tag = questionbank, (request.args.get("tag") or "").strip()
    status = request.args.get("status") or ""
    stmt = (select(Question).where(Question.bank_id == bank.id)
            .order_by(Question.position, Question.id))
    if tag:
        stmt = stmt.where(Question.tags.contains(f",{banks.tag_slug(tag)},", autoescape=True))
    if status in ("active", "archived"):
        stmt = stmt.where(Question.is_archived.is_(status == "archived"))
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    all_tags = sorted({t for text in db.session.scalars(
        select(Question.tags).where(Question.bank_id == bank.id)) for t in text.split(",") if t})
    last = db.session.scalar(select(func.max(Question.position))
                             .where(Question.bank_id == bank.id))
    return render_template("assessments/banks/detail.html", bank=bank, course=bank.course,
                           page=page, tag=tag, status=status, all_tags=all_tags, last=last,
                           types=list(QuestionType),
                           type_labels={t.value: t.label for t in QuestionType})


@bp.route("/banks/<int:id>/edit", methods=["GET", "POST"])
@permission_required(MANAGE, load=QuestionBank)
def bank_edit(questionbank: QuestionBank):
    bank = questionbank
    form = BankForm(obj=bank)
    if _submit(form, lambda: banks.update_bank(
            bank, banks.BankData(form.title.data, form.description.data or ""),
            by=current_user)):
        flash("Bank saved.", "success")
        return redirect(_bank_url(bank))
    return render_template("assessments/banks/form.html", form=form, course=bank.course,
                           bank=bank), 422 if form.errors else 200


@bp.post("/banks/<int:id>/delete")
@permission_required(MANAGE, load=QuestionBank)
def bank_delete(questionbank: QuestionBank):
    bank, course_id, title = questionbank, questionbank.course_id, questionbank.title
    try:
        banks.delete_bank(bank, by=current_user)
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_bank_url(bank))
    db.session.commit()
    flash(f"Bank “{title}” and its questions deleted.", "success")
    return redirect(url_for("assessments.bank_index", course_id=course_id))


# --- questions -------------------------------------------------------------------------------

def _question_page(form: QuestionForm, bank: QuestionBank, question: Question | None, *,
                   quiz: Assessment | None = None):
    public = None
    if question is not None:
        public = grading.public(question.type, question.spec,
                                grading.choice_keys(question.spec))
    return render_template("assessments/banks/question.html", form=form, bank=bank,
                           course=bank.course, question=question, public=public, quiz=quiz,
                           type_label=QuestionType(form.type).label), (
        422 if form.errors or form.form_errors else 200)


@bp.route(f"/banks/<int:id>/questions/new/<{TYPES}:type_>", methods=["GET", "POST"])
@permission_required(MANAGE, load=QuestionBank)
def bank_question_create(questionbank: QuestionBank, type_: str):
    bank, form = questionbank, QUESTION_FORMS[QuestionType(type_)]()
    quiz = _quiz_drawing_from(bank)
    if question := _submit(form, lambda: banks.add_question(bank, form.data_for_service(),
                                                            by=current_user)):
        flash("Question added.", "success")
        if quiz is not None:  # written from the quiz: back to it
            return redirect(url_for("assessments.quiz_edit", id=quiz.id, _anchor="questions"))
        return redirect(_bank_url(bank, f"question-{question.id}"))
    return _question_page(form, bank, None, quiz=quiz)


def _quiz_drawing_from(bank: QuestionBank) -> Assessment | None:
    """The assessment named by ``?quiz=`` when it draws from ``bank``, else None."""
    quiz_id = int_arg("quiz")
    if quiz_id is None:
        return None
    return db.session.scalar(select(Assessment).join(AssessmentSource).where(
        Assessment.id == quiz_id, AssessmentSource.bank_id == bank.id).limit(1))


@bp.route("/questions/<int:id>/edit", methods=["GET", "POST"])
@permission_required(MANAGE, load=Question)
def bank_question_edit(question: Question):
    form = QUESTION_FORMS[QuestionType(question.type)]()
    if request.method == "GET":
        form.load(question)
    if _submit(form, lambda: banks.update_question(question, form.data_for_service(),
                                                   by=current_user)):
        flash(f"Question saved (answer key version {question.key_version}).", "success")
        return redirect(_bank_url(question.bank, f"question-{question.id}"))
    return _question_page(form, question.bank, question)


def _tried(question: Question) -> tuple[object, grading.Grade | None, str]:
    """The answer typed into the preview, what it would score, or why it does not fit."""
    kind = grading.kind(question.type)
    values = request.args.getlist("answer")
    if not values or not any(v.strip() for v in values):
        return None, None, ""
    answer = values if question.type == QuestionType.MULTIPLE else values[0]
    try:
        kind.check_response(question.spec, answer)
    except grading.ResponseError as error:
        return answer, None, str(error)
    return answer, grading.grade(question.type, question.spec, answer), ""


@bp.get("/questions/<int:id>/preview")
@permission_required(VIEW, load=Question)
def bank_question_preview(question: Question):
    public = grading.public(question.type, question.spec, grading.choice_keys(question.spec))
    answer, grade, refusal = _tried(question)
    chosen = answer if isinstance(answer, list) else [answer] if answer is not None else []
    return render_template("assessments/banks/preview.html", question=question,
                           bank=question.bank, course=question.bank.course, public=public,
                           answer=answer, chosen=chosen, grade=grade, refusal=refusal,
                           type_label=QuestionType(question.type).label,
                           answer_text=grading.answer_text(question.type, question.spec))


def _question_action(question: Question, change, success: str):
    return _attempt(change, success, _bank_url(question.bank, f"question-{question.id}"))


@bp.post("/questions/<int:id>/archive")
@permission_required(MANAGE, load=Question)
def bank_question_archive(question: Question):
    return _question_action(question, lambda: banks.set_question_archived(
        question, True, by=current_user), "Question archived: assessments no longer draw it.")


@bp.post("/questions/<int:id>/restore")
@permission_required(MANAGE, load=Question)
def bank_question_restore(question: Question):
    return _question_action(question, lambda: banks.set_question_archived(
        question, False, by=current_user), "Question restored.")


@bp.post("/questions/<int:id>/move/<any(up, down):direction>")
@permission_required(MANAGE, load=Question)
def bank_question_move(question: Question, direction: str):
    return _question_action(question, lambda: banks.move_question(
        question, -1 if direction == "up" else 1, by=current_user), f"Question moved {direction}.")


@bp.post("/questions/<int:id>/delete")
@permission_required(MANAGE, load=Question)
def bank_question_delete(question: Question):
    bank = question.bank
    return _attempt(lambda: banks.delete_question(question, by=current_user),
                    "Question deleted.", _bank_url(bank))


# --- import and export -----------------------------------------------------------------------

def _import_page(template: str, form: FlaskForm, problems: list, **context):
    return render_template(template, form=form, problems=problems, columns=(
        bank_exchange.CSV_COLUMNS), **context), 422 if problems or form.errors else 200


@bp.route("/banks/<int:id>/import", methods=["GET", "POST"])
@permission_required(MANAGE, load=QuestionBank)
def bank_import(questionbank: QuestionBank):
    bank, form, problems = questionbank, ImportForm(), []
    if form.validate_on_submit():
        kind = "csv" if form.file.data.filename.lower().endswith(".csv") else "json"
        try:
            result = bank_exchange.import_into(bank, form.file.data.read(), by=current_user,
                                               kind=kind)
        except bank_exchange.ImportRejected as rejected:
            db.session.rollback()
            problems = rejected.problems
        else:
            db.session.commit()
            flash(f"Imported: {result.created} added, {result.updated} updated, "
                  f"{result.unchanged} unchanged.", "success")
            return redirect(_bank_url(bank))
    return _import_page("assessments/banks/import.html", form, problems, bank=bank,
                        course=bank.course)


@bp.route("/courses/<int:course_id>/banks/import", methods=["GET", "POST"])
@permission_required(MANAGE, load=Course, arg="course_id")
def bank_import_new(course: Course):
    form, problems = NewBankImportForm(), []
    if form.validate_on_submit():
        try:
            result = bank_exchange.import_new_bank(course, form.file.data.read(),
                                                   by=current_user)
        except bank_exchange.ImportRejected as rejected:
            db.session.rollback()
            problems = rejected.problems
        else:
            db.session.commit()
            flash(f"Imported “{result.bank.title}” with {result.created} questions.",
                  "success")
            return redirect(_bank_url(result.bank))
    return _import_page("assessments/banks/import.html", form, problems, bank=None,
                        course=course)


def _filename(bank: QuestionBank, extension: str) -> str:
    stem = banks.tag_slug(bank.title) or "bank"
    return f"{stem}.bank.{extension}"


@bp.get("/banks/<int:id>/export.json")
@permission_required(MANAGE, load=QuestionBank)
def bank_export_json(questionbank: QuestionBank):
    document = bank_exchange.export_json(questionbank)
    return Response(json.dumps(document, ensure_ascii=False, indent=2),
                    mimetype="application/json", headers={
                        "Content-Disposition": "attachment; filename="
                                               f"{_filename(questionbank, 'json')}",
                        "Cache-Control": "no-store"})  # answer keys: keep out of caches


@bp.get("/banks/<int:id>/export.csv")
@permission_required(MANAGE, load=QuestionBank)
def bank_export_csv(questionbank: QuestionBank):
    try:
        data = bank_exchange.export_csv(questionbank)
    except CadenceError as error:
        flash(error.message, "danger")
        return redirect(_bank_url(questionbank))
    return csv_download(data, _filename(questionbank, "csv"))  # answer keys: no-store

