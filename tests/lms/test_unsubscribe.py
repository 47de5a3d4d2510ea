"""One-click unsubscribe (RFC 8058): bulk mail carries it, transactional mail does not.

Messages are read as a mail client reads them: the bytes the mailer writes, parsed with
Python's ``email`` package; the link is then followed like a client (POST) or a person
(GET, then the button).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from lms.auth.services import request_password_reset
from lms.extensions import db
from lms.notify import mailer
from lms.notify.digests import send_daily_digests, send_weekly_team_digests
from lms.notify.models import Channel, Notification, NotificationSettings, OutboxMessage
from lms.notify.preferences import DAILY_DIGEST, channel_for, save_preferences
from lms.notify.services import notify, notify_many
from lms.notify.unsubscribe import token_for
from tests import factories

BULK = "reminder.course_due"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}
MONDAY = datetime(2025, 3, 10, tzinfo=UTC)


@pytest.fixture
def person(session):
    return factories.person(name="Zoë Ångström-Müller")


def mail_of(row: OutboxMessage) -> bytes:
    """The message as the mailer writes it (to SMTP or the outbox folder)."""
    return bytes(mailer.build_message(row))


def parsed(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=default_policy)


def rows_of(person) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient_id == person.id).order_by(OutboxMessage.id)))


def link_of(raw: bytes) -> str:
    """The unsubscribe URL, as it stands on the wire and as Python's ``email`` reads it."""
    # One <https://...>, not hidden in RFC 2047 encoded-words (mail clients don't decode).
    (line,) = [line for line in raw.split(b"\n") if line.startswith(b"List-Unsubscribe:")]
    match = re.fullmatch(rb"List-Unsubscribe: <(https://[^>\s]+)>\r?", line)
    assert match, line
    assert str(parsed(raw)["List-Unsubscribe"]) == f"<{match.group(1).decode()}>"
    return match.group(1).decode()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://cadence.test"  # CADENCE_BASE_URL
    return parts.path


def test_a_reminder_carries_one_click_unsubscribe_that_a_mail_client_can_post(app, person):
    notify_many([person], kind=BULK, subject="“Discovery” is due soon")
    db.session.commit()
    raw = mail_of(rows_of(person)[0])
    assert str(parsed(raw)["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    path = path_of(link_of(raw))

    # What RFC 8058 clients send: a POST, no cookies, no CSRF token.
    response = app.test_client().post(path, data="List-Unsubscribe=One-Click",
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert channel_for(person, BULK) == Channel.IN_APP
    notify_many([person], kind=BULK, subject="Still due")
    db.session.commit()
    assert len(rows_of(person)) == 1  # no new email; the notification still shows in the app
    assert db.session.scalar(select(Notification).where(
        Notification.recipient_id == person.id, Notification.subject == "Still due"))


def test_opening_the_link_shows_a_button_and_changes_nothing(app, person):
    client = app.test_client()
    path = path_of(link_of(mail_of(_queued(person))))
    page = client.get(path)
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex"
    html = page.get_data(as_text=True)
    assert 'method="post"' in html and 'name="List-Unsubscribe" value="One-Click"' in html
    assert channel_for(person, BULK) == Channel.EMAIL
    assert client.post(path, data=ONE_CLICK).status_code == 200
    assert channel_for(person, BULK) == Channel.IN_APP


def _queued(person) -> OutboxMessage:
    notify(person, kind=BULK, subject="Due soon")
    db.session.commit()
    return rows_of(person)[-1]


def test_the_link_stops_only_that_kind_for_only_that_person(app, person):
    other = factories.person()
    path = path_of(link_of(mail_of(_queued(person))))
    assert app.test_client().post(path, data=ONE_CLICK).status_code == 200
    assert channel_for(person, BULK) == Channel.IN_APP
    assert channel_for(person, "reminder.course_overdue") == Channel.EMAIL
    assert channel_for(other, BULK) == Channel.EMAIL


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "not-a-token",
    # The same secret with another purpose's salt must not pass.
    lambda token: URLSafeSerializer("test-secret-key", salt="other").dumps([1, BULK]),
])
def test_forged_or_tampered_links_get_a_clear_400_and_change_nothing(app, person, forge):
    token = token_for(person.id, BULK)
    client = app.test_client()
    for method in ("get", "post"):
        response = getattr(client, method)(f"/notifications/unsubscribe/{forge(token)}",
                                           data=ONE_CLICK)
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert channel_for(person, BULK) == Channel.EMAIL


def test_a_link_for_a_transactional_kind_is_refused(app, person):
    token = token_for(person.id, "session.registered")
    assert app.test_client().post(f"/notifications/unsubscribe/{token}",
                                  data=ONE_CLICK).status_code == 400


def test_password_resets_and_transactional_mail_carry_no_unsubscribe(app, person):
    with app.test_request_context():
        request_password_reset(person.email)
    notify(person, kind="session.registered", subject="Registered: Kick-off")
    db.session.commit()
    rows = rows_of(person)
    assert len(rows) == 2
    for row in rows:
        message = parsed(mail_of(row))
        assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


def test_pre_training_communications_are_bulk(app, person):
    notify_many([person], kind="communication.received", subject="Before the kick-off")
    db.session.commit()
    assert link_of(mail_of(rows_of(person)[0]))


def test_unsubscribing_from_the_daily_digest_stops_it(app, person):
    save_preferences(person, {BULK: Channel.DIGEST}, digest_hour=8, weekly_team_digest=False)
    notify(person, kind=BULK, subject="Waiting for the digest")
    assert send_daily_digests(MONDAY + timedelta(hours=9)) == 1
    db.session.commit()
    (row,) = rows_of(person)
    assert row.kind == DAILY_DIGEST
    path = path_of(link_of(mail_of(row)))
    notify(person, kind=BULK, subject="Tomorrow's item")
    db.session.commit()
    assert app.test_client().post(path, data=ONE_CLICK).status_code == 200
    assert channel_for(person, BULK) == Channel.IN_APP
    assert send_daily_digests(MONDAY + timedelta(days=1, hours=9)) == 0


def test_unsubscribing_from_the_team_digest_stops_it(app, person):
    factories.person(manager=person)
    db.session.add(NotificationSettings(user_id=person.id, weekly_team_digest=True,
                                        digest_hour=8))
    assert send_weekly_team_digests(MONDAY + timedelta(hours=9)) == 1
    db.session.commit()
    path = path_of(link_of(mail_of(rows_of(person)[0])))
    assert app.test_client().post(path, data=ONE_CLICK).status_code == 200
    assert db.session.get(NotificationSettings, person.id).weekly_team_digest is False
    assert send_weekly_team_digests(MONDAY + timedelta(days=7, hours=9)) == 0
