"""Coaching check-ins and action items: the weekly 1:1, its agenda and notes, what was
agreed, the reminders, the calendar feed and the Home steps."""

from flask import Blueprint, Flask

from lms.api import register
from lms.web import menu

bp = Blueprint("checkins", __name__)


def init_app(app: Flask) -> None:
    """Register the feature's tables, rules, pages, menu entries and API."""
    # Imported here, not at the top, so that using a model or a service of the feature does
    # not load its pages; importing them registers tables, rules, routes and providers.
    from reinforcement.checkins import (  # noqa: F401
        api,
        calendar,
        models,
        nextsteps,
        permissions,
        reminders,
        views,
    )

    menu.add("Coaching", "This week", "reinforcement.checkins.week", order=10,
             active=("reinforcement.checkins.",))
    for blueprint in api.BLUEPRINTS:
        register(blueprint)
