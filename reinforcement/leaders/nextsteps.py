"""Home suggestions for leaders and executives: the last complete month while managers
under them wait for its review, with the day it is due. One query whatever the size of the
team."""

from __future__ import annotations

from flask import url_for

from lms.db import utcnow
from lms.home.nextsteps import NextStep, provider
from lms.people.models import User
from lms.web.dates import format_date
from reinforcement.leaders import reviews


@provider
def review_steps(user: User) -> list[NextStep]:
    if not reviews.reviews_leaders(user):
        return []
    today = utcnow().date()  # the review pages count months in UTC too
    period = reviews.last_complete_month(today)
    left = reviews.outstanding(user, period)
    if not left.to_review:
        return []
    due = reviews.review_due_on(period)
    waiting = _waiting(left)
    url = url_for("reinforcement.leaders.review_index", month=period.key)
    if due < today:
        return [NextStep(f"Review your managers' coaching in {period.label}: overdue",
                         f"It was due {format_date(due)}; {waiting}.", url, 12, "Review")]
    return [NextStep(f"Review your managers' coaching in {period.label}",
                     f"Due {format_date(due)}: {waiting}. Confirm their rhythm or give "
                     "feedback.", url, 17, "Review")]


def _waiting(left: reviews.Outstanding) -> str:
    if left.managers == 1:
        return "the manager under you waits for your decision"
    if left.to_review == left.managers:
        return f"all {left.managers} managers under you wait for your decision"
    verb = "waits" if left.to_review == 1 else "wait"
    return f"{left.to_review} of the {left.managers} managers under you {verb} for your decision"

