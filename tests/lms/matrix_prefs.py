"""Authorization matrix entries for notification preferences (see ``tests/authz_matrix.py``)."""

from __future__ import annotations

from tests.authz_matrix import LOGIN, Route, form, plain

ROUTES: dict[tuple[str, str], Route] = {
    ("notify.preferences", "GET"): plain(200, 200, LOGIN),
    ("notify.preferences", "POST"): plain(302, 302, LOGIN, form({"digest_hour": "9"})),
}
