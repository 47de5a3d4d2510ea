"""Jinja filters shared by every template: the date styles of ``lms.web.dates``, each in the
signed-in person's time zone, and ``relative`` as a ``<time>`` element that keeps the full date.
``person_zone`` is the one place that says which zone a person's dates are shown in, and
``local_date`` the day it is for them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user
from markupsafe import Markup, escape

from lms.db import utcnow
from lms.web import dates

if TYPE_CHECKING:
    from flask_login import AnonymousUserMixin

    from lms.people.models import User


def person_zone(person: User | AnonymousUserMixin | None) -> ZoneInfo:
    """The time zone of ``person``'s profile; UTC for a visitor, nobody or an unknown zone."""
    return dates.zone_named(getattr(person, "time_zone", None))


def local_date(moment: datetime, person: User | AnonymousUserMixin | None) -> date:
    """``moment``'s date on ``person``'s calendar."""
    return moment.astimezone(person_zone(person)).date()


def _styled(style):
    def show(value: date | datetime | None) -> str:
        return "" if value is None else style(value, person_zone(current_user))
    show.__doc__ = style.__doc__
    return show


date_text = _styled(dates.format_date)
datetime_text = _styled(dates.format_datetime)
time_text = _styled(dates.format_time)
day_text = _styled(dates.format_day)
month_text = _styled(dates.format_month)


def span(start: datetime | None, end: datetime | None) -> str:
    """A meeting from ``start`` to ``end``, with the viewer's zone."""
    if start is None or end is None:
        return datetime_text(start)
    return dates.format_span(start, end, person_zone(current_user))


def viewer_today() -> date:
    """Today on the signed-in person's calendar."""
    return dates.local(utcnow(), person_zone(current_user)).date()


def relative_text(value: date | datetime | None, now: datetime | None = None) -> str:
    """``today 14:00`` or ``in 3 days`` (plain text, for messages built in Python)."""
    if value is None:
        return ""
    return dates.format_relative(value, person_zone(current_user), now or utcnow())


def relative(value: date | datetime | None, now: datetime | None = None) -> Markup:
    """A near date in words inside ``<time>``, whose title holds the full absolute date."""
    if value is None:
        return Markup("")
    zone = person_zone(current_user)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        dates.machine(value, zone), dates.full(value, zone),
        escape(dates.format_relative(value, zone, now or utcnow())))


def init_app(app: Flask) -> None:
    filters = app.jinja_env.filters
    filters.update(date=date_text, datetime=datetime_text, time=time_text, day=day_text,
                   month=month_text, span=span, relative=relative)
