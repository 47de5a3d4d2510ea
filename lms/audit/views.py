"""Browse and filter the audit log (admins)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.audit import bp
from lms.audit.models import AuditEntry
from lms.authz import permission_required
from lms.extensions import db
from lms.people.services import find_by_email

PER_PAGE = 50


def _day(value: str | None, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


@bp.get("/")
@permission_required("audit.view")
def index():
    args = request.args
    stmt = (select(AuditEntry).options(joinedload(AuditEntry.actor))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    if action := (args.get("action") or "").strip():
        stmt = stmt.where(AuditEntry.action.startswith(action))
    if object_type := (args.get("object_type") or "").strip():
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if (object_id := args.get("object_id", "")).isdigit():
        stmt = stmt.where(AuditEntry.object_id == int(object_id))
    if actor_email := (args.get("actor") or "").strip():
        actor = find_by_email(actor_email)
        stmt = stmt.where(AuditEntry.actor_id == (actor.id if actor else -1))
    if since := _day(args.get("since")):
        stmt = stmt.where(AuditEntry.created_at >= since)
    if until := _day(args.get("until"), end=True):
        stmt = stmt.where(AuditEntry.created_at <= until)
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template("lms/audit/index.html", page=page, args=args)
