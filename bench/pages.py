"""Timing signed-in page requests for the benchmarks, and the rows that report them.

A page is timed through the test client (median and p95 over a number of requests), and its
query count is compared with the same page's for a small subtree: the count must not grow.
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass

from flask import Flask

from bench.run import counting_queries, signed_in_client, timing

TARGET_MEDIAN_MS = 200.0


@dataclass
class PageFigures:
    label: str
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: int = 0
    small_queries: int = 0
    requests: int = 0


def time_page(app: Flask, email: str, small_email: str, url: str, requests: int,
              label: str) -> PageFigures:
    """Time ``url`` for ``email``; count its queries for ``email`` and for ``small_email``."""
    figures = PageFigures(label, requests=requests)
    counts = []
    for who in (email, small_email):
        client = sign_in(app, who)
        counts.append(query_count(app, client, url))
        if who == email:
            timings = []
            for _ in range(requests):
                with timing() as elapsed:
                    fetch(app, client, url)
                timings.append(elapsed.wall * 1000)
    figures.queries, figures.small_queries = counts
    figures.median_ms = statistics.median(timings)
    figures.p95_ms = statistics.quantiles(timings, n=20, method="inclusive")[-1]
    return figures


def query_count(app: Flask, client, url: str) -> int:
    """The SQL statements a request for ``url`` sends once a first request warmed the caches
    (templates, statements)."""
    fetch(app, client, url)
    with counting_queries() as statements:
        fetch(app, client, url)
    return len(statements)


def fetch(app: Flask, client, url: str) -> None:
    # A fresh app context per request gives it its own database session and ``g``, as on a
    # server; the benchmark's own context would otherwise lend it warm objects.
    with app.app_context():
        response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url} answered HTTP {response.status_code}")


def sign_in(app: Flask, email: str):
    with app.app_context():
        return signed_in_client(app, email)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report_head(title: str, data: str) -> list[str]:
    """A report's first lines: what ran where, the data, and the column heads."""
    return [title, data, "", f"{'measure':<52} {'figure':>12}  target",
            f"{'-' * 52} {'-' * 12}  {'-' * 24}"]


def page_lines(page: PageFigures, big_label: str, small_label: str,
               target: str | None = None) -> list[str]:
    """A timed page's rows; ``target`` defaults to the median against the 200 ms target."""
    if target is None:
        target = f"< {TARGET_MEDIAN_MS:.0f} ms {verdict(page.median_ms < TARGET_MEDIAN_MS)}"
    return [
        f"{page.label:<52}",
        f"{f'    median over {page.requests} requests':<52} {page.median_ms:>9.1f} ms  "
        f"{target}",
        f"{'    p95':<52} {page.p95_ms:>9.1f} ms",
        f"{big_label:<52} {page.queries:>12}  "
        f"same as small {verdict(page.queries == page.small_queries)}",
        f"{small_label:<52} {page.small_queries:>12}",
    ]
