"""Champions councils in the REST API: councils, their meetings and actions."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.api import PageArgsSchema, page_of, token_required
from lms.authz import load_visible, visible
from lms.db import utcnow
from reinforcement import READ
from reinforcement.checkins.models import ActionItem
from reinforcement.councils.models import Council, CouncilMeeting
from reinforcement.councils.schemas import (
    CouncilActionListSchema,
    CouncilListSchema,
    CouncilMeetingListSchema,
    CouncilSchema,
)

councils_blp = Blueprint("councils_api", __name__, url_prefix="/api/v1/councils",
                         description="Champions councils")
BLUEPRINTS = (councils_blp,)



def _council_out(council: Council) -> dict:
    return {"id": council.id, "name": council.name, "purpose": council.purpose,
            "chair_id": council.chair_id, "every_weeks": council.every_weeks,
            "created_at": council.created_at,
            "members": [{"id": person.id, "name": person.name} for person in council.members]}



@councils_blp.route("/")
@token_required(READ)
@councils_blp.arguments(PageArgsSchema, location="query", unknown=ma.RAISE)
@councils_blp.response(200, CouncilListSchema)
def council_index(args):
    """Councils you sit on (admins: every council)."""
    stmt = (visible(select(Council), g.api_user).options(selectinload(Council.members))
            .order_by(Council.name, Council.id))
    page = page_of(stmt, args)
    page["items"] = [_council_out(council) for council in page["items"]]
    return page



@councils_blp.route("/<int:council_id>")
@token_required(READ)
@councils_blp.response(200, CouncilSchema)
def council_detail(council_id):
    """One council with its members."""
    return _council_out(load_visible(Council, council_id, g.api_user))



@councils_blp.route("/<int:council_id>/meetings")
@token_required(READ)
@councils_blp.arguments(PageArgsSchema, location="query", unknown=ma.RAISE)
@councils_blp.response(200, CouncilMeetingListSchema)
def council_meetings(args, council_id):
    """The council's meetings, oldest first, with agenda, notes and attendance."""
    council = load_visible(Council, council_id, g.api_user)
    stmt = (select(CouncilMeeting).where(CouncilMeeting.council_id == council.id)
            .options(selectinload(CouncilMeeting.attendance))
            .order_by(CouncilMeeting.scheduled_at, CouncilMeeting.id))
    return page_of(stmt, args)



@councils_blp.route("/<int:council_id>/actions")
@token_required(READ)
@councils_blp.arguments(PageArgsSchema, location="query", unknown=ma.RAISE)
@councils_blp.response(200, CouncilActionListSchema)
def council_actions(args, council_id):
    """The council's actions, by due date, each open, overdue or done."""
    council = load_visible(Council, council_id, g.api_user)
    stmt = (select(ActionItem)
            .join(CouncilMeeting, CouncilMeeting.id == ActionItem.council_meeting_id)
            .where(CouncilMeeting.council_id == council.id)
            .order_by(ActionItem.due_on, ActionItem.id))
    today = utcnow().date()
    page = page_of(stmt, args)
    page["items"] = [{
        "id": item.id, "title": item.title, "owner_id": item.owner_id, "due_on": item.due_on,
        "done_at": item.done_at, "council_meeting_id": item.council_meeting_id,
        "status": "done" if item.done_at else ("overdue" if item.due_on < today else "open")}
        for item in page["items"]]
    return page

