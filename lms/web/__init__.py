"""Shared web pieces: URL converters, request-argument readers and request-body checks."""

from __future__ import annotations

from flask import Flask

from lms.web import bodies
from lms.web.converters import install


def init_app(app: Flask) -> None:
    """Install the URL converters (before any blueprint adds a route) and the body checks."""
    install(app)
    bodies.init_app(app)
