"""Configuration: defaults, an optional instance file, then ``CADENCE_*`` environment variables."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

ENV_PREFIX = "CADENCE_"
SECRET_FILE = "secret_key"  # noqa: S105  (a file name)
INSTANCE_CONFIG = "cadence.cfg"


class ConfigError(RuntimeError):
    """Raised when the configuration cannot start the app safely."""


class Defaults:
    ENV = "embedded"  # "embedded" (single machine, SQLite) or "production"
    BASE_URL = "http://127.0.0.1:5000"
    CERTIFICATE_ISSUER = "Cadence"  # the issuer printed on certificates
    DATABASE_URL: str | None = None
    REDIS_URL: str | None = None

    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_STARTTLS = True
    MAIL_USE_SSL = False
    MAIL_SENDER = "Cadence <cadence@localhost>"
    MAIL_TIMEOUT = 10
    OUTBOX_MAX_ATTEMPTS = 5
    OUTBOX_SWEEP_SECONDS = 60  # retry due emails at most this often (0: only on new mail)
    OUTBOX_CLAIM_SECONDS = 300  # a claim older than this belongs to a dead worker
    RQ_QUEUE = "cadence"
    # SQLite: how long a transaction waits for the write lock before "database is locked".
    SQLITE_BUSY_SECONDS = 30
    SERVE_THREADS = 8  # ``flask cadence serve``: requests served at once (one process)

    PASSWORD_MIN_LENGTH = 12
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536  # KiB, RFC 9106 second recommended option
    ARGON2_PARALLELISM = 4
    PASSWORD_RESET_MINUTES = 60
    LOGIN_THROTTLE = "5 per 15 minutes"
    # Proxies in front of the app whose X-Forwarded-For/-Proto are trusted. Behind a proxy
    # with 0, every request seems to come from the proxy and shares one throttling address.
    TRUSTED_PROXIES = 0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "cadence_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_NAME = "cadence_remember"

    WTF_CSRF_TIME_LIMIT = None  # tied to the session lifetime instead
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    COURSE_FILE_MAX_BYTES = 10 * 1024 * 1024  # one lesson file; requests are capped above
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BOOTSTRAP_SERVE_LOCAL = True

    API_TITLE = "Cadence API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    # Space-separated origins (https://media.example.com) that lesson videos may play from;
    # the page's own origin is always allowed.
    MEDIA_ORIGINS = ""
    REMINDER_LOCAL_HOUR = 8  # reminders go out from this local hour …
    REMINDER_LOCAL_HOUR_END = 21  # … until this one, in each person's time zone
    # Communication coverage: a pre-training message counts when delivered at least this
    # many days before the session starts.
    COMMUNICATION_LEAD_DAYS = 14
    # Rhythm adherence: a coach below any of these percentages is flagged as needing help.
    ADHERENCE_HELD_MIN = 80  # check-ins held within a day of schedule
    ADHERENCE_AGENDA_MIN = 70  # agendas prepared before the meeting
    ADHERENCE_ACTIONS_MIN = 70  # action items due in the period that are done


BOOLEAN_KEYS = {"MAIL_USE_STARTTLS", "MAIL_USE_SSL", "TESTING"}
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
# Lifetimes are given in seconds; Flask and Flask-Login accept whole seconds for both.
INTEGER_KEYS = {
    "MAIL_PORT", "MAIL_TIMEOUT", "OUTBOX_MAX_ATTEMPTS", "OUTBOX_SWEEP_SECONDS",
    "PASSWORD_MIN_LENGTH",
    "ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM", "PASSWORD_RESET_MINUTES",
    "PERMANENT_SESSION_LIFETIME", "REMEMBER_COOKIE_DURATION", "MAX_CONTENT_LENGTH",
    "TRUSTED_PROXIES", "COURSE_FILE_MAX_BYTES", "REMINDER_LOCAL_HOUR", "REMINDER_LOCAL_HOUR_END",
    "OUTBOX_CLAIM_SECONDS", "COMMUNICATION_LEAD_DAYS", "SQLITE_BUSY_SECONDS", "SERVE_THREADS",
    "ADHERENCE_HELD_MIN", "ADHERENCE_AGENDA_MIN", "ADHERENCE_ACTIONS_MIN",
}
MODES = ("embedded", "production")
# Goes into the CSP header verbatim, so nothing but scheme, host and port may pass.
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
MAX_RESET_MINUTES = 60
MAX_LEAD_DAYS = 365
MAX_THREADS = 256


def _from_environment() -> dict:
    values = {}
    for name, raw in os.environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX):]
        if key in BOOLEAN_KEYS:
            word = raw.strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ConfigError(f"{name} must be true or false, got {raw!r}")
            values[key] = word in TRUE_WORDS
        elif key in INTEGER_KEYS:
            try:
                values[key] = int(raw)
            except ValueError as exc:
                raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
        else:
            values[key] = raw
    return values


def _embedded_secret(instance: Path) -> str:
    """Return the secret key kept in the instance folder, creating it on first start."""
    path = instance / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def _check(config) -> None:
    """Refuse values that would start the app in an unsafe or surprising state."""
    # A value such as "prod" must not silently fall back to the embedded defaults.
    config["ENV"] = str(config["ENV"]).strip().lower()
    if config["ENV"] not in MODES:
        raise ConfigError(f"CADENCE_ENV must be one of {', '.join(MODES)}, "
                          f"got {config['ENV']!r}")
    for origin in str(config.get("MEDIA_ORIGINS") or "").split():
        if not ORIGIN.match(origin):
            raise ConfigError(f"CADENCE_MEDIA_ORIGINS takes origins such as "
                              f"https://media.example.com, got {origin!r}")
    if not 1 <= config["PASSWORD_RESET_MINUTES"] <= MAX_RESET_MINUTES:
        raise ConfigError(f"CADENCE_PASSWORD_RESET_MINUTES must be between 1 and "
                          f"{MAX_RESET_MINUTES}, got {config['PASSWORD_RESET_MINUTES']}")
    if not 0 <= config["COMMUNICATION_LEAD_DAYS"] <= MAX_LEAD_DAYS:
        raise ConfigError(f"CADENCE_COMMUNICATION_LEAD_DAYS must be between 0 and "
                          f"{MAX_LEAD_DAYS}, got {config['COMMUNICATION_LEAD_DAYS']}")
    if config["SQLITE_BUSY_SECONDS"] < 1 or not 1 <= config["SERVE_THREADS"] <= MAX_THREADS:
        raise ConfigError(f"CADENCE_SQLITE_BUSY_SECONDS must be at least 1 and "
                          f"CADENCE_SERVE_THREADS between 1 and {MAX_THREADS}")
    for key in ("ADHERENCE_HELD_MIN", "ADHERENCE_AGENDA_MIN", "ADHERENCE_ACTIONS_MIN"):
        if not 0 <= config[key] <= 100:
            raise ConfigError(f"CADENCE_{key} is a percentage between 0 and 100, "
                              f"got {config[key]}")


def _sqlite_engine_options(config, url: str) -> None:
    """Wait ``SQLITE_BUSY_SECONDS`` for the write lock; pool a connection per server thread."""
    options = config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    connect_args = options.setdefault("connect_args", {})
    connect_args.setdefault("timeout", config["SQLITE_BUSY_SECONDS"])
    in_memory = url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url
    if not in_memory:  # in-memory databases use a single shared connection (StaticPool)
        # Every thread holds one connection at most; the sweep thread and a spare on top.
        options.setdefault("pool_size", config["SERVE_THREADS"] + 2)


def load_config(app: Flask, overrides: dict | None = None) -> None:
    """Fill ``app.config`` from defaults, the instance file, the environment and overrides."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_object(Defaults)
    del app.config["BASE_URL"]  # set below; ``flask cadence serve`` needs to know if it was
    # An absolute path: a relative one is read from the package folder, not the instance.
    app.config.from_pyfile(str(instance / INSTANCE_CONFIG), silent=True)
    app.config.update(_from_environment())
    app.config.update(overrides or {})
    config = app.config
    config["BASE_URL_SET"] = "BASE_URL" in config
    config.setdefault("BASE_URL", Defaults.BASE_URL)
    _check(config)

    if config.get("SECRET_KEY") in (None, ""):
        if config["ENV"] == "production":
            raise ConfigError(
                "CADENCE_SECRET_KEY is not set. In production mode the secret key must come "
                "from the environment or instance/cadence.cfg so every app server shares it."
            )
        config["SECRET_KEY"] = _embedded_secret(instance)

    url = config.get("DATABASE_URL") or f"sqlite:///{instance / 'cadence.db'}"
    config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        _sqlite_engine_options(config, url)
    config["BASE_URL"] = config["BASE_URL"].rstrip("/")
    config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    config["RATELIMIT_HEADERS_ENABLED"] = False
    if config["ENV"] == "production":
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    config.setdefault("OUTBOX_DIR", str(instance / "outbox"))
