"""Create notifications and queue emails inside the caller's transaction."""

from __future__ import annotations

import secrets

from flask import current_app, render_template
from sqlalchemy import func, select, update

from lms.db import utcnow
from lms.extensions import db
from lms.notify import jobs
from lms.notify.models import Notification, OutboxMessage
from lms.people.models import User


def absolute_url(path: str) -> str:
    """Build a link from the configured base URL, never from the request's Host header."""
    if not path:
        return current_app.config["BASE_URL"] + "/"
    return current_app.config["BASE_URL"] + ("" if path.startswith("/") else "/") + path


def _message_id() -> str:
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]
    return f"{secrets.token_hex(16)}@{domain or 'cadence.local'}"


def queue_email(recipient: User, *, subject: str, template: str, context: dict,
                notification: Notification | None = None) -> OutboxMessage:
    """Render ``emails/<template>.txt`` (and ``.html``) and queue it for delivery."""
    context = {"recipient": recipient, "subject": subject, **context}
    message = OutboxMessage(
        message_id=_message_id(),
        notification=notification,
        recipient_id=recipient.id,
        to_address=recipient.email,
        to_name=recipient.name,
        subject=subject,
        body_text=render_template(f"emails/{template}.txt", **context),
        body_html=render_template(f"emails/{template}.html", **context),
    )
    db.session.add(message)
    jobs.enqueue("deliver_outbox")
    return message


def notify(recipient: User, *, kind: str, subject: str, body: str = "", link: str = "",
           email: bool = True) -> Notification:
    """Tell ``recipient`` about something, in the app and (by default) by email."""
    notification = Notification(recipient=recipient, kind=kind, subject=subject,
                                body=body, link=link)
    db.session.add(notification)
    if email and recipient.is_active:
        queue_email(recipient, subject=subject, template="notification",
                    context={"body": body, "link": absolute_url(link) if link else ""},
                    notification=notification)
    return notification


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
    ) or 0


def mark_read(notification: Notification, *, by: User) -> Notification:
    """Mark one of ``by``'s notifications read."""
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read; return how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount

