"""The job layer in both modes: after-commit dispatch, periodic jobs, stale claims, health."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.extensions import db
from lms.notify import delivery, jobs, queue, sweeper
from lms.notify.health import check
from lms.notify.models import DeliveryStatus, OutboxMessage, SystemState
from lms.notify.services import notify
from tests import factories

REDIS_TEST_URL = "redis://127.0.0.1:6379/11"
NO_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def outbox_row(status=DeliveryStatus.PENDING, **fields) -> OutboxMessage:
    fields = {"to_address": "someone@example.test", **fields}
    row = OutboxMessage(message_id=f"{uuid.uuid4().hex}@cadence.test", subject="Hello",
                        body_text="Hi", status=status, **fields)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def outbox(app, session, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    return tmp_path / "outbox"


def _use_redis(app, monkeypatch, url: str) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "RQ_QUEUE", f"cadence-test-{uuid.uuid4().hex[:12]}")
    # A copy without the cached client, so this URL gets its own; the original comes back.
    monkeypatch.setattr(app, "extensions", {key: value for key, value in app.extensions.items()
                                            if key != "cadence_redis"})


@pytest.fixture
def redis_queue(app, session, monkeypatch):
    """Redis mode on a queue of this test's own; its keys are deleted afterwards."""
    _use_redis(app, monkeypatch, REDIS_TEST_URL)
    rq_queue = queue.get_queue(app)
    yield rq_queue
    client = queue.connection(app)
    for key in client.scan_iter(f"*{rq_queue.name}*"):
        client.delete(key)
    for job_id in rq_queue.job_ids:
        client.delete(f"rq:job:{job_id}")


@pytest.fixture
def redis_down(app, session, monkeypatch):
    _use_redis(app, monkeypatch, NO_REDIS_URL)


@pytest.fixture
def only_outbox_sweep(monkeypatch):
    """Periodic jobs limited to the outbox sweep (other packages register their own)."""
    monkeypatch.setattr(jobs, "PERIODIC", {"outbox_sweep": delivery.SWEEP_SECONDS})


# --- embedded: periodic jobs --------------------------------------------------------------------

def test_periodic_job_runs_when_due_and_records_its_last_run(app, session, monkeypatch):
    calls = []
    monkeypatch.setitem(jobs.JOBS, "test_tick", lambda: calls.append(1))
    monkeypatch.setattr(jobs, "PERIODIC", {"test_tick": 60})
    start = utcnow()

    assert jobs.run_due_periodic(start) == ["test_tick"]
    assert jobs.run_due_periodic(start + timedelta(seconds=59)) == []
    assert jobs.run_due_periodic(start + timedelta(minutes=2)) == ["test_tick"]

    assert len(calls) == 2
    state = db.session.get(SystemState, "periodic.test_tick")
    assert state is not None and state.value
    assert jobs.last_runs()["test_tick"] is not None


def test_periodic_decorator_refuses_a_zero_interval():
    with pytest.raises(ValueError):
        jobs.periodic("never", every=0)


def test_outbox_sweep_is_registered_as_periodic():
    assert jobs.PERIODIC["outbox_sweep"] == delivery.SWEEP_SECONDS


def test_failing_periodic_job_is_logged_and_does_not_stop_the_others(app, session, monkeypatch,
                                                                     caplog):
    ran = []

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.JOBS, "a_broken", broken)
    monkeypatch.setitem(jobs.JOBS, "b_fine", lambda: ran.append(1))
    monkeypatch.setattr(jobs, "PERIODIC", {"a_broken": 60, "b_fine": 60})
    with caplog.at_level(logging.ERROR, logger="lms.notify.jobs"):
        assert jobs.run_due_periodic() == ["b_fine"]
    assert ran == [1]
    assert "periodic job a_broken failed" in caplog.text
    assert jobs.last_runs()["a_broken"] is None


def test_sweeper_thread_pass_delivers_due_retries(app, outbox, only_outbox_sweep):
    row = outbox_row(next_attempt_at=utcnow() - timedelta(minutes=1), attempts=1)
    db.session.commit()

    assert sweeper.Sweeper(app).sweep_once() == ["outbox_sweep"]

    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT
    assert len(list(outbox.glob("*.eml"))) == 1


# --- delivery guarantees: claims, stale claims, dead letters ----------------------------------

def test_claim_stamps_the_claim_time(app, session):
    row = outbox_row(next_attempt_at=utcnow() - timedelta(days=2))
    before = utcnow()
    assert delivery._claim(row.id)
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENDING
    assert row.next_attempt_at >= before


def test_stale_claim_goes_back_to_pending_and_a_fresh_one_stays(app, session):
    now = utcnow()
    stale = outbox_row(DeliveryStatus.SENDING, attempts=1,
                       next_attempt_at=now - timedelta(seconds=delivery.CLAIM_SECONDS + 1))
    fresh = outbox_row(DeliveryStatus.SENDING, attempts=1, next_attempt_at=now)

    assert delivery.recover_stale(now) == 1

    db.session.refresh(stale)
    db.session.refresh(fresh)
    assert stale.status == DeliveryStatus.PENDING
    assert "stopped" in stale.last_error
    assert fresh.status == DeliveryStatus.SENDING


def test_stale_claim_out_of_tries_is_dead(app, session):
    now = utcnow()
    row = outbox_row(DeliveryStatus.SENDING, attempts=app.config["OUTBOX_MAX_ATTEMPTS"],
                     next_attempt_at=now - timedelta(hours=1))
    assert delivery.recover_stale(now) == 1
    db.session.refresh(row)
    assert row.status == DeliveryStatus.DEAD


def test_recovered_message_is_resent_with_the_same_message_id(app, outbox):
    now = utcnow()
    row = outbox_row(DeliveryStatus.SENDING, attempts=1, next_attempt_at=now - timedelta(hours=1))
    db.session.commit()

    assert delivery.sweep_outbox(now) == 1

    (path,) = outbox.glob("*.eml")
    assert f"<{row.message_id}>" in path.read_text()


def test_deliver_job_sends_more_than_one_batch(app, outbox, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH", 3)
    for _ in range(7):
        outbox_row()
    db.session.commit()
    assert delivery.deliver_all() == 7


def test_retrying_a_dead_message_resets_it_and_is_audited(app, session):
    admin = factories.person(is_admin=True)
    row = outbox_row(DeliveryStatus.DEAD, attempts=5, last_error="SMTP refused")

    delivery.retry_dead(row, by=admin)

    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.retry"))
    assert entry.actor_id == admin.id and entry.object_id == row.id


def test_only_a_dead_message_can_be_retried(app, session):
    admin = factories.person(is_admin=True)
    row = outbox_row(DeliveryStatus.SENT)
    with pytest.raises(delivery.NotDeadError):
        delivery.retry_dead(row, by=admin)


# --- Redis mode in the web process --------------------------------------------------------------

def test_redis_mode_pushes_committed_jobs_to_the_queue(app, redis_queue, outbox):
    rep = factories.person()
    with app.test_request_context():
        notify(rep, kind="test.redis", subject="Queued")
        db.session.commit()
        app.process_response(app.response_class()).close()

    (queued,) = redis_queue.jobs
    assert queued.args == ("deliver_outbox", {})
    assert not outbox.exists()  # nothing ran in the web process
    assert db.session.scalar(select(OutboxMessage.status)) == DeliveryStatus.PENDING


def test_redis_mode_drops_jobs_of_a_rolled_back_transaction(app, redis_queue):
    rep = factories.person()
    db.session.commit()
    with app.test_request_context():
        notify(rep, kind="test.redis", subject="Never")
        db.session.rollback()
    assert redis_queue.count == 0


def test_request_that_queues_mail_succeeds_while_redis_is_down(app, client, redis_down, caplog):
    rep = factories.person(email="rita@example.test")
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="lms.notify.queue"):
        response = client.post("/password/forgot", data={"email": rep.email})
    assert response.status_code == 302
    assert "Redis unreachable" in caplog.text
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == rep.email))
    assert row.status == DeliveryStatus.PENDING  # waiting for the sweep


def test_scheduler_enqueues_each_periodic_job_once_per_interval(app, redis_queue,
                                                                only_outbox_sweep):
    assert queue.schedule_due(app) == ["outbox_sweep"]
    assert queue.schedule_due(app) == []  # a second scheduler (or pass) finds the lock held
    assert [job.args[0] for job in redis_queue.jobs] == ["outbox_sweep"]


def test_worker_runs_a_queued_job_in_an_app_context(app, redis_queue, outbox):
    outbox_row()
    db.session.commit()
    queue.push([("deliver_outbox", {})], app)

    queue.work(app, burst=True)  # in this process: it shares the test's transaction

    assert db.session.scalar(select(OutboxMessage.status)) == DeliveryStatus.SENT
    assert len(list(outbox.glob("*.eml"))) == 1


# --- the health page ----------------------------------------------------------------------------

def test_health_page_shows_backlog_dead_letters_and_sweeps(app, client, login, outbox,
                                                          only_outbox_sweep):
    admin = factories.person(is_admin=True)
    outbox_row(created_at=utcnow() - timedelta(hours=3))
    outbox_row(DeliveryStatus.DEAD, attempts=5, last_error="550 mailbox unavailable",
               to_address="gone@example.test")
    login(admin)

    page = client.get("/admin/health").get_data(as_text=True)

    assert "Embedded (in-process)" in page
    assert 'data-testid="count-pending">1<' in page
    assert 'data-testid="oldest">3 h<' in page
    assert "gone@example.test" in page and "550 mailbox unavailable" in page
    assert "outbox_sweep" in page and "never" in page


def test_health_page_retry_button_requeues_a_dead_message(app, client, login, outbox):
    admin = factories.person(is_admin=True)
    row = outbox_row(DeliveryStatus.DEAD, attempts=5)
    login(admin)

    response = client.post(f"/admin/health/outbox/{row.id}/retry")

    assert response.status_code == 302
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT  # retried, and delivered after the response
    assert row.attempts == 1


def test_health_page_says_when_redis_is_unreachable(app, client, login, redis_down):
    login(factories.person(is_admin=True))
    page = client.get("/admin/health").get_data(as_text=True)
    assert "Redis workers" in page
    assert "unreachable" in page and "Redis is unreachable" in page


def test_health_page_counts_jobs_waiting_on_redis(app, redis_queue):
    queue.push([("deliver_outbox", {}), ("deliver_outbox", {})], app)
    health = check(app)
    assert health.mode == "redis"
    assert health.redis["reachable"] and health.redis["queued"] == 2


def test_health_page_query_count_does_not_grow_with_dead_letters(app, client, login,
                                                                 count_queries):
    login(factories.person(is_admin=True))
    counts = []
    for _ in range(2):
        for _ in range(5):
            outbox_row(DeliveryStatus.DEAD, attempts=5)
        with count_queries() as counter:
            assert client.get("/admin/health").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


# --- commands -----------------------------------------------------------------------------------

def test_worker_command_refuses_to_start_without_redis(app, session):
    result = app.test_cli_runner().invoke(args=["cadence", "worker", "--burst"])
    assert result.exit_code == 1
    assert "CADENCE_REDIS_URL" in result.output


def test_sweep_command_runs_the_periodic_jobs(app, outbox, only_outbox_sweep):
    outbox_row()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["cadence", "sweep"])
    assert "outbox_sweep: done" in result.output
    assert db.session.scalar(select(OutboxMessage.status)) == DeliveryStatus.SENT
