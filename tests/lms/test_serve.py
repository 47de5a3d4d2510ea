"""``flask cadence serve``: waitress, the periodic sweep, and links that reach the server.

The live test starts the command as ``make run`` does, in a process group of its own that
is killed in a ``finally``; the others run the command with the server itself replaced.
"""

from __future__ import annotations

import time
import urllib.request
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench import mix
from lms import create_app, serving
from lms.notify import sweeper

WAIT_SECONDS = 60  # only stops a test whose server never gets there


def _wait_for(condition, server: mix.Server) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert server.process.poll() is None, server.output()
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)


def _queue_email(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO outbox_messages (message_id, to_address, to_name, subject, body_text,"
            " body_html, status, attempts, last_error, created_at, next_attempt_at)"
            " VALUES ('sweep@cadence.test', 'someone@example.test', '', 'Swept', 'Hello',"
            " '', 'pending', 0, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    engine.dispose()


def _status(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        status = connection.scalar(text(
            "SELECT status FROM outbox_messages WHERE message_id = 'sweep@cadence.test'"))
    engine.dispose()
    return status


def _reset_link_mail(outbox: Path) -> str | None:
    for path in outbox.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=default_policy)
        if "reset" in message["Subject"].lower():
            return message.get_body(("plain",)).get_content()
    return None


def test_make_run_serves_with_waitress_sweeps_and_links_to_its_port(tmp_path):
    url = f"sqlite:///{tmp_path / 'cadence.db'}"
    seed = mix.seed(url, tmp_path)
    _queue_email(url)  # due now: the sweep thread's first pass sends it
    server = mix.Server.cadence(url, tmp_path)
    try:
        server.wait_ready()
        with urllib.request.urlopen(server.url + "/login") as response:  # noqa: S310
            software = response.headers["Server"]
        _wait_for(lambda: _status(url) == "sent", server)

        tally = mix.Tally()
        client = mix.Client(server.url, tally)
        token = client.csrf("/password/forgot")
        status, _ = client.request("POST", "/password/forgot",
                                   form={"email": seed.email, "csrf_token": token})
        assert status == 302
        _wait_for(lambda: _reset_link_mail(tmp_path / "outbox") is not None, server)
    finally:
        server.stop()

    assert software == "Cadence"  # waitress's ident (Werkzeug's server names itself)
    assert f"{server.url}/password/reset/" in _reset_link_mail(tmp_path / "outbox")


@pytest.fixture
def served(monkeypatch):
    """Run ``flask cadence serve`` with the server and the sweep thread replaced."""
    calls = []
    monkeypatch.setattr(serving, "serve", lambda app, host, port, *, threads: calls.append(
        (app.config["BASE_URL"], host, port, threads)))
    monkeypatch.setattr(sweeper, "start", lambda app: calls.append("sweep"))

    def run(tmp_path, *args: str, **config):
        app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "serve-test",
                          "DATABASE_URL": "sqlite://", **config})
        return app.test_cli_runner().invoke(args=["cadence", "serve", *args]), calls
    return run


def test_serve_without_a_base_url_links_to_the_port_it_serves(served, tmp_path):
    result, calls = served(tmp_path, "--port", "8123", SERVE_THREADS=3)
    assert result.exit_code == 0, result.output
    assert calls == ["sweep", ("http://127.0.0.1:8123", "127.0.0.1", 8123, 3)]


def test_serve_refuses_a_base_url_on_another_port(served, tmp_path):
    result, calls = served(tmp_path, "--port", "8123", BASE_URL="http://localhost:5000")
    assert result.exit_code == 2
    assert "CADENCE_BASE_URL is http://localhost:5000" in result.output
    assert "port 8123" in result.output
    assert calls == []  # neither the sweep nor the server started


def test_serve_keeps_a_base_url_that_agrees_or_names_a_proxy(served, tmp_path):
    result, calls = served(tmp_path, "--port", "8123", BASE_URL="http://127.0.0.1:8123")
    assert result.exit_code == 0, result.output
    result, calls = served(tmp_path, "--port", "8123", BASE_URL="https://lms.example.com")
    assert result.exit_code == 0, result.output
    assert [call[0] for call in calls if call != "sweep"] == [
        "http://127.0.0.1:8123", "https://lms.example.com"]
