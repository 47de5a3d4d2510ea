"""Notifications: written with the event, emailed after commit, never twice; the in-app centre."""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from lms.db import utcnow
from lms.extensions import db
from lms.notify import delivery, jobs, mailer
from lms.notify.models import DeliveryStatus, Notification, OutboxMessage
from lms.notify.services import notify
from tests import factories


@pytest.fixture
def outbox(app, session, tmp_path) -> Path:
    """A fresh outbox folder for this test; no SMTP server configured."""
    saved = {key: app.config.get(key) for key in ("OUTBOX_DIR", "MAIL_SERVER")}
    app.config.update(OUTBOX_DIR=str(tmp_path / "outbox"), MAIL_SERVER=None)
    yield tmp_path / "outbox"
    app.config.update(saved)


@pytest.fixture
def sends(monkeypatch) -> list[int]:
    """Record the outbox row id of every message handed to the transport."""
    sent: list[int] = []
    real_send = mailer.send

    def counting_send(row):
        sent.append(row.id)
        real_send(row)

    monkeypatch.setattr(mailer, "send", counting_send)
    return sent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def emails(folder: Path) -> list[EmailMessage]:
    if not folder.exists():
        return []
    return [message_from_bytes(path.read_bytes(), policy=default_policy)
            for path in sorted(folder.glob("*.eml"))]


def finish_request(app) -> None:
    """Run the after-request hooks and close the response, as Flask and the server do."""
    app.process_response(app.response_class()).close()


def outbox_rows() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# --- written in the caller's transaction, delivered after commit -------------------------------

def test_notify_writes_notification_and_outbox_row_before_commit(app, outbox):
    rep = factories.person(name="Rita Rep")

    with app.test_request_context():
        notification = notify(rep, kind="course.assigned", subject="New course",
                              body="Discovery calls", link="/team")
        db.session.flush()

        row = db.session.scalar(select(OutboxMessage))
        assert notification.id is not None and notification.read_at is None
        assert row.notification_id == notification.id and row.recipient_id == rep.id
        assert row.to_address == rep.email and row.status == DeliveryStatus.PENDING
        assert "Discovery calls" in row.body_text and "Discovery calls" in row.body_html
        # Links in mail come from the configured base URL, not the request's host.
        assert "https://cadence.test/team" in row.body_text
        finish_request(app)  # nothing committed yet, so nothing may be sent
    assert emails(outbox) == []


def test_email_is_delivered_after_the_request_commits(app, outbox):
    rep = factories.person(name="Rita Rep")

    with app.test_request_context():
        notify(rep, kind="course.assigned", subject="New course", body="Discovery calls")
        db.session.commit()
        assert emails(outbox) == []  # committing alone does not send inside the transaction
        finish_request(app)

    (message,) = emails(outbox)
    assert message["Subject"] == "New course"
    assert message["To"].addresses[0].addr_spec == rep.email
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == DeliveryStatus.SENT and row.sent_at is not None and row.attempts == 1


def test_password_reset_mail_goes_through_the_outbox(client, outbox):
    rep = factories.person()
    db.session.commit()

    response = client.post("/password/forgot", data={"email": rep.email.upper()})

    assert response.status_code == 302
    (message,) = emails(outbox)
    assert message["Subject"] == "Reset your Cadence password"
    text = message.get_body(("plain",)).get_content()
    assert re.search(r"https://cadence\.test/password/reset/\S+", text)
    assert db.session.scalar(select(OutboxMessage.status)) == DeliveryStatus.SENT


def test_mail_is_sent_only_once_the_response_has_gone_out(client, outbox):
    """The reset page answers before any SMTP work, so timing cannot reveal an account."""
    rep = factories.person()
    db.session.commit()

    response = client.post("/password/forgot", data={"email": rep.email}, buffered=False)

    assert response.status_code == 302
    assert emails(outbox) == []  # the server has not closed the response yet
    response.close()
    assert len(emails(outbox)) == 1


def test_rolled_back_transaction_sends_nothing(app, outbox, sends):
    rep = factories.person()
    db.session.commit()

    with app.test_request_context():
        notify(rep, kind="course.assigned", subject="Never happened")
        db.session.rollback()
        db.session.commit()  # a later commit must not resurrect the dropped job
        assert jobs.run_ready() == 0
        finish_request(app)

    assert sends == [] and emails(outbox) == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert outbox_rows() == []


def test_inactive_person_gets_the_notification_but_no_email(app, outbox):
    rep = factories.person(is_active=False)

    with app.test_request_context():
        notify(rep, kind="note", subject="Quiet")
        db.session.commit()
        finish_request(app)

    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert outbox_rows() == [] and emails(outbox) == []


# --- delivery: exactly once, retried, then dead ------------------------------------------------

def queue(app, recipient, subject: str = "Hello") -> OutboxMessage:
    """Queue one notification email and commit, without running the after-commit jobs."""
    with app.test_request_context():
        notify(recipient, kind="test", subject=subject, body="Body text")
        db.session.commit()
        db.session.info.pop(jobs._READY, None)  # the test decides when delivery runs
    return outbox_rows()[-1]


def test_delivering_twice_sends_once(app, outbox, sends):
    row = queue(app, factories.person())

    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0

    assert sends == [row.id]
    assert len(emails(outbox)) == 1


def test_row_claimed_by_another_worker_is_not_sent_again(app, outbox, sends):
    claimed = queue(app, factories.person(), subject="Claimed elsewhere")
    free = queue(app, factories.person(), subject="Still pending")
    # Another worker won the claim on the first row and is sending it now.
    assert delivery._claim(claimed.id) is not None
    assert delivery._claim(claimed.id) is None

    assert delivery.deliver_due() == 1

    assert sends == [free.id]
    assert [message["Subject"] for message in emails(outbox)] == ["Still pending"]
    db.session.refresh(claimed)
    assert claimed.status == DeliveryStatus.SENDING and claimed.attempts == 1


def test_smtp_failure_is_retried_with_backoff(app, outbox):
    row = queue(app, factories.person())
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_STARTTLS=False)
    now = utcnow()

    # Nothing listens on the port: the connection is refused.
    assert delivery.deliver_due(now=now) == 0

    db.session.refresh(row)
    assert row.status == DeliveryStatus.PENDING and row.attempts == 1
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert row.next_attempt_at == now + timedelta(minutes=1)
    assert delivery.deliver_due(now=now + timedelta(seconds=59)) == 0  # not due yet
    db.session.refresh(row)
    assert row.attempts == 1


def test_failing_delivery_ends_dead_after_max_attempts(app, outbox, monkeypatch):
    app.config["OUTBOX_MAX_ATTEMPTS"], saved = 3, app.config["OUTBOX_MAX_ATTEMPTS"]
    tries: list[int] = []

    def broken(row):
        tries.append(row.attempts)
        raise OSError("mail server unreachable")

    monkeypatch.setattr(mailer, "send", broken)
    try:
        row = queue(app, factories.person())
        now = utcnow()
        for _ in range(6):
            delivery.deliver_due(now=now)
            db.session.refresh(row)
            now = row.next_attempt_at
    finally:
        app.config["OUTBOX_MAX_ATTEMPTS"] = saved

    assert tries == [1, 2, 3]
    assert row.status == DeliveryStatus.DEAD and row.attempts == 3
    assert row.last_error == "OSError: mail server unreachable"
    assert emails(outbox) == []


def test_backoff_grows_and_is_capped():
    waits = [delivery.backoff(attempt) for attempt in range(1, 8)]

    assert waits[:4] == [timedelta(minutes=m) for m in (1, 4, 16, 64)]
    assert all(a < b for a, b in zip(waits[:5], waits[1:6], strict=True))
    assert max(waits) == timedelta(days=1)


def test_line_breaks_in_subject_and_name_cannot_add_headers(app, outbox):
    rep = factories.person(name="Eve\r\nBcc: victim@example.test")

    with app.test_request_context():
        notify(rep, kind="test", subject="Hi\r\nBcc: spy@example.test\nX-Evil: 1")
        db.session.commit()
        finish_request(app)

    (message,) = emails(outbox)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Subject"].startswith("Hi Bcc: spy@example.test")
    (to,) = message["To"].addresses
    assert to.addr_spec == rep.email and "\n" not in to.display_name


# --- SMTP against a real server on loopback ----------------------------------------------------

class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_STARTTLS", "MAIL_USE_SSL", "MAIL_USERNAME")
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                      MAIL_USE_STARTTLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None)
    try:
        yield inbox
    finally:
        app.config.update(saved)
        controller.stop()


def test_smtp_delivery_sends_plain_and_html_parts(app, session, smtp_server, sends):
    rep = factories.person(name="Rita Rep")
    with app.test_request_context():
        notify(rep, kind="course.assigned", subject="Your course is ready",
               body="Discovery calls <basics>", link="/team")
        db.session.commit()
        finish_request(app)

    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == [rep.email]
    assert envelope.mail_from == "cadence@localhost"
    message = message_from_bytes(envelope.original_content, policy=default_policy)
    assert message["Subject"] == "Your course is ready"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Discovery calls <basics>" in plain and "https://cadence.test/team" in plain
    # The HTML part escapes what the event supplied.
    assert "Discovery calls &lt;basics&gt;" in html and 'href="https://cadence.test/team"' in html
    row = db.session.scalar(select(OutboxMessage))
    assert message["Message-ID"] == f"<{row.message_id}>"
    assert row.status == DeliveryStatus.SENT and len(sends) == 1


def test_retry_resends_with_the_same_message_id(app, session, smtp_server, monkeypatch):
    row = queue(app, factories.person())
    real_send = mailer.send
    monkeypatch.setattr(mailer, "send", lambda row: (_ for _ in ()).throw(OSError("down")))
    now = utcnow()
    assert delivery.deliver_due(now=now) == 0

    monkeypatch.setattr(mailer, "send", real_send)
    db.session.refresh(row)
    assert delivery.deliver_due(now=row.next_attempt_at) == 1

    (envelope,) = smtp_server.envelopes
    message = message_from_bytes(envelope.original_content, policy=default_policy)
    assert message["Message-ID"] == f"<{row.message_id}>"
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT and row.attempts == 2


# --- the in-app notification centre ------------------------------------------------------------

@pytest.fixture
def inbox_of(app, outbox):
    """Give ``person`` notifications (committed, no email) and return them."""
    def give(person, *subjects: str, link: str = "") -> list[Notification]:
        with app.test_request_context():
            made = [notify(person, kind="test", subject=s, link=link, email=False)
                    for s in subjects]
            db.session.commit()
        return made
    return give


def test_list_shows_only_my_notifications(client, login, inbox_of):
    me, other = factories.person(), factories.person()
    inbox_of(me, "Mine: course ready")
    inbox_of(other, "Theirs: secret")

    login(me)
    page = client.get("/notifications/").get_data(as_text=True)

    assert "Mine: course ready" in page
    assert "Theirs: secret" not in page


def test_unread_count_shows_in_the_navigation(client, login, inbox_of):
    me = factories.person()
    inbox_of(me, "One", "Two", "Three")
    first, *_ = db.session.scalars(select(Notification).where(Notification.recipient_id == me.id))
    first.read_at = utcnow()
    db.session.commit()

    login(me)
    page = client.get("/").get_data(as_text=True)

    assert re.search(r'badge[^>]*>2<span class="visually-hidden"> unread', page)


def test_unread_filter_hides_read_notifications(client, login, inbox_of):
    me = factories.person()
    read, _unread = inbox_of(me, "Already read", "Still unread")
    read.read_at = utcnow()
    db.session.commit()

    login(me)
    page = client.get("/notifications/?show=unread").get_data(as_text=True)

    assert "Still unread" in page and "Already read" not in page


def test_open_marks_read_and_follows_the_link(client, login, inbox_of):
    me = factories.person()
    (notification,) = inbox_of(me, "See your team", link="/team?tab=reports")

    login(me)
    response = client.post(f"/notifications/{notification.id}/open")

    assert response.status_code == 302
    assert response.headers["Location"] == "/team?tab=reports"
    db.session.refresh(notification)
    assert notification.read_at is not None


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                  "javascript:alert(1)", "/%2F%2Fevil.example"])
def test_open_never_redirects_off_site(client, login, inbox_of, link):
    me = factories.person()
    (notification,) = inbox_of(me, "Phish", link=link)

    login(me)
    response = client.post(f"/notifications/{notification.id}/open")

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"


def test_someone_elses_notification_is_404(client, login, inbox_of):
    me, other = factories.person(), factories.person()
    (theirs,) = inbox_of(other, "Not yours", link="/team")

    login(me)
    response = client.post(f"/notifications/{theirs.id}/open")

    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_read_all_marks_only_my_notifications(client, login, inbox_of):
    me, other = factories.person(), factories.person()
    mine = inbox_of(me, "A", "B")
    (theirs,) = inbox_of(other, "C")

    login(me)
    response = client.post("/notifications/read-all")

    assert response.status_code == 302
    for notification in [*mine, theirs]:
        db.session.refresh(notification)
    assert all(n.read_at is not None for n in mine)
    assert theirs.read_at is None
    assert "badge" not in client.get("/notifications/").get_data(as_text=True)


def test_read_all_needs_the_csrf_token(client, login, inbox_of, csrf_enabled):
    me = factories.person()
    (notification,) = inbox_of(me, "A")
    login_response = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      login_response.get_data(as_text=True))
    assert token
    client.post("/login", data={"email": me.email, "password": factories.PASSWORD,
                                "csrf_token": token.group(1)})

    client.post("/notifications/read-all")

    db.session.refresh(notification)
    assert notification.read_at is None


def test_notification_centre_requires_sign_in(client):
    response = client.get("/notifications/")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_notification_list_query_count_does_not_grow(client, login, inbox_of, count_queries):
    me = factories.person()
    inbox_of(me, "first")
    login(me)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/notifications/").status_code == 200
        return counter.count

    few = queries()
    inbox_of(me, *[f"note {n}" for n in range(20)])
    many = queries()

    assert many == few


def test_failed_mail_is_retried_by_the_sweep_on_later_traffic(app, client, outbox, monkeypatch):
    """A message whose backoff has passed goes out with the first request after the interval."""
    rep = factories.person()
    db.session.add(OutboxMessage(
        message_id="retry-1@cadence.test", recipient_id=rep.id, to_address=rep.email,
        subject="Retry me", body_text="Hello", attempts=1,
        next_attempt_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    monkeypatch.setitem(app.config, "OUTBOX_SWEEP_SECONDS", 60)
    sweep = app.extensions["cadence_retry_sweep"]

    monkeypatch.setattr(sweep, "last", jobs.time.monotonic() - 30)
    client.get("/login")
    assert emails(outbox) == []  # 30 s since the last sweep: too soon

    monkeypatch.setattr(sweep, "last", jobs.time.monotonic() - 61)
    client.get("/login")
    (message,) = emails(outbox)
    assert message["Subject"] == "Retry me"


def test_sweep_interval_zero_turns_the_sweep_off():
    sweep = jobs.RetrySweep()
    sweep.last -= 10_000
    assert not sweep.due(0)
    assert sweep.due(60) and not sweep.due(60)
