"""Authorization matrix entries for the admins' health page (see ``tests/authz_matrix.py``)."""

from __future__ import annotations

from lms.extensions import db
from lms.notify.models import DeliveryStatus, OutboxMessage
from tests.authz_matrix import LOGIN, Case, Route, plain


def dead_message(case: Case):
    message = OutboxMessage(message_id=f"matrix-{case.target.id}@cadence.test",
                            to_address="gone@example.test", subject="Matrix", body_text="x",
                            status=DeliveryStatus.DEAD, attempts=5)
    db.session.add(message)
    db.session.flush()
    return {"id": message.id}, {"data": {}}


ROUTES: dict[tuple[str, str], Route] = {
    ("ops.health", "GET"): plain(403, 200, LOGIN),
    ("ops.retry", "POST"): plain(403, 302, LOGIN, dead_message),
}
