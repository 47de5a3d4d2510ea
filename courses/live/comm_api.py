"""Pre-training communications in the REST API: write, schedule, follow and acknowledge.

The rules (four required parts, audience within the author's subtree, send dates, once-only
acknowledgement) are the services' in ``courses.live.communications``; these views load,
authorize, call them and commit once.
"""

from __future__ import annotations

from dataclasses import asdict

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from courses.live import comm_delivery
from courses.live import communications as comms
from courses.live.comm_schemas import (
    AcknowledgeCreateSchema,
    CommunicationCreateSchema,
    CommunicationDetailSchema,
    CommunicationListSchema,
    CommunicationQuerySchema,
    CommunicationSchema,
    CommunicationUpdateSchema,
    ReceiptSchema,
)
from courses.live.models import (
    Communication,
    CommunicationRecipient,
    LiveSession,
    Program,
    ProgramWave,
)
from lms.api import one_transaction, page_of, token_required
from lms.authz import can, can_see, load_visible, require, visible
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User

blp = Blueprint("communications_api", __name__, url_prefix="/api/v1/communications",
                description="Pre-training communications: write, schedule, follow, "
                            "acknowledge")

ABOUT = (("session_id", LiveSession, "session"), ("wave_id", ProgramWave, "wave"),
         ("program_id", Program, "program"))


def _receipt_out(receipt: CommunicationRecipient) -> dict:
    return {"user_id": receipt.user_id, "name": receipt.user.name, "level": receipt.user.level,
            "delivered_at": receipt.delivered_at, "opened_at": receipt.opened_at,
            "acknowledged_at": receipt.acknowledged_at, "question": receipt.question}


def _role(communication: Communication, mine: CommunicationRecipient | None) -> str:
    if communication.author_id == g.api_user.id:
        return "author"
    return "recipient" if mine is not None else "reader"


def _out(communication: Communication, counts: comms.Counts | None,
         mine: CommunicationRecipient | None) -> dict:
    return {
        "id": communication.id, "subject": communication.subject,
        "status": communication.status, "author_id": communication.author_id,
        "author_name": communication.author.name if communication.author else None,
        "session_id": communication.session_id, "wave_id": communication.wave_id,
        "program_id": communication.program_id, "about": comms.about(communication),
        "levels": comms.levels_of(communication),
        "audience_root_id": communication.audience_root_id,
        "send_at": communication.send_at, "sent_at": communication.sent_at,
        "role": _role(communication, mine),
        "tracking": asdict(counts) if counts is not None else None,
        "mine": _receipt_out(mine) if mine is not None else None,
    }


def _detail_out(communication: Communication) -> dict:
    user = g.api_user
    mine = comms.receipt(communication, user)
    recipients = counts = None
    if can(user, "communication.manage", communication):
        rows = comms.tracking(communication).rows
        counts = comms.counts_for([communication.id])[communication.id]
        recipients = [_receipt_out(row) for row in rows]
    out = _out(communication, counts, mine)
    out.update({name: getattr(communication, name) for name, _label in comms.PARTS},
               recipients=recipients)
    return out


def _loaded(model: type, object_id: int | None, field: str):
    """The session, wave, program or person an id names; the services judge the person."""
    if object_id is None:
        return None
    found = db.session.get(model, object_id)
    if found is not None and model is not User:
        found = found if can_see(g.api_user, found.program if model is ProgramWave
                                 else found) else None
    if found is None:
        raise ValidationError("Nothing you can see has that id.", field=field)
    return found


def _data(payload: dict, communication: Communication | None = None) -> comms.CommunicationData:
    current: dict = {}
    if communication is not None:
        current = {name: getattr(communication, name) for name, _label in comms.PARTS}
        current.update(subject=communication.subject, levels=comms.levels_of(communication),
                       audience_root_id=communication.audience_root_id,
                       send_at=communication.send_at, session_id=communication.session_id,
                       wave_id=None if communication.session_id else communication.wave_id,
                       program_id=(None if communication.session_id or communication.wave_id
                                   else communication.program_id))
        if any(key in payload for key, _model, _name in ABOUT):
            current.update(session_id=None, wave_id=None, program_id=None)
    current.update({key: value for key, value in payload.items() if key != "send_now"})
    about = {name: _loaded(model, current.get(key), key) for key, model, name in ABOUT}
    return comms.CommunicationData(
        subject=current["subject"], levels=current["levels"],
        audience_root=_loaded(User, current.get("audience_root_id"), "audience_root_id"),
        send_at=utcnow() if payload.get("send_now") else current.get("send_at"),
        **{name: current[name] for name, _label in comms.PARTS}, **about)


@blp.route("/")
@token_required("communications:read")
@blp.arguments(CommunicationQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, CommunicationListSchema)
def index(args):
    """What you wrote and what you received, latest send date first."""
    user = g.api_user
    received = select(CommunicationRecipient.communication_id).where(
        CommunicationRecipient.user_id == user.id)
    mine = {"written": Communication.author_id == user.id,
            "received": Communication.id.in_(received)}
    condition = mine[args["role"]] if args["role"] else or_(*mine.values())
    stmt = visible(comms.with_subject(select(Communication).where(condition)
                                      .order_by(Communication.send_at.desc(),
                                                Communication.id.desc())), user)
    page = page_of(stmt, args)
    ids = [communication.id for communication in page["items"]]
    counts = comms.counts_for([c.id for c in page["items"] if c.author_id == user.id])
    receipts = {receipt.communication_id: receipt for receipt in db.session.scalars(
        select(CommunicationRecipient).where(CommunicationRecipient.user_id == user.id,
                                             CommunicationRecipient.communication_id.in_(ids)))}
    page["items"] = [_out(c, counts.get(c.id), receipts.get(c.id)) for c in page["items"]]
    return page


@blp.route("/<int:communication_id>")
@token_required("communications:read")
@blp.response(200, CommunicationDetailSchema)
def detail(communication_id):
    """The message; for its author (and admins) every recipient with what they did. A
    recipient reading it here counts as having opened it."""
    communication = load_visible(Communication, communication_id, g.api_user)
    mine = comms.receipt(communication, g.api_user)
    if mine is not None and mine.opened_at is None:
        with one_transaction():
            comms.mark_opened(mine)
    return _detail_out(communication)


@blp.route("/", methods=["POST"])
@token_required("communications:write")
@blp.arguments(CommunicationCreateSchema)
@blp.response(201, CommunicationDetailSchema)
def create(payload):
    """Write and schedule a communication (leaders, executives, admins); ``send_now`` sends
    it at once."""
    require(g.api_user, "communication.write")
    with one_transaction():
        communication = comms.schedule_communication(_data(payload), by=g.api_user)
        if payload["send_now"]:
            comm_delivery.send_communication(communication, by=g.api_user)
    return _detail_out(communication)


@blp.route("/<int:communication_id>", methods=["PATCH"])
@token_required("communications:write")
@blp.arguments(CommunicationUpdateSchema)
@blp.response(200, CommunicationDetailSchema)
def update(payload, communication_id):
    """Change a communication while it is scheduled (its author, admins)."""
    communication = load_visible(Communication, communication_id, g.api_user)
    require(g.api_user, "communication.manage", communication)
    with one_transaction():
        comms.refuse_unless_scheduled(communication)
        comms.update_communication(communication, _data(payload, communication), by=g.api_user)
        if payload.get("send_now"):
            comm_delivery.send_communication(communication, by=g.api_user)
    return _detail_out(communication)


@blp.route("/<int:communication_id>/cancel", methods=["POST"])
@token_required("communications:write")
@blp.response(200, CommunicationSchema)
def cancel(communication_id):
    """Call off a scheduled communication (its author, admins)."""
    communication = load_visible(Communication, communication_id, g.api_user)
    require(g.api_user, "communication.manage", communication)
    with one_transaction():
        comms.cancel_communication(communication, by=g.api_user)
    return _out(communication, None, None)


@blp.route("/<int:communication_id>/send", methods=["POST"])
@token_required("communications:write")
@blp.response(200, CommunicationDetailSchema)
def send(communication_id):
    """Send a scheduled communication now (its author, admins)."""
    communication = load_visible(Communication, communication_id, g.api_user)
    require(g.api_user, "communication.manage", communication)
    with one_transaction():
        comm_delivery.send_communication(communication, by=g.api_user)
    return _detail_out(communication)


@blp.route("/<int:communication_id>/acknowledge", methods=["POST"])
@token_required("communications:write")
@blp.arguments(AcknowledgeCreateSchema)
@blp.response(200, ReceiptSchema)
def acknowledge(payload, communication_id):
    """"I've read this and I'm ready", once, with an optional question for the author."""
    communication = load_visible(Communication, communication_id, g.api_user)
    require(g.api_user, "communication.acknowledge", communication)
    with one_transaction():
        receipt = comms.acknowledge(communication, g.api_user, question=payload["question"])
    return _receipt_out(receipt)
