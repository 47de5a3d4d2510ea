"""Live sessions, registrations and attendance in the REST API.

The rules (capacity and the waitlist, who may register whom, attendance statuses, one
transaction for the roster) are the services' in ``courses.live.services``; these views load,
authorize, call them and commit once.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with_fields
from sqlalchemy import func, select

from courses.live import services as live
from courses.live.models import LiveSession, Registration, RegistrationStatus, SessionSegment
from courses.live.schemas import (
    AttendanceCreateSchema,
    AttendanceListSchema,
    AttendanceSavedSchema,
    RegistrationCreateSchema,
    RegistrationSchema,
    SessionCreateSchema,
    SessionDetailSchema,
    SessionListSchema,
    SessionQuerySchema,
    SessionUpdateSchema,
)
from lms.api import one_transaction, page_of, referenced, token_required
from lms.authz import can, can_see, load_visible, require, visible
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people import tree
from lms.people.models import User

blp = Blueprint("sessions_api", __name__, url_prefix="/api/v1/sessions",
                description="Live sessions, registrations and attendance")


# --- sessions --------------------------------------------------------------------------------

def _seat_counts(session_ids: list[int]) -> dict[int, dict[str, int]]:
    """Registered and waitlisted people per session, in one query for any number of them."""
    counts = {session_id: {"registered": 0, "waitlisted": 0} for session_id in session_ids}
    if session_ids:
        for session_id, status, number in db.session.execute(
                select(Registration.session_id, Registration.status, func.count())
                .where(Registration.session_id.in_(session_ids),
                       Registration.status.in_((RegistrationStatus.REGISTERED,
                                                RegistrationStatus.WAITLISTED)))
                .group_by(Registration.session_id, Registration.status)):
            counts[session_id][str(status)] = number
    return counts


def _session_out(session: LiveSession, counts: dict[str, int]) -> dict:
    return {
        "id": session.id, "title": session.title, "description": session.description,
        "starts_at": session.starts_at, "ends_at": session.ends_at,
        "time_zone": session.time_zone, "location": session.location,
        "meeting_url": session.meeting_url, "status": session.status,
        "capacity": session.capacity, "attended_threshold": session.attended_threshold,
        "facilitator_id": session.facilitator_id, "program_id": session.program_id,
        "course_id": session.course_id, **counts,
        "seats_left": max(session.capacity - counts["registered"], 0),
    }


def _detail_out(session: LiveSession) -> dict:
    segments = db.session.scalars(select(SessionSegment)
                                  .where(SessionSegment.session_id == session.id)
                                  .order_by(SessionSegment.position, SessionSegment.id))
    mine = db.session.scalar(select(Registration.status).where(
        Registration.session_id == session.id, Registration.user_id == g.api_user.id))
    return {**_session_out(session, _seat_counts([session.id])[session.id]),
            "agenda": list(segments), "my_registration": mine}


def _facilitator(facilitator_id: int | None) -> User | None:
    if facilitator_id is None:
        return None
    facilitator = db.session.get(User, facilitator_id)
    if facilitator is None:
        raise ValidationError("No one has that id.", field="facilitator_id")
    return facilitator


def _session_data(payload: dict, session: LiveSession | None = None) -> live.SessionData:
    current: dict = {}
    if session is not None:
        current = {"title": session.title, "starts_at": session.starts_at,
                   "ends_at": session.ends_at, "capacity": session.capacity,
                   "time_zone": session.time_zone, "location": session.location,
                   "meeting_url": session.meeting_url, "description": session.description,
                   "facilitator_id": session.facilitator_id,
                   "attended_threshold": session.attended_threshold,
                   "agenda": [{"title": s.title, "minutes": s.minutes}
                              for s in session.segments]}
    current.update(payload)
    return live.SessionData(
        title=current["title"], starts_at=current["starts_at"], ends_at=current["ends_at"],
        capacity=current["capacity"], time_zone=current["time_zone"],
        location=current["location"], meeting_url=current["meeting_url"],
        description=current["description"],
        facilitator=_facilitator(current["facilitator_id"]),
        attended_threshold=current["attended_threshold"],
        segments=[(segment["title"], segment["minutes"]) for segment in current["agenda"]])


@blp.route("/")
@token_required("sessions:read")
@blp.arguments(SessionQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, SessionListSchema)
def index(args):
    """Upcoming sessions by start (``from`` / ``to`` choose another window)."""
    stmt = (visible(select(LiveSession), g.api_user)
            .where(LiveSession.starts_at >= (args["starts_from"] or utcnow()))
            .order_by(LiveSession.starts_at, LiveSession.id))
    if args["starts_to"] is not None:
        stmt = stmt.where(LiveSession.starts_at < args["starts_to"])
    if args["program_id"] is not None:
        stmt = stmt.where(LiveSession.program_id == args["program_id"])
    page = page_of(stmt, args)
    counts = _seat_counts([session.id for session in page["items"]])
    page["items"] = [_session_out(session, counts[session.id]) for session in page["items"]]
    return page


@blp.route("/<int:session_id>")
@token_required("sessions:read")
@blp.response(200, SessionDetailSchema)
def detail(session_id):
    """One session with its agenda, seats left and your own registration."""
    return _detail_out(load_visible(LiveSession, session_id, g.api_user))


@blp.route("/", methods=["POST"])
@token_required("sessions:write")
@blp.arguments(SessionCreateSchema)
@blp.response(201, SessionDetailSchema)
def create(payload):
    """Schedule a session (admins)."""
    require(g.api_user, "session.manage")
    with one_transaction():
        session = live.create_session(_session_data(payload), by=g.api_user)
    return _detail_out(session)


@blp.route("/<int:session_id>", methods=["PATCH"])
@token_required("sessions:write")
@blp.arguments(SessionUpdateSchema)
@blp.response(200, SessionDetailSchema)
def update(payload, session_id):
    """Change a session (admins); registrants are told when something changed."""
    session = load_visible(LiveSession, session_id, g.api_user)
    require(g.api_user, "session.manage", session)
    with one_transaction():
        live.update_session(session, _session_data(payload, session), by=g.api_user)
    return _detail_out(session)


# --- registrations ---------------------------------------------------------------------------

def _registration_out(registration: Registration, promoted: Registration | None = None) -> dict:
    return {"id": registration.id, "session_id": registration.session_id,
            "user_id": registration.user_id, "status": registration.status,
            "waitlist_position": live.waitlist_position(registration),
            "registered_at": registration.registered_at,
            "cancelled_at": registration.cancelled_at, "is_walk_in": registration.is_walk_in,
            "promoted_user_id": promoted.user_id if promoted is not None else None}


@blp.route("/<int:session_id>/registrations", methods=["POST"])
@token_required("sessions:write")
@blp.arguments(RegistrationCreateSchema)
@blp.response(201, RegistrationSchema)
def register(payload, session_id):
    """Register yourself or someone you may register; a full session waitlists them."""
    session = load_visible(LiveSession, session_id, g.api_user)
    person = referenced(User, payload, "user_id", "No one you can see has that id.")
    with one_transaction():
        registration = live.register(person, session, by=g.api_user)
    return _registration_out(registration)


@blp.route("/<int:session_id>/registrations/<int:user_id>", methods=["DELETE"])
@token_required("sessions:write")
@blp.response(200, RegistrationSchema)
def unregister(session_id, user_id):
    """Cancel a registration; the first person waiting takes the freed seat."""
    session = load_visible(LiveSession, session_id, g.api_user)
    registration = db.session.scalar(select(Registration).where(
        Registration.session_id == session.id, Registration.user_id == user_id,
        Registration.status != RegistrationStatus.CANCELLED))
    if registration is None or not can_see(g.api_user, registration):
        abort(404, description="No such registration.")
    with one_transaction():
        promoted = live.cancel_registration(registration, by=g.api_user)
    return _registration_out(registration, promoted)


# --- attendance ------------------------------------------------------------------------------

@blp.route("/<int:session_id>/attendance")
@token_required("sessions:read")
@blp.response(200, AttendanceListSchema)
def attendance(session_id):
    """The roster with what was recorded: facilitator and admins see everyone, a leader
    with people in the session sees their own part of the organisation only."""
    user = g.api_user
    session = load_visible(LiveSession, session_id, user)
    rows = live.roster(session)
    if not can(user, "session.facilitate", session):
        require(user, "session.confirm", session)
        mine = set(db.session.scalars(tree.subtree_ids(user.id)))
        rows = [(registration, mark) for registration, mark in rows
                if registration.user_id in mine]
    items = [{"registration_id": registration.id, "user_id": registration.user_id,
              "name": registration.user.name,
              "status": mark.status if mark else None,
              "minutes_present": mark.minutes_present if mark else None,
              "left_after_segment_id": mark.left_after_segment_id if mark else None,
              "excuse": mark.excuse if mark else "",
              "counts_as_attended": live.counts_as_attended(mark, session)}
             for registration, mark in rows]
    return {"items": items, "meta": {"page": 1, "per_page": max(len(items), 1),
                                     "total": len(items), "pages": 1}}


def _row_errors(session: LiveSession, rows: list[live.AttendanceRow]) -> dict[str, list[str]]:
    """Every bad row's message, by index, using the service's own checks of a row."""
    registered = {registration.id: registration for registration, _mark in live.roster(session)}
    segments = list(session.segments)
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, row in enumerate(rows):
        registration = registered.get(row.registration_id)
        if registration is None:
            errors[str(index)] = ["Not registered for this session; add them as a walk-in "
                                  "first."]
            continue
        if row.registration_id in seen:
            errors[str(index)] = [f"{registration.user.name} appears more than once."]
            continue
        seen.add(row.registration_id)
        try:
            live.row_values(row, registration, session, segments)
        except ValidationError as error:
            errors[str(index)] = [error.message]
    return errors


@blp.route("/<int:session_id>/attendance", methods=["PUT"])
@token_required("sessions:write")
@blp.arguments(AttendanceCreateSchema)
@blp.response(200, AttendanceSavedSchema)
def take_attendance(payload, session_id):
    """Record the roster in one request and one transaction (facilitator, admins).

    A bad row refuses the whole request with 422 and every row's error under
    ``rows.<index>``; nothing is written. People not sent keep what was recorded.
    """
    session = load_visible(LiveSession, session_id, g.api_user)
    require(g.api_user, "session.facilitate", session)
    live.check_attendance_open(session)  # 409 before the session starts, 422 if cancelled
    rows = [live.AttendanceRow(**row) for row in payload["rows"]]
    errors = _row_errors(session, rows)
    if errors:
        abort_with_fields(422, messages={"json": {"rows": errors}})
    with one_transaction():
        saved = live.take_attendance(session, rows, by=g.api_user)
    return {"saved": saved}
