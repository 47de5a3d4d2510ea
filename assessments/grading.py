"""Question types: what a valid answer key looks like, what the browser may see, and grading.

Pure functions, no Flask and no database. Each type is one ``QuestionKind`` in ``KINDS``;
``check_spec`` normalises an author's key (or raises ``SpecError``), ``check_response``
normalises a learner's answer (or raises ``ResponseError``), ``grade`` scores it, and
``public`` returns the only part of a question that may reach the browser before an attempt
is submitted: the choices in the order drawn, never which are right.

Spec shapes (``choices`` are ``{"key": str, "text": str}``):

- ``single``: ``{"choices": [...], "correct": ["b"]}``; answer ``"b"``
- ``multiple``: ``{"choices": [...], "correct": ["a", "c"], "partial_credit": false}``;
  answer ``["a", "c"]``. Partial credit: (right picks - wrong picks) / right keys, at least 0.
- ``true_false``: ``{"correct": true}``; answer ``true`` or ``false``
- ``short_text``: ``{"accepted": ["SPIN"], "case_sensitive": false,
  "collapse_whitespace": true}``; answer a string
- ``numeric``: ``{"value": 12.5, "tolerance": 0.5}``; answer a number
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_CHOICES = 12
MAX_TEXT = 500


class SpecError(ValueError):
    """An answer key that cannot be graded; the message says what to fix."""


class ResponseError(ValueError):
    """An answer that does not fit the question (unknown choice, not a number...)."""


@dataclass(frozen=True)
class Grade:
    fraction: float  # 0.0 .. 1.0 of the question's points

    @property
    def correct(self) -> bool:
        return self.fraction >= 1.0


@dataclass(frozen=True)
class QuestionKind:
    check_spec: Callable[[dict], dict]
    check_response: Callable[[dict, Any], Any]
    grade: Callable[[dict, Any], Grade]
    public: Callable[[dict, list[str]], dict]
    answer_text: Callable[[dict], str]  # the right answer, for feedback after submission
    has_choices: bool = False


KINDS: dict[str, QuestionKind] = {}


def kind(name: str) -> QuestionKind:
    try:
        return KINDS[name]
    except KeyError:
        raise SpecError(f"Unknown question type {name!r}; use one of "
                        f"{', '.join(sorted(KINDS))}.") from None


def check_spec(type_: str, spec: Any) -> dict:
    if not isinstance(spec, dict):
        raise SpecError("The answer key must be an object.")
    return kind(type_).check_spec(spec)


def check_response(type_: str, spec: dict, response: Any) -> Any:
    return kind(type_).check_response(spec, response)


def grade(type_: str, spec: dict, response: Any) -> Grade:
    """Score ``response``; an unanswered question (``None``) earns nothing."""
    if response is None:
        return Grade(0.0)
    try:
        response = kind(type_).check_response(spec, response)
    except ResponseError:
        return Grade(0.0)
    return kind(type_).grade(spec, response)


def public(type_: str, spec: dict, choice_order: list[str]) -> dict:
    return kind(type_).public(spec, choice_order)


def answer_text(type_: str, spec: dict) -> str:
    return kind(type_).answer_text(spec)


def choice_keys(spec: dict) -> list[str]:
    return [c["key"] for c in spec.get("choices", [])]


# --- choice questions -----------------------------------------------------------------------

def _choices(spec: dict) -> list[dict]:
    choices = spec.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise SpecError("Give at least two choices.")
    if len(choices) > MAX_CHOICES:
        raise SpecError(f"Give at most {MAX_CHOICES} choices.")
    clean, seen = [], set()
    for number, choice in enumerate(choices, start=1):
        if isinstance(choice, str):
            choice = {"key": chr(ord("a") + number - 1), "text": choice}
        if not isinstance(choice, dict):
            raise SpecError(f"Choice {number} must be text.")
        text = str(choice.get("text", "")).strip()
        key = str(choice.get("key") or chr(ord("a") + number - 1)).strip()
        if not text:
            raise SpecError(f"Choice {number} has no text.")
        if len(text) > MAX_TEXT:
            raise SpecError(f"Choice {number} is longer than {MAX_TEXT} characters.")
        if key in seen:
            raise SpecError(f"Two choices share the key {key!r}.")
        seen.add(key)
        clean.append({"key": key, "text": text})
    return clean


def _correct_keys(spec: dict, choices: list[dict]) -> list[str]:
    correct = spec.get("correct")
    if isinstance(correct, str):
        correct = [correct]
    if not isinstance(correct, list) or not correct:
        raise SpecError("Mark the right choice.")
    keys = {c["key"] for c in choices}
    unknown = [str(k) for k in correct if str(k) not in keys]
    if unknown:
        raise SpecError(f"The right answer {', '.join(unknown)} is not one of the choices.")
    return sorted({str(k) for k in correct})


def _single_spec(spec: dict) -> dict:
    choices = _choices(spec)
    correct = _correct_keys(spec, choices)
    if len(correct) != 1:
        raise SpecError("A single-choice question has exactly one right choice.")
    return {"choices": choices, "correct": correct}


def _multiple_spec(spec: dict) -> dict:
    choices = _choices(spec)
    return {"choices": choices, "correct": _correct_keys(spec, choices),
            "partial_credit": bool(spec.get("partial_credit", False))}


def _one_key(spec: dict, response: Any) -> str:
    if isinstance(response, list) and len(response) == 1:
        response = response[0]
    if not isinstance(response, str) or response not in choice_keys(spec):
        raise ResponseError("Choose one of the answers.")
    return response


def _many_keys(spec: dict, response: Any) -> list[str]:
    if isinstance(response, str):
        response = [response]
    if not isinstance(response, list) or not all(isinstance(k, str) for k in response):
        raise ResponseError("Choose one or more of the answers.")
    keys = set(choice_keys(spec))
    if any(k not in keys for k in response):
        raise ResponseError("Choose among the answers shown.")
    return sorted(set(response))


def _grade_single(spec: dict, response: str) -> Grade:
    return Grade(1.0 if [response] == spec["correct"] else 0.0)


def _grade_multiple(spec: dict, response: list[str]) -> Grade:
    correct = set(spec["correct"])
    chosen = set(response)
    if not spec.get("partial_credit"):
        return Grade(1.0 if chosen == correct else 0.0)
    right, wrong = len(chosen & correct), len(chosen - correct)
    return Grade(max(0.0, (right - wrong) / len(correct)))


def _public_choices(spec: dict, order: list[str]) -> dict:
    by_key = {c["key"]: c["text"] for c in spec["choices"]}
    keys = [k for k in order if k in by_key] + [k for k in by_key if k not in order]
    return {"choices": [{"key": k, "text": by_key[k]} for k in keys]}


def _choice_text(spec: dict) -> str:
    by_key = {c["key"]: c["text"] for c in spec["choices"]}
    return "; ".join(by_key[k] for k in spec["correct"])


KINDS["single"] = QuestionKind(_single_spec, _one_key, _grade_single, _public_choices,
                               _choice_text, has_choices=True)
KINDS["multiple"] = QuestionKind(_multiple_spec, _many_keys, _grade_multiple, _public_choices,
                                 _choice_text, has_choices=True)


# --- true or false --------------------------------------------------------------------------

_TRUTHY = {"true": True, "t": True, "yes": True, "1": True,
           "false": False, "f": False, "no": False, "0": False}


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _TRUTHY.get(value.strip().lower())
    return None


def _true_false_spec(spec: dict) -> dict:
    correct = _as_bool(spec.get("correct"))
    if correct is None:
        raise SpecError("Say whether the statement is true or false.")
    return {"correct": correct}


def _true_false_response(spec: dict, response: Any) -> bool:
    value = _as_bool(response)
    if value is None:
        raise ResponseError("Answer true or false.")
    return value


KINDS["true_false"] = QuestionKind(
    _true_false_spec, _true_false_response,
    lambda spec, response: Grade(1.0 if response == spec["correct"] else 0.0),
    lambda spec, order: {"choices": [{"key": "true", "text": "True"},
                                     {"key": "false", "text": "False"}]},
    lambda spec: "True" if spec["correct"] else "False")


# --- short text -----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def _normal(text: str, spec: dict) -> str:
    text = text.strip()
    if spec.get("collapse_whitespace", True):
        text = _SPACES.sub(" ", text)
    if not spec.get("case_sensitive", False):
        text = text.casefold()
    return text


def _short_text_spec(spec: dict) -> dict:
    accepted = spec.get("accepted")
    if isinstance(accepted, str):
        accepted = [accepted]
    if not isinstance(accepted, list):
        raise SpecError("List the accepted answers.")
    accepted = [str(a).strip() for a in accepted if str(a).strip()]
    if not accepted:
        raise SpecError("Give at least one accepted answer.")
    if any(len(a) > MAX_TEXT for a in accepted):
        raise SpecError(f"An accepted answer is longer than {MAX_TEXT} characters.")
    return {"accepted": accepted, "case_sensitive": bool(spec.get("case_sensitive", False)),
            "collapse_whitespace": bool(spec.get("collapse_whitespace", True))}


def _short_text_response(spec: dict, response: Any) -> str:
    if not isinstance(response, str):
        raise ResponseError("Type your answer.")
    if len(response) > MAX_TEXT:
        raise ResponseError(f"Keep the answer under {MAX_TEXT} characters.")
    return response


def _grade_short_text(spec: dict, response: str) -> Grade:
    given = _normal(response, spec)
    return Grade(1.0 if any(_normal(a, spec) == given for a in spec["accepted"]) else 0.0)


KINDS["short_text"] = QuestionKind(
    _short_text_spec, _short_text_response, _grade_short_text,
    lambda spec, order: {}, lambda spec: " or ".join(spec["accepted"]))


# --- numeric --------------------------------------------------------------------------------

# "1,250" and "1,250.5" group thousands; any other comma is a decimal comma ("12,5").
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def _parse(text: str) -> float:
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return float(text)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = _parse(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _numeric_spec(spec: dict) -> dict:
    value = _number(spec.get("value"))
    if value is None:
        raise SpecError("Give the right answer as a number.")
    tolerance = _number(spec.get("tolerance", 0))
    if tolerance is None or tolerance < 0:
        raise SpecError("The tolerance must be a number of 0 or more.")
    return {"value": value, "tolerance": tolerance}


def _numeric_response(spec: dict, response: Any) -> float:
    value = _number(response)
    if value is None:
        raise ResponseError("Answer with a number.")
    return value


def _numeric_text(spec: dict) -> str:
    value = f"{spec['value']:g}"
    return f"{value} (± {spec['tolerance']:g})" if spec["tolerance"] else value


KINDS["numeric"] = QuestionKind(
    _numeric_spec, _numeric_response,
    # A hair of slack so 0.1 + 0.2 style representation errors never cost a point.
    lambda spec, response: Grade(
        1.0 if abs(response - spec["value"]) <= spec["tolerance"] + 1e-9 else 0.0),
    lambda spec, order: {}, _numeric_text)
