"""Browse and filter the audit log (admins)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from lms.audit import bp
from lms.audit.models import AuditEntry
from lms.authz import permission_required
from lms.extensions import db
from lms.people.services import find_by_email
from lms.web.args import page_arg, parse_int
from lms.web.templating import person_zone

PER_PAGE = 50


def _start_of(day: date) -> datetime:
    # Entries are shown in the viewer's time zone, so their days bound the range too.
    return datetime.combine(day, time.min, tzinfo=person_zone(current_user))


def _filter(stmt: Select, args, errors: dict[str, str]) -> Select:
    """Narrow ``stmt`` by the filters in ``args``; note each unreadable value in ``errors``."""
    if action := (args.get("action") or "").strip():
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if object_type := (args.get("object_type") or "").strip():
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id := (args.get("object_id") or "").strip():
        if (number := parse_int(object_id)) is not None:
            stmt = stmt.where(AuditEntry.object_id == number)
        else:
            errors["object_id"] = "Enter a number."
    if actor_email := (args.get("actor") or "").strip():
        actor = find_by_email(actor_email)
        stmt = stmt.where(AuditEntry.actor_id == (actor.id if actor else -1))
    for key in ("since", "until"):
        if not (raw := (args.get(key) or "").strip()):
            continue
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            errors[key] = "Enter a date as YYYY-MM-DD."
            continue
        if key == "since":
            stmt = stmt.where(AuditEntry.created_at >= _start_of(day))
        else:
            stmt = stmt.where(AuditEntry.created_at < _start_of(day + timedelta(days=1)))
    return stmt


@bp.get("/")
@permission_required("audit.view")
def index():
    errors: dict[str, str] = {}
    stmt = _filter(select(AuditEntry).options(joinedload(AuditEntry.actor))
                   .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()),
                   request.args, errors)
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("lms/audit/index.html", page=page, args=request.args, errors=errors)
