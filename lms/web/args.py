"""Reading whole numbers from a request: ids and page numbers, bounded so no value can
overflow a database integer (PostgreSQL's ``integer``, SQLite's 64-bit driver limit).

``request.args.get(name, type=int)`` took any digits, so ``?person=99999999999999999999999``
reached the database and failed with a 500, while ``?person=abc`` was silently ignored.
"""

from __future__ import annotations

from flask import abort, request

from lms.web.converters import ID_MAX, ID_MIN

# A page past the last one is simply empty; this keeps its OFFSET within a 64-bit integer.
PAGE_MAX = ID_MAX


def parse_int(raw: str | None, *, low: int = ID_MIN, high: int = ID_MAX) -> int | None:
    """``raw`` as an integer in ``low..high`` (ASCII digits, optional minus), else None."""
    text = (raw or "").strip()
    digits = text.removeprefix("-")
    # ASCII only: str.isdigit() also accepts "²" and other digits int() refuses.
    if not digits or len(digits) > 20 or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def int_arg(name: str, *, low: int = ID_MIN, high: int = ID_MAX) -> int | None:
    """Query argument ``name`` as an integer in ``low..high``; None when absent or blank.

    Any other value is a 400 that says what is expected: a link that names nothing
    should not quietly show an unfiltered page.
    """
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    value = parse_int(raw, low=low, high=high)
    if value is None:
        abort(400, description=f"“{name}” must be a whole number from {low} to {high}, "
                               f"got “{raw[:20]}”.")
    return value


def page_arg(name: str = "page") -> int:
    """The page number asked for; anything that is not a page number means the first."""
    return parse_int(request.args.get(name), low=1, high=PAGE_MAX) or 1


def wants_json() -> bool:
    """Whether the request asks for JSON rather than a page (a script's ``fetch``)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"
