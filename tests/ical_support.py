"""Read calendar objects the way other programs do: with icalendar and, independently, vobject.

Every calendar object Cadence writes (feeds, downloads, email invitations) must be accepted
by both parsers and agree between them on what matters (UIDs, starts, status, method).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import icalendar
import vobject


def assert_wellformed(text: str) -> None:
    """CRLF line ends only, and no content line longer than 75 octets (RFC 5545 3.1)."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75, line


def parse(data: str | bytes) -> icalendar.Calendar:
    """Parse with icalendar and vobject; check they agree; return the icalendar object."""
    text = data.decode() if isinstance(data, bytes) else data
    assert_wellformed(text)
    ours = icalendar.Calendar.from_ical(text)
    theirs = vobject.readOne(text)
    mine = ours.walk("VEVENT")
    others = list(getattr(theirs, "vevent_list", []))
    assert [str(e["UID"]) for e in mine] == [e.uid.value for e in others]
    for event, other in zip(mine, others, strict=True):
        assert str(event["SUMMARY"]) == other.summary.value
        assert _instant(event.decoded("DTSTART")) == _instant(other.dtstart.value)
        assert str(event.get("STATUS", "")) == (
            other.status.value if hasattr(other, "status") else "")
        assert int(event.get("SEQUENCE", 0)) == int(
            other.sequence.value if hasattr(other, "sequence") else 0)
    method = theirs.method.value if hasattr(theirs, "method") else ""
    assert str(ours.get("METHOD", "")) == method
    return ours


def _instant(value):
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def invitation_in(message: EmailMessage, recipient: str) -> icalendar.Calendar:
    """The one iTIP invitation in an email, checked as Outlook, Google and Apple read it.

    It comes twice, as a ``text/calendar; method=...`` alternative and as an ``invite.ics``
    attachment, both the same object; one VEVENT addressed to ``recipient``.
    """
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 2, [part.get_content_type() for part in message.walk()]
    inline, attached = sorted(parts, key=lambda part: part.get_filename() or "")
    assert inline.get_filename() is None and attached.get_filename() == "invite.ics"
    assert attached.get_content_disposition() == "attachment"
    raw = attached.get_payload(decode=True)
    calendar = parse(raw)  # keeps CRLF and folding: checked there
    assert icalendar.Calendar.from_ical(inline.get_content()).to_ical() == raw
    method = str(calendar["METHOD"])
    assert method in ("REQUEST", "CANCEL")
    for part in parts:
        assert part.get_param("method") == method
    (event,) = calendar.walk("VEVENT")
    for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "LAST-MODIFIED",
                 "ORGANIZER", "SUMMARY"):
        assert name in event, name
    (attendee,) = event.get("ATTENDEE") if isinstance(event.get("ATTENDEE"), list) else [
        event["ATTENDEE"]]
    assert str(attendee).lower() == f"mailto:{recipient}".lower()
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert str(event["TRANSP"]) == "OPAQUE"
    assert str(event["STATUS"]) == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
    start = event["DTSTART"]
    if "TZID" in start.params:
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [start.params["TZID"]]
    else:
        assert start.to_ical().endswith(b"Z")
    return calendar


def mails_to(person) -> list[EmailMessage]:
    """The emails queued for ``person``, oldest first, as the bytes a mail client receives."""
    from email import message_from_bytes
    from email.policy import default as default_policy

    from sqlalchemy import select

    from lms.extensions import db
    from lms.notify import mailer
    from lms.notify.models import OutboxMessage

    rows = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient_id == person.id).order_by(OutboxMessage.id))
    return [message_from_bytes(bytes(mailer.build_message(row)), policy=default_policy)
            for row in rows]
