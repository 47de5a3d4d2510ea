"""A concurrent request mix against a live server, shared by a test and a benchmark.

``Server`` starts ``flask --app lms cadence serve`` (what ``make run`` does) as a process of
its own, in its own process group, on a migrated and seeded SQLite file; ``drive`` runs
client threads against it for a while. Each client repeats one of four kinds of work:

- ``page``: signed-in HTML pages (the home page, a check-in, the check-in list);
- ``api_read``: API lists (action items, check-ins) with a bearer token;
- ``form``: signs in through the form and adds agenda topics to a check-in, each post with
  the CSRF token read from the page before it;
- ``api_write``: adds action items through the API.

Every write the server acknowledged (a 302 after a form post, a 201 from the API) is kept,
so a caller can check that each is in the database afterwards. Only the standard library
speaks HTTP here, so the mix needs no client package.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from lms import ROOT

PASSWORD = "mix password not for real use"  # noqa: S105  (a throwaway database)
KINDS = ("page", "api_read", "form", "api_write")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_SECONDS = 60  # give up on a server that does not answer by then


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Seed:
    email: str  # the coach who signs in and owns the token
    token: str
    check_in_id: int
    owner_id: int  # owner of the action items the API writes


def seed(database_url: str, folder: Path) -> Seed:
    """Migrate ``database_url`` and add a coach, two reps, a check-in and an API token."""
    import flask_migrate

    from bench.run import quiet_logging
    from lms import create_app
    from lms.auth.services import create_api_token
    from lms.db import utcnow
    from lms.extensions import db
    from lms.people.models import Level
    from lms.people.services import PersonData, create_person
    from reinforcement.checkins.models import CheckIn

    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(folder),
                      "SECRET_KEY": "mix", "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
                      "ARGON2_PARALLELISM": 1})
    with app.app_context():
        with quiet_logging():
            flask_migrate.upgrade()
        from lms.auth.services import set_password

        people = {}
        for key, level, manager in (("leader", Level.LEADER, None),
                                    ("coach", Level.MANAGER, "leader"),
                                    ("rep", Level.REP, "coach")):
            person = create_person(PersonData(
                email=f"{key}@mix.example", name=f"Mix {key.title()}", level=level,
                manager_id=people[manager].id if manager else None), by=None)
            db.session.flush()
            set_password(person, PASSWORD, by=None)
            people[key] = person
        check_in = CheckIn(coach_id=people["coach"].id, coachee_id=people["rep"].id,
                           scheduled_at=(utcnow() + timedelta(days=30)).replace(microsecond=0),
                           minutes=30)
        db.session.add(check_in)
        _, secret = create_api_token(people["coach"], password=PASSWORD, name="mix",
                                     scopes=["reinforcement:write"], days=1)
        db.session.commit()
        result = Seed(people["coach"].email, secret, check_in.id, people["rep"].id)
        db.session.remove()
        db.engine.dispose()
    return result


class Server:
    """A server process in a process group of its own; ``stop`` ends the whole group."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, port: int):
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}"
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603  (a fixed command)
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    @classmethod
    def cadence(cls, database_url: str, folder: Path, *, threads: int | None = None,
                extra_env: dict[str, str] | None = None) -> Server:
        """``flask --app lms cadence serve`` on a free port, configured by environment."""
        port = free_port()
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("CADENCE_")}
        env.update(CADENCE_DATABASE_URL=database_url, CADENCE_SECRET_KEY="mix",  # noqa: S106
                   CADENCE_OUTBOX_DIR=str(folder / "outbox"), CADENCE_ARGON2_TIME_COST="1",
                   CADENCE_ARGON2_MEMORY_COST="1024", CADENCE_ARGON2_PARALLELISM="1",
                   **({"CADENCE_SERVE_THREADS": str(threads)} if threads else {}),
                   **(extra_env or {}))
        command = [sys.executable, "-m", "flask", "--app", "lms", "cadence", "serve",
                   "--port", str(port)]
        return cls(command, env, folder / "server.log", port)

    def wait_ready(self, path: str = "/login") -> None:
        """Poll until the server answers (the deadline only stops a server that hangs)."""
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server never answered:\n{self.output()}") from None
                time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        """End the server and every process it started (its process group)."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer we record, not something to follow


@dataclass
class Tally:
    """What the clients saw: status counts, latencies, acknowledged writes."""

    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)  # topics whose post got a 302
    actions: list[str] = field(default_factory=list)  # titles whose post got a 201
    errors: list[str] = field(default_factory=list)  # first lines of 5xx answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies.append(seconds)
            if (status >= 500 or status == 0) and len(self.errors) < 20:
                self.errors.append(detail[:300])

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        """Answers 5xx, and requests that got no answer at all (counted as status 0)."""
        return sum(count for status, count in self.statuses.items()
                   if status >= 500 or status == 0)


class Client:
    """One simulated person: a cookie jar and timed requests that never raise on a status."""

    def __init__(self, base: str, tally: Tally, token: str | None = None):
        self.base, self.tally, self.token = base, tally, token
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def request(self, method: str, path: str, *, form: dict | None = None,
                payload: dict | None = None) -> tuple[int, str]:
        headers, data = {}, None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310  (the server's own http URL)
            self.base + path, data=data, method=method, headers=headers)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, body = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, OSError) as error:  # no answer at all: status 0
            status, body = 0, repr(error)
        self.tally.add(status, time.perf_counter() - started, f"{method} {path}: {body}")
        return status, body

    def csrf(self, path: str) -> str | None:
        status, body = self.request("GET", path)
        found = CSRF.search(body) if status == 200 else None
        return found.group(1) if found else None

    def sign_in(self, email: str) -> None:
        token = self.csrf("/login")
        self.request("POST", "/login", form={"email": email, "password": PASSWORD,
                                             "csrf_token": token or ""})


def _work(kind: str, client: Client, seed: Seed, tally: Tally) -> None:
    """One round of ``kind``'s requests."""
    check_in = f"/reinforcement/check-ins/{seed.check_in_id}"
    if kind == "page":
        for path in ("/", check_in, "/reinforcement/check-ins"):
            client.request("GET", path)
    elif kind == "api_read":
        client.request("GET", "/api/v1/action-items/?state=all&per_page=20")
        client.request("GET", "/api/v1/check-ins/")
    elif kind == "form":
        token = client.csrf(check_in)
        topic = f"topic {uuid.uuid4().hex}"
        status, _ = client.request("POST", f"{check_in}/agenda",
                                   form={"text": topic, "csrf_token": token or ""})
        if status == 302:
            with tally.lock:
                tally.agenda.append(topic)
    else:
        title = f"action {uuid.uuid4().hex}"
        status, _ = client.request("POST", "/api/v1/action-items/", payload={
            "check_in_id": seed.check_in_id, "title": title, "owner_id": seed.owner_id,
            "due_on": "2030-01-31"})
        if status == 201:
            with tally.lock:
                tally.actions.append(title)


def drive(base: str, seed: Seed, *, clients: int, seconds: float) -> Tally:
    """Run ``clients`` threads, the four kinds in turn, for ``seconds``; return the tally."""
    tally = Tally()
    stop = time.monotonic() + seconds
    ready = threading.Barrier(clients)

    def run(kind: str) -> None:
        client = Client(base, tally, seed.token if kind.startswith("api") else None)
        if kind in ("page", "form"):
            client.sign_in(seed.email)
        ready.wait()
        while time.monotonic() < stop:
            _work(kind, client, seed, tally)

    threads = [threading.Thread(target=run, args=(KINDS[n % len(KINDS)],), daemon=True)
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def acknowledged_missing(database_url: str, tally: Tally) -> list[str]:
    """The acknowledged writes that are not in the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            topics = set(connection.scalars(text("SELECT text FROM agenda_items")))
            titles = set(connection.scalars(text("SELECT title FROM action_items")))
    finally:
        engine.dispose()
    return ([t for t in tally.agenda if t not in topics]
            + [t for t in tally.actions if t not in titles])
