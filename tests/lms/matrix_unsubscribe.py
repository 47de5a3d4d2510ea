"""Authorization matrix entries for one-click unsubscribe (see ``tests/authz_matrix.py``).

No sign-in: the signed token in the address is the credential, so everyone holding a valid
one gets 200 (tests/lms/test_unsubscribe.py checks forged and tampered tokens).
"""

from __future__ import annotations

from lms.notify.unsubscribe import token_for
from tests.authz_matrix import Case, Route, form, plain

KIND = "reminder.course_due"


def a_link(case: Case):
    return {"token": token_for(case.target.id, KIND)}, {}


ROUTES: dict[tuple[str, str], Route] = {
    ("notify.unsubscribe", "GET"): plain(200, 200, 200, a_link),
    ("notify.unsubscribe", "POST"): plain(
        200, 200, 200, form({"List-Unsubscribe": "One-Click"}, a_link)),
}
