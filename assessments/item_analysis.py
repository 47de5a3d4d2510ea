"""Item analysis: how each question of an assessment performs, to find the bad ones.

Over the submitted attempts of the assessment, for each question drawn:

- *share correct*: the attempts that got it right among those that drew it (an unanswered
  question counts as wrong);
- *discrimination*: ``p_upper - p_lower``, the share correct among the top 27% of attempts
  by total percentage minus the share among the bottom 27% (ties broken by the earlier
  attempt; at least one attempt in each group, none computed below two attempts). Near zero
  or negative: the question does not tell strong learners from weak ones;
- the *most chosen wrong answer* and how often it was chosen;
- how often it was drawn and answered.

Three queries whatever the number of attempts or questions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from assessments import grading
from assessments.models import Assessment, Attempt, AttemptItem, AttemptStatus, Question
from lms.extensions import db

GROUP_SHARE = 0.27


@dataclass(frozen=True)
class ItemStats:
    question: Question
    drawn: int
    answered: int
    correct: int
    p_upper: float | None
    p_lower: float | None
    wrong_answer: str | None  # the most chosen wrong answer
    wrong_count: int

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.drawn if self.drawn else None

    @property
    def discrimination(self) -> float | None:
        if self.p_upper is None or self.p_lower is None:
            return None
        return self.p_upper - self.p_lower


def groups(scores: list[tuple[int, float]]) -> tuple[set[int], set[int]]:
    """The upper and lower 27% of ``(attempt id, percent)`` pairs, by percent."""
    if len(scores) < 2:
        return set(), set()
    size = max(1, round(GROUP_SHARE * len(scores)))
    ranked = sorted(scores, key=lambda pair: (-pair[1], pair[0]))
    return {a for a, _ in ranked[:size]}, {a for a, _ in ranked[-size:]}


def _wrong_labels(question: Question, response: Any) -> list[str]:
    """What a wrong answer chose, as the learner saw it (one label per wrong choice)."""
    if response is None:
        return []
    spec = question.spec
    if question.type in ("single", "multiple"):
        texts = {c["key"]: c["text"] for c in spec.get("choices", [])}
        picked = [response] if isinstance(response, str) else list(response)
        right = set(spec.get("correct", []))
        return [texts.get(key, key) for key in picked if key not in right]
    if question.type == "true_false":
        return ["True" if response else "False"]
    if question.type == "numeric":
        return [f"{float(response):g}"]
    return [" ".join(str(response).split()).casefold()]


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def analyse(assessment: Assessment) -> list[ItemStats]:
    """Statistics for every question drawn by a submitted attempt of ``assessment``."""
    scores = list(db.session.execute(select(Attempt.id, Attempt.percent).where(
        Attempt.assessment_id == assessment.id, Attempt.status == AttemptStatus.SUBMITTED)))
    upper, lower = groups([(a, p or 0.0) for a, p in scores])
    rows = list(db.session.execute(
        select(AttemptItem.attempt_id, AttemptItem.question_id, AttemptItem.response,
               AttemptItem.is_correct)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.assessment_id == assessment.id,
               Attempt.status == AttemptStatus.SUBMITTED)))
    questions = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.id.in_({row[1] for row in rows})))} if rows else {}
    by_question: dict[int, list] = {}
    for row in rows:
        by_question.setdefault(row[1], []).append(row)
    stats = [_stats(questions[qid], items, upper, lower) for qid, items in by_question.items()]
    return sorted(stats, key=lambda s: (s.question.bank_id, s.question.position, s.question.id))


def _stats(question: Question, items: list, upper: set[int], lower: set[int]) -> ItemStats:
    wrong: Counter[str] = Counter()
    for _attempt, _qid, response, correct in items:
        if not correct:
            wrong.update(_wrong_labels(question, _clean(question, response)))
    top = wrong.most_common(1)
    return ItemStats(
        question=question, drawn=len(items),
        answered=sum(1 for item in items if item[2] is not None),
        correct=sum(1 for item in items if item[3]),
        p_upper=_share([bool(item[3]) for item in items if item[0] in upper]),
        p_lower=_share([bool(item[3]) for item in items if item[0] in lower]),
        wrong_answer=top[0][0] if top else None, wrong_count=top[0][1] if top else 0)


def _clean(question: Question, response: Any) -> Any:
    if response is None:
        return None
    try:
        return grading.check_response(question.type, question.spec, response)
    except (grading.ResponseError, grading.SpecError):
        return None

