"""Reinforcement plans: the coaching rhythm a program sets (duration, cadence, focus,
agenda, resources) and starting it for a coach's team."""

from flask import Blueprint, Flask

from lms.api import register

bp = Blueprint("plans", __name__)


def init_app(app: Flask) -> None:
    """Register the feature's tables, rules, pages, menu entries and API."""
    # Imported here, not at the top, so that using a model or a service of the feature does
    # not load its pages; importing them registers tables, rules, routes and providers.
    from reinforcement.plans import api, models, permissions, views  # noqa: F401

    for blueprint in api.BLUEPRINTS:
        register(blueprint)
