"""Create notifications and queue emails inside the caller's transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from flask import current_app, render_template
from sqlalchemy import func, insert, select, update

from lms.db import utcnow
from lms.extensions import db
from lms.notify import jobs
from lms.notify.models import Channel, Notification, OutboxMessage
from lms.notify.preferences import channel_for, channels_for
from lms.people.models import User

Invitation = Callable[[User], str]  # a person -> the iCalendar invitation their email carries


def absolute_url(path: str) -> str:
    """Build a link from the configured base URL, never from the request's Host header."""
    if not path:
        return current_app.config["BASE_URL"] + "/"
    return current_app.config["BASE_URL"] + ("" if path.startswith("/") else "/") + path


def link_to(endpoint: str, **values) -> str:
    """An absolute link to ``endpoint``, in a request or outside one (jobs, the CLI)."""
    return absolute_url(current_app.url_map.bind("").build(endpoint, values))


def _message_id() -> str:
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]
    return f"{secrets.token_hex(16)}@{domain or 'cadence.local'}"


def _email_fields(recipient: User, subject: str, template: str, context: dict,
                  kind: str = "", calendar: str = "") -> dict:
    context = {"recipient": recipient, "subject": subject, **context}
    return {"message_id": _message_id(), "recipient_id": recipient.id, "kind": kind,
            "calendar": calendar,
            "to_address": recipient.email, "to_name": recipient.name, "subject": subject,
            "body_text": render_template(f"emails/{template}.txt", **context),
            "body_html": render_template(f"emails/{template}.html", **context)}


def queue_email(recipient: User, *, subject: str, template: str, context: dict,
                notification: Notification | None = None, kind: str = "",
                calendar: str = "") -> OutboxMessage:
    """Render ``emails/<template>.txt`` (and ``.html``) and queue it for delivery.

    ``kind`` names the kind of mail (bulk kinds get a one-click unsubscribe; leave it empty
    for transactional mail); ``calendar`` is an invitation to attach.
    """
    message = OutboxMessage(notification=notification, **_email_fields(
        recipient, subject, template, context, kind, calendar))
    db.session.add(message)
    jobs.enqueue("deliver_outbox")
    return message


def notify(recipient: User, *, kind: str, subject: str, body: str = "", link: str = "",
           email: bool = True, calendar: Invitation | None = None) -> Notification:
    """Tell ``recipient`` about something, in the app and, as they chose, by email.

    ``email=False`` keeps it in the app whatever the person chose; ``calendar(recipient)``
    writes the invitation the email carries, only if an email goes out (a digest lists, it
    does not invite).
    """
    channel = channel_for(recipient, kind) if email and recipient.is_active else Channel.IN_APP
    notification = Notification(recipient=recipient, kind=kind, subject=subject, body=body,
                                link=link, digest_pending=channel == Channel.DIGEST)
    db.session.add(notification)
    if channel == Channel.EMAIL:
        queue_email(recipient, subject=subject, template="notification",
                    context={"body": body, "link": absolute_url(link) if link else ""},
                    notification=notification, kind=kind,
                    calendar=calendar(recipient) if calendar else "")
    return notification


def notify_many(recipients: list[User], *, kind: str, subject: str, body: str = "",
                link: str = "", email: bool = True, template: str = "notification",
                context: dict | None = None, now: datetime | None = None,
                calendar: Invitation | None = None) -> int:
    """Tell everyone in ``recipients`` the same thing; returns how many were told.

    Three statements however many people there are (one SELECT for their preferences, one
    INSERT for the notifications, one for the emails), where ``notify`` in a loop costs a
    few statements per person. ``template`` and ``context`` choose a richer email than the
    plain notification; ``now`` dates the notifications (the demo tells them in the past);
    ``calendar(person)`` gives the invitation each person's email carries ("" for none).
    """
    people = list({person.id: person for person in recipients}.values())
    if not people:
        return 0
    now = now or utcnow()
    reachable = [person for person in people if email and person.is_active]
    channel_of = channels_for(reachable, kind) if reachable else {}
    created = db.session.execute(
        insert(Notification).returning(Notification.id, Notification.recipient_id),
        [{"recipient_id": person.id, "kind": kind, "subject": subject, "body": body,
          "link": link, "created_at": now,
          "digest_pending": channel_of.get(person.id) == Channel.DIGEST} for person in people])
    notification_of = {recipient_id: nid for nid, recipient_id in created}
    context = {"body": body, "link": absolute_url(link) if link else "", **(context or {})}
    emails = [{"notification_id": notification_of[person.id], "created_at": now,
               "next_attempt_at": now,
               **_email_fields(person, subject, template, context, kind,
                               calendar(person) if calendar else "")}
              for person in reachable if channel_of[person.id] == Channel.EMAIL]
    if emails:
        db.session.execute(insert(OutboxMessage), emails)
        jobs.enqueue("deliver_outbox")
    return len(people)


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

