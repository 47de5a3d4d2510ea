"""Authorization matrix entries for the reminder rules' admin page (see tests/authz_matrix.py)."""

from __future__ import annotations

from tests.authz_matrix import LOGIN, Route, form, plain


def _rule(case):
    return {"key": "course_due"}, {}


ROUTES: dict[tuple[str, str], Route] = {
    ("reminders.index", "GET"): plain(403, 200, LOGIN),
    ("reminders.edit", "GET"): plain(403, 200, LOGIN, _rule),
    ("reminders.edit", "POST"): plain(
        403, 302, LOGIN, form({"enabled": "y", "days_before": "3", "escalate_after_days": "7"},
                              _rule)),
}
