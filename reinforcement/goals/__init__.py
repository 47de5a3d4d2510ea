"""Metrics, goals, weekly actuals and gap reviews with their root causes."""

from flask import Blueprint, Flask

from lms.api import register
from lms.web import menu

bp = Blueprint("goals", __name__)


def init_app(app: Flask) -> None:
    """Register the feature's tables, rules, pages, menu entries and API."""
    # Imported here, not at the top, so that using a model or a service of the feature does
    # not load its pages; importing them registers tables, rules, routes and providers.
    from reinforcement.goals import api, models, nextsteps, permissions, views  # noqa: F401

    menu.add("Coaching", "Goals", "reinforcement.goals.goals_person", order=20,
             active=("reinforcement.goals.",), values=lambda user: {"person_id": user.id})
    for blueprint in api.BLUEPRINTS:
        register(blueprint)
