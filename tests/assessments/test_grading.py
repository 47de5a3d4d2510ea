"""The question-type registry: answer keys, answers, grades and what the browser may see.

Pure functions: no app, no database.
"""

from __future__ import annotations

import math

import pytest

from assessments import grading
from assessments.grading import Grade, ResponseError, SpecError

ABC = [{"key": "a", "text": "Ask"}, {"key": "b", "text": "Pitch"}, {"key": "c", "text": "Close"}]


def spec(type_: str, **fields) -> dict:
    return grading.check_spec(type_, fields)


def score(type_: str, key: dict, response) -> float:
    return grading.grade(type_, key, response).fraction


# --- the registry ----------------------------------------------------------------------------

def test_every_model_type_has_a_grader():
    from assessments.models import QuestionType

    assert set(grading.KINDS) == {t.value for t in QuestionType}


def test_unknown_type_is_refused_naming_the_known_ones():
    with pytest.raises(SpecError, match="Unknown question type 'essay'; use one of "
                                        "multiple, numeric, short_text, single, true_false"):
        grading.check_spec("essay", {})


@pytest.mark.parametrize("not_a_dict", [None, [], "a", 3])
def test_a_key_that_is_not_an_object_is_refused(not_a_dict):
    with pytest.raises(SpecError, match="must be an object"):
        grading.check_spec("single", not_a_dict)


def test_unanswered_question_earns_nothing():
    key = spec("true_false", correct=True)
    assert grading.grade("true_false", key, None) == Grade(0.0)


def test_an_answer_that_does_not_fit_earns_nothing_instead_of_failing():
    key = spec("single", choices=ABC, correct="a")
    assert score("single", key, "z") == 0.0
    assert score("single", key, {"a": 1}) == 0.0
    assert score("numeric", spec("numeric", value=3), "three") == 0.0


def test_grade_is_correct_only_at_full_marks():
    assert Grade(1.0).correct and not Grade(0.99).correct and not Grade(0.0).correct


# --- single choice ---------------------------------------------------------------------------

def test_single_key_is_normalised():
    key = spec("single", choices=[" Ask ", "Pitch"], correct="b")

    assert key == {"choices": [{"key": "a", "text": "Ask"}, {"key": "b", "text": "Pitch"}],
                   "correct": ["b"]}


def test_single_keeps_given_keys_and_drops_unknown_fields():
    key = spec("single", choices=[{"key": "x1", "text": "Ask"}, {"key": "y2", "text": "Pitch"}],
               correct=["y2"], partial_credit=True, extra="ignored")

    assert key == {"choices": [{"key": "x1", "text": "Ask"}, {"key": "y2", "text": "Pitch"}],
                   "correct": ["y2"]}


@pytest.mark.parametrize(("fields", "message"), [
    ({"choices": ["Only one"], "correct": "a"}, "at least two choices"),
    ({"choices": "Ask|Pitch", "correct": "a"}, "at least two choices"),
    ({"choices": [f"C{i}" for i in range(13)], "correct": "a"}, "at most 12 choices"),
    ({"choices": ["Ask", "  "], "correct": "a"}, "Choice 2 has no text"),
    ({"choices": ["Ask", 7], "correct": "a"}, "Choice 2 must be text"),
    ({"choices": ["Ask", "x" * 501], "correct": "a"}, "Choice 2 is longer than 500"),
    ({"choices": [{"key": "a", "text": "Ask"}, {"key": "a", "text": "Pitch"}],
      "correct": "a"}, "share the key 'a'"),
    ({"choices": ["Ask", "Pitch"]}, "Mark the right choice"),
    ({"choices": ["Ask", "Pitch"], "correct": []}, "Mark the right choice"),
    ({"choices": ["Ask", "Pitch"], "correct": "z"}, "The right answer z is not one of"),
    ({"choices": ["Ask", "Pitch"], "correct": ["a", "b"]}, "exactly one right choice"),
])
def test_bad_single_keys_are_refused_with_a_reason(fields, message):
    with pytest.raises(SpecError, match=message):
        grading.check_spec("single", fields)


def test_single_grades_right_and_wrong():
    key = spec("single", choices=ABC, correct="a")

    assert score("single", key, "a") == 1.0
    assert score("single", key, ["a"]) == 1.0  # a one-item list is the same answer
    assert score("single", key, "b") == 0.0


@pytest.mark.parametrize("answer", ["z", ["a", "b"], 1, None, ""])
def test_single_refuses_answers_that_are_not_one_of_its_choices(answer):
    key = spec("single", choices=ABC, correct="a")
    with pytest.raises(ResponseError, match="Choose one"):
        grading.check_response("single", key, answer)


def test_public_view_of_choices_never_says_which_is_right():
    key = spec("single", choices=ABC, correct="b")

    shown = grading.public("single", key, ["c", "a", "b"])

    assert shown == {"choices": [{"key": "c", "text": "Close"}, {"key": "a", "text": "Ask"},
                                 {"key": "b", "text": "Pitch"}]}
    assert "correct" not in str(shown)


def test_public_view_keeps_choices_missing_from_the_order_and_drops_strangers():
    key = spec("single", choices=ABC, correct="b")

    shown = grading.public("single", key, ["c", "zz"])

    assert [choice["key"] for choice in shown["choices"]] == ["c", "a", "b"]


def test_choice_keys_and_answer_text():
    key = spec("multiple", choices=ABC, correct=["c", "a"])

    assert grading.choice_keys(key) == ["a", "b", "c"]
    assert grading.answer_text("multiple", key) == "Ask; Close"
    assert grading.choice_keys(spec("numeric", value=1)) == []


# --- multiple choice -------------------------------------------------------------------------

def test_multiple_key_sorts_and_deduplicates_right_answers():
    key = spec("multiple", choices=ABC, correct=["c", "a", "c"])

    assert key["correct"] == ["a", "c"] and key["partial_credit"] is False


def test_multiple_all_or_nothing():
    key = spec("multiple", choices=ABC, correct=["a", "c"])

    assert score("multiple", key, ["c", "a"]) == 1.0
    assert score("multiple", key, ["a"]) == 0.0
    assert score("multiple", key, ["a", "b", "c"]) == 0.0
    assert score("multiple", key, []) == 0.0


@pytest.mark.parametrize(("answer", "fraction"), [
    (["a", "c"], 1.0),
    (["a"], 0.5),  # one of two right
    (["a", "b"], 0.0),  # one right, one wrong
    (["a", "b", "c"], 0.5),  # two right, one wrong
    (["b"], 0.0),  # never below zero
    (["b", "d"], 0.0),
    ("a", 0.5),  # a single key is read as a list of one
])
def test_multiple_partial_credit_is_right_minus_wrong_over_right(answer, fraction):
    choices = [*ABC, {"key": "d", "text": "Wait"}]
    key = spec("multiple", choices=choices, correct=["a", "c"], partial_credit=True)

    assert score("multiple", key, answer) == pytest.approx(fraction)


def test_multiple_counts_a_repeated_pick_once():
    key = spec("multiple", choices=ABC, correct=["a", "c"], partial_credit=True)

    assert grading.check_response("multiple", key, ["a", "a"]) == ["a"]
    assert score("multiple", key, ["a", "a"]) == 0.5


@pytest.mark.parametrize(("answer", "message"), [
    (["a", "z"], "Choose among the answers shown"),
    ([1, 2], "one or more"),
    ({"a": True}, "one or more"),
    (3, "one or more"),
])
def test_multiple_refuses_foreign_or_malformed_answers(answer, message):
    key = spec("multiple", choices=ABC, correct=["a"])
    with pytest.raises(ResponseError, match=message):
        grading.check_response("multiple", key, answer)


# --- true or false ---------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "stored"), [
    (True, True), (False, False), ("true", True), ("False", False), (" yes ", True),
    ("no", False), ("1", True), ("0", False), ("T", True), ("f", False),
])
def test_true_false_key_reads_common_spellings(given, stored):
    assert spec("true_false", correct=given) == {"correct": stored}


@pytest.mark.parametrize("given", [None, "maybe", 1, 0, "", []])
def test_true_false_key_must_say_true_or_false(given):
    with pytest.raises(SpecError, match="true or false"):
        grading.check_spec("true_false", {"correct": given})


def test_true_false_grades_and_shows_both_options_only():
    key = spec("true_false", correct=False)

    assert score("true_false", key, False) == 1.0
    assert score("true_false", key, "false") == 1.0
    assert score("true_false", key, "true") == 0.0
    assert grading.public("true_false", key, []) == {"choices": [
        {"key": "true", "text": "True"}, {"key": "false", "text": "False"}]}
    assert grading.answer_text("true_false", key) == "False"
    with pytest.raises(ResponseError, match="Answer true or false"):
        grading.check_response("true_false", key, "perhaps")


# --- short text ------------------------------------------------------------------------------

def test_short_text_key_defaults_and_trims():
    key = spec("short_text", accepted=[" SPIN ", "", "  ", "Spin selling"])

    assert key == {"accepted": ["SPIN", "Spin selling"], "case_sensitive": False,
                   "collapse_whitespace": True}
    assert spec("short_text", accepted="MEDDIC")["accepted"] == ["MEDDIC"]


@pytest.mark.parametrize(("accepted", "message"), [
    (None, "List the accepted answers"),
    (5, "List the accepted answers"),
    ([], "at least one accepted answer"),
    (["", " "], "at least one accepted answer"),
    (["x" * 501], "longer than 500"),
])
def test_short_text_key_needs_accepted_answers(accepted, message):
    with pytest.raises(SpecError, match=message):
        grading.check_spec("short_text", {"accepted": accepted})


def test_short_text_ignores_case_and_extra_spaces_by_default():
    key = spec("short_text", accepted=["Spin selling"])

    assert score("short_text", key, "spin selling") == 1.0
    assert score("short_text", key, "  SPIN \t  selling \n") == 1.0
    assert score("short_text", key, "spinselling") == 0.0
    assert score("short_text", key, "spin sellin") == 0.0


def test_short_text_case_sensitive_and_exact_spacing_when_asked():
    key = spec("short_text", accepted=["Spin  selling"], case_sensitive=True,
               collapse_whitespace=False)

    assert score("short_text", key, "Spin  selling") == 1.0
    assert score("short_text", key, " Spin  selling ") == 1.0  # ends are always trimmed
    assert score("short_text", key, "spin  selling") == 0.0
    assert score("short_text", key, "Spin selling") == 0.0


def test_short_text_accepts_any_of_the_answers_and_shows_nothing_before_submission():
    key = spec("short_text", accepted=["SPIN", "Spin selling"])

    assert score("short_text", key, "spin") == 1.0
    assert grading.public("short_text", key, []) == {}
    assert grading.answer_text("short_text", key) == "SPIN or Spin selling"


@pytest.mark.parametrize(("answer", "message"), [(42, "Type your answer"),
                                                 (["SPIN"], "Type your answer"),
                                                 ("x" * 501, "under 500")])
def test_short_text_refuses_non_text_and_overlong_answers(answer, message):
    key = spec("short_text", accepted=["SPIN"])
    with pytest.raises(ResponseError, match=message):
        grading.check_response("short_text", key, answer)


# --- numeric ---------------------------------------------------------------------------------

def test_numeric_key_reads_numbers_and_text():
    assert spec("numeric", value="1,250.5", tolerance="0.5") == {"value": 1250.5,
                                                                 "tolerance": 0.5}
    assert spec("numeric", value=3) == {"value": 3.0, "tolerance": 0.0}


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "as a number"),
    ({"value": "twelve"}, "as a number"),
    ({"value": True}, "as a number"),
    ({"value": math.nan}, "as a number"),
    ({"value": "inf"}, "as a number"),
    ({"value": 3, "tolerance": -1}, "0 or more"),
    ({"value": 3, "tolerance": "wide"}, "0 or more"),
])
def test_bad_numeric_keys_are_refused(fields, message):
    with pytest.raises(SpecError, match=message):
        grading.check_spec("numeric", fields)


@pytest.mark.parametrize(("answer", "fraction"), [
    (12.5, 1.0), (12.0, 1.0), (13.0, 1.0),  # the tolerance's edges count
    (11.99, 0.0), (13.01, 0.0), ("12.7", 1.0), (" 12.2 ", 1.0),
])
def test_numeric_within_tolerance(answer, fraction):
    key = spec("numeric", value=12.5, tolerance=0.5)

    assert score("numeric", key, answer) == fraction


@pytest.mark.parametrize(("answer", "value"), [
    ("1,250", 1250), ("1,250.5", 1250.5), ("12,345,678", 12345678), ("-1,250", -1250),
    ("12,5", 12.5), ("0,25", 0.25), ("1 250", 1250),
])
def test_numeric_reads_grouping_commas_and_decimal_commas(answer, value):
    assert score("numeric", spec("numeric", value=value), answer) == 1.0


@pytest.mark.parametrize("answer", ["1,2,3", "1,25.5", "12.5.1", "twelve"])
def test_numeric_refuses_what_cannot_be_one_number(answer):
    with pytest.raises(grading.ResponseError):
        grading.check_response("numeric", spec("numeric", value=1), answer)


def test_numeric_forgives_floating_point_noise_but_not_more():
    key = spec("numeric", value=0.3)

    assert score("numeric", key, 0.1 + 0.2) == 1.0
    assert score("numeric", key, 0.3001) == 0.0


@pytest.mark.parametrize("answer", ["abc", True, [], "nan", math.inf])
def test_numeric_refuses_answers_that_are_not_finite_numbers(answer):
    with pytest.raises(ResponseError, match="Answer with a number"):
        grading.check_response("numeric", spec("numeric", value=1), answer)


def test_numeric_shows_nothing_before_and_the_value_with_tolerance_after():
    assert grading.public("numeric", spec("numeric", value=12.5), []) == {}
    assert grading.answer_text("numeric", spec("numeric", value=12.5, tolerance=0.5)) == (
        "12.5 (± 0.5)")
    assert grading.answer_text("numeric", spec("numeric", value=40)) == "40"
