"""CSV exports that open safely and correctly in a spreadsheet: the one CSV writer.

Every export goes through ``csv_bytes`` (and ``csv_response`` / ``csv_download`` for a
download): UTF-8 with a byte order mark, without which Excel reads the file in the machine's
legacy code page and shows "ZoÃ«" for "Zoë"; CRLF line ends (RFC 4180), so a cell holding a
CR or LF is always quoted and a lone CR can never end a row early.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) would be run as a formula when the file is
opened; an apostrophe in front makes the spreadsheet show it as typed instead. The check is
made on every line of a cell, not only the first: a reader that splits rows on line breaks
(or a cell pasted on its own) must not find a formula at the start of the second line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
LINE_END = "\r\n"
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_FILENAME_BREAK = re.compile(r"\.{2,}|[^A-Za-z0-9_.]+")


def looks_like_formula(text: str) -> bool:
    """Say whether a spreadsheet could read ``text`` as a formula.

    Leading apostrophes are skipped, so a value that already starts with ``'=`` gets one
    more and a reader that strips one apostrophe gets the original back.
    """
    return text.lstrip("'")[:1] in FORMULA_START


def _line_is_formula(line: str, following_break: str) -> bool:
    # An empty line (apostrophes aside) starts with the break after it: a CR counts.
    return looks_like_formula(line + following_break[:1])


def neutralise(text: str) -> str:
    """Put an apostrophe before every line of ``text`` that a spreadsheet would run."""
    parts = _LINE_BREAK.split(text)  # line, break, line, break, ..., line
    for index in range(0, len(parts), 2):
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if _line_is_formula(parts[index], following):
            parts[index] = "'" + parts[index]
    return "".join(parts)


def restore(text: str) -> str:
    """Undo ``neutralise``: what an importer does with a cell of one of our exports."""
    parts = _LINE_BREAK.split(text)
    for index in range(0, len(parts), 2):
        following = parts[index + 1] if index + 1 < len(parts) else ""
        line = parts[index]
        if line.startswith("'") and _line_is_formula(line[1:], following):
            parts[index] = line[1:]
    return "".join(parts)


def safe_cell(value: Any) -> str:
    """Return ``value`` as CSV cell text that a spreadsheet shows and never runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number, even a negative one, is no formula
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(value.value if isinstance(value, Enum) else str(value))


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    """Write ``header`` and ``rows`` as CSV text with CRLF line ends, every cell made safe."""
    out = io.StringIO()
    # QUOTE_MINIMAL quotes a cell holding any character of the line terminator: CR or LF.
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> bytes:
    """The CSV file of ``header`` and ``rows``: UTF-8 with a byte order mark, CRLF."""
    return (BOM + csv_text(rows, header)).encode("utf-8")


def csv_download(data: bytes, filename: str) -> Response:
    """Answer with ``data`` (from ``csv_bytes``) as a CSV download called ``filename``."""
    # Letters, digits, _ and single dots between them, joined by -: nothing a browser or a
    # file system could read as a path, a quote or a header.
    parts = (part.strip(".") for part in _FILENAME_BREAK.split(filename.removesuffix(".csv")))
    stem = "-".join(part for part in parts if part) or "export"
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{stem}.csv"',
        "Cache-Control": "no-store",  # people's names and progress: keep out of shared caches
    })


def csv_response(rows: Iterable[Sequence[Any]], header: Sequence[str],
                 filename: str) -> Response:
    """Answer with ``rows`` as a CSV download called ``filename``."""
    return csv_download(csv_bytes(rows, header), filename)
