"""The embedded default under concurrent users: the real server, many clients, no 5xx.

The server is ``flask --app lms cadence serve`` in a process group of its own (what ``make
run`` starts) on a migrated, seeded SQLite file; 16 client threads mix signed-in pages, API
reads, form posts with CSRF tokens and API writes for a bounded time. The time bound only
limits how long the load runs; nothing here asserts on speed.
"""

from __future__ import annotations

from bench import mix

CLIENTS = 16
SECONDS = 12


def test_concurrent_clients_get_no_server_error_and_every_acknowledged_write_is_stored(
        tmp_path):
    url = f"sqlite:///{tmp_path / 'cadence.db'}"
    seed = mix.seed(url, tmp_path)
    server = mix.Server.cadence(url, tmp_path)
    try:
        server.wait_ready()
        tally = mix.drive(server.url, seed, clients=CLIENTS, seconds=SECONDS)
    finally:
        server.stop()

    print(f"{tally.total} responses {sorted(tally.statuses.items())}, "
          f"{tally.server_errors} 5xx; {len(tally.agenda)} form posts and "
          f"{len(tally.actions)} API writes acknowledged")
    assert tally.server_errors == 0, tally.errors[:5]
    assert set(tally.statuses) <= {200, 201, 302}, tally.statuses
    assert tally.agenda and tally.actions  # both kinds of write got through
    assert mix.acknowledged_missing(url, tally) == []
