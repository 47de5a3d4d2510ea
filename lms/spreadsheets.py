"""CSV exports that open safely in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) would be run as a formula when the file is
opened; an apostrophe in front makes the spreadsheet show it as typed instead.
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
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


def looks_like_formula(text: str) -> bool:
    """Say whether a spreadsheet could read ``text`` as a formula.

    Leading apostrophes are skipped, so a value that already starts with ``'=`` gets one
    more and a reader that strips one apostrophe gets the original back.
    """
    return text.lstrip("'")[:1] in FORMULA_START


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
    text = value.value if isinstance(value, Enum) else str(value)
    return f"'{text}" if looks_like_formula(text) else text


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    """Write ``header`` and ``rows`` as CSV text, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()


def csv_response(rows: Iterable[Sequence[Any]], header: Sequence[str],
                 filename: str) -> Response:
    """Answer with ``rows`` as a CSV download called ``filename``."""
    stem = _UNSAFE_FILENAME.sub("-", filename.removesuffix(".csv")).strip("-") or "export"
    return Response(csv_text(rows, header), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{stem}.csv"',
        "Cache-Control": "no-store",  # people's progress: keep it out of shared caches
    })
