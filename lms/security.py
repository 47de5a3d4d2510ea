"""Security headers on every response, error pages included."""

from __future__ import annotations

from flask import Flask
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

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
