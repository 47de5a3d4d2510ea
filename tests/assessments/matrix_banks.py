"""Authorization matrix entries for question banks (see ``tests/authz_matrix.py``).

Banks exist for admins alone. "member" (a leader, not an admin) sees the published course,
so its bank list and forms answer 403; a bank or a question is out of their sight: 404. The
API token holds every scope, so these check the permission layer.
"""

from __future__ import annotations

import io
import json

from assessments import bank_exchange, banks
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, form, json_body, plain


def a_course(case: Case):
    return {"course_id": factories.course(title="Matrix banks", by=case.org.admin).id}, {}


def _bank(case: Case):
    course = factories.course(title="Matrix banks", by=case.org.admin)
    bank = banks.create_bank(course, banks.BankData("Matrix bank"), by=case.org.admin)
    for prompt in ("First?", "Second?"):
        banks.add_question(bank, banks.QuestionData(
            type="true_false", prompt=prompt, spec={"correct": True}), by=case.org.admin)
    return bank


def a_bank(case: Case):
    return {"id": _bank(case).id}, {}


def a_question(case: Case):
    return {"id": _bank(case).questions[0].id}, {}


def api_bank(case: Case):
    return {"bank_id": _bank(case).id}, {}


def api_question(case: Case):
    bank = _bank(case)
    return {"bank_id": bank.id, "question_id": bank.questions[0].id}, {}


def _upload(document: bytes, name: str) -> dict:
    return {"data": {"file": (io.BytesIO(document), name)},
            "content_type": "multipart/form-data"}


def csv_upload(case: Case):
    text = "type,prompt,correct\ntrue_false,Matrix import?,yes\n"
    return {"id": _bank(case).id}, _upload(text.encode(), "questions.csv")


def json_upload(case: Case):
    values, _ = a_course(case)
    document = bank_exchange.export_json(_bank(case))
    return values, _upload(json.dumps(document).encode(), "bank.json")


def new_question(case: Case):
    return {"id": _bank(case).id, "type_": "true_false"}, {
        "data": {"prompt": "Matrix?", "points": "1", "correct": "true"}}


def moved(case: Case):
    return {**a_question(case)[0], "direction": "down"}, {}


def document_into_bank(case: Case):
    bank = _bank(case)
    return {"bank_id": bank.id}, {"json": bank_exchange.export_json(bank)}


def document_for_course(case: Case):
    document = bank_exchange.export_json(_bank(case))
    document["title"] = "Matrix copy"
    return {"course_id": a_course(case)[0]["course_id"]}, {"json": document}


QUESTION_FORM = {"prompt": "First?", "points": "2", "correct": "false"}

ROUTES: dict[tuple[str, str], Route] = {
    ("assessments.bank_index", "GET"): plain(403, 200, LOGIN, a_course),
    ("assessments.bank_create", "GET"): plain(403, 200, LOGIN, a_course),
    ("assessments.bank_create", "POST"): plain(403, 302, LOGIN, form(
        {"title": "Matrix new bank"}, a_course)),
    ("assessments.bank_import_new", "GET"): plain(403, 200, LOGIN, a_course),
    ("assessments.bank_import_new", "POST"): plain(403, 302, LOGIN, json_upload),
    ("assessments.bank_detail", "GET"): plain(404, 200, LOGIN, a_bank),
    ("assessments.bank_edit", "GET"): plain(404, 200, LOGIN, a_bank),
    ("assessments.bank_edit", "POST"): plain(404, 302, LOGIN, form(
        {"title": "Renamed"}, a_bank)),
    ("assessments.bank_delete", "POST"): plain(404, 302, LOGIN, a_bank),
    ("assessments.bank_import", "GET"): plain(404, 200, LOGIN, a_bank),
    ("assessments.bank_import", "POST"): plain(404, 302, LOGIN, csv_upload),
    ("assessments.bank_export_json", "GET"): plain(404, 200, LOGIN, a_bank),
    ("assessments.bank_export_csv", "GET"): plain(404, 200, LOGIN, a_bank),
    ("assessments.bank_question_create", "GET"): plain(404, 200, LOGIN, new_question),
    ("assessments.bank_question_create", "POST"): plain(404, 302, LOGIN, new_question),
    ("assessments.bank_question_edit", "GET"): plain(404, 200, LOGIN, a_question),
    ("assessments.bank_question_edit", "POST"): plain(404, 302, LOGIN, form(
        QUESTION_FORM, a_question)),
    ("assessments.bank_question_preview", "GET"): plain(404, 200, LOGIN, a_question),
    ("assessments.bank_question_archive", "POST"): plain(404, 302, LOGIN, a_question),
    ("assessments.bank_question_restore", "POST"): plain(404, 302, LOGIN, a_question),
    ("assessments.bank_question_move", "POST"): plain(404, 302, LOGIN, moved),
    ("assessments.bank_question_delete", "POST"): plain(404, 302, LOGIN, a_question),
    ("banks_api.index", "GET"): plain(403, 200, 401),
    ("banks_api.create", "POST"): plain(403, 201, 401, json_body(
        lambda case: {"course_id": a_course(case)[0]["course_id"], "title": "Matrix API"})),
    ("banks_api.detail", "GET"): plain(404, 200, 401, api_bank),
    ("banks_api.update", "PATCH"): plain(404, 200, 401, json_body(
        {"title": "Renamed"}, api_bank)),
    ("banks_api.delete", "DELETE"): plain(404, 204, 401, api_bank),
    ("banks_api.add_question", "POST"): plain(404, 201, 401, json_body(
        {"type": "numeric", "prompt": "How many?", "spec": {"value": 3}}, api_bank)),
    ("banks_api.update_question", "PATCH"): plain(404, 200, 401, json_body(
        {"points": 2}, api_question)),
    ("banks_api.delete_question", "DELETE"): plain(404, 204, 401, api_question),
    ("banks_api.export", "GET"): plain(404, 200, 401, api_bank),
    ("banks_api.import_into", "POST"): plain(404, 200, 401, document_into_bank),
    ("banks_api.import_new", "POST"): plain(403, 201, 401, document_for_course),
}
