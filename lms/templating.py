"""Jinja filters shared by every template."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from flask_login import current_user


def _zone() -> ZoneInfo:
    name = getattr(current_user, "time_zone", None) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """Show an aware datetime in the signed-in person's time zone."""
    if value is None:
        return ""
    return value.astimezone(_zone()).strftime(fmt)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
