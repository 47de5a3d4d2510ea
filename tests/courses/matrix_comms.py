"""Authorization matrix entries for pre-training communications (see ``tests/authz_matrix.py``).

The member is leader_a: a leader writes communications, manages their own (and an admin
manages anyone's), and acknowledges one sent to them; an admin who did not receive it may
not acknowledge it (403). API tokens hold every scope, so these check the permission layer.
"""

from __future__ import annotations

from datetime import timedelta

from courses.live import comm_delivery
from courses.live import communications as comms
from courses.live import services as live
from lms.db import utcnow
from tests.authz_matrix import LOGIN, Case, Route, form, json_body, plain

PARTS = {"what_you_learn": "Weekly coaching 1:1s.", "why_it_matters": "Reps ramp faster.",
         "how_work_changes": "One 1:1 per rep a week.", "expected_results": "Win rate +5%."}


def _session(case: Case):
    starts = utcnow().replace(microsecond=0) + timedelta(days=20)
    return live.create_session(live.SessionData(
        title="Matrix kick-off", starts_at=starts, ends_at=starts + timedelta(hours=2)),
        by=case.org.admin)


def _written(case: Case):
    return comms.schedule_communication(comms.CommunicationData(
        subject="Before the kick-off", session=_session(case), **PARTS), by=case.org.leader_a)


def _sent_to_leaders(case: Case):
    communication = comms.schedule_communication(comms.CommunicationData(
        subject="From the top", session=_session(case), levels=["leader"], **PARTS),
        by=case.org.exec)
    comm_delivery.send_communication(communication, by=case.org.exec)
    return communication


def a_communication(case: Case):
    return {"id": _written(case).id}, {}


def received(case: Case):
    return {"id": _sent_to_leaders(case).id}, {}


def new_form(case: Case) -> dict:
    return {"about": f"session:{_session(case).id}", "subject": "Before the kick-off",
            "levels": "manager", "schedule": "Schedule", **PARTS}


def edit_form(case: Case):
    communication = _written(case)
    return {"id": communication.id}, {"data": {
        "about": f"session:{communication.session_id}", "subject": "Changed subject",
        "levels": "manager", "schedule": "Schedule", **PARTS}}


def api_communication(case: Case):
    return {"communication_id": _written(case).id}, {}


def api_received(case: Case):
    return {"communication_id": _sent_to_leaders(case).id}, {}


def api_new(case: Case) -> dict:
    return {"subject": "Before the kick-off", "session_id": _session(case).id, **PARTS}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses.communication_list", "GET"): plain(200, 200, LOGIN),
    ("courses.communication_create", "GET"): plain(200, 200, LOGIN),
    ("courses.communication_create", "POST"): plain(302, 302, LOGIN, form(new_form)),
    ("courses.communication_detail", "GET"): plain(200, 200, LOGIN, a_communication),
    ("courses.communication_edit", "GET"): plain(200, 200, LOGIN, a_communication),
    ("courses.communication_edit", "POST"): plain(302, 302, LOGIN, edit_form),
    ("courses.communication_cancel", "POST"): plain(302, 302, LOGIN, a_communication),
    ("courses.communication_send", "POST"): plain(302, 302, LOGIN, a_communication),
    ("courses.communication_acknowledge", "POST"): plain(302, 403, LOGIN, received),
    ("communications_api.index", "GET"): plain(200, 200, 401),
    ("communications_api.detail", "GET"): plain(200, 200, 401, api_communication),
    ("communications_api.create", "POST"): plain(201, 201, 401, json_body(api_new)),
    ("communications_api.update", "PATCH"): plain(
        200, 200, 401, json_body({"subject": "Changed subject"}, api_communication)),
    ("communications_api.cancel", "POST"): plain(200, 200, 401, api_communication),
    ("communications_api.send", "POST"): plain(200, 200, 401, api_communication),
    ("communications_api.acknowledge", "POST"): plain(200, 403, 401,
                                                      json_body({}, api_received)),
}
