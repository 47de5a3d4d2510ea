"""Benchmarks for the platform core; prints figures, asserts nothing.

    python -m bench.run                      # SQLite files in a temporary folder
    python -m bench.run --size 2000 --requests 20
    python -m bench.run --database-url postgresql+psycopg://user@host/empty_db --reset

(a) the org-chart CSV import of ``--size`` rows through ``lms.people.csv_io.import_people``,
(b) a raw bulk insert of the same rows (one Core executemany into ``users``), each into a fresh
database in the same run, and their ratio (target: at most 5x);
(c) the team page of the person with about 2,000 people under them: median and p95 over
``--requests`` signed-in requests through the test client, and the page's query count next to
that of a 5-person team (target: the same count).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import flask_migrate
from flask import Flask, g, request_started
from sqlalchemy import event, insert, inspect, select, text, update

from bench import scale
from lms import create_app
from lms.auth.passwords import hash_password
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User

PASSWORD = "bench password not for real use"  # noqa: S105  (a throwaway database)
TARGET_RATIO = 5.0
TARGET_MEDIAN_MS = 150.0


@dataclass(order=True)
class Timing:
    wall: float
    cpu: float  # this process only: all of SQLite's work, none of a PostgreSQL server's


@dataclass
class Figures:
    rows: int = 0
    import_time: Timing = field(default_factory=lambda: Timing(0.0, 0.0))
    raw_time: Timing = field(default_factory=lambda: Timing(0.0, 0.0))
    big_team: tuple[str, str, int] = ("", "", 0)  # email, level, people under them
    small_team: tuple[str, str, int] = ("", "", 0)
    median_ms: float = 0.0
    p95_ms: float = 0.0
    cpu_median_ms: float = 0.0
    big_queries: int = 0
    small_queries: int = 0
    requests: int = 0
    repeat: int = 1


class Databases:
    """Hands out a fresh, migrated database for each phase of the run."""

    def __init__(self, url: str | None, folder: Path):
        self.url, self.folder, self.count = url, folder, 0

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Flask]:
        self.count += 1
        url = self.url or f"sqlite:///{self.folder / f'bench{self.count}.db'}"
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(self.folder),
                          "SECRET_KEY": "bench", "TESTING": True, "WTF_CSRF_ENABLED": False,
                          "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
                          "ARGON2_PARALLELISM": 1})
        request_started.connect(fresh_globals, app)
        with app.app_context():
            if self.url:  # one server database, emptied between phases
                empty_schema()
            with quiet_logging():
                flask_migrate.upgrade()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def fresh_globals(sender, **extra) -> None:
    """Empty ``g`` as each request starts, as it is on a server.

    The benchmark keeps one app context open, which every test-client request reuses, so
    ``g`` would carry Flask-Login's user from one client to the next: a second client's
    sign-in would be refused as "already signed in" and it would act as the first person.
    """
    for name in list(g):
        g.pop(name)


def empty_schema() -> None:
    """Drop every table of the server database the benchmark was given."""
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@contextlib.contextmanager
def quiet_logging() -> Iterator[None]:
    """Keep Alembic's per-migration INFO lines out of the figures."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def add_database_options(parser: argparse.ArgumentParser,
                         default: str = "a temporary SQLite file") -> None:
    """``--database-url`` (a scratch PostgreSQL database) and ``--reset``."""
    parser.add_argument("--database-url", help="a scratch server database (PostgreSQL); "
                                               f"default: {default}")
    parser.add_argument("--reset", action="store_true",
                        help="allow emptying a --database-url that already has tables")


def check_database_url(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a ``--database-url`` that is not PostgreSQL, or that holds tables unless
    ``--reset`` allows emptying it."""
    if args.database_url:
        if not args.database_url.startswith("postgresql"):
            parser.error("--database-url must be a PostgreSQL URL (SQLite is the default)")
        ensure_empty(args.database_url, args.reset)


@contextlib.contextmanager
def scratch_app(url: str | None, prefix: str) -> Iterator[Flask]:
    """An app on one fresh, migrated database: ``url``, or a temporary SQLite file.

    A server database is emptied again after a run that went through, as it was found.
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        with Databases(url, Path(folder)).fresh() as app:
            yield app
            if url:
                db.session.remove()
                empty_schema()


def ensure_empty(url: str, reset: bool) -> None:
    """Refuse to empty a server database that holds tables unless ``--reset`` says so."""
    from sqlalchemy import create_engine, make_url

    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables and not reset:
        shown = make_url(url).render_as_string(hide_password=True)
        sys.exit(f"{shown} already has tables ({', '.join(tables[:5])} …). The benchmark empties "
                 "the database: point it at a scratch database, or pass --reset to allow it.")


def raw_rows(people: list[scale.Person]) -> list[dict]:
    """The same rows as the import writes, with ids assigned so managers come first."""
    ids = {person.email: number for number, person in enumerate(people, start=1)}
    now = utcnow()
    return [{"id": ids[p.email], "email": p.email, "name": p.name, "job_title": p.title,
             "level": p.level, "manager_id": ids[p.manager.email] if p.manager else None,
             "is_admin": "admin" in p.roles, "is_facilitator": "facilitator" in p.roles,
             "is_active": True, "time_zone": "UTC", "session_generation": 1,
             "created_at": now, "updated_at": now} for p in people]


@contextlib.contextmanager
def timing() -> Iterator[Timing]:
    result = Timing(0.0, 0.0)
    wall, cpu = time.perf_counter(), time.process_time()
    yield result
    result.wall, result.cpu = time.perf_counter() - wall, time.process_time() - cpu


def time_raw_insert(databases: Databases, people: list[scale.Person]) -> Timing:
    """Time one Core executemany of every row into ``users``, commit included."""
    rows = raw_rows(people)
    with databases.fresh():
        with timing() as elapsed, db.engine.begin() as connection:
            connection.execute(insert(User.__table__), rows)
        if db.session.scalar(select(db.func.count(User.id))) != len(rows):
            sys.exit("the raw insert lost rows")
    return elapsed


def time_import(app: Flask, data: bytes, expected: int) -> Timing:
    """Time ``import_people`` and its commit, as the CLI and the browser run it."""
    from lms.people.csv_io import import_people

    with timing() as elapsed:
        result = import_people(data, by=None)
        db.session.commit()
    if result.created != expected:
        sys.exit(f"import created {result.created} people, expected {expected}")
    return elapsed


@contextlib.contextmanager
def counting_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def signed_in_client(app: Flask, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        sys.exit(f"could not sign in as {email}: HTTP {response.status_code}")
    return client


def team_page(client) -> None:
    response = client.get("/team")
    if response.status_code != 200:
        sys.exit(f"/team answered HTTP {response.status_code}")


def measure_team(app: Flask, people: list[scale.Person], requests: int, figures: Figures) -> None:
    """Time the big team page and compare its query count with a 5-person team's."""
    sizes = scale.subtree_sizes(people)
    level = {person.email: person.level for person in people}
    big = min(sizes, key=lambda email: (abs(sizes[email] - 2000), email))
    small = min((e for e in sizes if sizes[e] == 4), default=None) or min(
        sizes, key=lambda email: (abs(sizes[email] - 4), email))
    figures.big_team = (big, level[big], sizes[big])
    figures.small_team = (small, level[small], sizes[small])
    db.session.execute(update(User).where(User.email.in_([big, small]))
                       .values(password_hash=hash_password(PASSWORD)))
    db.session.commit()

    counts = []
    for email in (big, small):
        client = signed_in_client(app, email)
        team_page(client)  # warm caches (templates, statements) before counting and timing
        with counting_queries() as statements:
            team_page(client)
        counts.append(len(statements))
        if email == big:
            timings, cpu = [], []
            for _ in range(requests):
                with timing() as elapsed:
                    team_page(client)
                timings.append(elapsed.wall * 1000)
                cpu.append(elapsed.cpu * 1000)
    figures.big_queries, figures.small_queries = counts
    figures.requests = len(timings)
    figures.median_ms = statistics.median(timings)
    figures.p95_ms = statistics.quantiles(timings, n=20, method="inclusive")[-1]
    figures.cpu_median_ms = statistics.median(cpu)


def report(figures: Figures, backend: str) -> str:
    ratio = figures.import_time.wall / figures.raw_time.wall
    cpu_ratio = figures.import_time.cpu / figures.raw_time.cpu
    big_email, big_level, big_size = figures.big_team
    small_email, small_level, small_size = figures.small_team

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    lines = [
        f"Cadence benchmarks on {backend}",
        "",
        f"{'measure':<44} {'figure':>14}  target",
        f"{'-' * 44} {'-' * 14}  {'-' * 20}",
        f"{f'(a) CSV import, {figures.rows:,} rows':<44} {figures.import_time.wall:>12.3f} s  "
        f"best of {figures.repeat}",
        f"{f'(b) raw bulk insert, {figures.rows:,} rows':<44} {figures.raw_time.wall:>12.3f} s  "
        f"best of {figures.repeat}",
        f"{'    ratio import / raw insert':<44} {ratio:>13.2f}x  "
        f"<= {TARGET_RATIO:.0f}x {verdict(ratio <= TARGET_RATIO)}",
        f"{'    same, process CPU time':<44} {cpu_ratio:>13.2f}x  "
        f"({figures.import_time.cpu:.3f} s / {figures.raw_time.cpu:.3f} s)",
        f"{f'(c) team page, {big_size:,} people under them':<44}",
        f"{f'    median over {figures.requests} requests':<44} {figures.median_ms:>11.1f} ms  "
        f"< {TARGET_MEDIAN_MS:.0f} ms {verdict(figures.median_ms < TARGET_MEDIAN_MS)}",
        f"{'    p95':<44} {figures.p95_ms:>11.1f} ms",
        f"{'    median process CPU time per request':<44} {figures.cpu_median_ms:>11.1f} ms",
        f"{'    SQL queries, big team':<44} {figures.big_queries:>14}  "
        f"same as small {verdict(figures.big_queries == figures.small_queries)}",
        f"{f'    SQL queries, {small_size + 1}-person team':<44} {figures.small_queries:>14}",
        "",
        f"big team: {big_email} ({big_level}); small team: {small_email} ({small_level})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Cadence core benchmarks (figures only).")
    parser.add_argument("--size", type=int, default=10_000, help="people in the org chart")
    parser.add_argument("--depth", type=int, default=5, choices=sorted(scale.TIERS))
    parser.add_argument("--requests", type=int, default=50, help="team page requests to time")
    parser.add_argument("--repeat", type=int, default=3,
                        help="import and raw insert runs, each into a fresh database; best kept")
    add_database_options(parser, "temporary SQLite files")
    parser.add_argument("--profile", type=Path, metavar="HTML",
                        help="profile the import with pyinstrument and write an HTML report")
    args = parser.parse_args(argv)
    if args.requests < 2 or args.repeat < 1:
        parser.error("--requests must be at least 2 and --repeat at least 1")
    check_database_url(parser, args)

    people = scale.generate(args.size, args.depth)
    data = scale.to_csv(people)
    figures = Figures(rows=len(people), repeat=args.repeat)
    with tempfile.TemporaryDirectory(prefix="cadence-bench-") as folder:
        databases = Databases(args.database_url, Path(folder))
        # Alternate the two so that a busy moment on the machine hits both alike; the best of
        # each is the figure least disturbed by other work.
        raw, imports = [], []
        for attempt in range(args.repeat):
            raw.append(time_raw_insert(databases, people))
            last = attempt == args.repeat - 1
            with databases.fresh() as app:
                backend = db.engine.dialect.name
                if args.profile and last:
                    imports.append(profiled(args.profile, time_import, app, data, len(people)))
                else:
                    imports.append(time_import(app, data, len(people)))
                if last:
                    measure_team(app, people, args.requests, figures)
                    if args.database_url:  # leave the scratch database as we found it
                        db.session.remove()
                        empty_schema()
        figures.raw_time, figures.import_time = min(raw), min(imports)
        figures.raw_time.cpu = min(t.cpu for t in raw)
        figures.import_time.cpu = min(t.cpu for t in imports)
    print(report(figures, backend))


def profiled(path: Path, function, *args) -> float:
    from pyinstrument import Profiler  # optional: pip install pyinstrument

    profiler = Profiler()
    profiler.start()
    try:
        return function(*args)
    finally:
        profiler.stop()
        path.write_text(profiler.output_html())
        print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
