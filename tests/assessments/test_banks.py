"""Question banks: the services' rules, the permission rules, and the admin pages.

Data is set up before signing in: the sign-in request commits it, so a view that rolls back
a refused change cannot take the test's own set-up with it.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from assessments import banks
from assessments.models import (
    Assessment,
    AssessmentSource,
    Attempt,
    AttemptItem,
    Question,
    QuestionBank,
)
from lms import authz
from lms.audit.models import AuditEntry
from lms.errors import ValidationError
from lms.extensions import db
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")

CHOICES = [{"key": "a", "text": "Ask an open question"},
           {"key": "b", "text": "Pitch the product"},
           {"key": "c", "text": "Send the price list"}]


def every_type(bank: QuestionBank, *, by) -> list[Question]:
    """One question of each type, with tags, explanations and non-default options."""
    made = [
        ("single", "What opens a **discovery** call best?", {"choices": CHOICES,
                                                             "correct": ["a"]}, 1.0),
        ("multiple", "Which of these are open questions?", {
            "choices": [{"key": "q1", "text": "What happens if you wait?"},
                        {"key": "q2", "text": "Is budget approved?"},
                        {"key": "q3", "text": "How do you decide today?"}],
            "correct": ["q1", "q3"], "partial_credit": True}, 2.0),
        ("true_false", "A pitch should come before discovery.", {"correct": False}, 1.0),
        ("short_text", "Name the question framework: Situation, Problem, Implication, "
                       "Need-payoff.", {"accepted": ["SPIN", "SPIN selling"],
                                        "case_sensitive": False,
                                        "collapse_whitespace": True}, 1.5),
        ("numeric", "A rep closes 3 of 12 proposals. What is the close ratio in percent?",
         {"value": 25, "tolerance": 0.5}, 1.0),
    ]
    return [banks.add_question(bank, banks.QuestionData(
        type=type_, prompt=prompt, spec=spec, points=points, tags=("Discovery", type_),
        explanation=f"Because of *{type_}*."), by=by) for type_, prompt, spec, points in made]


def single(bank: QuestionBank, *, by, prompt: str = "What opens a call?", **changes
           ) -> Question:
    data = {"type": "single", "prompt": prompt, "spec": {"choices": CHOICES, "correct": ["a"]},
            **changes}
    return banks.add_question(bank, banks.QuestionData(**data), by=by)


def answered(question: Question, person, *, points: float | None = None) -> AttemptItem:
    """Record that ``person`` drew (and was graded on) ``question`` in an attempt."""
    assessment = Assessment(course_id=question.bank.course_id, title="Quiz")
    attempt = Attempt(assessment=assessment, user=person, number=1)
    item = AttemptItem(attempt=attempt, question=question, position=0, choice_order=[],
                       response="b", points_awarded=points)
    db.session.add_all([assessment, attempt, item])
    db.session.flush()
    return item


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


# --- banks -----------------------------------------------------------------------------------

def test_create_bank_is_audited(org, course):
    bank = banks.create_bank(course, banks.BankData("  Objections  ", " Price "), by=org.admin)

    assert (bank.title, bank.description, bank.course_id) == ("Objections", "Price", course.id)
    entry = audits("bank.create")[-1]
    assert entry.actor_id == org.admin.id and entry.object_id == bank.id
    assert entry.changes["title"] == [None, "Objections"]


@pytest.mark.parametrize(("title", "description", "field"), [
    ("  ", "", "title"), ("x" * 201, "", "title"), ("Fine", "x" * 5001, "description")])
def test_bad_bank_details_are_refused_and_nothing_is_written(org, course, title, description,
                                                              field):
    with pytest.raises(ValidationError) as refused:
        banks.create_bank(course, banks.BankData(title, description), by=org.admin)

    assert refused.value.field == field
    assert count(QuestionBank) == 0


def test_update_bank_audits_only_a_real_change(org, bank):
    banks.update_bank(bank, banks.BankData("Discovery basics", "Openers"), by=org.admin)
    assert audits("bank.update") == []

    banks.update_bank(bank, banks.BankData("Discovery", "Openers"), by=org.admin)
    assert audits("bank.update")[-1].changes == {"title": ["Discovery basics", "Discovery"]}


# --- questions: what is stored ---------------------------------------------------------------

def test_question_markdown_is_rendered_and_sanitised(org, bank):
    question = single(bank, by=org.admin,
                      prompt="Pick **one**.<script>alert(1)</script> [x](javascript:alert(2))",
                      explanation="<img src=x onerror=alert(3)> _Because_")

    assert "<strong>one</strong>" in question.prompt_html
    assert "<script" not in question.prompt_html and "javascript:" not in question.prompt_html
    assert "<em>Because</em>" in question.explanation_html
    assert "onerror" not in question.explanation_html
    assert question.prompt_markdown.startswith("Pick **one**.<script>")  # kept as written


def test_tags_become_lower_case_slugs_without_repeats(org, bank):
    question = single(bank, by=org.admin,
                      tags=(" Discovery Calls", "NEGOTIATION ", "discovery calls", "", "R&D"))

    assert question.tags == ",discovery-calls,negotiation,r-d,"
    assert question.tag_list == ["discovery-calls", "negotiation", "r-d"]
    assert banks.normalise_tags("Price; value | Price") == ",price,value,"
    assert banks.normalise_tags(()) == ","


def test_question_is_added_at_the_end_and_audited(org, bank):
    first = single(bank, by=org.admin, prompt="One?")
    second = single(bank, by=org.admin, prompt="Two?")

    assert (first.position, second.position) == (0, 1)
    assert (first.key_version, first.is_archived) == (1, False)
    entry = audits("bank.question.create")[-1]
    assert entry.object_id == second.id and entry.changes["prompt_markdown"] == [None, "Two?"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"type": "essay"}, "type", "Unknown question type"),
    ({"prompt": "   "}, "prompt", "Write the question"),
    ({"prompt": "x" * 10_001}, "prompt", "at most 10,000"),
    ({"explanation": "x" * 10_001}, "explanation", "at most 10,000"),
    ({"points": 0}, "points", "more than 0"),
    ({"points": -1}, "points", "more than 0"),
    ({"points": float("nan")}, "points", "more than 0"),
    ({"points": 1001}, "points", "at most 1,000"),
    ({"points": "lots"}, "points", "as a number"),
    ({"tags": ("x" * 65,)}, "tags", "at most 64"),
    ({"tags": tuple(f"tag-number-{n}" for n in range(50))}, "tags", "Too many tags"),
    ({"spec": {"choices": CHOICES}}, "spec", "Mark the right choice"),
    ({"spec": {"choices": ["Only"], "correct": "a"}}, "spec", "at least two choices"),
    ({"spec": {"choices": [{"key": "a b", "text": "x"}, {"key": "c", "text": "y"}],
               "correct": "c"}}, "spec", "choice key 'a b'"),
])
def test_bad_question_is_refused_naming_the_field_and_nothing_is_written(
        org, bank, changes, field, message):
    audit_entries = count(AuditEntry)
    with pytest.raises(ValidationError, match=message) as refused:
        single(bank, by=org.admin, **changes)

    assert refused.value.field == field
    assert count(Question) == 0 and count(AuditEntry) == audit_entries


def test_two_questions_of_a_bank_may_not_share_a_prompt(org, bank, course):
    single(bank, by=org.admin, prompt="What opens a call?")
    with pytest.raises(ValidationError, match="already has a question") as refused:
        single(bank, by=org.admin, prompt="  What  opens a\ncall? ")
    assert refused.value.field == "prompt"

    other = banks.create_bank(course, banks.BankData("Other"), by=org.admin)
    single(other, by=org.admin, prompt="What opens a call?")  # another bank is fine
    assert count(Question) == 2


# --- questions: keys and key versions --------------------------------------------------------

def _edit(question: Question, by, **changes) -> Question:
    data = {"type": str(question.type), "prompt": question.prompt_markdown,
            "spec": question.spec, "points": question.points, "tags": question.tag_list,
            "explanation": question.explanation_markdown, **changes}
    return banks.update_question(question, banks.QuestionData(**data), by=by)


def test_fixing_wording_keeps_the_key_version(org, bank):
    question = single(bank, by=org.admin)
    choices = [{**c, "text": c["text"] + "!"} for c in CHOICES]

    _edit(question, org.admin, prompt="What opens a call best?", points=3.0,
          explanation="Ask first.", tags=("openers",),
          spec={"choices": choices, "correct": ["a"]})

    assert question.key_version == 1
    assert question.spec["choices"][0]["text"] == "Ask an open question!"
    entry = audits("bank.question.update")[-1]
    assert entry.summary.startswith("Edited a question")
    assert entry.changes["points"] == [1.0, 3.0]


@pytest.mark.parametrize(("type_", "spec", "changed"), [
    ("single", {"choices": CHOICES, "correct": ["a"]}, {"correct": ["b"]}),
    ("single", {"choices": CHOICES, "correct": ["a"]}, {"choices": CHOICES[:2]}),
    ("multiple", {"choices": CHOICES, "correct": ["a", "b"]}, {"partial_credit": True}),
    ("true_false", {"correct": True}, {"correct": False}),
    ("short_text", {"accepted": ["SPIN"]}, {"accepted": ["SPIN", "Spin selling"]}),
    ("short_text", {"accepted": ["SPIN"]}, {"case_sensitive": True}),
    ("short_text", {"accepted": ["SPIN"]}, {"collapse_whitespace": False}),
    ("numeric", {"value": 25}, {"value": 30}),
    ("numeric", {"value": 25}, {"tolerance": 1}),
])
def test_changing_what_is_right_raises_the_key_version(org, bank, type_, spec, changed):
    question = banks.add_question(bank, banks.QuestionData(type=type_, prompt="Q?", spec=spec),
                                  by=org.admin)

    _edit(question, org.admin, spec={**question.spec, **changed})

    assert question.key_version == 2
    entry = audits("bank.question.update")[-1]
    assert "answer key" in entry.summary and entry.changes["key_version"] == [1, 2]


def test_saving_the_same_question_changes_and_audits_nothing(org, bank):
    question = single(bank, by=org.admin, tags=("Discovery",), explanation="Why.")

    _edit(question, org.admin)

    assert question.key_version == 1 and audits("bank.question.update") == []


def test_a_key_change_does_not_regrade_results(org, bank):
    question = single(bank, by=org.admin)
    item = answered(question, org.rep_a1a, points=0.0)

    _edit(question, org.admin, spec={"choices": CHOICES, "correct": ["b"]})
    db.session.flush()
    db.session.refresh(item)

    assert question.key_version == 2
    assert item.points_awarded == 0.0 and item.is_correct is None


def test_choices_sent_without_keys_keep_the_keys_of_the_same_text(org, bank):
    question = single(bank, by=org.admin)

    _edit(question, org.admin, spec={"choices": [
        {"text": "Send the price list"}, {"text": "A brand new choice"},
        {"text": "Ask an open question"}], "correct": ["a"]})

    assert question.spec["choices"] == [{"key": "c", "text": "Send the price list"},
                                        {"key": "d", "text": "A brand new choice"},
                                        {"key": "a", "text": "Ask an open question"}]
    # Not "b": an old answer "b" (the dropped "Pitch the product") must not become it.
    assert question.spec["correct"] == ["a"] and question.key_version == 2


def test_type_may_change_until_someone_answered(org, bank):
    question = single(bank, by=org.admin)
    _edit(question, org.admin, type="true_false", spec={"correct": True})
    assert question.type == "true_false" and question.key_version == 2

    answered(question, org.rep_a1a)
    with pytest.raises(ValidationError, match="type can no longer change") as refused:
        _edit(question, org.admin, type="numeric", spec={"value": 1})
    assert refused.value.field == "type"


def test_editing_into_another_questions_prompt_is_refused(org, bank):
    single(bank, by=org.admin, prompt="One?")
    second = single(bank, by=org.admin, prompt="Two?")

    with pytest.raises(ValidationError, match="already has a question"):
        _edit(second, org.admin, prompt="one?".capitalize())


# --- archive, order, delete ------------------------------------------------------------------

def test_archive_and_restore_are_audited_once(org, bank):
    question = single(bank, by=org.admin)

    banks.set_question_archived(question, True, by=org.admin)
    banks.set_question_archived(question, True, by=org.admin)
    banks.set_question_archived(question, False, by=org.admin)

    assert question.is_archived is False
    assert len(audits("bank.question.archive")) == 1
    assert len(audits("bank.question.restore")) == 1


def test_moving_questions_and_not_past_the_ends(org, bank):
    one, two, three = (single(bank, by=org.admin, prompt=p) for p in ("1?", "2?", "3?"))

    banks.move_question(three, -1, by=org.admin)
    assert [q.id for q in bank.questions] == [one.id, three.id, two.id]
    assert [q.position for q in bank.questions] == [0, 1, 2]
    with pytest.raises(ValidationError, match="already at that end"):
        banks.move_question(one, -1, by=org.admin)
    with pytest.raises(ValidationError, match="already at that end"):
        banks.move_question(two, 1, by=org.admin)


def test_reorder_needs_each_question_exactly_once(org, bank):
    one, two, three = (single(bank, by=org.admin, prompt=p) for p in ("1?", "2?", "3?"))

    banks.reorder_questions(bank, [three.id, one.id, two.id], by=org.admin)
    assert [q.id for q in bank.questions] == [three.id, one.id, two.id]
    assert audits("bank.reorder")[-1].changes["order"][1] == [three.id, one.id, two.id]
    for wrong in ([three.id, one.id], [one.id, one.id, two.id], [1, 2, 3, 4]):
        with pytest.raises(ValidationError, match="exactly once"):
            banks.reorder_questions(bank, wrong, by=org.admin)


def test_delete_question_renumbers_the_rest(org, bank):
    one, two, three = (single(bank, by=org.admin, prompt=p) for p in ("1?", "2?", "3?"))

    banks.delete_question(two, by=org.admin)

    assert [(q.id, q.position) for q in bank.questions] == [(one.id, 0), (three.id, 1)]
    assert audits("bank.question.delete")[-1].changes == {"prompt_markdown": ["2?", None]}


def test_an_answered_question_can_only_be_archived(org, bank):
    question = single(bank, by=org.admin)
    answered(question, org.rep_a1a)

    with pytest.raises(ValidationError, match="drawn in 1 attempt; archive it"):
        banks.delete_question(question, by=org.admin)
    assert count(Question) == 1


def test_delete_bank_removes_its_questions(org, bank):
    every_type(bank, by=org.admin)

    banks.delete_bank(bank, by=org.admin)

    assert count(QuestionBank) == 0 and count(Question) == 0
    assert audits("bank.delete")[-1].changes["questions"] == [5, None]


def test_a_bank_in_use_cannot_be_deleted(org, bank, course):
    question = single(bank, by=org.admin)
    assessment = Assessment(course_id=course.id, title="Discovery check")
    db.session.add(AssessmentSource(assessment=assessment, bank=bank))
    db.session.flush()
    with pytest.raises(ValidationError, match="“Discovery check” draws questions"):
        banks.delete_bank(bank, by=org.admin)

    db.session.delete(assessment)
    db.session.flush()
    answered(question, org.rep_a1a)
    with pytest.raises(ValidationError, match="have answered questions of this bank"):
        banks.delete_bank(bank, by=org.admin)
    assert count(QuestionBank) == 1 and count(Question) == 1


# --- the permission rules --------------------------------------------------------------------

ACTORS = ("rep_a1a", "manager_a1", "leader_a", "exec", "admin")


@pytest.mark.parametrize("action", ["bank.view", "bank.manage"])
def test_bank_rules_are_for_admins_only(org, bank, action):
    question = single(bank, by=org.admin)
    for obj in (None, bank, question):
        allowed = {name: authz.can(getattr(org, name), action, obj) for name in ACTORS}
        assert allowed == {name: name == "admin" for name in ACTORS}


def test_banks_and_questions_are_out_of_sight_for_everyone_but_admins(org, bank):
    question = single(bank, by=org.admin)
    inactive = factories.admin(is_active=False)

    for obj, model in ((bank, QuestionBank), (question, Question)):
        assert {name: authz.can_see(getattr(org, name), obj) for name in ACTORS} == {
            name: name == "admin" for name in ACTORS}
        assert not authz.can_see(inactive, obj)
        assert db.session.scalars(authz.visible(select(model), org.admin)).all() == [obj]
        assert db.session.scalars(authz.visible(select(model), org.leader_a)).all() == []


def test_every_bank_rule_is_tested():
    assert {action for action in authz.RULES if action.startswith("bank.")} == {
        "bank.view", "bank.manage"}


# --- pages -----------------------------------------------------------------------------------

def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def post(client, url: str, data: dict | None = None, status: int = 302):
    response = client.post(url, data=data or {})
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error shown beside {field}"
    return match.group(1)


def question_form(**changes) -> dict:
    return {"prompt": "What opens a call?", "points": "1", "tags": "Discovery, Openers",
            "explanation": "Ask *first*.", **changes}


def test_course_editor_links_to_its_banks(client, login, org, course):
    login(org.admin)
    html = page(client, f"/courses/manage/{course.id}")
    assert f'href="/assessments/courses/{course.id}/banks"' in html


def test_bank_list_shows_active_and_archived_counts(client, login, org, course, bank):
    every_type(bank, by=org.admin)
    banks.set_question_archived(bank.questions[0], True, by=org.admin)
    banks.create_bank(course, banks.BankData("Empty bank"), by=org.admin)
    login(org.admin)

    html = page(client, f"/assessments/courses/{course.id}/banks")

    rows = re.findall(r"<tr>\s*<td><a href=\"/assessments/banks/\d+\">(.*?)</a>.*?"
                      r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>',
                      html, re.S)
    assert rows == [("Discovery basics", "4", "1"), ("Empty bank", "0", "0")]


def test_admin_creates_and_edits_a_bank(client, login, org, course):
    login(org.admin)
    response = post(client, f"/assessments/courses/{course.id}/banks/new",
                    {"title": "Objections", "description": "Price and timing"})
    bank = db.session.scalar(select(QuestionBank))
    assert response.location.endswith(f"/assessments/banks/{bank.id}")

    html = page(client, f"/assessments/banks/{bank.id}/edit")
    assert 'value="Objections"' in html
    post(client, f"/assessments/banks/{bank.id}/edit", {"title": "Objection handling"})
    assert db.session.get(QuestionBank, bank.id).title == "Objection handling"

    html = page(client, f"/assessments/courses/{course.id}/banks/new", 200)
    html = client.post(f"/assessments/courses/{course.id}/banks/new",
                       data={"title": ""}).get_data(as_text=True)
    assert "A bank needs a title." in field_error(html, "title")
    assert count(QuestionBank) == 1


def test_bank_page_lists_questions_with_type_points_and_tags(client, login, org, bank):
    questions = every_type(bank, by=org.admin)
    banks.set_question_archived(questions[2], True, by=org.admin)
    login(org.admin)

    html = page(client, f"/assessments/banks/{bank.id}")

    for label in ("Single choice", "Multiple choice", "True or false", "Short text",
                  "Number"):
        assert f"<td>{label}</td>" in html
    assert "What opens a discovery call best?" in html  # Markdown shown as text
    assert '<td class="text-end">1.5</td>' in html
    assert '<span class="badge text-bg-light border">short-text</span>' in html
    assert html.count("archived</span>") == 1
    for action in ("edit", "preview", "archive", "move/down", "delete"):
        assert f"/assessments/questions/{questions[0].id}/{action}" in html
    assert f"/assessments/questions/{questions[0].id}/move/up" not in html
    assert f"/assessments/questions/{questions[2].id}/restore" in html


def test_bank_page_filters_by_tag_and_status(client, login, org, bank):
    questions = every_type(bank, by=org.admin)
    banks.set_question_archived(questions[4], True, by=org.admin)
    login(org.admin)

    html = page(client, f"/assessments/banks/{bank.id}?tag=Numeric")
    assert html.count('<tr id="question-') == 1 and "close ratio" in html
    html = page(client, f"/assessments/banks/{bank.id}?status=active")
    assert html.count('<tr id="question-') == 4 and "close ratio" not in html
    html = page(client, f"/assessments/banks/{bank.id}?status=archived&tag=discovery")
    assert html.count('<tr id="question-') == 1


def test_bank_page_query_count_does_not_grow_with_questions(
        client, login, org, course, session, count_queries):
    def measure(sets: int) -> int:
        bank = banks.create_bank(course, banks.BankData(f"Bank {sets}"), by=org.admin)
        for number in range(sets):
            for question in every_type(bank, by=org.admin):
                question.prompt_markdown += f" ({number})"
        login(org.admin)
        session.expire_all()
        with count_queries() as counter:
            page(client, f"/assessments/banks/{bank.id}")
        return counter.count
    assert measure(1) == measure(6)


def test_bank_list_query_count_does_not_grow_with_banks(
        client, login, org, course, session, count_queries):
    def measure() -> int:
        login(org.admin)
        session.expire_all()
        with count_queries() as counter:
            page(client, f"/assessments/courses/{course.id}/banks")
        return counter.count
    banks.create_bank(course, banks.BankData("First"), by=org.admin)
    few = measure()
    for number in range(8):
        every_type(banks.create_bank(course, banks.BankData(f"B{number}"), by=org.admin),
                   by=org.admin)
    assert measure() == few


def test_admin_adds_a_single_choice_question_with_a_radio_button(client, login, org, bank):
    login(org.admin)
    html = page(client, f"/assessments/banks/{bank.id}/questions/new/single")
    assert html.count('type="radio" name="right"') == 4  # four empty rows without script
    assert "js/bank-editor.js" in html and "<script>" not in html

    post(client, f"/assessments/banks/{bank.id}/questions/new/single", question_form(**{
        "choices-0-text": "Ask an open question", "choices-1-text": "Pitch",
        "choices-2-text": "", "choices-3-text": "Send the price list", "right": "3"}))

    question = db.session.scalar(select(Question))
    assert question.spec == {"choices": [{"key": "a", "text": "Ask an open question"},
                                         {"key": "b", "text": "Pitch"},
                                         {"key": "c", "text": "Send the price list"}],
                             "correct": ["c"]}
    assert question.tags == ",discovery,openers," and question.explanation_html == (
        "<p>Ask <em>first</em>.</p>")


@pytest.mark.parametrize(("type_", "fields", "spec"), [
    ("multiple", {"choices-0-text": "A", "choices-0-correct": "y", "choices-1-text": "B",
                  "choices-2-text": "C", "choices-2-correct": "y", "partial_credit": "y"},
     {"choices": [{"key": "a", "text": "A"}, {"key": "b", "text": "B"},
                  {"key": "c", "text": "C"}], "correct": ["a", "c"], "partial_credit": True}),
    ("true_false", {"correct": "false"}, {"correct": False}),
    ("short_text", {"accepted": "SPIN\r\n\r\n  Spin selling \r\n", "case_sensitive": "y"},
     {"accepted": ["SPIN", "Spin selling"], "case_sensitive": True,
      "collapse_whitespace": False}),
    ("numeric", {"value": "12.5", "tolerance": "0.25"}, {"value": 12.5, "tolerance": 0.25}),
])
def test_admin_adds_each_type_without_typing_json(client, login, org, bank, type_, fields,
                                                  spec):
    login(org.admin)
    page(client, f"/assessments/banks/{bank.id}/questions/new/{type_}")

    post(client, f"/assessments/banks/{bank.id}/questions/new/{type_}",
         question_form(**fields))

    question = db.session.scalar(select(Question))
    assert (question.type, question.spec) == (type_, spec)


def test_rows_added_by_the_script_are_read_up_to_twelve(client, login, org, bank):
    rows = {f"choices-{n}-text": f"Choice {n}" for n in range(14)}
    login(org.admin)

    post(client, f"/assessments/banks/{bank.id}/questions/new/single",
         question_form(right="7", **rows))

    question = db.session.scalar(select(Question))
    assert len(question.spec["choices"]) == 12
    assert question.spec["correct"] == ["h"] and question.spec["choices"][7]["text"] == (
        "Choice 7")


@pytest.mark.parametrize(("type_", "fields", "field", "message"), [
    ("single", {"choices-0-text": "A", "choices-1-text": "B"}, "choices",
     "Mark the right choice."),
    ("single", {"choices-0-text": "A", "right": "2"}, "choices",
     "A choice marked right has no text."),
    ("single", {"choices-0-text": "A", "right": "0"}, "choices", "at least two choices"),
    ("single", {"choices-0-text": "A", "choices-1-text": "B", "right": "x"}, "choices",
     "Mark the right choice."),
    ("multiple", {"choices-0-text": "A", "choices-1-text": "B"}, "choices",
     "Mark the right choice."),
    ("true_false", {}, "correct", "Say whether the statement is true or false."),
    ("short_text", {"accepted": "  "}, "accepted", "Give at least one accepted answer."),
    ("numeric", {"value": "lots", "tolerance": "0"}, "value", "Not a valid float value."),
    ("numeric", {"value": "3", "tolerance": "-1"}, "tolerance", "0 or more"),
    ("single", {"choices-0-text": "A", "choices-1-text": "B", "right": "0", "points": "0"},
     "points", "more than 0"),
])
def test_bad_question_form_shows_the_error_beside_the_field(client, login, org, bank, type_,
                                                           fields, field, message):
    login(org.admin)

    response = client.post(f"/assessments/banks/{bank.id}/questions/new/{type_}",
                           data=question_form(**fields))

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert count(Question) == 0


def test_edit_form_shows_the_saved_key_and_keeps_choice_keys(client, login, org, bank):
    question = banks.add_question(bank, banks.QuestionData(
        type="single", prompt="Opener?", spec={"choices": [
            {"key": "x", "text": "Ask"}, {"key": "y", "text": "Pitch"}], "correct": ["y"]}),
        by=org.admin)
    login(org.admin)
    url = f"/assessments/questions/{question.id}/edit"

    html = page(client, url)
    assert re.search(r'name="right" value="1" id="right-1"\s+checked', html)
    assert 'value="Pitch"' in html and html.count('type="radio" name="right"') == 4

    response = post(client, url, question_form(prompt="Opener?", **{
        "choices-0-key": "x", "choices-0-text": "Ask", "choices-1-key": "y",
        "choices-1-text": "Pitch it", "choices-2-text": "Wait", "right": "0"}))
    db.session.refresh(question)
    assert question.spec == {"choices": [{"key": "x", "text": "Ask"},
                                         {"key": "y", "text": "Pitch it"},
                                         {"key": "a", "text": "Wait"}], "correct": ["x"]}
    assert question.key_version == 2
    assert response.location.endswith(f"/assessments/banks/{bank.id}#question-{question.id}")
    assert "answer key version 2" in page(client, response.location)


def test_refused_edit_changes_nothing_and_shows_the_saved_question(client, login, org, bank):
    question = single(bank, by=org.admin)
    single(bank, by=org.admin, prompt="Taken?")
    login(org.admin)

    response = client.post(f"/assessments/questions/{question.id}/edit", data=question_form(
        prompt="Taken?", **{"choices-0-text": "A", "choices-1-text": "B", "right": "1"}))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already has a question" in field_error(html, "prompt")
    assert "Ask an open question" in html  # the preview column shows what is saved
    db.session.refresh(question)
    assert question.prompt_markdown == "What opens a call?" and question.key_version == 1


def test_preview_shows_the_learner_view_and_grades_a_try(client, login, org, bank):
    question = every_type(bank, by=org.admin)[1]  # multiple, partial credit, 2 points
    login(org.admin)
    url = f"/assessments/questions/{question.id}/preview"

    html = page(client, url)
    assert html.count('type="checkbox" name="answer"') == 3
    assert "Choose every answer that applies." in html
    assert "<form method=\"get\"" in html and "would earn" not in html

    html = page(client, f"{url}?answer=q1")
    assert "would earn 1 of 2 points: partly right" in html
    html = page(client, f"{url}?answer=q1&answer=q3")
    assert "would earn 2 of 2 points: right" in html
    assert "does not fit" in page(client, f"{url}?answer=zz")


def test_archive_restore_move_and_delete_from_the_bank_page(client, login, org, bank):
    one, two = single(bank, by=org.admin, prompt="1?"), single(bank, by=org.admin, prompt="2?")
    login(org.admin)

    post(client, f"/assessments/questions/{one.id}/archive")
    assert db.session.get(Question, one.id).is_archived
    post(client, f"/assessments/questions/{one.id}/restore")
    assert not db.session.get(Question, one.id).is_archived
    post(client, f"/assessments/questions/{two.id}/move/up")
    assert [q.id for q in db.session.get(QuestionBank, bank.id).questions] == [two.id, one.id]
    response = post(client, f"/assessments/questions/{two.id}/move/up")
    assert "already at that end" in page(client, response.location)
    post(client, f"/assessments/questions/{two.id}/delete")
    assert count(Question) == 1


def test_deleting_a_bank_in_use_flashes_the_reason(client, login, org, course, bank):
    answered(single(bank, by=org.admin), org.rep_a1a)
    other = banks.create_bank(course, banks.BankData("Spare"), by=org.admin)
    login(org.admin)

    response = post(client, f"/assessments/banks/{bank.id}/delete")
    assert "archive its questions instead" in page(client, response.location)
    response = post(client, f"/assessments/banks/{other.id}/delete")
    assert response.location.endswith(f"/assessments/courses/{course.id}/banks")
    assert count(QuestionBank) == 1


def test_non_admins_cannot_reach_banks(client, login, org, course, bank):
    question = single(bank, by=org.admin)
    login(org.manager_a1)

    assert client.get(f"/assessments/courses/{course.id}/banks").status_code == 403
    assert client.get(f"/assessments/banks/{bank.id}").status_code == 404
    assert client.get(f"/assessments/questions/{question.id}/preview").status_code == 404
    assert client.post(f"/assessments/questions/{question.id}/delete").status_code == 404
    assert count(Question) == 1
