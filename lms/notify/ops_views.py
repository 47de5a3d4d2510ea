"""The admins' health page: background jobs and email delivery at a glance."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.authz import permission_required
from lms.errors import CadenceError
from lms.extensions import db
from lms.notify import delivery
from lms.notify import ops_bp as bp
from lms.notify.health import check
from lms.notify.models import OutboxMessage
from lms.web.forms import PostForm


@bp.get("/health")
@permission_required("system.health")
def health():
    return render_template("lms/notify/health.html", health=check(current_app),
                           confirm=PostForm())


@bp.post("/health/outbox/<int:id>/retry")
@permission_required("system.health")
def retry(id: int):  # noqa: A002  (the URL's name for it)
    message = db.get_or_404(OutboxMessage, id)
    if PostForm().validate_on_submit():
        try:
            delivery.retry_dead(message, by=current_user)
        except CadenceError as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(f"Email to {message.to_address} queued again.", "success")
    return redirect(url_for("ops.health"))
