"""Reading CSV downloads back the way a program would: bytes, BOM and CRLF included."""

from __future__ import annotations

import csv
import io

BOM = b"\xef\xbb\xbf"


def rows(data: bytes) -> list[list[str]]:
    """The records of a CSV file from one of our exports, checking its BOM and line ends."""
    assert data.startswith(BOM), data[:20]
    text = data.decode("utf-8-sig")
    # Outside quoted cells every line ends with CRLF: no bare LF or CR ends a record.
    assert text.endswith("\r\n") or not text
    return list(csv.reader(io.StringIO(text, newline="")))


def dicts(data: bytes) -> list[dict[str, str]]:
    """The records as dicts keyed by the header row."""
    header, *records = rows(data)
    return [dict(zip(header, record, strict=True)) for record in records]


def text(data: bytes) -> str:
    """The text of a CSV download after its byte order mark (which must be there)."""
    assert data.startswith(BOM), data[:20]
    return data.decode("utf-8-sig")
