"""Check-ins and action items in the REST API.

The rules are the services' (``reinforcement.checkins``, ``reinforcement.actions``); these
views load, authorize, call them and commit once. Lists are scoped in SQL with ``visible``.
A check-in's ``private_notes`` are written into a response only when the caller is its coach.
"""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from lms.api import one_transaction, page_of, referenced, token_required
from lms.authz import can, load_visible, require, visible
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.people.models import User
from lms.web.templating import local_date
from reinforcement import READ, WRITE
from reinforcement.checkins import actions
from reinforcement.checkins import services as checkins
from reinforcement.checkins.models import ActionItem, CheckIn
from reinforcement.checkins.schemas import (
    ActionItemCreateSchema,
    ActionItemListSchema,
    ActionItemQuerySchema,
    ActionItemSchema,
    ActionItemUpdateSchema,
    AgendaItemCreateSchema,
    AgendaItemSchema,
    CheckInCreateSchema,
    CheckInListSchema,
    CheckInQuerySchema,
    CheckInSchema,
    CheckInUpdateSchema,
    NotesSchema,
)

check_ins_blp = Blueprint("check_ins_api", __name__, url_prefix="/api/v1/check-ins",
                          description="Coaching check-ins: agenda, notes, status")
action_items_blp = Blueprint("action_items_api", __name__, url_prefix="/api/v1/action-items",
                             description="Action items of coaching check-ins")
BLUEPRINTS = (check_ins_blp, action_items_blp)


def _summary(check_in: CheckIn) -> dict:
    return {"id": check_in.id, "coach_id": check_in.coach_id, "coach": check_in.coach.name,
            "coachee_id": check_in.coachee_id, "coachee": check_in.coachee.name,
            "scheduled_at": check_in.scheduled_at, "minutes": check_in.minutes,
            "status": check_in.status, "held_at": check_in.held_at,
            "agenda_prepared_at": check_in.agenda_prepared_at,
            "rescheduled_to_id": check_in.rescheduled_to_id,
            "plan_team_id": check_in.plan_team_id}


def _item_out(item: ActionItem, today) -> dict:
    return {"id": item.id, "title": item.title, "owner_id": item.owner_id,
            "due_on": item.due_on, "done_at": item.done_at,
            "is_overdue": actions.is_overdue(item, today), "check_in_id": item.check_in_id,
            "coach_id": item.coach_id, "coachee_id": item.coachee_id,
            "council_meeting_id": item.council_meeting_id, "created_at": item.created_at}


def _check_in_out(check_in: CheckIn, viewer: User) -> dict:
    today = local_date(utcnow(), viewer)
    out = {**_summary(check_in), "shared_notes": check_in.shared_notes,
           "agenda": check_in.agenda,
           "carried_forward": [_item_out(i, today) for i in actions.carried_forward(check_in)],
           "action_items": [_item_out(i, today) for i in actions.items_of(check_in)]}
    if can(viewer, "checkin.coach", check_in):  # the coach alone, never anyone else
        out["private_notes"] = check_in.private_notes
    return out


# --- check-ins -------------------------------------------------------------------------------

@check_ins_blp.route("/")
@token_required(READ)
@check_ins_blp.arguments(CheckInQuerySchema, location="query", unknown=ma.RAISE)
@check_ins_blp.response(200, CheckInListSchema)
def check_in_index(args):
    """Your check-ins (as coach or coachee), or your team's (`role=team`), newest first."""
    me = g.api_user.id
    stmt = (visible(select(CheckIn), g.api_user)
            .options(joinedload(CheckIn.coach), joinedload(CheckIn.coachee))
            .order_by(CheckIn.scheduled_at.desc(), CheckIn.id.desc()))
    stmt = stmt.where({
        "mine": or_(CheckIn.coach_id == me, CheckIn.coachee_id == me),
        "coach": CheckIn.coach_id == me, "coachee": CheckIn.coachee_id == me,
        "team": and_(CheckIn.coach_id != me, CheckIn.coachee_id != me)}[args["role"]])
    if "status" in args:
        stmt = stmt.where(CheckIn.status == args["status"])
    if "after" in args:
        stmt = stmt.where(CheckIn.scheduled_at >= args["after"])
    if "before" in args:
        stmt = stmt.where(CheckIn.scheduled_at < args["before"])
    page = page_of(stmt, args)
    page["items"] = [_summary(check_in) for check_in in page["items"]]
    return page


@check_ins_blp.route("/", methods=["POST"])
@token_required(WRITE)
@check_ins_blp.arguments(CheckInCreateSchema)
@check_ins_blp.response(201, CheckInSchema)
def check_in_create(payload):
    """Schedule a check-in with someone under you (admins: for any coach, `coach_id`)."""
    require(g.api_user, "checkin.schedule")
    coach = g.api_user
    if payload.get("coach_id", coach.id) != coach.id:
        if not g.api_user.is_admin:
            raise NotAllowedError("You may only schedule your own check-ins.")
        coach = db.session.get(User, payload["coach_id"])
        if coach is None:
            raise ValidationError("No one has that id.", field="coach_id")
    coachee = referenced(User, payload, "coachee_id", "No one you can see has that id.")
    with one_transaction():
        check_in = checkins.schedule_check_in(coach, coachee, payload["scheduled_at"],
                                              payload["minutes"], by=g.api_user)
    return _check_in_out(check_in, g.api_user)


@check_ins_blp.route("/<int:check_in_id>")
@token_required(READ)
@check_ins_blp.response(200, CheckInSchema)
def check_in_detail(check_in_id):
    """One check-in with its agenda, carried-forward items, action items and shared notes
    (private notes only for its coach)."""
    return _check_in_out(load_visible(CheckIn, check_in_id, g.api_user), g.api_user)


@check_ins_blp.route("/<int:check_in_id>", methods=["PATCH"])
@token_required(WRITE)
@check_ins_blp.arguments(CheckInUpdateSchema)
@check_ins_blp.response(200, CheckInSchema)
def check_in_update(payload, check_in_id):
    """Mark held, missed or cancelled (the coach), or move it to a new time (either side:
    the answer is the new check-in that replaces it)."""
    check_in = load_visible(CheckIn, check_in_id, g.api_user)
    status = payload.get("status")
    require(g.api_user, "checkin.coach" if status else "checkin.participate", check_in)
    with one_transaction():
        if status == "held":
            checkins.mark_held(check_in, by=g.api_user, held_at=payload.get("held_at"))
        elif status == "missed":
            checkins.mark_missed(check_in, by=g.api_user)
        elif status == "cancelled":
            checkins.cancel_check_in(check_in, by=g.api_user)
        else:
            check_in = checkins.reschedule_check_in(
                check_in, payload["scheduled_at"], minutes=payload.get("minutes"),
                by=g.api_user)
    return _check_in_out(check_in, g.api_user)


@check_ins_blp.route("/<int:check_in_id>/agenda", methods=["POST"])
@token_required(WRITE)
@check_ins_blp.arguments(AgendaItemCreateSchema)
@check_ins_blp.response(201, AgendaItemSchema)
def agenda_add(payload, check_in_id):
    """Add a topic to the agenda (coach or coachee, while the check-in is scheduled)."""
    check_in = load_visible(CheckIn, check_in_id, g.api_user)
    require(g.api_user, "checkin.participate", check_in)
    with one_transaction():
        item = checkins.add_agenda_item(check_in, payload["text"], by=g.api_user)
    return item


@check_ins_blp.route("/<int:check_in_id>/prepare", methods=["POST"])
@token_required(WRITE)
@check_ins_blp.response(200, CheckInSchema)
def agenda_prepare(check_in_id):
    """Mark the agenda prepared (the coach, once; the time is recorded)."""
    check_in = load_visible(CheckIn, check_in_id, g.api_user)
    require(g.api_user, "checkin.coach", check_in)
    with one_transaction():
        checkins.prepare_agenda(check_in, by=g.api_user)
    return _check_in_out(check_in, g.api_user)


@check_ins_blp.route("/<int:check_in_id>/notes", methods=["PUT"])
@token_required(WRITE)
@check_ins_blp.arguments(NotesSchema)
@check_ins_blp.response(200, CheckInSchema)
def notes_put(payload, check_in_id):
    """Replace the shared notes (coach or coachee) and/or the private notes (the coach)."""
    check_in = load_visible(CheckIn, check_in_id, g.api_user)
    require(g.api_user, "checkin.coach" if "private_notes" in payload
            else "checkin.participate", check_in)
    with one_transaction():
        if "shared_notes" in payload:
            checkins.save_shared_notes(check_in, payload["shared_notes"], by=g.api_user)
        if "private_notes" in payload:
            checkins.save_private_notes(check_in, payload["private_notes"], by=g.api_user)
    return _check_in_out(check_in, g.api_user)


# --- action items ----------------------------------------------------------------------------

@action_items_blp.route("/")
@token_required(READ)
@action_items_blp.arguments(ActionItemQuerySchema, location="query", unknown=ma.RAISE)
@action_items_blp.response(200, ActionItemListSchema)
def action_index(args):
    """Action items you own, those of the people you coach, or all you may see."""
    me, today = g.api_user.id, local_date(utcnow(), g.api_user)
    stmt = visible(select(ActionItem), g.api_user).order_by(ActionItem.due_on, ActionItem.id)
    if args["whose"] == "mine":
        stmt = stmt.where(ActionItem.owner_id == me)
    elif args["whose"] == "coachees":
        stmt = stmt.where(ActionItem.coach_id == me, ActionItem.owner_id != me)
    state = args["state"]
    if state in ("open", "overdue"):
        stmt = stmt.where(ActionItem.done_at.is_(None))
    if state == "overdue":
        stmt = stmt.where(ActionItem.due_on < today)
    elif state == "done":
        stmt = stmt.where(ActionItem.done_at.is_not(None))
    page = page_of(stmt, args)
    page["items"] = [_item_out(item, today) for item in page["items"]]
    return page


@action_items_blp.route("/", methods=["POST"])
@token_required(WRITE)
@action_items_blp.arguments(ActionItemCreateSchema)
@action_items_blp.response(201, ActionItemSchema)
def action_create(payload):
    """Add an action item at a check-in you take part in, owned by the coach or coachee."""
    check_in = referenced(CheckIn, payload, "check_in_id", "No check-in you can see has that id.")
    require(g.api_user, "checkin.participate", check_in)
    owner = db.session.get(User, payload["owner_id"])
    with one_transaction():
        item = actions.create_action_item(check_in, title=payload["title"], owner=owner,
                                          due_on=payload["due_on"], by=g.api_user)
    return _item_out(item, local_date(utcnow(), g.api_user))


@action_items_blp.route("/<int:item_id>", methods=["PATCH"])
@token_required(WRITE)
@action_items_blp.arguments(ActionItemUpdateSchema)
@action_items_blp.response(200, ActionItemSchema)
def action_update(payload, item_id):
    """Mark an action item done (`done: true`) or reopen it (the owner or the coach)."""
    item = load_visible(ActionItem, item_id, g.api_user)
    require(g.api_user, "action.update", item)
    with one_transaction():
        if payload["done"]:
            actions.complete_action_item(item, by=g.api_user)
        else:
            actions.reopen_action_item(item, by=g.api_user)
    return _item_out(item, local_date(utcnow(), g.api_user))
