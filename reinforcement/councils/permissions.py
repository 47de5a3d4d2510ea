"""Who may see and run champions councils: members and chairs, and the leaders who create them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from lms.authz import rule, scope, visibility
from lms.extensions import db
from lms.people.models import User
from reinforcement.checkins.models import ActionItem
from reinforcement.councils.models import Council, CouncilMeeting, council_members
from reinforcement.councils.services import sits_on_councils


def _member(user: User, council: Council) -> bool:
    return council.chair_id == user.id or db.session.scalar(
        select(council_members.c.user_id).where(council_members.c.council_id == council.id,
                                                council_members.c.user_id == user.id)
    ) is not None



@visibility(Council)
def _council_visible(user: User, council: Council) -> bool:
    return user.is_admin or _member(user, council)



@scope(Council)
def _council_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    mine = select(council_members.c.council_id).where(council_members.c.user_id == user.id)
    return stmt.where(or_(Council.id.in_(mine), Council.chair_id == user.id))



@visibility(CouncilMeeting)
def _meeting_visible(user: User, meeting: CouncilMeeting) -> bool:
    return _council_visible(user, meeting.council)



def _council_of(obj: Council | CouncilMeeting | None) -> Council | None:
    return obj.council if isinstance(obj, CouncilMeeting) else obj



@rule("council.view")
def _council_view(user: User, _council: Any) -> bool:
    return True  # visibility already decided



@rule("council.manage")
def _council_manage(user: User, obj: Council | CouncilMeeting | None) -> bool:
    council = _council_of(obj)
    return user.is_admin or (council is not None and council.chair_id == user.id)



@rule("council.create")
def _council_create(user: User, _obj: Any) -> bool:
    return user.is_admin or sits_on_councils(user)



@rule("council.action")
def _council_action(user: User, item: ActionItem | None) -> bool:
    """Mark a council action done or reopen it: its owner, the chair, admins."""
    if item is None or item.council_meeting_id is None:
        return False
    if user.is_admin or item.owner_id == user.id:
        return True
    meeting = db.session.get(CouncilMeeting, item.council_meeting_id)
    return meeting is not None and meeting.council.chair_id == user.id

