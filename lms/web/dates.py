"""The date styles every page uses, defined once; pure (no Flask), so they test without an app.

- ``date``: a day (due, issued, observed): "Tue 8 Dec 2026".
- ``datetime``: a moment (a meeting, a sending): "Tue 8 Dec 2026, 14:00".
- ``time``: the end of a span on the same day: "15:00".
- ``day``: a compact table column or chart axis label: "8 Dec".
- ``month``: a month under review: "December 2026".
- ``span``: a meeting with its end and the zone: "Tue 8 Dec 2026, 14:00–15:30 CET" (the
  end's day too when it differs).
- ``relative``: a near moment or day: "today 14:00", "tomorrow 09:30", "yesterday 16:00",
  "in 3 days", "3 days ago"; beyond ``NEAR_DAYS`` days, the absolute style.

Moments (aware datetimes) are shown in the viewer's zone; plain dates are calendar days and are
never shifted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NEAR_DAYS = 6
UTC_ZONE = ZoneInfo("UTC")
_NAMED = {0: "today", 1: "tomorrow", -1: "yesterday"}


def zone_named(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name``; UTC when it is empty or unknown. The one place that says so."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(value: datetime, zone: ZoneInfo) -> datetime:
    """``value`` in ``zone``; a naive datetime is taken as UTC (SQLite hands those back)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone)


def _day_of(value: date | datetime, zone: ZoneInfo = UTC_ZONE) -> date:
    return local(value, zone).date() if isinstance(value, datetime) else value


def format_date(value: date | datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """``Tue 8 Dec 2026``: the day, in ``zone`` when ``value`` is a moment."""
    day = _day_of(value, zone)
    return f"{day:%a} {day.day} {day:%b %Y}"


def format_day(value: date | datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """``8 Dec``: a compact day for table columns and chart axes."""
    day = _day_of(value, zone)
    return f"{day.day} {day:%b}"


def format_month(value: date | datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """``December 2026``."""
    return f"{_day_of(value, zone):%B %Y}"


def format_time(value: datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """``14:00`` in ``zone``."""
    return f"{local(value, zone):%H:%M}"


def format_datetime(value: datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """``Tue 8 Dec 2026, 14:00`` in ``zone``."""
    return f"{format_date(value, zone)}, {format_time(value, zone)}"


def format_span(start: datetime, end: datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """``Tue 8 Dec 2026, 14:00–15:30 CET``: a meeting people may join from another zone."""
    same_day = local(start, zone).date() == local(end, zone).date()
    until = format_time(end, zone) if same_day else format_datetime(end, zone)
    return f"{format_datetime(start, zone)}–{until} {local(end, zone):%Z}"


def full(value: date | datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """The absolute form with nothing left out (the zone of a moment too), for a title."""
    if isinstance(value, datetime):
        return f"{format_datetime(value, zone)} {local(value, zone):%Z}"
    return format_date(value, zone)


def machine(value: date | datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """The ISO 8601 text of a ``<time datetime=...>`` attribute."""
    if isinstance(value, datetime):
        return local(value, zone).isoformat(timespec="minutes")
    return value.isoformat()


def format_relative(value: date | datetime, zone: ZoneInfo, now: datetime) -> str:
    """``today 14:00``, ``tomorrow``, ``in 3 days``, ``3 days ago``; the absolute form when far.

    Days are counted on the calendar of ``zone``: 23:30 tonight is "today", 00:30 is "tomorrow".
    """
    days = (_day_of(value, zone) - local(now, zone).date()).days
    if abs(days) > NEAR_DAYS:
        return format_datetime(value, zone) if isinstance(value, datetime) else (
            format_date(value, zone))
    if days in _NAMED:
        named = _NAMED[days]
        return f"{named} {format_time(value, zone)}" if isinstance(value, datetime) else named
    return f"in {days} days" if days > 0 else f"{-days} days ago"
