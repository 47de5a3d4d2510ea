"""Notifying many people at once: the same notification and email each, a fixed statement count."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from lms.extensions import db
from lms.notify.models import DeliveryStatus, Notification, OutboxMessage
from lms.notify.services import notify, notify_many
from tests import factories


@pytest.fixture
def outbox(app, session, tmp_path) -> Path:
    saved = {key: app.config.get(key) for key in ("OUTBOX_DIR", "MAIL_SERVER")}
    app.config.update(OUTBOX_DIR=str(tmp_path / "outbox"), MAIL_SERVER=None)
    yield tmp_path / "outbox"
    app.config.update(saved)


def _told(kind: str) -> list[tuple[Notification, OutboxMessage | None]]:
    rows = db.session.execute(
        select(Notification, OutboxMessage)
        .outerjoin(OutboxMessage, OutboxMessage.notification_id == Notification.id)
        .where(Notification.kind == kind).order_by(Notification.recipient_id))
    return [(notification, message) for notification, message in rows]


def test_each_person_gets_a_notification_and_an_email_linked_to_it(app, outbox):
    people = [factories.person(name=f"Rep {n}") for n in range(3)]
    with app.test_request_context():
        told = notify_many([*people, people[0]], kind="course.unlocked", subject="Open now",
                           body="Your manager finished.", link="/courses/x")

        assert told == 3  # someone listed twice is told once
        rows = _told("course.unlocked")
        assert [n.recipient_id for n, _m in rows] == [p.id for p in people]
        for (notification, message), person in zip(rows, people, strict=True):
            assert (notification.subject, notification.link) == ("Open now", "/courses/x")
            assert message.recipient_id == person.id and message.to_address == person.email
            assert message.status == DeliveryStatus.PENDING
            assert f"Hello {person.first_name}" in message.body_text
            assert "https://cadence.test/courses/x" in message.body_text
        assert len({m.message_id for _n, m in rows}) == 3


def test_a_deactivated_person_gets_the_notification_but_no_email(app, outbox):
    gone = factories.person(is_active=False)
    with app.test_request_context():
        notify_many([gone], kind="course.unlocked", subject="Open now")
        ((notification, message),) = _told("course.unlocked")
    assert notification.recipient_id == gone.id and message is None


def test_statements_do_not_grow_with_the_number_of_people(app, outbox, count_queries):
    few = [factories.person() for _ in range(2)]
    many = [factories.person() for _ in range(30)]
    counts = []
    with app.test_request_context():
        for people in (few, many):
            with count_queries() as counter:
                notify_many(people, kind="test.many", subject="Hello")
                db.session.flush()
            counts.append(counter.count)
    assert counts[0] == counts[1] == 3  # preferences, notifications, emails


def test_queuing_an_email_runs_no_query_for_the_unread_badge(app, outbox, count_queries):
    """Emails render through the same context processors as pages; the count is lazy."""
    manager, person = factories.person(level="manager"), factories.person()
    with app.test_request_context():
        login_user(manager)  # the badge belongs to whoever made the request
        with count_queries() as counter:
            notify(person, kind="test.one", subject="Hello")
        # Only the recipient's channel for the kind is read, never the unread count.
        assert counter.count == 1 and "notification_preferences" in counter.statements[0]
        page = render_template_string("{{ unread_notifications }}")
    assert page == "0"
