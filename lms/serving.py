"""Serving the embedded default: waitress, one process with threads, links on its port.

Waitress rather than gunicorn here: it is pure Python and runs the same on Linux, macOS and
Windows, and it serves from threads of one process, so the embedded sweep thread and the
in-memory rate limiter keep working as they are (gunicorn's workers are forked processes,
each with its own limiter, and it does not run on Windows). Production mode keeps gunicorn
behind a proxy, with Redis for limits and jobs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

from lms.config import ConfigError

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104  (names, not a bind)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_PORTS = {"http": 80, "https": 443}


def base_url_for(host: str, port: int) -> str:
    """The address links should use for a server listening on ``host``:``port``."""
    shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in shown:  # an IPv6 address
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def settle_base_url(app: Flask, host: str, port: int) -> str:
    """Make links point at this server; refuse a ``CADENCE_BASE_URL`` that points elsewhere.

    Left unset, the base URL is derived from ``--host``/``--port``. Set, it must name this
    port when it names this machine (its own host, or a loopback name); a base URL on
    another host is a proxy's address, which cannot be checked from here and is kept.
    """
    if not app.config.get("BASE_URL_SET"):
        app.config["BASE_URL"] = base_url_for(host, port)
        return app.config["BASE_URL"]
    url = app.config["BASE_URL"]
    parts = urlsplit(url)
    named_port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    local = parts.hostname in LOOPBACK_HOSTS or parts.hostname == host
    if local and named_port != port:
        raise ConfigError(
            f"CADENCE_BASE_URL is {url}, but the server listens on port {port}: links in "
            f"emails, feeds and certificates would not reach it. Serve on port {named_port}, "
            f"or set CADENCE_BASE_URL to {base_url_for(host, port)} (or unset it).")
    return url


def serve(app: Flask, host: str, port: int, *, threads: int) -> None:
    """Serve ``app`` with waitress until interrupted."""
    from waitress import serve as waitress_serve

    # ``clear_untrusted_proxy_headers`` stays on: the app has its own proxy setting.
    waitress_serve(app, host=host, port=port, threads=threads, ident="Cadence",
                   channel_timeout=120)
