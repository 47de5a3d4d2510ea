"""Question banks in the REST API (admins): banks, their questions with answer keys, and
the JSON exchange document. The rules are the services' (``assessments.banks``); these
views load, authorize, call them and commit once."""

from __future__ import annotations

from flask import abort, g, jsonify, request
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with_fields
from sqlalchemy import case, func, select

from assessments import bank_exchange, banks
from assessments.bank_schemas import (
    BankCreateSchema,
    BankDetailSchema,
    BankDocumentSchema,
    BankImportQuerySchema,
    BankListSchema,
    BankQuerySchema,
    BankUpdateSchema,
    ImportResultSchema,
    QuestionCreateSchema,
    QuestionSchema,
    QuestionUpdateSchema,
)
from assessments.models import Question, QuestionBank
from courses.models import Course
from lms.api import one_transaction, page_of, token_required
from lms.authz import load_visible, require, visible
from lms.errors import ValidationError
from lms.extensions import db

blp = Blueprint("banks_api", __name__, url_prefix="/api/v1/banks",
                description="Question banks and their questions, answer keys included "
                            "(admins)")


# --- shaping ---------------------------------------------------------------------------------

def _counts(bank_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Active and archived questions per bank, in one query for any number of banks."""
    counts = dict.fromkeys(bank_ids, (0, 0))
    if bank_ids:
        archived = func.sum(case((Question.is_archived.is_(True), 1), else_=0))
        for bank_id, total, gone in db.session.execute(
                select(Question.bank_id, func.count(), archived)
                .where(Question.bank_id.in_(bank_ids)).group_by(Question.bank_id)):
            counts[bank_id] = (total - (gone or 0), gone or 0)
    return counts


def _bank_out(bank: QuestionBank, counts: tuple[int, int]) -> dict:
    return {"id": bank.id, "course_id": bank.course_id, "title": bank.title,
            "description": bank.description, "questions_active": counts[0],
            "questions_archived": counts[1], "created_at": bank.created_at,
            "updated_at": bank.updated_at}


def _question_out(question: Question) -> dict:
    return {"id": question.id, "bank_id": question.bank_id, "position": question.position,
            "type": str(question.type), "prompt": question.prompt_markdown,
            "prompt_html": question.prompt_html,
            "explanation": question.explanation_markdown,
            "explanation_html": question.explanation_html, "points": question.points,
            "tags": question.tag_list, "spec": question.spec,
            "key_version": question.key_version, "archived": question.is_archived,
            "created_at": question.created_at, "updated_at": question.updated_at}


def _detail_out(bank: QuestionBank) -> dict:
    questions = db.session.scalars(select(Question).where(Question.bank_id == bank.id)
                                   .order_by(Question.position, Question.id)).all()
    archived = sum(1 for q in questions if q.is_archived)
    return {**_bank_out(bank, (len(questions) - archived, archived)),
            "questions": [_question_out(q) for q in questions]}


def _bank(bank_id: int) -> QuestionBank:
    bank = load_visible(QuestionBank, bank_id, g.api_user)
    require(g.api_user, "bank.view", bank)
    return bank


def _question(bank: QuestionBank, question_id: int) -> Question:
    question = load_visible(Question, question_id, g.api_user)
    if question.bank_id != bank.id:
        abort(404, description="The bank has no such question.")
    return question


def _course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        raise ValidationError("No course has that id.", field="course_id")
    return course


# --- banks -----------------------------------------------------------------------------------

@blp.route("/")
@token_required("assessments:read")
@blp.arguments(BankQuerySchema, location="query")
@blp.response(200, BankListSchema)
def index(args):
    """Banks by title, optionally of one course or matching ``q`` (admins)."""
    require(g.api_user, "bank.view")
    stmt = visible(select(QuestionBank), g.api_user).order_by(QuestionBank.title,
                                                              QuestionBank.id)
    if args["course_id"] is not None:
        stmt = stmt.where(QuestionBank.course_id == args["course_id"])
    if args["q"]:
        stmt = stmt.where(QuestionBank.title.icontains(args["q"], autoescape=True))
    page = page_of(stmt, args)
    counts = _counts([bank.id for bank in page["items"]])
    page["items"] = [_bank_out(bank, counts[bank.id]) for bank in page["items"]]
    return page


@blp.route("/", methods=["POST"])
@token_required("assessments:write")
@blp.arguments(BankCreateSchema)
@blp.response(201, BankDetailSchema)
def create(payload):
    """Add an empty bank to a course (admins)."""
    require(g.api_user, "bank.manage")
    with one_transaction():
        bank = banks.create_bank(_course(payload["course_id"]), banks.BankData(
            payload["title"], payload["description"]), by=g.api_user)
    return _detail_out(bank)


@blp.route("/<int:bank_id>")
@token_required("assessments:read")
@blp.response(200, BankDetailSchema)
def detail(bank_id):
    """One bank with every question in order, answer keys included (admins)."""
    return _detail_out(_bank(bank_id))


@blp.route("/<int:bank_id>", methods=["PATCH"])
@token_required("assessments:write")
@blp.arguments(BankUpdateSchema)
@blp.response(200, BankDetailSchema)
def update(payload, bank_id):
    """Change a bank's title or description (admins)."""
    bank = _bank(bank_id)
    require(g.api_user, "bank.manage", bank)
    with one_transaction():
        banks.update_bank(bank, banks.BankData(payload.get("title", bank.title),
                                               payload.get("description", bank.description)),
                          by=g.api_user)
    return _detail_out(bank)


@blp.route("/<int:bank_id>", methods=["DELETE"])
@token_required("assessments:write")
@blp.response(204)
def delete(bank_id):
    """Delete a bank and its questions; refused while an assessment draws from it or its
    questions have been answered (admins)."""
    bank = _bank(bank_id)
    require(g.api_user, "bank.manage", bank)
    with one_transaction():
        banks.delete_bank(bank, by=g.api_user)
    return ""


# --- questions -------------------------------------------------------------------------------

def _question_data(payload: dict, question: Question | None = None) -> banks.QuestionData:
    current: dict = {}
    if question is not None:
        current = {"type": str(question.type), "prompt": question.prompt_markdown,
                   "spec": question.spec, "points": question.points,
                   "tags": question.tag_list, "explanation": question.explanation_markdown}
    current.update({k: v for k, v in payload.items() if k not in ("archived", "position")})
    return banks.QuestionData(type=current["type"], prompt=current["prompt"],
                              spec=current["spec"], points=current["points"],
                              tags=tuple(current["tags"]), explanation=current["explanation"])


def _move_to(question: Question, position: int) -> None:
    ids = [q.id for q in question.bank.questions if q.id != question.id]
    ids.insert(min(position, len(ids)), question.id)
    banks.reorder_questions(question.bank, ids, by=g.api_user)


@blp.route("/<int:bank_id>/questions", methods=["POST"])
@token_required("assessments:write")
@blp.arguments(QuestionCreateSchema)
@blp.response(201, QuestionSchema)
def add_question(payload, bank_id):
    """Add a question at the end of the bank (admins)."""
    bank = _bank(bank_id)
    require(g.api_user, "bank.manage", bank)
    with one_transaction():
        question = banks.add_question(bank, _question_data(payload), by=g.api_user)
        if payload["archived"]:
            banks.set_question_archived(question, True, by=g.api_user)
    return _question_out(question)


@blp.route("/<int:bank_id>/questions/<int:question_id>", methods=["PATCH"])
@token_required("assessments:write")
@blp.arguments(QuestionUpdateSchema)
@blp.response(200, QuestionSchema)
def update_question(payload, bank_id, question_id):
    """Change a question; a changed answer key raises ``key_version`` (admins). Results are
    not regraded by this: regrading is asked for on the assessment."""
    bank = _bank(bank_id)
    require(g.api_user, "bank.manage", bank)
    question = _question(bank, question_id)
    with one_transaction():
        banks.update_question(question, _question_data(payload, question), by=g.api_user)
        if "archived" in payload:
            banks.set_question_archived(question, payload["archived"], by=g.api_user)
        if "position" in payload:
            _move_to(question, payload["position"])
    return _question_out(question)


@blp.route("/<int:bank_id>/questions/<int:question_id>", methods=["DELETE"])
@token_required("assessments:write")
@blp.response(204)
def delete_question(bank_id, question_id):
    """Delete a question nobody has answered yet; archive answered ones (admins)."""
    bank = _bank(bank_id)
    require(g.api_user, "bank.manage", bank)
    question = _question(bank, question_id)
    with one_transaction():
        banks.delete_question(question, by=g.api_user)
    return ""


# --- the exchange document -------------------------------------------------------------------

def _rejected(rejected: bank_exchange.ImportRejected):
    """Answer 422 with each problem under its place: ``questions.2.points`` is question 3."""
    db.session.rollback()
    errors: dict[str, list[str]] = {}
    for problem in rejected.problems:
        errors.setdefault(problem.key, []).append(problem.message)
    abort_with_fields(422, messages={"json": errors})


@blp.route("/<int:bank_id>/export")
@token_required("assessments:read")
@blp.response(200, BankDocumentSchema)
def export(bank_id):
    """The bank as a JSON exchange document, the same as the page's export (admins)."""
    return jsonify(bank_exchange.export_json(_bank(bank_id)))


@blp.route("/<int:bank_id>/import", methods=["POST"])
@token_required("assessments:write")
@blp.arguments(BankDocumentSchema)
@blp.response(200, ImportResultSchema)
def import_into(_document, bank_id):
    """Import a document's questions into the bank: the question with the same prompt is
    updated, others are added; nothing is written if any question has a problem (admins)."""
    bank = _bank(bank_id)
    require(g.api_user, "bank.manage", bank)
    try:
        result = bank_exchange.import_into(bank, request.get_json(), by=g.api_user)
    except bank_exchange.ImportRejected as rejected:
        _rejected(rejected)
    db.session.commit()
    return _import_out(result)


@blp.route("/import", methods=["POST"])
@token_required("assessments:write")
@blp.arguments(BankImportQuerySchema, location="query")
@blp.arguments(BankDocumentSchema)
@blp.response(201, ImportResultSchema)
def import_new(args, _document):
    """Create a bank of ``course_id`` from a document, details and questions (admins)."""
    require(g.api_user, "bank.manage")
    course = _course(args["course_id"])
    try:
        result = bank_exchange.import_new_bank(course, request.get_json(), by=g.api_user)
    except bank_exchange.ImportRejected as rejected:
        _rejected(rejected)
    db.session.commit()
    return _import_out(result)


def _import_out(result: bank_exchange.ImportResult) -> dict:
    return {"bank": _bank_out(result.bank, _counts([result.bank.id])[result.bank.id]),
            "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}
