"""An API POST sent again with the same Idempotency-Key runs once and gets the first answer."""

from __future__ import annotations

import http.client
import json
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from lms.db import utcnow
from lms.extensions import db
from lms.idempotency import services
from lms.idempotency.models import IdempotencyKey
from lms.notify.jobs import PERIODIC
from reinforcement.checkins.models import CheckIn
from tests.api_support import serve_api, token_headers
from tests.live import suite_database

CHECK_INS = "/api/v1/check-ins/"
FUTURE = "2099-03-04T09:00:00+01:00"
WRITE = "reinforcement:write"


@pytest.fixture
def manager(org):
    return token_headers(org.manager_a1, [WRITE])


def _post(client, headers, key, body):
    return client.post(CHECK_INS, headers={**headers, "Idempotency-Key": key}, json=body)


def _check_ins() -> int:
    return db.session.scalar(select(func.count(CheckIn.id)))


def test_a_retry_with_the_same_key_gets_the_first_answer_without_running_again(
        client, org, manager):
    body = {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE}
    first = _post(client, manager, "retry-1", body)
    before = _check_ins()

    again = _post(client, manager, "retry-1", dict(reversed(body.items())))

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _check_ins() == before


def test_without_a_key_a_retry_runs_again(client, org, manager):
    body = {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE}
    client.post(CHECK_INS, headers=manager, json=body)
    before = _check_ins()

    client.post(CHECK_INS, headers=manager, json=body)

    assert _check_ins() == before + 1


def test_the_same_key_with_another_body_is_refused_with_a_reason(client, org, manager):
    _post(client, manager, "k", {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE})
    before = _check_ins()

    other = _post(client, manager, "k", {"coachee_id": org.rep_a1b.id, "scheduled_at": FUTURE})

    assert other.status_code == 422
    assert "different request" in other.get_json()["errors"]["Idempotency-Key"][0]
    assert _check_ins() == before


def test_keys_belong_to_one_token(client, org, manager):
    body = {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE}
    _post(client, manager, "shared", body)
    before = _check_ins()

    other_token = token_headers(org.manager_a1, [WRITE])
    answer = _post(client, other_token, "shared", body)

    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer.headers
    assert _check_ins() == before + 1


def test_a_refusal_is_remembered_like_a_success(client, org, manager):
    body = {"coachee_id": org.rep_b1a.id, "scheduled_at": FUTURE}  # not the manager's report
    first = _post(client, manager, "refused", body)

    again = _post(client, manager, "refused", body)

    assert first.status_code == again.status_code == 422
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_server_error_is_forgotten_so_the_retry_runs(app, client, org, manager, monkeypatch):
    from reinforcement.checkins import api as checkin_api

    body = {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE}
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with monkeypatch.context() as broken:
        broken.setattr(checkin_api.checkins, "schedule_check_in", _explode)
        assert _post(client, manager, "after-500", body).status_code == 500
    before = _check_ins()

    retried = _post(client, manager, "after-500", body)

    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert _check_ins() == before + 1


def _explode(*args, **kwargs):
    raise RuntimeError("the database went away")


def test_a_key_still_running_answers_409_with_retry_after(client, org, manager):
    body = {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE}
    _post(client, manager, "running", body)
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "running"))
    row.status_code, row.body = None, None  # as if its request were still running
    db.session.commit()
    before = _check_ins()

    answer = _post(client, manager, "running", body)

    assert answer.status_code == 409 and answer.headers["Retry-After"] == "1"
    assert "still running" in answer.get_json()["errors"]["Idempotency-Key"][0]
    assert _check_ins() == before


@pytest.mark.parametrize("key", ["", "x" * 201, "has space", "tab\there", "é"])
def test_bad_keys_are_refused(client, org, manager, key):
    answer = client.post(CHECK_INS, headers={**manager, "Idempotency-Key": key}, json={
        "coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE})

    assert answer.status_code == 422
    assert list(answer.get_json()["errors"]) == ["Idempotency-Key"]


def test_keys_are_kept_a_day_then_purged_by_a_periodic_job(client, org, manager):
    body = {"coachee_id": org.rep_a1a.id, "scheduled_at": FUTURE}
    _post(client, manager, "old", body)
    _post(client, manager, "new", body)
    old = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "old"))
    old.created_at = utcnow() - services.KEEP - timedelta(minutes=1)
    db.session.commit()

    assert services.purge_expired() == 1
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["new"]
    assert PERIODIC["idempotency_purge"] == services.PURGE_SECONDS


def test_the_header_is_documented_on_every_post(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    posts = [operation for operations in spec["paths"].values()
             for method, operation in operations.items() if method == "post"]

    assert len(posts) > 30
    for operation in posts:
        names = [parameter.get("name") or parameter.get("$ref")
                 for parameter in operation["parameters"]]
        assert "#/components/parameters/IdempotencyKey" in names, operation["operationId"]
        assert {"409", "422"} <= set(operation["responses"])
    header = spec["components"]["parameters"]["IdempotencyKey"]
    assert header["in"] == "header" and header["schema"]["maxLength"] == services.MAX_LENGTH


def _call(url: str, method: str, path: str, headers: dict, body: bytes | None = None):
    """Send one request to the live server; return its status and JSON answer."""
    connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_simultaneous_requests_with_one_key_run_once(tmp_path):
    """On the suite's database: SQLite, or PostgreSQL where the unique index makes the later
    inserts wait for the first transaction."""
    with suite_database(tmp_path) as url, serve_api(tmp_path, url) as live:
        auth = {"Authorization": f"Bearer {live.tokens['manager']}"}
        body = json.dumps({"coachee_id": live.people["rep_a1a"],
                           "scheduled_at": FUTURE}).encode()
        headers = {**auth, "Content-Type": "application/json", "Idempotency-Key": "together"}
        barrier = threading.Barrier(6)
        answers: list[tuple[int, dict]] = []

        def send() -> None:
            barrier.wait()
            answers.append(_call(live.url, "POST", CHECK_INS, headers, body))

        threads = [threading.Thread(target=send) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _status, listed = _call(live.url, "GET", f"{CHECK_INS}?role=coach", auth)

    print(sorted(status for status, _ in answers))
    created = {answer["id"] for status, answer in answers if status == 201}
    waiting = [answer for status, answer in answers if status == 409]
    assert len(answers) == 6 and all(status in (201, 409) for status, _ in answers), answers
    assert len(created) == 1
    assert all("still running" in answer["errors"]["Idempotency-Key"][0] for answer in waiting)
    assert [item["id"] for item in listed["items"]] == list(created)
