"""Check-in and action-item rules for the one permission layer (registered into ``lms.authz``).

A check-in exists for its coach, its coachee, everyone above the coachee in the tree (their
leaders read the shared part) and admins. Only the coach and the coachee take part; the coach
alone runs it (status, agenda prepared) and alone reads and writes the private notes — no
rule here ever lets anyone else near them, admins included.

An action item of a coaching pair exists for its owner, the pair and the people above them;
a council action for its owner, the council's members and admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from lms.authz import in_subtree, rule, scope, visibility
from lms.extensions import db
from lms.people import tree
from lms.people.models import Level, User
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus
from reinforcement.councils.models import Council, CouncilMeeting, council_members


def coaches(user: User) -> bool:
    """Managers and above have people to coach."""
    return Level(user.level).rank >= Level.MANAGER.rank


def _above(user: User, person_id: int | None) -> bool:
    person = db.session.get(User, person_id) if person_id is not None else None
    return person is not None and in_subtree(user, person)


# --- check-ins -------------------------------------------------------------------------------

@visibility(CheckIn)
def _check_in_visible(user: User, check_in: CheckIn) -> bool:
    return (user.is_admin or check_in.coach_id == user.id
            or in_subtree(user, check_in.coachee))


@scope(CheckIn)
def _check_in_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(or_(CheckIn.coach_id == user.id,
                          CheckIn.coachee_id.in_(tree.subtree_ids(user.id))))


@rule("checkin.view")
def _check_in_view(user: User, _check_in: Any) -> bool:
    return True  # visibility already decided; the private notes are ``checkin.coach``


@rule("checkin.coach")
def _check_in_coach(user: User, check_in: CheckIn | None) -> bool:
    """Run the check-in and keep its private notes: the coach alone."""
    return check_in is not None and check_in.coach_id == user.id


@rule("checkin.participate")
def _check_in_participate(user: User, check_in: CheckIn | None) -> bool:
    """Add to the agenda, write shared notes, add action items: the coach and the coachee."""
    return check_in is not None and user.id in (check_in.coach_id, check_in.coachee_id)


@rule("checkin.reschedule")
def _check_in_reschedule(user: User, check_in: CheckIn | None) -> bool:
    """Move a check-in that has not happened: either side of it."""
    return (_check_in_participate(user, check_in)
            and check_in.status in (CheckInStatus.SCHEDULED, CheckInStatus.MISSED))


@rule("checkin.schedule")
def _check_in_schedule(user: User, coachee: User | None) -> bool:
    """Without a person: may schedule check-ins at all (menus); with one: with that person."""
    if coachee is None:
        return user.is_admin or coaches(user)
    return coachee.id != user.id and (user.is_admin or coaches(user))


# --- action items ----------------------------------------------------------------------------

def _council_member(user: User, meeting_id: int) -> bool:
    return db.session.scalar(
        select(council_members.c.user_id)
        .join(CouncilMeeting, CouncilMeeting.council_id == council_members.c.council_id)
        .where(CouncilMeeting.id == meeting_id, council_members.c.user_id == user.id)
        .limit(1)) is not None


def _council_chair(user: User, meeting_id: int) -> bool:
    return db.session.scalar(
        select(Council.id).join(CouncilMeeting, CouncilMeeting.council_id == Council.id)
        .where(CouncilMeeting.id == meeting_id, Council.chair_id == user.id)) is not None


@visibility(ActionItem)
def _action_visible(user: User, item: ActionItem) -> bool:
    if user.is_admin or user.id in (item.owner_id, item.coach_id):
        return True
    if item.council_meeting_id is not None:
        return _council_member(user, item.council_meeting_id)
    return _above(user, item.coachee_id) or in_subtree(user, item.owner)


@scope(ActionItem)
def _action_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    below = tree.subtree_ids(user.id)
    councils = (select(CouncilMeeting.id)
                .join(council_members, council_members.c.council_id == CouncilMeeting.council_id)
                .where(council_members.c.user_id == user.id))
    return stmt.where(or_(
        ActionItem.owner_id == user.id, ActionItem.coach_id == user.id,
        ActionItem.council_meeting_id.in_(councils),
        (ActionItem.council_meeting_id.is_(None)
         & (ActionItem.coachee_id.in_(below) | ActionItem.owner_id.in_(below)))))


@rule("action.update")
def _action_update(user: User, item: ActionItem | None) -> bool:
    """Mark done or reopen: the owner and the coach (a council action: its chair)."""
    if item is None:
        return False
    if user.id in (item.owner_id, item.coach_id):
        return True
    return item.council_meeting_id is not None and _council_chair(user, item.council_meeting_id)
