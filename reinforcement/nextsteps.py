"""Home suggestions about coaching check-ins, action items and leaders' monthly reviews.

A coach sees each check-in of the coming week whose agenda is not prepared; a coachee each
check-in of the coming week they have added nothing to yet; everyone their overdue action
items; a leader or executive the last complete month while managers under them wait for
its review, with the day it is due. Four queries whatever the size of the team.
"""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from lms.db import utcnow
from lms.extensions import db
from lms.home.nextsteps import NextStep, provider
from lms.people.models import User
from lms.web.dates import format_date
from lms.web.templating import relative_text
from reinforcement import reviews
from reinforcement.actions import local_date
from reinforcement.models import ActionItem, AgendaItem, CheckIn, CheckInStatus

AHEAD = timedelta(days=7)
MAX_STEPS = 3


@provider
def check_in_steps(user: User) -> list[NextStep]:
    now = utcnow()
    return [*_to_prepare(user, now), *_to_add_to(user, now), *_overdue(user, now)]


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
    url = url_for("reinforcement.review_index", month=period.key)
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


def _upcoming(now):
    return select(CheckIn).where(CheckIn.status == CheckInStatus.SCHEDULED,
                                 CheckIn.scheduled_at > now,
                                 CheckIn.scheduled_at <= now + AHEAD)


def _when(moment, now) -> str:
    text = relative_text(moment, now)
    return text[:1].upper() + text[1:]


def _to_prepare(user: User, now) -> list[NextStep]:
    rows = db.session.scalars(
        _upcoming(now).where(CheckIn.coach_id == user.id, CheckIn.agenda_prepared_at.is_(None))
        .options(joinedload(CheckIn.coachee))
        .order_by(CheckIn.scheduled_at, CheckIn.id).limit(MAX_STEPS))
    return [NextStep(f"Prepare the agenda for your check-in with {c.coachee.name}",
                     f"{_when(c.scheduled_at, now)}: add the topics and mark "
                     "the agenda prepared.",
                     url_for("reinforcement.check_in_detail", id=c.id), 16, "Prepare")
            for c in rows]


def _to_add_to(user: User, now) -> list[NextStep]:
    added = exists().where(AgendaItem.check_in_id == CheckIn.id,
                           AgendaItem.author_id == user.id)
    rows = db.session.scalars(
        _upcoming(now).where(CheckIn.coachee_id == user.id, ~added)
        .options(joinedload(CheckIn.coach))
        .order_by(CheckIn.scheduled_at, CheckIn.id).limit(MAX_STEPS))
    return [NextStep(f"Add to the agenda of your check-in with {c.coach.name}",
                     f"{_when(c.scheduled_at, now)}: what do you want to "
                     "talk about?", url_for("reinforcement.check_in_detail", id=c.id), 22,
                     "Add topics")
            for c in rows]


def _overdue(user: User, now) -> list[NextStep]:
    rows = db.session.scalars(
        select(ActionItem)
        .where(ActionItem.owner_id == user.id, ActionItem.done_at.is_(None),
               ActionItem.due_on < local_date(now, user))
        .order_by(ActionItem.due_on, ActionItem.id).limit(MAX_STEPS))
    return [NextStep(f"Action item overdue: {item.title}",
                     f"It was due {format_date(item.due_on)}.",
                     url_for("reinforcement.check_in_detail", id=item.check_in_id)
                     if item.check_in_id else url_for("reinforcement.week"), 13, "Open")
            for item in rows]
