"""Question bank export and import: JSON for every type, CSV for simple ones; all or nothing,
problems by line or question number, and importing a file twice changes nothing."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from sqlalchemy import func, select

from assessments import bank_exchange, banks
from assessments.bank_exchange import ImportRejected
from assessments.models import Question, QuestionBank
from lms.audit.models import AuditEntry
from lms.extensions import db
from tests import csv_files
from tests.assessments.test_banks import answered, every_type, single

pytestmark = pytest.mark.usefixtures("ctx")

HEADER = ",".join(bank_exchange.CSV_COLUMNS)


@pytest.fixture
def full_bank(org, bank):
    """Every type, one archived question, and choice keys that no longer follow the order."""
    questions = every_type(bank, by=org.admin)
    banks.set_question_archived(questions[2], True, by=org.admin)
    edited = single(bank, by=org.admin, prompt="Which = is a formula?\n\n- one\n- two")
    banks.update_question(edited, banks.QuestionData(
        type="single", prompt=edited.prompt_markdown, spec={"choices": [
            {"key": "c", "text": "-5% discount"}, {"key": "a", "text": "Ask | listen"},
            {"key": "d", "text": "@mention, =SUM(A1)"}], "correct": ["d"]},
        explanation='=HYPERLINK("https://example.test")'), by=org.admin)
    return bank


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def problems_of(call) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        call()
    return [str(problem) for problem in rejected.value.problems]


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


# --- JSON ------------------------------------------------------------------------------------

def test_json_export_holds_every_question_with_its_key(org, full_bank):
    document = bank_exchange.export_json(full_bank)

    assert document["format"] == "cadence.question-bank" and document["format_version"] == 1
    assert (document["title"], document["description"]) == ("Discovery basics", "Openers")
    assert [q["type"] for q in document["questions"]] == [
        "single", "multiple", "true_false", "short_text", "numeric", "single"]
    multiple = document["questions"][1]
    assert multiple == {
        "type": "multiple", "prompt": "Which of these are open questions?", "points": 2.0,
        "tags": ["discovery", "multiple"], "explanation": "Because of *multiple*.",
        "archived": False, "spec": full_bank.questions[1].spec}
    assert document["questions"][2]["archived"] is True
    json.dumps(document)  # plain JSON values only


def test_json_round_trip_into_a_new_bank_is_exact(org, course, full_bank):
    document = bank_exchange.export_json(full_bank)

    result = bank_exchange.import_new_bank(course, json.dumps(document), by=org.admin)

    assert result.bank.id != full_bank.id and result.created == 6
    assert bank_exchange.export_json(result.bank) == document
    copy_of = result.bank.questions
    assert [q.key_version for q in copy_of] == [1] * 6
    assert copy_of[5].prompt_html == full_bank.questions[5].prompt_html
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bank.import")
                               ).all()[-1]
    assert entry.object_id == result.bank.id and "6 added" in entry.summary


def test_importing_the_same_json_twice_changes_nothing(org, full_bank):
    document = bank_exchange.export_json(full_bank)
    before = count(AuditEntry)

    result = bank_exchange.import_into(full_bank, document, by=org.admin)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert count(Question) == 6 and count(AuditEntry) == before + 1  # the import itself
    assert [q.key_version for q in full_bank.questions] == [1, 1, 1, 1, 1, 2]


def test_json_import_updates_by_prompt_adds_new_and_leaves_the_rest(org, full_bank):
    document = bank_exchange.export_json(full_bank)
    numeric = document["questions"][4]
    numeric["prompt"] = "  " + numeric["prompt"].replace(" ", "  ") + "\n"  # spacing ignored
    numeric["spec"]["tolerance"] = 1.0
    document["questions"][2]["archived"] = False
    document["questions"] = [document["questions"][2], numeric, {
        "type": "true_false", "prompt": "Silence after a question helps.",
        "spec": {"correct": "yes"}}]

    result = bank_exchange.import_into(full_bank, document, by=org.admin)

    assert (result.created, result.updated, result.unchanged) == (1, 2, 0)
    questions = full_bank.questions
    assert len(questions) == 7 and questions[6].prompt_markdown == (
        "Silence after a question helps.")
    assert (questions[6].points, questions[6].spec, questions[6].is_archived) == (
        1.0, {"correct": True}, False)
    assert questions[4].spec["tolerance"] == 1.0 and questions[4].key_version == 2
    assert questions[2].is_archived is False
    assert questions[0].prompt_markdown == "What opens a **discovery** call best?"
    assert full_bank.title == "Discovery basics"  # details are not imported into a bank


def test_json_without_archived_keeps_an_existing_questions_state(org, full_bank):
    document = bank_exchange.export_json(full_bank)
    del document["questions"][2]["archived"]

    bank_exchange.import_into(full_bank, document, by=org.admin)

    assert full_bank.questions[2].is_archived is True


@pytest.mark.parametrize(("raw", "expected"), [
    (b"{not json", "File: Not valid JSON: Expecting property name enclosed in double quotes "
                   "(line 1, column 2)."),
    (b"\xff\xfe", "File: The file is not UTF-8 text."),
    (b"[1, 2]", "File: The document must be a JSON object."),
    (json.dumps({"format": "cadence.course", "format_version": 1, "title": "T",
                 "questions": []}),
     "File, format: This is not a Cadence question bank (expected “cadence.question-bank”)."),
    (json.dumps({"format": "cadence.question-bank", "format_version": 2, "title": "T",
                 "questions": []}), "File, format_version: Only version 1 documents"),
    (json.dumps({"format": "cadence.question-bank", "format_version": 1, "title": "T"}),
     "File, questions: Missing data for required field."),
])
def test_unreadable_json_is_refused_as_a_whole(org, bank, raw, expected):
    problems = problems_of(lambda: bank_exchange.import_into(bank, raw, by=org.admin))

    assert len(problems) == 1 and problems[0].startswith(expected)


def test_bad_questions_are_listed_by_number_and_nothing_is_written(org, full_bank):
    document = bank_exchange.export_json(full_bank)
    questions = document["questions"]
    questions[0]["points"] = 0  # the service's rule
    questions[1]["spec"]["correct"] = ["zz"]
    questions[2]["type"] = "essay"  # the schema's rule
    questions[3]["colour"] = "red"
    questions[4]["prompt"] = questions[5]["prompt"]
    questions.append({"type": "single", "prompt": "New but broken?",
                      "spec": {"choices": ["Only one"], "correct": "a"}})
    before = (count(Question), count(AuditEntry), bank_exchange.export_json(full_bank))

    problems = problems_of(lambda: bank_exchange.import_into(full_bank, document,
                                                             by=org.admin))

    assert problems == [
        "Question 1, points: Points must be more than 0.",
        "Question 2, spec: The right answer zz is not one of the choices.",
        "Question 3, type: Must be one of: single, multiple, true_false, short_text, numeric.",
        "Question 4, colour: Unknown field.",
        "Question 6, prompt: The same question as question 5: a bank asks each question once.",
        "Question 7, spec: Give at least two choices.",
    ]
    assert (count(Question), count(AuditEntry), bank_exchange.export_json(full_bank)) == before


def test_a_refused_new_bank_import_creates_no_bank(org, course, full_bank):
    document = bank_exchange.export_json(full_bank)
    document["questions"][3]["points"] = -2
    banks_before = count(QuestionBank)

    problems = problems_of(lambda: bank_exchange.import_new_bank(course, document,
                                                                 by=org.admin))

    assert problems == ["Question 4, points: Points must be more than 0."]
    assert count(QuestionBank) == banks_before


def test_an_answered_questions_type_cannot_change_by_import(org, full_bank):
    answered(full_bank.questions[0], org.rep_a1a)
    document = bank_exchange.export_json(full_bank)
    document["questions"][0].update(type="true_false", spec={"correct": True})

    problems = problems_of(lambda: bank_exchange.import_into(full_bank, document,
                                                             by=org.admin))

    assert problems == ["Question 1, type: Learners have answered this question, so its "
                        "type can no longer change."]


# --- CSV -------------------------------------------------------------------------------------

def test_csv_export_writes_one_row_per_question_with_formulas_neutralised(org, full_bank):
    rows = csv_files.dicts(bank_exchange.export_csv(full_bank))

    assert list(rows[0]) == list(bank_exchange.CSV_COLUMNS)
    assert rows[0] == {
        "type": "single", "prompt": "What opens a **discovery** call best?",
        "choices": "Ask an open question|Pitch the product|Send the price list",
        "correct": "a", "points": "1.0", "tags": "discovery|single",
        "explanation": "Because of *single*.", "partial_credit": "", "case_sensitive": "",
        "collapse_whitespace": "", "tolerance": "", "archived": "no"}
    assert (rows[1]["correct"], rows[1]["partial_credit"]) == ("a|c", "yes")
    assert (rows[2]["correct"], rows[2]["archived"]) == ("false", "yes")
    assert (rows[3]["correct"], rows[3]["case_sensitive"], rows[3]["collapse_whitespace"]) == (
        "SPIN|SPIN selling", "no", "yes")
    assert (rows[4]["correct"], rows[4]["tolerance"]) == ("25.0", "0.5")
    assert rows[5]["prompt"] == "Which = is a formula?\n\n'- one\n'- two"  # every line
    assert rows[5]["choices"] == r"'-5% discount|Ask \| listen|@mention, =SUM(A1)"
    assert rows[5]["explanation"] == "'=HYPERLINK(\"https://example.test\")"
    assert rows[5]["correct"] == "c"  # the third choice, whatever its key


def test_csv_round_trip_into_an_empty_bank_is_exact(org, course, full_bank):
    text = bank_exchange.export_csv(full_bank)
    empty = banks.create_bank(course, banks.BankData("Copy"), by=org.admin)

    result = bank_exchange.import_into(empty, text, by=org.admin, kind="csv")

    assert result.created == 6
    assert bank_exchange.export_csv(empty) == text
    copied = empty.questions[5]
    assert copied.prompt_markdown == "Which = is a formula?\n\n- one\n- two"
    assert copied.spec["choices"][0]["text"] == "-5% discount"
    assert copied.explanation_markdown == '=HYPERLINK("https://example.test")'
    assert copied.spec["correct"] == [copied.spec["choices"][2]["key"]]


def test_importing_the_same_csv_twice_changes_nothing_even_with_reordered_keys(org, full_bank):
    text = bank_exchange.export_csv(full_bank)
    before = (count(AuditEntry), [dict(q.spec) for q in full_bank.questions])

    result = bank_exchange.import_into(full_bank, text, by=org.admin, kind="csv")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert count(AuditEntry) == before[0] + 1
    assert [q.spec for q in full_bank.questions] == before[1]
    assert full_bank.questions[5].spec["correct"] == ["d"]  # keys kept, not a, b, c


def test_csv_can_fix_a_key_by_letter_and_the_key_version_follows(org, full_bank):
    rows = csv_files.rows(bank_exchange.export_csv(full_bank))
    rows[1][3] = "2"  # the right answer is now the second choice, given by number
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows(rows)
    text = out.getvalue()

    result = bank_exchange.import_into(full_bank, text.encode(), by=org.admin, kind="csv")

    question = full_bank.questions[0]
    assert (result.updated, result.unchanged) == (1, 5)
    assert question.spec["correct"] == ["b"] and question.key_version == 2


def test_minimal_csv_uses_defaults_in_any_column_order(org, bank):
    raw = csv_file('"Ask, then listen?",yes,true_false',
                   "Which letter?,b,single,A|B|C",
                   "How many?,\"1,000\",numeric",
                   "Framework?,SPIN|Spin selling,short_text",
                   header="prompt,correct,type,choices")

    result = bank_exchange.import_into(bank, raw, by=org.admin, kind="csv")

    assert result.created == 4
    first, second, third, fourth = bank.questions
    assert (first.spec, first.points, first.tags) == ({"correct": True}, 1.0, ",")
    assert second.spec["correct"] == ["b"] and len(second.spec["choices"]) == 3
    assert third.spec == {"value": 1000.0, "tolerance": 0.0}
    assert fourth.spec == {"accepted": ["SPIN", "Spin selling"], "case_sensitive": False,
                           "collapse_whitespace": True}


def test_bad_csv_lines_are_listed_by_line_and_nothing_is_written(org, full_bank):
    raw = csv_file(
        'single,"A prompt that spans\ntwo lines",A|B,c,,,,,,,,',  # line 2 (to 3)
        "essay,Describe it,,x,,,,,,,,",  # line 4
        "numeric,How much?,,12,lots,,,,,,,",  # line 5
        "single,Which?,A|B,b,,,,,,,0.5,",  # line 6
        "true_false,Sure?,,maybe,,,,,,,,",  # line 7
        "multiple,Which ones?,A|B,a,,,,perhaps,,,,",  # line 8
        "short_text,Name it?,,SPIN,,,,,,,,maybe",  # line 9
        "true_false,Sure?,,yes,,,,,,,,,extra",  # line 10
        "",  # line 11: blank lines are skipped
        "single,What opens a **discovery** call best?,A|B,a,0,,,,,,,",  # line 12
        "true_false,Is it fine?,,yes,,,,,,,,",  # line 13
        "true_false,Is  it fine?,,no,,,,,,,,",  # line 14
    )
    before = (count(Question), count(AuditEntry))

    problems = problems_of(lambda: bank_exchange.import_into(full_bank, raw, by=org.admin,
                                                             kind="csv"))

    assert problems == [
        "Line 2, correct: 'c' is not one of the 2 choices: name them by letter (a is the "
        "first) or number.",
        "Line 4, type: Unknown type 'essay'; use one of single, multiple, true_false, "
        "short_text, numeric.",
        "Line 5, points: 'lots' is not a number.",
        "Line 6, tolerance: Leave tolerance empty for a single question.",
        "Line 7, spec: Say whether the statement is true or false.",
        "Line 8, partial_credit: Write yes or no, not 'perhaps'.",
        "Line 9, archived: Write yes or no, not 'maybe'.",
        "Line 10: More cells than the header has columns (quote cells that hold commas).",
        "Line 12, points: Points must be more than 0.",
        "Line 14, prompt: The same question as line 13: a bank asks each question once.",
    ]
    assert (count(Question), count(AuditEntry)) == before


@pytest.mark.parametrize(("raw", "expected"), [
    (b"prompt,type\nx,single\n", "Line 1: The header has missing column(s) correct"),
    (b"type,prompt,correct,colour\n", "Line 1: The header has unknown column(s) colour"),
    (b"type,prompt,correct,type\n", "Line 1: The header has a repeated column"),
    (b"\xff\xfetype", "Line 1: The file is not UTF-8 text"),
    (b"type,prompt,correct\nsingle," + b"x" * 200_000, "Line 2: A cell is longer than "
                                                      "131,072 characters."),
])
def test_unreadable_csv_is_refused_as_a_whole(org, bank, raw, expected):
    problems = problems_of(lambda: bank_exchange.import_into(bank, raw, by=org.admin,
                                                             kind="csv"))

    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_csv_with_a_byte_order_mark_and_crlf_is_read(org, bank):
    raw = "\ufefftype,prompt,correct\r\ntrue_false,\"Line one\r\nline two\",no\r\n"

    bank_exchange.import_into(bank, raw.encode(), by=org.admin, kind="csv")

    assert bank.questions[0].prompt_markdown == "Line one\nline two"


# --- pages -----------------------------------------------------------------------------------

def upload(data: bytes, name: str) -> dict:
    return {"data": {"file": (io.BytesIO(data), name)}, "content_type": "multipart/form-data"}


def test_export_pages_download_json_and_csv(client, login, org, full_bank):
    login(org.admin)

    response = client.get(f"/assessments/banks/{full_bank.id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=discovery-basics.bank.json")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == bank_exchange.export_json(full_bank)

    response = client.get(f"/assessments/banks/{full_bank.id}/export.csv")
    assert response.mimetype == "text/csv"
    assert response.data == bank_exchange.export_csv(full_bank)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="discovery-basics.bank.csv"')
    assert response.headers["Cache-Control"] == "no-store"


def test_import_page_takes_csv_and_reports_what_it_did(client, login, org, bank):
    login(org.admin)
    assert "CSV columns" in client.get(f"/assessments/banks/{bank.id}/import").get_data(
        as_text=True)

    response = client.post(f"/assessments/banks/{bank.id}/import", **upload(
        csv_file("true_false,Is silence useful?,,yes,,,,,,,,"), "questions.csv"))

    assert response.status_code == 302
    flashed = client.get(response.location).get_data(as_text=True)
    assert "Imported: 1 added, 0 updated, 0 unchanged." in flashed
    assert count(Question) == 1


def test_import_page_lists_problems_and_writes_nothing(client, login, org, bank):
    login(org.admin)

    response = client.post(f"/assessments/banks/{bank.id}/import", **upload(
        csv_file("single,Which?,A|B,c,,,,,,,,", "numeric,How much?,,12,lots,,,,,,,"),
        "questions.csv"))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported: 2 problems to fix" in html
    assert "<strong>Line 2, correct</strong>: &#39;c&#39; is not one of the 2 choices" in html
    assert "<strong>Line 3, points</strong>" in html
    assert count(Question) == 0


def test_import_page_refuses_other_files(client, login, org, bank):
    login(org.admin)

    response = client.post(f"/assessments/banks/{bank.id}/import",
                           **upload(b"%PDF-1.4", "questions.pdf"))

    assert response.status_code == 422
    assert "Upload a .json or .csv file." in response.get_data(as_text=True)


def test_new_bank_import_page_creates_the_bank(client, login, org, course, full_bank):
    document = copy.deepcopy(bank_exchange.export_json(full_bank))
    document["title"] = "Imported copy"
    login(org.admin)

    response = client.post(f"/assessments/courses/{course.id}/banks/import",
                           **upload(json.dumps(document).encode(), "bank.json"))

    imported = db.session.scalar(select(QuestionBank).where(
        QuestionBank.title == "Imported copy"))
    assert response.status_code == 302
    assert response.location.endswith(f"/assessments/banks/{imported.id}")
    assert bank_exchange.export_json(imported) == document

    document["questions"][0]["spec"] = {}
    response = client.post(f"/assessments/courses/{course.id}/banks/import",
                           **upload(json.dumps(document).encode(), "bank.json"))
    assert response.status_code == 422
    assert "<strong>Question 1, spec</strong>: Give at least two choices." in (
        response.get_data(as_text=True))
    assert count(QuestionBank) == 2


def test_files_past_the_question_limit_are_refused(org, bank, monkeypatch):
    from assessments.bank_exchange import csv_format, json_format

    monkeypatch.setattr(csv_format, "MAX_QUESTIONS", 2)
    monkeypatch.setattr(json_format, "MAX_QUESTIONS", 2)
    rows = [f"true_false,Question {n}?,,yes,,,,,,,," for n in range(3)]

    problems = problems_of(lambda: bank_exchange.import_into(bank, csv_file(*rows),
                                                             by=org.admin, kind="csv"))
    assert problems == ["Line 4: More than 2 questions; split the file."]
    document = {"format": "cadence.question-bank", "format_version": 1, "title": "T",
                "questions": [{"type": "true_false", "prompt": f"Q{n}?",
                               "spec": {"correct": True}} for n in range(3)]}
    problems = problems_of(lambda: bank_exchange.import_into(bank, document, by=org.admin))
    assert problems == ["File, questions: More than 2 questions; split the bank."]
    assert count(Question) == 0
