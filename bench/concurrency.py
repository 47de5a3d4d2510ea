"""Concurrent users on the embedded default; prints figures, asserts nothing.

    python -m bench.concurrency                   # 16 clients for 15 s, 8 server threads
    python -m bench.concurrency --clients 32 --seconds 30 --threads 16

Starts ``flask --app lms cadence serve`` (what ``make run`` serves with) on a temporary SQLite
file, migrated and seeded, and drives it with ``--clients`` threads running the mix of
``bench.mix``: signed-in pages, API reads, form posts with CSRF tokens, API writes. Then the
same clients run the same mix against ``bench.hello``, a hello-world Flask app served by the
same server with the same thread count. Printed for each: responses, requests per second,
median and p95 latency, 5xx answers; then Cadence's share of the hello-world rate and its p95
next to hello-world's. The clients share the machine with the server, so the figures are a
lower bound of what the server alone could do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import mix
from lms.config import Defaults


@dataclass
class Figures:
    label: str
    responses: int
    seconds: float
    median_ms: float
    p95_ms: float
    server_errors: int

    @property
    def rate(self) -> float:
        return self.responses / self.seconds

    def row(self) -> str:
        return (f"{self.label:<12} {self.responses:>9} {self.rate:>9.1f} "
                f"{self.median_ms:>10.1f} {self.p95_ms:>8.1f} {self.server_errors:>5}")


def figures(label: str, tally: mix.Tally, seconds: float) -> Figures:
    latencies = sorted(ms * 1000 for ms in tally.latencies) or [0.0]
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1] if len(
        latencies) > 1 else latencies[0]
    return Figures(label, tally.total, seconds, statistics.median(latencies), p95,
                   tally.server_errors)


def run_cadence(folder: Path, clients: int, seconds: float, threads: int) -> Figures:
    url = f"sqlite:///{folder / 'cadence.db'}"
    seed = mix.seed(url, folder)
    server = mix.Server.cadence(url, folder, threads=threads)
    try:
        server.wait_ready()
        tally = mix.drive(server.url, seed, clients=clients, seconds=seconds)
    finally:
        server.stop()
    missing = mix.acknowledged_missing(url, tally)
    if missing:
        print(f"warning: {len(missing)} acknowledged writes are missing", file=sys.stderr)
    return figures("cadence", tally, seconds)


def run_hello(folder: Path, clients: int, seconds: float, threads: int) -> Figures:
    port = mix.free_port()
    env = dict(os.environ, CADENCE_SERVE_THREADS=str(threads))
    server = mix.Server([sys.executable, "-m", "bench.hello", "--port", str(port)], env,
                        folder / "hello.log", port)
    seed = mix.Seed(email="hello@example.test", token="hello",  # noqa: S106  (no secret)
                    check_in_id=1, owner_id=1)
    try:
        server.wait_ready()
        tally = mix.drive(server.url, seed, clients=clients, seconds=seconds)
    finally:
        server.stop()
    return figures("hello-world", tally, seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Cadence concurrency benchmark.")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--threads", type=int, default=Defaults.SERVE_THREADS,
                        help="server threads (CADENCE_SERVE_THREADS), the same for both")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cadence-bench-concurrency-") as folder:
        cadence = run_cadence(Path(folder), args.clients, args.seconds, args.threads)
        hello = run_hello(Path(folder), args.clients, args.seconds, args.threads)
    print(f"{args.clients} clients for {args.seconds:g} s against waitress with "
          f"{args.threads} threads (pages, API reads, form posts, API writes in turn)")
    print(f"{'server':<12} {'responses':>9} {'req/s':>9} {'median ms':>10} {'p95 ms':>8} "
          f"{'5xx':>5}")
    print(cadence.row())
    print(hello.row())
    print(f"cadence / hello-world: {cadence.rate / hello.rate:.1%} of the requests per second, "
          f"p95 {cadence.p95_ms / hello.p95_ms:.1f}x")


if __name__ == "__main__":
    main()
