"""Sending a pre-training message, opening it and acknowledging it, from requests racing
each other: each happens once, with one of every side effect."""

from __future__ import annotations

from sqlalchemy import select

from courses.live import comm_delivery
from courses.live.communications import QUESTION, RECEIVED
from courses.live.models import CommunicationRecipient, CommunicationStatus
from lms.extensions import db
from lms.people.models import Level
from tests import factories
from tests.courses import factories_live
from tests.races.conftest import get_all, post_all

MANAGERS = 3


def _leader_with_message(*, sent: bool):
    """A leader, the managers under them, and a message to those managers."""
    leader = factories.person(level=Level.LEADER)
    managers = [factories.person(level=Level.MANAGER, manager=leader) for _ in range(MANAGERS)]
    session = factories_live.a_session(None, days=30, title="Value selling")
    message = factories_live.message(leader, session=session,
                                     status=CommunicationStatus.SCHEDULED)
    if sent:
        comm_delivery.send_communication(message, by=leader)
    return leader, managers, message


def _receipt_id(message_id: int, person_id: int) -> int:
    return db.session.scalar(select(CommunicationRecipient.id).where(
        CommunicationRecipient.communication_id == message_id,
        CommunicationRecipient.user_id == person_id))


def test_a_message_is_sent_once(live, crowd):
    def build():
        leader, managers, message = _leader_with_message(sent=False)
        return leader.email, [m.id for m in managers], message.id
    email, managers, message_id = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/courses/communications/{message_id}/send",
             crowd)

    assert live.audits("communication.send", message_id) == 1
    assert live.count(CommunicationRecipient,
                      CommunicationRecipient.communication_id == message_id) == MANAGERS
    assert live.notifications(RECEIVED, managers) == MANAGERS
    assert live.emails(RECEIVED, managers) == MANAGERS


def test_a_message_is_acknowledged_once(live, crowd):
    def build():
        leader, managers, message = _leader_with_message(sent=True)
        return managers[0].email, managers[0].id, leader.id, message.id
    email, manager_id, leader_id, message_id = live.seed(build)

    post_all(live.signed_in(email), f"{live.url}/courses/communications/{message_id}/acknowledge",
             crowd, data=lambda number: {"question": f"Do we bring our own deals? ({number})"})

    receipt_id = live.read(lambda: _receipt_id(message_id, manager_id))
    assert live.audits("communication.acknowledge", receipt_id) == 1
    assert live.notifications(QUESTION, [leader_id]) == 1
    assert live.emails(QUESTION, [leader_id]) == 1


def test_a_message_is_opened_once(live, crowd):
    def build():
        _leader, managers, message = _leader_with_message(sent=True)
        return managers[0].email, managers[0].id, message.id
    email, manager_id, message_id = live.seed(build)

    get_all(live.signed_in(email), f"{live.url}/courses/communications/{message_id}", crowd)

    receipt_id = live.read(lambda: _receipt_id(message_id, manager_id))
    assert live.audits("communication.open", receipt_id) == 1
