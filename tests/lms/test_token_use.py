"""A token's last use is kept to the minute, never as an extra commit on every request."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lms.auth.models import ApiToken
from lms.db import utcnow
from lms.extensions import db
from tests.api_support import authorization
from tests.lms.test_api import PEOPLE, make_token


@pytest.fixture
def commits():
    """Count the commits made inside the block."""
    @contextlib.contextmanager
    def counting():
        seen = []

        def count(session):
            seen.append(session)

        event.listen(Session, "after_commit", count)
        try:
            yield seen
        finally:
            event.remove(Session, "after_commit", count)
    return counting


def _token(person) -> ApiToken:
    return db.session.scalar(select(ApiToken).where(ApiToken.user_id == person.id))


def test_reads_record_the_last_use_once_a_minute(client, org, commits):
    secret = make_token(org.manager_a1)
    token = _token(org.manager_a1)

    with commits() as first:
        assert client.get(PEOPLE, headers=authorization(secret)).status_code == 200
    db.session.refresh(token)
    recorded = token.last_used_at
    assert recorded is not None and first

    with commits() as again:  # within the minute: nothing to write, nothing committed
        assert client.get(PEOPLE, headers=authorization(secret)).status_code == 200
    db.session.refresh(token)
    assert again == [] and token.last_used_at == recorded

    token.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    with commits() as later:
        assert client.get(PEOPLE, headers=authorization(secret)).status_code == 200
    db.session.refresh(token)
    assert later and token.last_used_at > recorded


def test_a_write_records_the_last_use_in_its_own_single_commit(client, org, commits):
    secret = make_token(org.admin, "people:write")

    with commits() as seen:
        response = client.post(PEOPLE, headers=authorization(secret),
                               json={"email": "new@example.test", "name": "New Person"})
    assert response.status_code == 201, response.get_json()
    assert len(seen) == 1
    db.session.refresh(token := _token(org.admin))
    assert token.last_used_at is not None
