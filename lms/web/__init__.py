"""Shared web pieces: URL converters, request arguments and bodies, forms, Markdown, stored
files, charts, spreadsheets, templating and dates."""

from __future__ import annotations

from flask import Flask

from lms.web import bodies, menu
from lms.web.converters import install


def init_app(app: Flask) -> None:
    """Install the URL converters (before any blueprint adds a route), the body checks and
    the navigation bar."""
    install(app)
    bodies.init_app(app)
    menu.init_app(app)
