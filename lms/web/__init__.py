"""Shared web pieces: URL converters and request-argument readers used by every package."""

from __future__ import annotations

from flask import Flask

from lms.web.converters import install


def init_app(app: Flask) -> None:
    """Install the URL converters; call it before any blueprint adds a route."""
    install(app)
