"""Security headers on every response, error pages included, and no inline script."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from lms import security
from lms.config import load_config
from tests import factories


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def assert_secure_headers(response) -> None:
    directives = _directives(response)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert directives["default-src"] == "default-src 'self'"
    assert directives["script-src"] == "script-src 'self'"
    assert directives["base-uri"] in ("base-uri 'none'", "base-uri 'self'")
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer",
                                                   "strict-origin-when-cross-origin")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_sign_in_page_has_security_headers(client, session):
    response = client.get("/login")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_signed_in_page_has_security_headers(client, session, login):
    login(factories.person())
    response = client.get("/account")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_redirect_has_security_headers(client, session):
    response = client.get("/account")
    assert response.status_code == 302
    assert_secure_headers(response)


def test_not_found_page_has_security_headers(client, session):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)
    assert_secure_headers(response)


def test_forbidden_page_has_security_headers(client, session, login):
    login(factories.person())
    response = client.get("/people/")
    assert response.status_code in (403, 404)
    assert_secure_headers(response)


def test_method_not_allowed_has_security_headers(client, session):
    response = client.put("/login")
    assert response.status_code == 405
    assert_secure_headers(response)


def test_throttled_page_has_security_headers(app, client, session):
    person = factories.person()
    limit = int(app.config["LOGIN_THROTTLE"].split()[0])
    for _ in range(limit):
        client.post("/login", data={"email": person.email, "password": "wrong guess"})
    response = client.post("/login", data={"email": person.email, "password": "wrong guess"})
    assert response.status_code == 429
    assert_secure_headers(response)


def test_server_error_page_has_security_headers(app, client, session, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("lms.auth.views.LoginForm", explode)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    response = client.get("/login")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "boom" not in page
    assert_secure_headers(response)


def test_api_error_has_security_headers(client, session):
    response = client.get("/api/v1/people/me")
    assert response.status_code == 401
    assert_secure_headers(response)


def test_no_hsts_outside_production(client, session):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def _production_app(tmp_path) -> Flask:
    app = Flask("cadence_production_probe", instance_path=str(tmp_path))
    load_config(app, {"ENV": "production", "SECRET_KEY": "x" * 32})
    security.init_app(app)

    @app.get("/")
    def index():
        return "ok"

    return app


def test_hsts_in_production_on_pages_and_errors(tmp_path):
    client = _production_app(tmp_path).test_client()
    for path, status in (("/", 200), ("/missing", 404)):
        response = client.get(path)
        assert response.status_code == status
        hsts = response.headers["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600
        assert_secure_headers(response)


def _assert_no_inline_code(page: str) -> None:
    # The CSP has no 'unsafe-inline': inline code would be blocked in the browser.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts, "the layout loads its scripts from files"
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), attributes
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert not re.search(r"<style\b|\sstyle\s*=", page), "inline style"
    assert "javascript:" not in page


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/no-such-page"])
def test_signed_out_pages_carry_no_inline_script_or_style(client, session, path):
    _assert_no_inline_code(client.get(path).get_data(as_text=True))


@pytest.mark.parametrize("path", ["/", "/account", "/account/tokens", "/notifications/",
                                  "/no-such-page"])
def test_signed_in_pages_carry_no_inline_script_or_style(client, session, login, path):
    login(factories.person(level="manager"))
    _assert_no_inline_code(client.get(path).get_data(as_text=True))
