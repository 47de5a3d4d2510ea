"""Turn an outbox row into an email and hand it to SMTP or the outbox folder."""

from __future__ import annotations

import re
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from pathlib import Path

from flask import current_app

from lms.calendar.ical import method_of
from lms.notify.models import OutboxMessage
from lms.notify.preferences import is_bulk
from lms.notify.unsubscribe import ONE_CLICK, url_for_kind

_LINE_BREAKS = re.compile(r"[\r\n\t]+")
# Headers whose value is a list of <URL>s (RFC 2369) that mail clients read as they stand.
URL_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})


class MailPolicy(EmailPolicy):
    """The standard policy, except that URL headers are written whole.

    The standard policy folds a word longer than a line by turning it into RFC 2047
    encoded-words, which is right for a subject and wrong for an unsubscribe URL: mail
    clients then find no ``<https://...>`` to post to. A line may reach 998 octets.
    """

    def _whole(self, name: str, value: str) -> str | None:
        text = f"{name}: {value}"
        if name.lower() in URL_HEADERS and text.isascii() and len(text) <= 998:
            return text + self.linesep
        return None

    def fold(self, name, value):
        return self._whole(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        whole = self._whole(name, value)
        return whole.encode("ascii") if whole else super().fold_binary(name, value)


POLICY = MailPolicy()


def one_line(text: str) -> str:
    """Collapse line breaks so a value can never add a mail header."""
    return _LINE_BREAKS.sub(" ", text).strip()


def build_message(row: OutboxMessage) -> EmailMessage:
    """Build the MIME message for ``row`` with plain-text and HTML parts."""
    config = current_app.config
    sender_name, sender_addr = parseaddr(config["MAIL_SENDER"])
    message = EmailMessage(policy=POLICY)
    message["Message-ID"] = f"<{row.message_id}>"
    message["Date"] = format_datetime(row.created_at)
    message["From"] = Address(display_name=one_line(sender_name), addr_spec=sender_addr)
    message["To"] = Address(display_name=one_line(row.to_name), addr_spec=row.to_address)
    message["Subject"] = one_line(row.subject)
    message["Auto-Submitted"] = "auto-generated"
    if row.kind and row.recipient_id and is_bulk(row.kind):
        # RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and POST to it directly.
        message["List-Unsubscribe"] = f"<{url_for_kind(row.recipient_id, row.kind)}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    if row.calendar:
        attach_invitation(message, row.calendar)
    return message


def attach_invitation(message: EmailMessage, calendar: str) -> None:
    """Add an iTIP invitation the way calendar apps look for it (RFC 6047).

    A ``text/calendar; method=...`` alternative is what Outlook and Gmail turn into an
    invitation with buttons; the same object as an ``invite.ics`` attachment serves clients
    that only offer attachments. Base64 keeps its CRLF line ends and folding intact.
    """
    method = method_of(calendar)
    message.add_alternative(calendar, subtype="calendar", params={"method": method})
    message.add_attachment(calendar.encode(), maintype="text", subtype="calendar",
                           filename="invite.ics", params={"method": method, "charset": "utf-8"})


def send(row: OutboxMessage) -> None:
    """Deliver ``row``: SMTP when a server is configured, else a file in the outbox folder."""
    message = build_message(row)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        folder = Path(config["OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = row.created_at.strftime("%Y%m%dT%H%M%S")
        (folder / f"{stamp}-{row.id:06d}.eml").write_bytes(bytes(message))
        return
    timeout = config["MAIL_TIMEOUT"]
    # Loading the CA bundle costs ~30 ms: build the context only when TLS is used.
    tls = config["MAIL_USE_SSL"] or config["MAIL_USE_STARTTLS"]
    context = ssl.create_default_context() if tls else None
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"],
                                timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    with smtp:
        if config["MAIL_USE_STARTTLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
