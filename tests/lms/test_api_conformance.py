"""The REST API against its own OpenAPI document, checked by schemathesis on a live server.

schemathesis reads /api/v1/openapi.json and sends generated requests, valid and invalid, to
every operation; each answer must be no server error and must match what the document says
(status codes, headers, content type, response schema, and every other check it has). It
runs with an admin's token and with a manager's (a person with reports), each with every
scope, as two sequential clients side by side. The seed and the number of examples per
operation are fixed, so a run is reproducible and bounded in time.

The server is a second app on a temporary SQLite file served from a thread (see
``tests.api_support.serve_api``): the per-test SAVEPOINT session cannot be shared with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.api_support import serve_api

SEED = 20261206
EXAMPLES = 6  # per operation
# Generated (fuzzing) cases, positive and negative. schemathesis's "coverage" phase sends
# every boundary of every field whatever EXAMPLES says (about 50 cases an operation) and
# would take minutes; run it by hand with ``--phases coverage`` when the document changes.
PHASES = "fuzzing"
TIMEOUT = 300  # seconds: a hung run fails instead of blocking the suite
# A request can match its schema and still be refused with 422: it names a row that does not
# exist or that the token's owner may not see, an email or slug already taken, an end before
# its start, or an Idempotency-Key already used for another body. Those are the answers the
# document gives for it, so 422 counts as an acceptable answer to schema-valid data too.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
"""


def _start(url: str, token: str, folder: Path) -> subprocess.Popen:
    """Start the schemathesis command line against ``url`` in a process group of its own."""
    folder.mkdir()
    config = folder / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config),
        "run", f"{url}/api/v1/openapi.json", "--checks", "all", "--phases", PHASES,
        "--seed", str(SEED), "--max-examples", str(EXAMPLES), "--workers", "1",
        "--header", f"Authorization: Bearer {token}",
    ]
    # cwd: schemathesis keeps a cache folder in its working directory.
    return subprocess.Popen(  # noqa: S603  (a fixed command)
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=folder,
        start_new_session=True, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"})


def test_api_answers_as_its_document_says_to_an_admin_and_a_manager(tmp_path):
    with serve_api(tmp_path / "server") as live:
        runs = {role: _start(live.url, live.tokens[role], tmp_path / role)
                for role in ("admin", "manager")}
        outputs = {}
        try:
            for role, process in runs.items():
                outputs[role], _ = process.communicate(timeout=TIMEOUT)
        finally:
            for process in runs.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    for role, process in runs.items():
        summary = outputs[role][outputs[role].rfind("SUMMARY"):]
        print(f"--- as {role} ---\n{summary}")
        assert process.returncode == 0, outputs[role][-20000:]
