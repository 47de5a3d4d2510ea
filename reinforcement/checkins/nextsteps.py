"""Home suggestions about coaching check-ins and action items.

A coach sees each check-in of the coming week whose agenda is not prepared; a coachee each
check-in of the coming week they have added nothing to yet; everyone their overdue action
items. Three queries whatever the size of the team.
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
from lms.web.templating import local_date, relative_text
from reinforcement.checkins.models import ActionItem, AgendaItem, CheckIn, CheckInStatus

AHEAD = timedelta(days=7)
MAX_STEPS = 3


@provider
def check_in_steps(user: User) -> list[NextStep]:
    now = utcnow()
    return [*_to_prepare(user, now), *_to_add_to(user, now), *_overdue(user, now)]






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
                     url_for("reinforcement.checkins.check_in_detail", id=c.id), 16, "Prepare")
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
                     "talk about?", url_for("reinforcement.checkins.check_in_detail", id=c.id), 22,
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
                     url_for("reinforcement.checkins.check_in_detail", id=item.check_in_id)
                     if item.check_in_id else url_for("reinforcement.checkins.week"), 13, "Open")
            for item in rows]
