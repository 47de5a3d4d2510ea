"""Security headers on every response, error pages included."""

from __future__ import annotations

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
])


def policy(media_origins: str = "") -> str:
    """The CSP, with lesson videos allowed from the page's origin and ``media_origins``."""
    return "; ".join([CSP, " ".join(["media-src 'self'", *media_origins.split()])])


def init_app(app: Flask) -> None:
    production = app.config["ENV"] == "production"
    csp = policy(app.config.get("MEDIA_ORIGINS") or "")
    proxies = app.config.get("TRUSTED_PROXIES") or 0
    if proxies:
        # The client's address (the sign-in throttle's key) and scheme as the proxies saw
        # them; the Host header is never trusted, links come from BASE_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if production:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    app.extensions["cadence_security_headers"] = headers

    @app.after_request
    def _headers(response):
        return secure(response)


def secure(response: Response) -> Response:
    """Give ``response`` every security header it does not set itself.

    Error pages call it directly too: after a failed request the ``after_request`` hooks
    may not all run, and the page must not go out without its CSP.
    """
    for name, value in current_app.extensions["cadence_security_headers"].items():
        response.headers.setdefault(name, value)
    return response
