"""Configuration: defaults, instance file, ``CADENCE_*`` variables, secret key, cookie flags."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask, request, session
from flask_login import LoginManager, UserMixin, login_user

from lms import security
from lms.config import SECRET_FILE, ConfigError, load_config


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """Keep the machine's own CADENCE_* variables out of these tests."""
    for name in list(os.environ):
        if name.startswith("CADENCE_"):
            monkeypatch.delenv(name)


def _flask(instance) -> Flask:
    return Flask("cadence_config_probe", instance_path=str(instance))


def test_defaults_without_any_configuration(tmp_path):
    app = _flask(tmp_path)
    load_config(app)
    assert app.config["ENV"] == "embedded"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'cadence.db'}"
    assert app.config["LOGIN_THROTTLE"] == "5 per 15 minutes"
    assert app.config["PASSWORD_RESET_MINUTES"] <= 60
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["OUTBOX_DIR"] == str(tmp_path / "outbox")


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_DATABASE_URL", "postgresql+psycopg://db.internal/cadence")
    monkeypatch.setenv("CADENCE_BASE_URL", "https://learn.example.com/")
    monkeypatch.setenv("CADENCE_MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("CADENCE_MAIL_PORT", "2525")
    monkeypatch.setenv("CADENCE_MAIL_USE_SSL", "yes")
    monkeypatch.setenv("CADENCE_MAIL_USE_STARTTLS", "0")
    monkeypatch.setenv("CADENCE_REDIS_URL", "redis://cache.internal:6379/0")
    monkeypatch.setenv("CADENCE_SECRET_KEY", "from-the-environment")
    app = _flask(tmp_path)

    load_config(app)

    config = app.config
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.internal/cadence"
    assert config["BASE_URL"] == "https://learn.example.com"  # trailing slash trimmed
    assert config["MAIL_SERVER"] == "smtp.example.com"
    assert config["MAIL_PORT"] == 2525
    assert config["MAIL_USE_SSL"] is True and config["MAIL_USE_STARTTLS"] is False
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert config["SECRET_KEY"] == "from-the-environment"  # noqa: S105
    assert not (tmp_path / SECRET_FILE).exists()


def test_instance_file_is_read_and_environment_wins_over_it(tmp_path, monkeypatch):
    (tmp_path / "cadence.cfg").write_text(
        'BASE_URL = "https://from-file.example"\nMAIL_SENDER = "Team <team@example.com>"\n')
    monkeypatch.setenv("CADENCE_BASE_URL", "https://from-env.example")
    app = _flask(tmp_path)

    load_config(app)

    assert app.config["MAIL_SENDER"] == "Team <team@example.com>"
    assert app.config["BASE_URL"] == "https://from-env.example"


def test_explicit_overrides_win_over_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_PASSWORD_MIN_LENGTH", "14")
    app = _flask(tmp_path)
    load_config(app, {"PASSWORD_MIN_LENGTH": 16})
    assert app.config["PASSWORD_MIN_LENGTH"] == 16


def test_integer_variable_is_converted(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_PASSWORD_RESET_MINUTES", "30")
    app = _flask(tmp_path)
    load_config(app)
    assert app.config["PASSWORD_RESET_MINUTES"] == 30


def test_bad_integer_variable_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigError) as raised:
        load_config(_flask(tmp_path))
    message = str(raised.value)
    assert "CADENCE_MAIL_PORT" in message and "twenty-five" in message
    assert "whole number" in message


def test_embedded_mode_generates_secret_once_and_reuses_it(tmp_path):
    first = _flask(tmp_path)
    load_config(first)
    secret_file = tmp_path / SECRET_FILE
    assert secret_file.exists()
    assert secret_file.stat().st_mode & 0o077 == 0  # readable by the owner only
    assert len(first.config["SECRET_KEY"]) >= 32

    second = _flask(tmp_path)
    load_config(second)

    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert secret_file.read_text().strip() == first.config["SECRET_KEY"]


def test_separate_instances_get_different_secrets(tmp_path):
    one, two = _flask(tmp_path / "one"), _flask(tmp_path / "two")
    load_config(one)
    load_config(two)
    assert one.config["SECRET_KEY"] != two.config["SECRET_KEY"]


def test_production_without_secret_key_stops_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_ENV", "production")
    with pytest.raises(ConfigError) as raised:
        load_config(_flask(tmp_path))
    assert "CADENCE_SECRET_KEY" in str(raised.value)
    assert "production" in str(raised.value)
    assert not (tmp_path / SECRET_FILE).exists()


def test_production_with_empty_secret_key_also_stops(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_ENV", "production")
    monkeypatch.setenv("CADENCE_SECRET_KEY", "")
    with pytest.raises(ConfigError):
        load_config(_flask(tmp_path))


def test_production_refuses_a_generated_secret_left_in_the_instance_folder(tmp_path,
                                                                           monkeypatch):
    # A file left by an embedded run on one server would not be shared by the others.
    load_config(_flask(tmp_path))
    monkeypatch.setenv("CADENCE_ENV", "production")
    with pytest.raises(ConfigError):
        load_config(_flask(tmp_path))


# --- cookie flags -------------------------------------------------------------------------------

class _Person(UserMixin):
    id = "1"


def _cookie_app(tmp_path, **overrides) -> Flask:
    app = _flask(tmp_path)
    load_config(app, overrides)
    manager = LoginManager(app)
    manager.user_loader(lambda user_id: _Person() if user_id == "1" else None)

    @app.post("/in")
    def sign_in():
        session["seen"] = True
        login_user(_Person(), remember=True)
        return "ok"

    return app


def _set_cookies(response) -> dict[str, str]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookies[header.split("=", 1)[0]] = header
    return cookies


def _flags(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


def test_cookies_are_httponly_and_samesite_lax_but_not_secure_when_embedded(tmp_path):
    response = _cookie_app(tmp_path).test_client().post("/in")
    cookies = _set_cookies(response)
    assert set(cookies) == {"cadence_session", "cadence_remember"}
    for header in cookies.values():
        assert "httponly" in _flags(header)
        assert "SameSite=Lax" in header
        assert "secure" not in _flags(header)  # the embedded default serves plain http


def test_cookies_are_secure_in_production(tmp_path):
    app = _cookie_app(tmp_path, ENV="production", SECRET_KEY="s" * 40)
    cookies = _set_cookies(app.test_client().post("/in"))
    assert set(cookies) == {"cadence_session", "cadence_remember"}
    for header in cookies.values():
        assert {"secure", "httponly"} <= _flags(header)
        assert "SameSite=Lax" in header


def test_cookie_lifetimes_are_bounded(tmp_path):
    app = _flask(tmp_path)
    load_config(app)
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(days=1)
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=31)
    remember = _set_cookies(_cookie_app(tmp_path / "c").test_client().post("/in"))[
        "cadence_remember"]
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", remember).group(1))
    assert expires - datetime.now(UTC) <= app.config["REMEMBER_COOKIE_DURATION"]


def test_test_app_uses_the_shipped_cookie_settings(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"] == "cadence_session"


def test_bad_boolean_variable_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_MAIL_USE_SSL", "ture")
    with pytest.raises(ConfigError, match="CADENCE_MAIL_USE_SSL must be true or false"):
        load_config(_flask(tmp_path))


def test_mode_is_case_insensitive_and_typos_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_ENV", "Production")
    monkeypatch.setenv("CADENCE_SECRET_KEY", "s" * 40)
    app = _flask(tmp_path)
    load_config(app)
    assert app.config["ENV"] == "production" and app.config["SESSION_COOKIE_SECURE"]

    monkeypatch.setenv("CADENCE_ENV", "prod")
    with pytest.raises(ConfigError, match="CADENCE_ENV must be one of embedded, production"):
        load_config(_flask(tmp_path))


def test_reset_links_cannot_be_configured_to_outlive_an_hour(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_PASSWORD_RESET_MINUTES", "600")
    with pytest.raises(ConfigError, match="PASSWORD_RESET_MINUTES must be between 1 and 60"):
        load_config(_flask(tmp_path))


def test_cookie_lifetimes_come_from_the_environment_in_seconds(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_PERMANENT_SESSION_LIFETIME", "3600")
    monkeypatch.setenv("CADENCE_REMEMBER_COOKIE_DURATION", "86400")
    app = _cookie_app(tmp_path)
    assert app.permanent_session_lifetime == timedelta(hours=1)
    remember = _set_cookies(app.test_client().post("/in"))["cadence_remember"]
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", remember).group(1))
    # The default is 14 days; one day from the environment must win.
    assert expires - datetime.now(UTC) < timedelta(days=2)


def _address_app(tmp_path, **overrides) -> Flask:
    app = _flask(tmp_path)
    load_config(app, overrides)
    security.init_app(app)

    @app.get("/who")
    def who():
        return f"{request.remote_addr} {request.scheme}"

    return app


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(tmp_path):
    client = _address_app(tmp_path).test_client()
    response = client.get("/who", headers={"X-Forwarded-For": "203.0.113.9",
                                           "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "127.0.0.1 http"


def test_trusted_proxy_supplies_client_address_and_scheme(tmp_path, monkeypatch):
    monkeypatch.setenv("CADENCE_TRUSTED_PROXIES", "1")
    client = _address_app(tmp_path).test_client()
    # Only the last hop, added by the one trusted proxy, counts; the client's own is ignored.
    response = client.get("/who", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.9",
                                           "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "203.0.113.9 https"
