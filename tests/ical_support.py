"""Read calendar objects the way other programs do: with icalendar and, independently, vobject.

Every calendar object Cadence writes (feeds, downloads, email invitations) must be accepted
by both parsers and agree between them on what matters (UIDs, starts, status, method).
"""

from __future__ import annotations

from datetime import UTC, datetime

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
