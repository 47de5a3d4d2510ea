"""Action items of coaching check-ins: created at a check-in, done or reopened, carried forward.

An action item belongs to a coaching pair (``coach_id``, ``coachee_id``) and is owned by one
of them. While it is open it stays on the pair's agenda: every later check-in of the pair
shows it under "carried forward", found by query (never copied), until someone marks it done.

Services flush, never commit; every change is audited; refusals raise ``ValidationError``
(or ``NotAllowedError``) before anything is written.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, joinedload

from lms.audit.services import record
from lms.authz import can
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.preferences import register_kind
from lms.notify.services import notify
from lms.people.models import User
from lms.web.dates import format_date
from lms.web.templating import local_date
from reinforcement.checkins.models import ActionItem, CheckIn
from reinforcement.checkins.services import GONE, check_in_path

ASSIGNED_KIND = "action.assigned"
register_kind(ASSIGNED_KIND, "Someone gives you an action item at a check-in")

MAX_TITLE = 300


def is_overdue(item: ActionItem, today: date) -> bool:
    return item.done_at is None and item.due_on < today


def create_action_item(check_in: CheckIn, *, title: str, owner: User, due_on: date, by: User,
                       now: datetime | None = None) -> ActionItem:
    """Add an action item at a check-in, owned by the coach or the coachee."""
    now = now or utcnow()
    if by.id not in (check_in.coach_id, check_in.coachee_id):
        raise NotAllowedError("Only the coach and the coachee add action items.")
    if check_in.status in GONE:
        raise ValidationError("This check-in was cancelled or moved: add the action item to "
                              "the check-in that took place.", field="check_in")
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise ValidationError(f"Write the action in 1 to {MAX_TITLE} characters.",
                              field="title")
    if owner is None or owner.id not in (check_in.coach_id, check_in.coachee_id):
        raise ValidationError("The owner is the coach or the coachee.", field="owner")
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        raise ValidationError("Give the due date as a date.", field="due_on")
    held_on = local_date(check_in.scheduled_at, check_in.coach)
    if due_on < held_on:
        raise ValidationError(f"The due date cannot be before the check-in "
                              f"({format_date(held_on)}).", field="due_on")
    item = ActionItem(title=title, owner_id=owner.id, due_on=due_on, check_in_id=check_in.id,
                      coach_id=check_in.coach_id, coachee_id=check_in.coachee_id,
                      created_by_id=by.id, created_at=now)
    db.session.add(item)
    db.session.flush()
    record(by, "action_item.create", item, summary=title[:200],
           changes={"owner_id": [None, owner.id], "due_on": [None, due_on.isoformat()]})
    if owner.id != by.id:
        notify(owner, kind=ASSIGNED_KIND, subject=f"Action item: {title[:120]}",
               body=f"{by.name} gave you an action item at your check-in, due "
                    f"{format_date(due_on)}: {title}", link=check_in_path(check_in))
    return item


def _require_updater(item: ActionItem, by: User) -> None:
    if not can(by, "action.update", item):
        raise NotAllowedError("Only the owner of an action item, or the coach, may change it.")


def complete_action_item(item: ActionItem, *, by: User,
                         now: datetime | None = None) -> ActionItem:
    """Mark an action item done; it leaves the pair's agenda."""
    _require_updater(item, by)
    if item.done_at is not None:
        raise ValidationError("This action item is already done.", field="done")
    item.done_at = now or utcnow()
    record(by, "action_item.done", item, summary=item.title[:200])
    return item


def reopen_action_item(item: ActionItem, *, by: User) -> ActionItem:
    """Reopen a done action item; it is carried forward again."""
    _require_updater(item, by)
    if item.done_at is None:
        raise ValidationError("This action item is still open.", field="done")
    item.done_at = None
    record(by, "action_item.reopen", item, summary=item.title[:200])
    return item


# --- queries -------------------------------------------------------------------------------------

def items_of(check_in: CheckIn) -> list[ActionItem]:
    """The action items created at this check-in."""
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.check_in_id == check_in.id)
        .options(joinedload(ActionItem.owner)).order_by(ActionItem.due_on, ActionItem.id)))


def carried_forward(check_in: CheckIn) -> list[ActionItem]:
    """The pair's action items from earlier check-ins that were still open when this one
    started (and are open now, or were done since): one query.

    For an upcoming check-in that is every open item of the pair; a past check-in keeps
    showing what was open at the time, each with its state today.
    """
    source = aliased(CheckIn, name="source")
    starts = check_in.scheduled_at
    return list(db.session.scalars(
        select(ActionItem)
        .outerjoin(source, source.id == ActionItem.check_in_id)
        .where(ActionItem.coach_id == check_in.coach_id,
               ActionItem.coachee_id == check_in.coachee_id,
               or_(source.scheduled_at < starts,
                   and_(source.id.is_(None), ActionItem.created_at < starts)),
               or_(ActionItem.done_at.is_(None), ActionItem.done_at >= starts))
        .options(joinedload(ActionItem.owner))
        .order_by(ActionItem.due_on, ActionItem.id)))


def open_items(person: User, *, limit: int | None = None) -> list[ActionItem]:
    """``person``'s own open action items, soonest due first."""
    stmt = (select(ActionItem)
            .where(ActionItem.owner_id == person.id, ActionItem.done_at.is_(None))
            .options(joinedload(ActionItem.check_in))
            .order_by(ActionItem.due_on, ActionItem.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def overdue_items(person: User, today: date) -> list[ActionItem]:
    """Open items past their due date that ``person`` owns or coaches: one query."""
    return list(db.session.scalars(
        select(ActionItem)
        .where(or_(ActionItem.owner_id == person.id, ActionItem.coach_id == person.id),
               ActionItem.done_at.is_(None), ActionItem.due_on < today)
        .options(joinedload(ActionItem.owner))
        .order_by(ActionItem.due_on, ActionItem.id)))
