"""The notification centre: list, open, mark read."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.auth.redirects import safe_next
from lms.authz import permission_required
from lms.extensions import db
from lms.notify import bp, services
from lms.notify.models import Notification
from lms.people.forms import ConfirmForm

PER_PAGE = 30


@bp.get("/")
@login_required
def index():
    stmt = (select(Notification).where(Notification.recipient_id == current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    if request.args.get("show") == "unread":
        stmt = stmt.where(Notification.read_at.is_(None))
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template("lms/notify/index.html", page=page, confirm=ConfirmForm(),
                           show=request.args.get("show", "all"))


@bp.post("/<int:id>/open")
@permission_required("notification.read", load=Notification)
def open(notification: Notification):  # noqa: A001  (the verb the user clicks)
    services.mark_read(notification, by=current_user)
    db.session.commit()
    return redirect(safe_next(notification.link, url_for("notify.index")))


@bp.post("/read-all")
@login_required
def read_all():
    if ConfirmForm().validate_on_submit():
        services.mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for("notify.index"))
